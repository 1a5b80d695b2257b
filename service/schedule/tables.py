"""Schedule tables: weekly slots, the dated sessions made from them, and closures."""

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from service.auth.tables import User
from service.catalog.tables import Activity, Room, Site
from service.tables import Identified


class SessionStatus(StrEnum):
    planned = "planned"
    cancelled = "cancelled"
    moved = "moved"


class WeeklySlot(Identified, Table, tablename="weekly_slot"):
    """When an activity recurs: a weekday and times, valid from a date until a date."""

    activity = ForeignKey(references=Activity, on_delete=OnDelete.cascade, index=True)
    weekday = Integer()
    start = Time()
    end = Time()
    valid_from = Date()
    valid_until = Date(null=True, default=None)
    room = ForeignKey(references=Room, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class SlotStaff(Identified, Table, tablename="slot_staff"):
    slot = ForeignKey(references=WeeklySlot, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    slot_staff_key = Unique([slot, user])


class Session(Identified, Table, tablename="session"):
    """One occurrence of a slot on a date, or a one-off. Times are local to the site,
    with the UTC instants beside them. `sequence` grows with every change that a
    calendar must show; `origin_date` is the date the slot made it for, which keeps
    generation idempotent after a session has been moved."""

    slot = ForeignKey(references=WeeklySlot, on_delete=OnDelete.set_null, null=True, index=True)
    origin_date = Date(null=True, default=None)
    activity = ForeignKey(references=Activity, on_delete=OnDelete.restrict, index=True)
    site = ForeignKey(references=Site, on_delete=OnDelete.restrict, index=True)
    room = ForeignKey(references=Room, on_delete=OnDelete.set_null, null=True)
    date = Date(index=True)
    start = Time()
    end = Time()
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    status = Varchar(length=12, choices=SessionStatus, default=SessionStatus.planned)
    cancel_reason = Varchar(length=200, default="")
    sequence = Integer(default=0)
    edited_by_hand = Boolean(default=False)
    slot_changed_since_edit = Boolean(default=False)
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    session_slot_origin_key = Unique([slot, origin_date])


class SessionStaff(Identified, Table, tablename="session_staff"):
    session = ForeignKey(references=Session, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    session_staff_key = Unique([session, user])


class Closure(Identified, Table, tablename="closure"):
    """Days a site (or every site, when `site` is empty) is closed."""

    site = ForeignKey(references=Site, on_delete=OnDelete.cascade, null=True, index=True)
    start_date = Date()
    end_date = Date()
    reason = Varchar(length=200)
    created_at = Timestamptz(default=TimestamptzNow())
