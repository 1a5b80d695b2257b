"""Shapes of schedule data for services, pages and the JSON API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

import msgspec

from service.bounds import Input, RowId, text
from service.catalog.tables import ActivityKind
from service.schedule.tables import SessionStatus

Weekday = Annotated[int, msgspec.Meta(ge=0, le=6)]
Reason = Annotated[str, text(200, min_length=1)]
Note = Annotated[str, text(1000)]
StaffIds = Annotated[list[RowId], msgspec.Meta(max_length=50)]


class SlotIn(Input):
    activity_id: RowId
    weekday: Weekday
    start: time
    end: time
    valid_from: date
    valid_until: date | None = None
    room_id: RowId | None = None
    staff_ids: StaffIds = msgspec.field(default_factory=list)


class SlotOut(msgspec.Struct):
    id: int
    activity_id: int
    weekday: int
    start: time
    end: time
    valid_from: date
    valid_until: date | None
    room_id: int | None
    staff_ids: list[int]


class StaffName(msgspec.Struct):
    id: int
    name: str


class WarningOut(msgspec.Struct):
    code: str
    message: str
    staff_id: int | None = None
    other_session_id: int | None = None


class SessionOut(msgspec.Struct):
    id: int
    activity_id: int
    title: str
    kind: ActivityKind
    site_id: int
    site_name: str
    room_id: int | None
    room_name: str | None
    slot_id: int | None
    date: date
    start: time
    end: time
    starts_at: datetime
    ends_at: datetime
    status: SessionStatus
    cancel_reason: str
    sequence: int
    edited_by_hand: bool
    slot_changed_since_edit: bool
    placed: int
    capacity: int
    staff: list[StaffName]
    warnings: list[WarningOut]
    note: str
    min_participants: int = 0


class SessionIn(Input):
    """A one-off session."""

    activity_id: RowId
    date: date
    start: time
    end: time
    room_id: RowId | None = None
    staff_ids: StaffIds = msgspec.field(default_factory=list)
    note: Note = ""


class SessionChange(Input):
    """Move a session or change its room, staff or note; unset fields stay."""

    date: date | None = None
    start: time | None = None
    end: time | None = None
    room_id: RowId | None = None
    clear_room: bool = False
    staff_ids: StaffIds | None = None
    note: Note | None = None


class CancelIn(Input):
    reason: Reason


class ClosureIn(Input):
    start_date: date
    end_date: date
    reason: Reason
    site_id: RowId | None = None


class ClosureOut(msgspec.Struct):
    id: int
    site_id: int | None
    start_date: date
    end_date: date
    reason: str
    cancelled: int = 0  # when just added: how many sessions it cancelled


class GenerationResult(msgspec.Struct):
    created: int
    updated: int
    cancelled: int
    kept_as_edited: int


class ActivityAt(msgspec.Struct, frozen=True):
    """An activity and where it happens, as the schedule's checks read it."""

    id: int
    site_id: int
    site_name: str
    time_zone: str
    country: str


class SessionRow(msgspec.Struct):
    """A session as the schedule's rules read it: the row with its activity, site and
    room, its staff and how many are placed."""

    id: int
    activity_id: int
    title: str
    kind: str
    min_participants: int
    max_participants: int
    participants_per_staff: int
    site_id: int
    site_name: str
    room_id: int | None
    room_name: str | None
    slot_id: int | None
    date: date
    start: time
    end: time
    starts_at: datetime
    ends_at: datetime
    status: str
    cancel_reason: str
    sequence: int
    edited_by_hand: bool
    slot_changed_since_edit: bool
    note: str
    staff_ids: list[int]
    placed: int
