"""Allowance tables: the rates, the approved (locked) months and the ledger lines that
approving a month stores. Money is `Numeric`, never a float."""

from piccolo.columns import Date, ForeignKey, Integer, Numeric, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.auth.tables import User
from service.catalog.tables import Activity
from service.people.tables import Participant
from service.reports.ledger import Basis
from service.tables import Identified


class AllowanceRate(Identified, Table, tablename="allowance_rate"):
    """A rate for an activity or an activity kind, per day or per hour present, from a
    date (a later rate of the same activity or kind replaces it from its own date)."""

    activity = ForeignKey(references=Activity, on_delete=OnDelete.cascade, null=True)
    kind = Varchar(length=24, null=True, default=None)
    basis = Varchar(length=8, choices=Basis)
    amount = Numeric(digits=(10, 4))
    currency = Varchar(length=3, default="EUR")
    valid_from = Date()
    created_at = Timestamptz(default=TimestamptzNow())


class AllowanceMonth(Identified, Table, tablename="allowance_month"):
    """A month a coordinator approved: locked, its lines stored."""

    month = Date(unique=True)
    approved_at = Timestamptz(default=TimestamptzNow())
    approved_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)


class AllowanceLine(Identified, Table, tablename="allowance_line"):
    """One line of an approved month: what a participant earned in it (`for_month` is
    the month itself), or a correction of an earlier locked month (`for_month`)."""

    month = Date(index=True)
    for_month = Date(index=True)
    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    days = Integer(default=0)
    hours = Numeric(digits=(10, 2))
    amount = Numeric(digits=(12, 2))
    currency = Varchar(length=3, default="EUR")
