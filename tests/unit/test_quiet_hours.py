"""Quiet hours: a message due at night waits for the morning, in the recipient's local
time, across both daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from service.notifications.quiet import after_quiet_hours, in_quiet_hours

HELSINKI = ZoneInfo("Europe/Helsinki")
NIGHT = (time(21), time(8))


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HELSINKI)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (time(20, 59), False),
        (time(21, 0), True),
        (time(3, 0), True),
        (time(7, 59), True),
        (time(8, 0), False),
        (time(12, 0), False),
    ],
)
def test_quiet_hours_span_midnight(moment, quiet):
    assert in_quiet_hours(moment, *NIGHT) is quiet


def test_daytime_quiet_hours_and_none():
    assert in_quiet_hours(time(13), time(12), time(14))
    assert not in_quiet_hours(time(15), time(12), time(14))
    assert not in_quiet_hours(time(3), time(0), time(0))  # same start and end: none


def test_a_message_due_in_the_day_goes_at_once():
    due = local("2026-09-16T12:00")
    assert after_quiet_hours(due, HELSINKI, *NIGHT) == due


@pytest.mark.parametrize(
    ("due", "morning_utc"),
    [
        # an ordinary evening and the small hours after it: 08:00 EEST is 05:00 UTC
        ("2026-09-16T22:30", "2026-09-17T05:00"),
        ("2026-09-17T02:00", "2026-09-17T05:00"),
        # the night the clocks go back (25 October 2026, 04:00 EEST -> 03:00 EET):
        # 08:00 on Sunday is EET, 06:00 UTC
        ("2026-10-24T23:00", "2026-10-25T06:00"),
        ("2026-10-25T03:30", "2026-10-25T06:00"),
        # the night the clocks go forward (29 March 2026, 03:00 EET -> 04:00 EEST):
        # 08:00 on Sunday is EEST, 05:00 UTC
        ("2026-03-28T23:00", "2026-03-29T05:00"),
        ("2026-03-29T02:30", "2026-03-29T05:00"),
    ],
)
def test_a_message_due_at_night_waits_until_the_local_morning_across_dst(due, morning_utc):
    sent = after_quiet_hours(local(due).astimezone(UTC), HELSINKI, *NIGHT)
    assert sent == datetime.fromisoformat(morning_utc).replace(tzinfo=UTC)
    assert sent.astimezone(HELSINKI).time() == time(8)
