"""Shapes of staff profiles."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

import msgspec

from service.bounds import Count, Input, RowId, text
from service.catalog.schemas import MAX_LISTED, Skill
from service.schedule.schemas import SessionOut
from service.staff.tables import AbsenceReason

#: Weekly contract hours a staff member may have.
ContractHours = Annotated[float, msgspec.Meta(ge=0, le=80)]


class WindowIn(Input):
    weekday: Annotated[int, msgspec.Meta(ge=0, le=6)]
    start: time
    end: time


class StaffProfileIn(Input):
    skills: Annotated[list[Skill], msgspec.Meta(max_length=MAX_LISTED)] = msgspec.field(
        default_factory=list
    )
    site_ids: Annotated[list[RowId], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )
    availability: Annotated[list[WindowIn], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    #: Weekly contract hours; none: not recorded (cover then does not count hours).
    contract_hours: ContractHours | None = None


class StaffProfileOut(msgspec.Struct):
    user_id: int
    name: str
    email: str
    site_ids: list[int]
    skills: list[str]
    availability: list[WindowIn]
    contract_hours: float | None = None


class AbsenceIn(Input):
    """An absence: one day (`end_date` left out), or a period; with `start_time` and
    `end_time` only part of each day. The reason is a category, never health details.
    `user_id` left out: the one who records it is the one away."""

    start_date: date
    reason: AbsenceReason
    end_date: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    user_id: RowId | None = None


class AbsenceOut(msgspec.Struct):
    id: int
    user_id: int
    name: str
    start_date: date
    end_date: date
    start_time: time | None
    end_time: time | None
    reason: AbsenceReason


class SuggestionOut(msgspec.Struct):
    user_id: int
    name: str
    proposed: bool
    why: str  # one line


class RefusalOut(msgspec.Struct):
    user_id: int
    name: str
    why: str  # one line


class StaffRef(msgspec.Struct):
    id: int
    name: str


class GapOut(msgspec.Struct):
    """A session an absence leaves without its only instructor (`no_instructor`) or
    below its staffing ratio (`below_ratio`), with who could step in."""

    session_id: int
    sequence: int
    title: str
    site_id: int
    site_name: str
    room_name: str | None
    date: date
    start: time
    end: time
    kind: str
    missing: int
    absent: list[StaffRef]
    remaining: list[StaffRef]
    suggestions: list[SuggestionOut]
    not_suggested: list[RefusalOut]


class CoverDayOut(msgspec.Struct):
    date: date
    gaps: list[GapOut]


class CoverAssignIn(Input):
    """Who steps in, and the session's `sequence` as it was read (409 if it changed)."""

    user_id: RowId
    sequence: Count


class CoverCancelIn(Input):
    reason: Annotated[str, text(200, min_length=1)]
    sequence: Count


class CoverResult(msgspec.Struct):
    session: SessionOut
    #: Whether the participants were told. Notifications do not exist yet: always
    #: False, and the roster says so.
    participants_told: bool


class RotaItem(msgspec.Struct):
    session_id: int
    title: str
    site_name: str
    start: time
    end: time
    cancelled: bool


class RotaPerson(msgspec.Struct):
    """One staff member's week: sessions per weekday, absences, hours planned against
    their contract hours."""

    user_id: int
    name: str
    contract_hours: float | None
    planned_hours: float
    over_contract: bool
    days: list[list[RotaItem]]  # Monday first
    away: list[str]  # per weekday: the reason of an absence that day, or ""


class RotaOut(msgspec.Struct):
    monday: date
    people: list[RotaPerson]
