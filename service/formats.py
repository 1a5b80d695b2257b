"""Dates, times, weekdays, numbers and money in the reader's language, through Babel.

Every page, email and feed text formats through these functions (the templates have
them as filters), so none writes `strftime` by hand. The week starts on Monday and
times are on the 24-hour clock in every language: English is written as in Britain.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.dates import format_time as babel_time
from babel.dates import get_day_names
from babel.numbers import format_currency, format_decimal

from service import clock
from service.countries import current_country
from service.i18n import current_language

#: Babel's locale for each language where the bare code would be wrong (en is en_US:
#: a 12-hour clock and weeks from Sunday).
BABEL_LOCALES = {"en": "en_GB"}


def babel_locale(language: str | None = None) -> Locale:
    code = language or current_language()
    return Locale.parse(BABEL_LOCALES.get(code, code))


def format_day(value: date | None, fmt: str = "medium") -> str:
    """`12 Jan 2027`, `12.1.2027`, `12. jan. 2027`: a date as its reader writes it."""
    return babel_date(value, format=fmt, locale=babel_locale()) if value else ""


def format_clock(value: time | datetime | None, tz: ZoneInfo | None = None) -> str:
    """`09:00`, `9.00`: a time on the 24-hour clock (an aware datetime in `tz`, else the
    provider's time zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(tz or clock.provider_time_zone()) if value.tzinfo else value
        value = value.time()
    return babel_time(value, format="short", locale=babel_locale())


def format_span(start: time | datetime, end: time | datetime) -> str:
    """`09:00–12:00`: a session's times."""
    return f"{format_clock(start)}–{format_clock(end)}"


def format_moment(value: datetime | None, fmt: str = "short", tz: ZoneInfo | None = None) -> str:
    """A date and time, in `tz` or else the provider's time zone."""
    if value is None:
        return ""
    return babel_datetime(
        value, format=fmt, tzinfo=tz or clock.provider_time_zone(), locale=babel_locale()
    )


def weekday_name(
    weekday: int, width: Literal["abbreviated", "narrow", "short", "wide"] = "wide"
) -> str:
    """The name of a weekday counted from Monday = 0 (as `date.weekday()`); `width` is
    `wide` (Monday), `abbreviated` (Mon) or `short` (Mo)."""
    return str(get_day_names(width, context="stand-alone", locale=babel_locale())[weekday])


def format_number(value: float | Decimal | int, fmt: str | None = None) -> str:
    """`1 234,5` or `1,234.5`."""
    return format_decimal(value, format=fmt, locale=babel_locale())


def format_money(amount: Decimal | int, currency: str | None = None) -> str:
    """An amount in the provider's currency (EUR, DKK, ...) as the reader writes it."""
    return format_currency(amount, currency or current_country().currency, locale=babel_locale())
