"""Placements: a participant in a weekly slot from a date to a date, and the absence
notices participants give ("I can't come")."""

from enum import StrEnum

from piccolo.columns import Boolean, Date, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from service.auth.tables import User
from service.people.tables import Participant
from service.schedule.tables import Session, WeeklySlot
from service.tables import Identified


class PlacementStatus(StrEnum):
    proposed = "proposed"
    confirmed = "confirmed"
    ended = "ended"


class PlacementSource(StrEnum):
    manual = "manual"
    matcher = "matcher"


class Placement(Identified, Table, tablename="placement"):
    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    slot = ForeignKey(references=WeeklySlot, on_delete=OnDelete.cascade, index=True)
    start_date = Date()
    end_date = Date(null=True, default=None)
    status = Varchar(length=12, choices=PlacementStatus, default=PlacementStatus.confirmed)
    source = Varchar(length=12, choices=PlacementSource, default=PlacementSource.manual)
    pinned = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    # Why the matcher proposed it, as JSON codes (see service.matching.explain).
    reason = Text(default="")


class AbsenceNotice(Identified, Table, tablename="absence_notice"):
    """A participant's "I can't come" for one session, with the time it was given."""

    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    session = ForeignKey(references=Session, on_delete=OnDelete.cascade, index=True)
    given_at = Timestamptz(default=TimestamptzNow())
    given_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    note = Varchar(length=300, default="")
    absence_notice_key = Unique([participant, session])
