"""Clashes and warnings for a set of sessions.

Pure functions over plain facts: the caller loads the sessions and the staff, these rules say
what is wrong. Room clashes block a booking; warnings only inform the planner.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

CODES = (
    "staff_double_booked",
    "staff_unavailable",
    "missing_skill",
    "too_few_staff",
    "below_minimum",
)


@dataclass(frozen=True)
class SessionFacts:
    session_id: int
    title: str
    site_id: int
    room_id: int | None
    date: date  # local date
    start: time  # local
    end: time  # local
    starts_at: datetime  # aware UTC
    ends_at: datetime  # aware UTC
    staff_ids: frozenset[int]
    required_skills: frozenset[str]
    min_participants: int
    participants_per_staff: int  # >= 1
    placed: int  # participants placed in it
    cancelled: bool = False


@dataclass(frozen=True)
class AvailabilityWindow:
    weekday: int  # 0 = Monday
    start: time
    end: time


@dataclass(frozen=True)
class StaffFacts:
    user_id: int
    name: str
    skills: frozenset[str]
    windows: tuple[AvailabilityWindow, ...]  # empty tuple = availability not recorded: never warn


@dataclass(frozen=True)
class Warning:
    session_id: int
    code: str  # one of CODES
    staff_id: int | None = None
    other_session_id: int | None = None
    skill: str | None = None
    needed: int | None = None
    have: int | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown warning code {self.code!r}")

    def sort_key(self) -> tuple[int, int, int, str]:
        return (
            CODES.index(self.code),
            self.staff_id or 0,
            self.other_session_id or 0,
            self.skill or "",
        )


def overlaps(a: SessionFacts, b: SessionFacts) -> bool:
    """Whether the half-open spans [starts_at, ends_at) share an instant; touching is fine."""
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def room_clash(candidate: SessionFacts, others: Iterable[SessionFacts]) -> SessionFacts | None:
    """The earliest other live session in the candidate's room at an overlapping time, if any."""
    if candidate.cancelled or candidate.room_id is None:
        return None
    clashes = [
        other
        for other in others
        if not other.cancelled
        and other.session_id != candidate.session_id
        and other.room_id == candidate.room_id
        and overlaps(candidate, other)
    ]
    return min(clashes, key=lambda other: (other.starts_at, other.session_id), default=None)


def find_warnings(
    sessions: Sequence[SessionFacts], staff: Mapping[int, StaffFacts]
) -> dict[int, list[Warning]]:
    """Warnings per live session id; every live session is a key, cancelled ones are ignored."""
    live = [session for session in sessions if not session.cancelled]
    found: dict[int, list[Warning]] = {session.session_id: [] for session in live}
    for warning in _all_warnings(live, staff):
        found[warning.session_id].append(warning)
    for warnings in found.values():
        warnings.sort(key=Warning.sort_key)
    return found


def _all_warnings(
    live: Sequence[SessionFacts], staff: Mapping[int, StaffFacts]
) -> Iterator[Warning]:
    yield from staff_double_booked(live)
    for session in live:
        yield from staff_unavailable(session, staff)
        yield from missing_skill(session, staff)
        yield from too_few_staff(session)
        yield from below_minimum(session)


# --- the rules ------------------------------------------------------------------------------


def staff_double_booked(live: Iterable[SessionFacts]) -> Iterator[Warning]:
    """One warning on each side of every overlapping pair that shares a staff member.

    Each staff member's sessions are swept in start order, keeping a heap of those still
    running, so the work grows with the number of sessions and of clashes, not with its square.
    """
    for staff_id, booked in _sessions_by_staff(live).items():
        for first, second in _overlapping_pairs(booked):
            yield Warning(
                first.session_id,
                "staff_double_booked",
                staff_id=staff_id,
                other_session_id=second.session_id,
            )
            yield Warning(
                second.session_id,
                "staff_double_booked",
                staff_id=staff_id,
                other_session_id=first.session_id,
            )


def staff_unavailable(session: SessionFacts, staff: Mapping[int, StaffFacts]) -> Iterator[Warning]:
    """Staff whose recorded availability on the session's weekday does not cover it.

    Windows that touch or overlap are joined first, so 09-12 and 12-16 together cover 10-14.
    Staff without recorded windows, or missing from `staff`, are never warned about.
    """
    weekday = session.date.weekday()
    for staff_id in sorted(session.staff_ids):
        member = staff.get(staff_id)
        if member is None or not member.windows:
            continue
        if not _covered(session.start, session.end, _joined_windows(member.windows, weekday)):
            yield Warning(session.session_id, "staff_unavailable", staff_id=staff_id)


def missing_skill(session: SessionFacts, staff: Mapping[int, StaffFacts]) -> Iterator[Warning]:
    """Each required skill that none of the session's (known) staff has."""
    present: set[str] = set()
    for staff_id in session.staff_ids:
        member = staff.get(staff_id)
        if member is not None:
            present |= member.skills
    for skill in sorted(session.required_skills - present):
        yield Warning(session.session_id, "missing_skill", skill=skill)


def too_few_staff(session: SessionFacts) -> Iterator[Warning]:
    needed = staff_needed(session.placed, session.participants_per_staff)
    have = len(session.staff_ids)
    if have < needed:
        yield Warning(session.session_id, "too_few_staff", needed=needed, have=have)


def below_minimum(session: SessionFacts) -> Iterator[Warning]:
    if session.placed < session.min_participants:
        yield Warning(
            session.session_id,
            "below_minimum",
            needed=session.min_participants,
            have=session.placed,
        )


def staff_needed(placed: int, participants_per_staff: int) -> int:
    """Staff needed for `placed` participants: none for an empty session, else rounded up.

    A ratio below 1 is bad data; it is read as 1 rather than failing the whole warning list.
    """
    if placed <= 0:
        return 0
    ratio = max(1, participants_per_staff)
    return -(-placed // ratio)


# --- helpers --------------------------------------------------------------------------------


def _sessions_by_staff(live: Iterable[SessionFacts]) -> dict[int, list[SessionFacts]]:
    by_staff: dict[int, list[SessionFacts]] = defaultdict(list)
    for session in live:
        for staff_id in session.staff_ids:
            by_staff[staff_id].append(session)
    return by_staff


def _overlapping_pairs(
    booked: Iterable[SessionFacts],
) -> Iterator[tuple[SessionFacts, SessionFacts]]:
    """Every overlapping pair, found by a sweep in start order (earlier-starting one first)."""
    ordered = sorted(booked, key=lambda session: (session.starts_at, session.session_id))
    running: list[tuple[datetime, int, SessionFacts]] = []  # heap by end, then sweep position
    for position, session in enumerate(ordered):
        while running and running[0][0] <= session.starts_at:
            heapq.heappop(running)
        for _, _, earlier in running:
            if overlaps(earlier, session):
                yield earlier, session
        heapq.heappush(running, (session.ends_at, position, session))


def available(windows: Iterable[AvailabilityWindow], weekday: int, start: time, end: time) -> bool:
    """Whether the weekday's windows (touching ones joined) cover start to end."""
    return _covered(start, end, _joined_windows(windows, weekday))


def _joined_windows(windows: Iterable[AvailabilityWindow], weekday: int) -> list[tuple[time, time]]:
    """The weekday's windows as sorted spans, with touching or overlapping ones joined."""
    spans = sorted((window.start, window.end) for window in windows if window.weekday == weekday)
    joined: list[tuple[time, time]] = []
    for start, end in spans:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def _covered(start: time, end: time, spans: Iterable[tuple[time, time]]) -> bool:
    return any(span_start <= start and end <= span_end for span_start, span_end in spans)
