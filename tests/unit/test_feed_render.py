"""The pure feed renderer: RFC 5545 structure, escaping, folding and CRLF, checked by
parsing strictly with icalendar and expanding with recurring_ical_events."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from service.calendars.render import FeedCalendar, FeedEvent, escape_text, fold, render

HELSINKI = ZoneInfo("Europe/Helsinki")
STAMP = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def event(n: int = 1, title: str = "Woodwork", **extra) -> FeedEvent:
    start = extra.pop("starts_at", datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    values = {
        "uid": f"session-{n}@tupa",
        "title": title,
        "starts_at": start,
        "ends_at": start + timedelta(hours=3),
        "sequence": 0,
        "cancelled": False,
        "last_modified": STAMP,
        "location": "Pajatalo, Verstaankatu 4",
        "description": "Bring: shoes",
    }
    return FeedEvent(**{**values, **extra})


def unescape(value: str) -> str:
    """RFC 5545 TEXT unescaping (3.3.11), for properties icalendar keeps raw."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def parse(body: bytes) -> icalendar.Calendar:
    """Strict: icalendar raises on malformed content lines, and keeps in `errors`
    what it skipped; there must be nothing there."""
    calendar = icalendar.Calendar.from_ical(body)
    assert not [c.errors for c in calendar.walk() if c.errors]
    return calendar


def events_of(body: bytes) -> list:
    calendar = parse(body)
    return recurring_ical_events.of(calendar).between(date(2000, 1, 1), date(2100, 1, 1))


def test_calendar_has_the_required_properties_and_crlf_throughout():
    body = render(FeedCalendar(name="Tupa: my activities", events=[event()]))
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")
    calendar = parse(body)
    for name in ("VERSION", "PRODID", "CALSCALE", "X-WR-CALNAME", "X-PUBLISHED-TTL"):
        assert name in calendar, name
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT60M\r\n" in body
    [item] = events_of(body)
    for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "LAST-MODIFIED"):
        assert name in item, name
    assert item["STATUS"] == "CONFIRMED"
    assert item["UID"] == "session-1@tupa"


@pytest.mark.parametrize(
    "title",
    [
        "Puutyö, maalaus; ja \\ kurssi",
        "Two\nlines\r\nand a carriage\rreturn",
        "Kokkikerho 🍲🥕 ja ☕",
        "Dārzkopība un ķērpji: ģimene, šūšana",
        "Столярная мастерская; кухня, сад",
    ],
)
def test_titles_survive_a_round_trip(title):
    body = render(FeedCalendar(name=title, events=[event(title=title)]))
    [item] = events_of(body)
    expected = title.replace("\r\n", "\n").replace("\r", "\n")
    assert str(item["SUMMARY"]) == expected
    # icalendar leaves X- properties unparsed; read as TEXT, as calendar apps do:
    assert unescape(str(parse(body)["X-WR-CALNAME"])) == expected


def test_a_long_line_is_folded_at_75_octets_without_splitting_a_character():
    title = "Žēlsirdīgā šūšanas darbnīca 🧵 Столярная " * 8
    description = "ä" * 200
    body = render(FeedCalendar(name="x", events=[event(title=title, description=description)]))
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert sum(1 for line in lines if line.startswith(b" ")) > 5
    for line in lines:
        line.decode("utf-8")  # every physical line is whole UTF-8: nothing split
    [item] = events_of(body)
    assert str(item["SUMMARY"]) == title
    assert str(item["DESCRIPTION"]) == description


def test_fold_counts_octets_and_leaves_short_lines_alone():
    assert fold("SUMMARY:short") == "SUMMARY:short"
    folded = fold("SUMMARY:" + "€" * 40)  # 3 octets each
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == "SUMMARY:" + "€" * 40


def test_escape_text():
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    assert escape_text("bell\x07") == "bell"


@pytest.mark.parametrize(
    ("day", "expected_utc_hour"),
    [
        (date(2026, 3, 23), 7),  # Monday before the change to summer time (UTC+2)
        (date(2026, 3, 30), 6),  # Monday after it (UTC+3)
        (date(2026, 10, 19), 6),  # Monday before the change back
        (date(2026, 10, 26), 7),  # Monday after it
    ],
)
def test_nine_in_helsinki_has_the_right_utc_time_on_both_sides_of_dst(day, expected_utc_hour):
    start = datetime.combine(day, time(9), tzinfo=HELSINKI)
    body = render(FeedCalendar(name="x", events=[event(starts_at=start)]))
    [item] = events_of(body)
    begin = item["DTSTART"].dt
    assert begin.utcoffset() == timedelta(0)
    assert begin.hour == expected_utc_hour
    assert begin.astimezone(HELSINKI).time() == time(9)
    assert b"DTSTART:" + start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ").encode() in body


def test_cancelled_sequence_and_stable_order():
    events = [
        event(3, starts_at=datetime(2026, 3, 4, 7, tzinfo=UTC)),
        event(1, sequence=4, cancelled=True),
        event(2, starts_at=datetime(2026, 3, 3, 7, tzinfo=UTC)),
    ]
    body = render(FeedCalendar(name="x", events=events))
    assert body == render(FeedCalendar(name="x", events=list(reversed(events))))
    items = parse(body).walk("VEVENT")
    assert [str(i["UID"]) for i in items] == ["session-1@tupa", "session-2@tupa", "session-3@tupa"]
    assert items[0]["STATUS"] == "CANCELLED"
    assert items[0]["SEQUENCE"] == 4


def test_an_empty_feed_is_still_a_valid_calendar():
    body = render(FeedCalendar(name="Tupa", events=[]))
    assert parse(body).walk("VEVENT") == []
    assert body.endswith(b"\r\n")
