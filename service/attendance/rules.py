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


def later(a: Mark, b: Mark) -> Mark:
    """The mark that wins: the later one made on its tablet; when two were made at the
    same instant, the one the server received last (then the higher id)."""
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
