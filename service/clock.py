"""The one source of the current time, always aware and in UTC, and the dates made from it."""

from datetime import UTC, date, datetime, timedelta


def utcnow() -> datetime:
    return datetime.now(UTC)


def next_monday(today: date | None = None) -> date:
    """The Monday after today (a week from today when today is Monday)."""
    today = today or date.today()
    return today + timedelta(days=7 - today.weekday())
