"""The calendar renderer: plain data in, RFC 5545 bytes out, no I/O.

ics-py 0.7.3 writes the properties, but its output is not a valid feed as it is
(DESIGN.md section 5): it does not fold lines, leaves out the final CRLF, keeps events in
a set, lets `\\r` through as `\\r` (not an RFC 5545 escape) and writes `extra` lines
raw. So ics-py serialises each component, and this module orders the events, escapes
what goes into `extra`, folds every line at 75 octets without splitting a UTF-8
character and ends every line, the last included, with CRLF.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ics import Calendar, Event
from ics.grammar.parse import ContentLine

CRLF = "\r\n"
PRODID = "-//Tupa//Calendar feeds 1.0//EN"
#: Characters RFC 5545 does not allow in TEXT (CONTROL except HTAB); newlines are
#: escaped before this is applied.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    title: str
    starts_at: datetime  # aware; written in UTC
    ends_at: datetime
    sequence: int
    cancelled: bool
    last_modified: datetime  # also the DTSTAMP, so that the same data give the same bytes
    location: str = ""
    description: str = ""
    url: str = ""


@dataclass(frozen=True)
class FeedCalendar:
    name: str
    events: Sequence[FeedEvent]
    refresh_minutes: int = 60


def clean_text(value: str) -> str:
    """One newline convention, and no control characters RFC 5545 forbids in TEXT."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def escape_text(value: str) -> str:
    """RFC 5545 TEXT escaping, for lines ics-py writes raw (`extra`)."""
    value = clean_text(value)
    for plain, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(plain, escaped)
    return value


def fold(line: str) -> str:
    """Fold one content line at 75 octets (RFC 5545 3.1): continuation lines begin with
    a space, and no UTF-8 character is split between two lines."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # the leading space takes one octet
    return (CRLF + " ").join(parts)


def _event(item: FeedEvent) -> str:
    event = Event(
        name=clean_text(item.title),
        begin=item.starts_at,
        end=item.ends_at,
        uid=item.uid,
        description=clean_text(item.description) or None,
        created=item.last_modified,
        last_modified=item.last_modified,
        location=clean_text(item.location) or None,
        url=item.url or None,
        status="CANCELLED" if item.cancelled else "CONFIRMED",
        transparent=item.cancelled,
    )
    event.extra.append(ContentLine("SEQUENCE", value=str(int(item.sequence))))
    return event.serialize()


def render(calendar: FeedCalendar) -> bytes:
    """The whole feed as UTF-8 bytes, the same bytes for the same data."""
    shell = Calendar(creator=PRODID)
    shell.scale = "GREGORIAN"
    shell.method = "PUBLISH"
    refresh = f"PT{int(calendar.refresh_minutes)}M"
    shell.extra.append(ContentLine("X-WR-CALNAME", value=escape_text(calendar.name)))
    shell.extra.append(ContentLine("REFRESH-INTERVAL", {"VALUE": ["DURATION"]}, refresh))
    shell.extra.append(ContentLine("X-PUBLISHED-TTL", value=refresh))
    head = shell.serialize().split(CRLF)
    assert head[-1] == "END:VCALENDAR", "ics-py wrote an unexpected calendar"
    ordered = sorted(calendar.events, key=lambda e: (e.starts_at, e.uid))
    # VERSION and PRODID first (ics-py writes `extra` lines before them)
    ours = ("X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL")
    lines = [line for line in head[:-1] if not line.startswith(ours)]
    lines += [line for line in head[:-1] if line.startswith(ours)]
    for item in ordered:
        lines.extend(_event(item).split(CRLF))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines if line).encode("utf-8")
