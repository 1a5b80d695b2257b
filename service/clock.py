"""The one source of the current time.

Every "now" and "today" of the product comes from here, so that tests can freeze it
(`time-machine`) and the suite passes on every day of the year. Dates are the provider's
dates: "today" at 00:30 in Helsinki is already tomorrow in UTC. `create_app` and the
worker set the provider's time zone from the settings once, at start-up.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = ZoneInfo("Europe/Helsinki")
_provider_time_zone: ZoneInfo = DEFAULT_TIME_ZONE


def use_time_zone(tz: ZoneInfo) -> None:
    """Make `tz` the provider's time zone (called from the app's and worker's start-up)."""
    global _provider_time_zone
    _provider_time_zone = tz


def provider_time_zone() -> ZoneInfo:
    return _provider_time_zone


def utcnow() -> datetime:
    """Now, aware and in UTC (for timestamps that are stored)."""
    return datetime.now(UTC)


def now(tz: ZoneInfo | None = None) -> datetime:
    """Now, aware, in `tz` or else the provider's time zone (for what people read)."""
    return datetime.now(tz or _provider_time_zone)


def today(tz: ZoneInfo | None = None) -> date:
    """Today's date in `tz` or else the provider's time zone (never the server's own)."""
    return now(tz).date()


def next_monday(day: date | None = None) -> date:
    """The Monday after `day`, by default today (a week from today when today is Monday)."""
    day = day or today()
    return day + timedelta(days=7 - day.weekday())
