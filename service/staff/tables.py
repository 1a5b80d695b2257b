"""Staff profiles: skills and weekly availability of users with the staff role."""

from enum import StrEnum

from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Time, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.auth.tables import User
from service.tables import Identified


class StaffSkill(Identified, Table, tablename="staff_skill"):
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    skill = Varchar(length=40)


class StaffAvailability(Identified, Table, tablename="staff_availability"):
    """A weekly window (local time at the sites) when the staff member can work."""

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    weekday = Integer()
    start = Time()
    end = Time()


class AbsenceReason(StrEnum):
    """Why a staff member is away, as a category only: no health details."""

    sick = "sick"
    leave = "leave"
    training = "training"
    other = "other"


class StaffAbsence(Identified, Table, tablename="staff_absence"):
    """A staff member away from `start_date` to `end_date` (local dates, inclusive);
    with `start_time` and `end_time` only part of each of those days (local times)."""

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    start_date = Date(index=True)
    end_date = Date(index=True)
    start_time = Time(null=True, default=None)
    end_time = Time(null=True, default=None)
    reason = Varchar(length=12, choices=AbsenceReason)
    recorded_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class StaffContract(Identified, Table, tablename="staff_contract"):
    """A staff member's weekly contract hours, in minutes (none: not recorded)."""

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, unique=True, index=True)
    weekly_minutes = Integer()
