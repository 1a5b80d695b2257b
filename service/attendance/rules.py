"""The pure rules of attendance: which mark counts, when a follow-up is due, which
sessions need a coordinator. No I/O; tested on plain data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class MarkStatus(StrEnum):
    present = "present"
    late = "late"
    left_early = "left_early"
    absent_notice = "absent_notice"
    absent_no_notice = "absent_no_notice"
    excused = "excused"


#: Marks for sessions older than this need a coordinator.
STAFF_MARKING_DAYS = 7


@dataclass(frozen=True)
class Mark:
    mark_id: int
    participant_id: int
    status: MarkStatus
    marked_at: datetime
    received_at: datetime


def trusted_time(
    claimed: datetime, sent_at: datetime | None, received_at: datetime, earliest: datetime
) -> datetime:
    """When a mark was made, as far as the server can trust a tablet's clock.

    A tablet's clock may be hours off, but it measures time passing well enough: the
    mark was made `sent_at - claimed` before the batch was sent, so it is dated that long
    before the server received the batch. A tablet two hours behind thus loses no
    conflict, and marks made offline keep their tablet's order. Without `sent_at` (an
    API client that does not give it) the claimed time is taken as it is.

    The result must fall between `earliest` (the start of the session's day) and the
    time received: a mark dated outside (a tablet ahead, or one that says 1970) counts
    as made when it was received, so it can neither win every conflict nor get round the
    limit of days for staff marking."""
    made = claimed if sent_at is None else received_at - (sent_at - claimed)
    if earliest <= made <= received_at:
        return made
    return received_at


def later(a: Mark, b: Mark) -> Mark:
    """The mark that wins: the later one made, by `trusted_time`; when two were made at
    the same instant, the one the server received last (then the higher id)."""
    return max(a, b, key=lambda m: (m.marked_at, m.received_at, m.mark_id))


def current_marks(marks: Iterable[Mark]) -> dict[int, Mark]:
    """Each participant's mark that counts, from all marks made for one session."""
    current: dict[int, Mark] = {}
    for mark in marks:
        held = current.get(mark.participant_id)
        current[mark.participant_id] = mark if held is None else later(held, mark)
    return current


def needs_follow_up(statuses: Sequence[MarkStatus]) -> bool:
    """Statuses of one participant's marked sessions, oldest first: the last two in a
    row are absences without notice."""
    return len(statuses) >= 2 and all(
        status == MarkStatus.absent_no_notice for status in statuses[-2:]
    )


def needs_coordinator(session_date: date, today: date) -> bool:
    return session_date < today - timedelta(days=STAFF_MARKING_DAYS)
