"""What both databases can store, as types for input structs and request parameters.

Input that a database cannot store must be refused where it enters, with a 400/422
naming the field, never by a 500 from the driver: PostgreSQL's `integer` ends at 2^31-1
(SQLite's at 2^63-1), neither stores a NUL character in text, and date arithmetic in
Python ends at year 9999. The same bounds hold on both engines so that an input is
accepted or refused alike whatever the provider runs.
"""

from __future__ import annotations

from datetime import date, datetime, time
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


MAX_BODY_BYTES = 1_000_000
"""The largest request body Tupa reads (413 above it): a tablet's batch of 500 marks is
well under it, and no list or text that an input struct allows comes near it."""

QUERY_TEXT_MAX = 200
"""The longest text a query parameter (a search, a filter) may carry."""

TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?$"
"""A time of day as the API reads and writes it: `HH:MM:SS`, optionally with fractions."""


def text(max_length: int, *, min_length: int = 0) -> msgspec.Meta:
    """The bounds of a stored text: at most `max_length` characters, and no NUL."""
    return msgspec.Meta(min_length=min_length, max_length=max_length, pattern=NO_NUL)


def day_error(name: str, value: object) -> str | None:
    """Why the field `name` holding `value` cannot be taken, if it is a date or a time
    Tupa cannot store or compare: a day outside FIRST_DAY..LAST_DAY, or a time of day
    with a UTC offset (times are the site's local wall-clock times)."""
    if isinstance(value, date) and (why := day_out_of_range(value)):
        return f"Invalid date in field `{name}`: {why}"
    if isinstance(value, time) and value.tzinfo is not None:
        return f"Invalid time in field `{name}`: give a local time without an offset"
    return None


class Input(msgspec.Struct, forbid_unknown_fields=True):
    """An input struct of the API and the pages: its dates and times are checked where
    they enter (msgspec has no range for dates), naming the field, for every subclass."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            if why := day_error(name, getattr(self, name)):
                raise ValueError(why)
