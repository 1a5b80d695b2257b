"""Shapes of placements, a participant's sessions, absences and rosters for services,
pages and the JSON API."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, time
from typing import Annotated

import msgspec

from service.bounds import Input, RowId, text
from service.catalog.tables import ActivityKind
from service.placements.tables import PlacementSource, PlacementStatus
from service.schedule.tables import SessionStatus


class PlacementIn(Input):
    participant_id: RowId
    slot_id: RowId
    start_date: date
    end_date: date | None = None
    pinned: bool = False


class PlacementOut(msgspec.Struct):
    id: int
    participant_id: RowId
    slot_id: RowId
    start_date: date
    end_date: date | None
    status: PlacementStatus
    source: PlacementSource
    pinned: bool


class MySession(msgspec.Struct):
    """A session as its participant sees it: no one else's name."""

    id: int
    title: str
    kind: ActivityKind
    site_name: str
    address: str
    phone: str
    date: date
    start: time
    end: time
    starts_at: datetime
    status: SessionStatus
    cancel_reason: str
    what_to_bring: str
    absence_given_at: datetime | None
    moved_from: dt.date | None = None  # the date it was first planned on, when moved


class AbsenceIn(Input):
    session_id: RowId
    participant_id: RowId | None = None
    note: Annotated[str, text(300)] = ""


class AbsenceTakeBack(Input):
    """ "I can come after all": which notice to take back (a participant's own when
    `participant_id` is left out)."""

    session_id: RowId
    participant_id: RowId | None = None


class AbsenceTakenBack(msgspec.Struct):
    participant_id: int
    session_id: int


class AbsenceOut(msgspec.Struct):
    id: int
    participant_id: int
    session_id: int
    given_at: datetime
    note: str


class RosterEntry(msgspec.Struct):
    participant_id: int
    name: str
    absence_given_at: datetime | None
    absence_note: str
