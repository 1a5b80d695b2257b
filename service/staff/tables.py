"""Staff profiles: skills and weekly availability of users with the staff role."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Time, Varchar
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
