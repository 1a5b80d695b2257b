"""What attendance's services take and give: a tablet's batch of marks and what became
of each, the roster with its marks, today's sessions and follow-up items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

import msgspec

from service.attendance.rules import MarkStatus
from service.bounds import NO_NUL, RowId
from service.schedule.tables import SessionStatus

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
MAX_BATCH = 500

Moment = Annotated[datetime, msgspec.Meta(tz=True)]
"""A time with its UTC offset (its day is checked against `bounds.day_out_of_range`)."""


class MarkIn(msgspec.Struct, forbid_unknown_fields=True):
    """One mark as the tablet made it. Every field is within what both databases can
    store, so a mark that passes here is never refused by the database."""

    # The length also refuses a trailing newline, which `$` in the pattern lets through.
    uuid: Annotated[str, msgspec.Meta(pattern=UUID_PATTERN, max_length=36)]
    session_id: RowId
    participant_id: RowId
    status: MarkStatus
    marked_at: Moment
    arrived_at: Moment | None = None
    left_at: Moment | None = None
    note: Annotated[str, msgspec.Meta(max_length=300, pattern=NO_NUL)] = ""


class MarksIn(msgspec.Struct, forbid_unknown_fields=True):
    """A tablet's batch. Each mark is checked on its own (`MarkIn`), so that one bad
    mark is refused alone and never keeps the others out: here a mark is any object.
    `sent_at` is the tablet's clock when it sent the batch: with it the server knows how
    long ago, by the tablet's own clock, each mark was made, whatever that clock says."""

    marks: Annotated[
        list[dict[str, Any]],
        msgspec.Meta(
            min_length=1,
            max_length=MAX_BATCH,
            description="Marks, each as `MarkIn`: uuid, session_id, participant_id, "
            "status, marked_at, and optionally arrived_at, left_at, note.",
        ),
    ]
    device: Annotated[str, msgspec.Meta(max_length=64, pattern=NO_NUL)] = ""
    sent_at: Moment | None = None


class MarkResult(msgspec.Struct):
    """What became of one mark: `stored` (201), `duplicate` (200: this UUID was stored
    before, the first one stands) or `refused` (403, 404, 409 or 422, with the field).
    A duplicate whose content is not the stored one's has `differs` true and the fields
    that differ in `differing` (the stored mark still stands)."""

    uuid: str
    result: Literal["stored", "duplicate", "refused"]
    status: int
    mark_id: int | None = None
    field: str = ""
    detail: str = ""
    differs: bool = False
    differing: list[str] = msgspec.field(default_factory=list)


class MarksOut(msgspec.Struct):
    results: list[MarkResult]


class CurrentMark(msgspec.Struct):
    """A participant's mark that counts now (the latest made on any tablet)."""

    participant_id: int
    status: MarkStatus
    marked_at: datetime
    arrived_at: datetime | None
    left_at: datetime | None
    uuid: str


class RosterRow(msgspec.Struct):
    participant_id: int
    name: str
    expected: bool
    absence_given_at: datetime | None
    absence_note: str
    mark: CurrentMark | None
    note: str


class MarkHistory(msgspec.Struct):
    """One mark as it was stored, whether it counts now or not."""

    id: int
    uuid: str
    participant_id: int
    status: MarkStatus
    marked_at: datetime
    received_at: datetime
    marked_by: int | None
    device: str


class Choice(msgspec.Struct):
    id: int
    name: str


class SessionHead(msgspec.Struct):
    id: int
    title: str
    site_id: int
    site_name: str
    date: date
    start: time
    end: time
    status: SessionStatus
    cancel_reason: str


class AttendanceSheet(msgspec.Struct):
    session: SessionHead
    rows: list[RosterRow]
    walk_ins: list[Choice]
    can_mark: bool
    refusal: str


class DaySession(msgspec.Struct):
    id: int
    title: str
    site_name: str
    start: time
    end: time
    status: SessionStatus
    expected: int
    marked: int


class FollowUpOut(msgspec.Struct):
    id: int
    participant_id: int
    participant_name: str
    session_id: int
    session_title: str
    session_date: date
    reason: str
    created_at: datetime
    staff_id: int | None


class VisibleSession(msgspec.Struct):
    """A session as marking needs it: where, when and whether it is cancelled."""

    id: int
    site_id: int
    date: date
    status: SessionStatus


@dataclass
class Stored:
    """The outcome of a batch: the results and, per session, who changed."""

    results: list[MarkResult]
    changed: dict[int, set[int]] = field(default_factory=dict)


class SheetSession(msgspec.Struct):
    """One session on the morning sheet."""

    id: int
    title: str
    start: time
    end: time
    room_name: str | None
    status: str
    cancel_reason: str
    staff: list[str]
    expected: list[str]  # first names and initials
    cannot_come: list[str]  # told they can't come


class SheetFollowUp(msgspec.Struct):
    name: str  # first name and initial
    session_title: str
    session_date: date


class MorningSheet(msgspec.Struct):
    """A site's day on one A4 page: sessions with staff and rooms, who is expected,
    absence notices, staff away and open follow-ups."""

    site_id: int
    site_name: str
    date: date
    sessions: list[SheetSession]
    staff_away: list[str]
    follow_ups: list[SheetFollowUp]
    expected_total: int
    rides: list[Ride] | None = None  # None: the site has no transport arrangement
    lunch: int | None = None  # None: the site serves no lunch


class Ride(msgspec.Struct):
    """One participant's ride to a session and back."""

    name: str  # first name and initial
    pickup_address: str
    notes: str
    pickup_at: time
    return_at: time
    session_title: str


class TransportList(msgspec.Struct):
    site_id: int
    site_name: str
    date: date
    arranged: bool  # whether the site has a transport arrangement
    lead_minutes: int | None
    rides: list[Ride]


class DietCount(msgspec.Struct):
    diet: str
    label: str
    count: int


class Allergy(msgspec.Struct):
    name: str  # first name and initial
    text: str


class LunchList(msgspec.Struct):
    """The kitchen's count: those expected at the site's sessions that day (after
    absence notices and cancellations) and the staff running them who are not away."""

    site_id: int
    site_name: str
    date: date
    serves_lunch: bool
    participants: int
    staff: int
    diets: list[DietCount]
    allergies: list[Allergy]

    @property
    def total(self) -> int:
        return self.participants + self.staff
