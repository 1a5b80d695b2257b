"""What both databases can store, as types for input structs and request parameters.

Input that a database cannot store must be refused where it enters, with a 400/422
naming the field, never by a 500 from the driver: PostgreSQL's `integer` ends at 2^31-1
(SQLite's at 2^63-1), neither stores a NUL character in text, and date arithmetic in
Python ends at year 9999. The same bounds hold on both engines so that an input is
accepted or refused alike whatever the provider runs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

DB_INT_MAX = 2**31 - 1
"""The largest value a Piccolo `Serial`/`Integer` column holds on PostgreSQL."""

NO_NUL = r"^[^\x00]*$"
"""A text pattern refusing the NUL character, which PostgreSQL cannot store in text."""

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
"""The dates Tupa accepts: wide enough for a birth year or a plan, narrow enough that
adding a horizon or a recurrence never overflows Python's `date`."""

RowId = Annotated[int, msgspec.Meta(ge=1, le=DB_INT_MAX)]
"""A reference to a stored row (id): positive and within the database's integer."""

Count = Annotated[int, msgspec.Meta(ge=0, le=DB_INT_MAX)]
"""A non-negative whole number that is stored."""


def day_out_of_range(value: date) -> str | None:
    """Why `value` is outside the dates Tupa accepts, or None if it is inside."""
    day = value.date() if isinstance(value, datetime) else value
    if day < FIRST_DAY or day > LAST_DAY:
        return f"must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"
    return None
