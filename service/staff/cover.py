"""Cover for staff absences: which sessions lose their instructor, who could step in,
and one proposal for all of them together.

A pure core: plain facts in, plain answers out, no I/O. The caller loads the sessions,
the absences and the staff; `find_gaps` says which sessions need cover, each rule says
why one staff member cannot step in, and `plan_cover` solves every gap of the days
asked for at once with HiGHS, so that nobody is proposed for two sessions that clash.
Everyone else's sessions stay as they are: cover only adds a person to a gap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import highspy

from service.schedule.conflicts import AvailabilityWindow, available, staff_needed

NO_INSTRUCTOR = "no_instructor"
BELOW_RATIO = "below_ratio"

#: Why a staff member is not suggested, in the order they are told.
REASONS = (
    "absent",
    "missing_skill",
    "other_site",
    "unavailable",
    "busy",
    "travel",
    "over_hours",
    "proposed_elsewhere",
)

#: A proposal is first of all a covered gap: worth more than any score can add.
COVERED_WEIGHT = 100.0
CONTINUITY_WEIGHT = 3.0
HEADROOM_WEIGHT = 2.0
FREE_DAY_WEIGHT = 1.0


@dataclass(frozen=True)
class Booking:
    """A live session of a staff member (UTC instants), or the session of a gap."""

    session_id: int
    site_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class SessionNeed:
    """A live session with what it needs of staff (input of `find_gaps`)."""

    session_id: int
    activity_id: int
    title: str
    site_id: int
    date: date  # local
    start: time  # local
    end: time  # local
    starts_at: datetime
    ends_at: datetime
    staff_ids: frozenset[int]
    required_skills: frozenset[str]
    placed: int
    participants_per_staff: int


@dataclass(frozen=True)
class Absence:
    user_id: int
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC


@dataclass(frozen=True)
class Gap:
    """A session that lost its only instructor, or fell below its staffing ratio."""

    need: SessionNeed
    kind: str  # NO_INSTRUCTOR or BELOW_RATIO
    absent_ids: frozenset[int]
    remaining_ids: frozenset[int]
    missing: int  # how many more staff it needs
    skills_needed: frozenset[str]  # required skills that nobody remaining has

    @property
    def session_id(self) -> int:
        return self.need.session_id

    @property
    def minutes(self) -> int:
        return int((self.need.ends_at - self.need.starts_at).total_seconds() // 60)

    def booking(self) -> Booking:
        need = self.need
        return Booking(need.session_id, need.site_id, need.starts_at, need.ends_at)


@dataclass(frozen=True)
class StaffMember:
    """What the rules ask of one staff member who might step in."""

    user_id: int
    name: str
    skills: frozenset[str]
    site_ids: frozenset[int]
    windows: tuple[AvailabilityWindow, ...]  # empty: availability not recorded
    bookings: tuple[Booking, ...]  # their live sessions on the days in question
    absences: tuple[Absence, ...]
    planned_minutes: int  # planned this week before any cover
    contract_minutes: int | None  # None: no contract hours recorded
    activities_run: frozenset[int]  # activities they have run before


@dataclass(frozen=True)
class Reason:
    """Why one staff member cannot step in: a code of REASONS and its particulars."""

    code: str
    session_id: int | None = None
    skills: tuple[str, ...] = ()
    minutes: int | None = None

    def __post_init__(self) -> None:
        if self.code not in REASONS:
            raise ValueError(f"unknown reason {self.code!r}")


@dataclass(frozen=True)
class Suggestion:
    """A staff member who passes every rule, with what makes them a good choice."""

    user_id: int
    name: str
    score: float
    ran_before: bool
    minutes_left: int | None  # contract minutes left this week after the cover
    other_sessions: int  # their other sessions that day
    proposed: bool = False


@dataclass(frozen=True)
class Refusal:
    user_id: int
    name: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class GapCover:
    gap: Gap
    suggestions: tuple[Suggestion, ...]  # best first; the proposed ones lead
    refused: tuple[Refusal, ...]


@dataclass
class _Pairs:
    """The eligible (gap, staff member) pairs and their scores."""

    gaps: Sequence[Gap]
    staff: dict[int, StaffMember]
    eligible: dict[int, dict[int, Suggestion]] = field(default_factory=dict)
    refused: dict[int, list[Refusal]] = field(default_factory=dict)


# --- the gaps -------------------------------------------------------------------------------


def find_gaps(sessions: Iterable[SessionNeed], absences: Iterable[Absence]) -> list[Gap]:
    """The sessions whose absent staff leave them with nobody, or with fewer staff than
    their participants need; in start order."""
    away = list(absences)
    gaps = []
    for need in sessions:
        absent = frozenset(
            a.user_id for a in away if a.user_id in need.staff_ids and _absent_during(a, need)
        )
        if not absent:
            continue
        remaining = need.staff_ids - absent
        needed = max(1, staff_needed(need.placed, need.participants_per_staff))
        if remaining and len(remaining) >= needed:
            continue
        gaps.append(
            Gap(
                need=need,
                kind=BELOW_RATIO if remaining else NO_INSTRUCTOR,
                absent_ids=absent,
                remaining_ids=remaining,
                missing=needed - len(remaining),
                skills_needed=need.required_skills,
            )
        )
    return sorted(gaps, key=lambda gap: (gap.need.starts_at, gap.session_id))


def with_remaining_skills(gap: Gap, staff_skills: dict[int, frozenset[str]]) -> Gap:
    """The gap asking only for the required skills that its remaining staff lack."""
    present: set[str] = set()
    for user_id in gap.remaining_ids:
        present |= staff_skills.get(user_id, frozenset())
    return Gap(
        need=gap.need,
        kind=gap.kind,
        absent_ids=gap.absent_ids,
        remaining_ids=gap.remaining_ids,
        missing=gap.missing,
        skills_needed=gap.need.required_skills - present,
    )


def _absent_during(absence: Absence, need: SessionNeed) -> bool:
    return absence.starts_at < need.ends_at and need.starts_at < absence.ends_at


# --- the rules: each says why one staff member cannot take one gap, or None --------------


def rule_absent(gap: Gap, member: StaffMember, _buffer: int) -> Reason | None:
    need = gap.need
    for absence in member.absences:
        if absence.starts_at < need.ends_at and need.starts_at < absence.ends_at:
            return Reason("absent")
    return None


def rule_skills(gap: Gap, member: StaffMember, _buffer: int) -> Reason | None:
    lacking = gap.skills_needed - member.skills
    return Reason("missing_skill", skills=tuple(sorted(lacking))) if lacking else None


def rule_site(gap: Gap, member: StaffMember, _buffer: int) -> Reason | None:
    return None if gap.need.site_id in member.site_ids else Reason("other_site")


def rule_availability(gap: Gap, member: StaffMember, _buffer: int) -> Reason | None:
    """Recorded weekly windows must cover the session; none recorded is no objection."""
    need = gap.need
    if not member.windows or available(member.windows, need.date.weekday(), need.start, need.end):
        return None
    return Reason("unavailable")


def rule_busy(gap: Gap, member: StaffMember, _buffer: int) -> Reason | None:
    for booking in member.bookings:
        if booking.session_id != gap.session_id and _overlap(booking, gap.booking()):
            return Reason("busy", session_id=booking.session_id)
    return None


def rule_travel(gap: Gap, member: StaffMember, buffer: int) -> Reason | None:
    """A session at another site that ends (or starts) less than `buffer` minutes from
    the gap: there is no time to get there."""
    for booking in member.bookings:
        if booking.session_id != gap.session_id and _too_close(booking, gap.booking(), buffer):
            return Reason("travel", session_id=booking.session_id)
    return None


def rule_hours(gap: Gap, member: StaffMember, _buffer: int) -> Reason | None:
    left = _minutes_left(member)
    if left is not None and gap.minutes > left:
        return Reason("over_hours", minutes=left)
    return None


RULES: tuple[Callable[[Gap, StaffMember, int], Reason | None], ...] = (
    rule_absent,
    rule_skills,
    rule_site,
    rule_availability,
    rule_busy,
    rule_travel,
    rule_hours,
)


def reasons_against(gap: Gap, member: StaffMember, buffer: int) -> list[Reason]:
    """Every rule the staff member fails for this gap (empty: they could step in)."""
    return [reason for rule in RULES if (reason := rule(gap, member, buffer)) is not None]


def clash(a: Booking, b: Booking, buffer: int) -> bool:
    """Whether one person cannot take both: they overlap, or are at different sites with
    less than `buffer` minutes between them."""
    return _overlap(a, b) or _too_close(a, b, buffer)


def _overlap(a: Booking, b: Booking) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def _too_close(a: Booking, b: Booking, buffer: int) -> bool:
    if a.site_id == b.site_id or _overlap(a, b):
        return False
    gap = max((b.starts_at - a.ends_at).total_seconds(), (a.starts_at - b.ends_at).total_seconds())
    return gap < buffer * 60


def _minutes_left(member: StaffMember) -> int | None:
    if member.contract_minutes is None:
        return None
    return member.contract_minutes - member.planned_minutes


# --- the proposal ----------------------------------------------------------------------------


def plan_cover(
    gaps: Sequence[Gap], staff: Iterable[StaffMember], travel_buffer: int = 30
) -> list[GapCover]:
    """For every gap, the staff who could step in (best first, the proposed ones first)
    and why the others cannot. The proposals are solved together: nobody is proposed
    for two gaps that clash, nor beyond their contract hours; as many gaps as possible
    are covered, then by the best-suited people."""
    pairs = _eligible_pairs(gaps, {member.user_id: member for member in staff}, travel_buffer)
    chosen = _solve(pairs, travel_buffer)
    return [_gap_cover(gap, pairs, chosen, travel_buffer) for gap in gaps]


def _eligible_pairs(gaps: Sequence[Gap], staff: dict[int, StaffMember], buffer: int) -> _Pairs:
    pairs = _Pairs(gaps=gaps, staff=staff)
    for gap in gaps:
        pairs.eligible[gap.session_id] = {}
        pairs.refused[gap.session_id] = []
        for member in sorted(staff.values(), key=lambda m: (m.name, m.user_id)):
            if member.user_id in gap.need.staff_ids:
                continue  # already in it, or the one who is away
            reasons = reasons_against(gap, member, buffer)
            if reasons:
                pairs.refused[gap.session_id].append(
                    Refusal(member.user_id, member.name, tuple(reasons))
                )
            else:
                pairs.eligible[gap.session_id][member.user_id] = _suggestion(gap, member)
    return pairs


def _suggestion(gap: Gap, member: StaffMember) -> Suggestion:
    ran_before = gap.need.activity_id in member.activities_run
    left = _minutes_left(member)
    after = None if left is None else left - gap.minutes
    headroom = 0.5  # contract hours not recorded: neither a plus nor a minus
    if after is not None and member.contract_minutes:
        headroom = max(0.0, min(1.0, after / member.contract_minutes))
    same_day = sum(
        1 for booking in member.bookings if booking.starts_at.date() == gap.need.starts_at.date()
    )
    score = (
        CONTINUITY_WEIGHT * ran_before
        + HEADROOM_WEIGHT * headroom
        + FREE_DAY_WEIGHT * (same_day == 0)
    )
    return Suggestion(
        user_id=member.user_id,
        name=member.name,
        score=round(score, 3),
        ran_before=ran_before,
        minutes_left=after,
        other_sessions=same_day,
    )


def _solve(pairs: _Pairs, buffer: int) -> dict[int, list[int]]:
    """The staff proposed for each gap: a small assignment solved by HiGHS."""
    columns: list[tuple[int, int]] = [
        (gap_id, user_id) for gap_id, options in pairs.eligible.items() for user_id in options
    ]
    if not columns:
        return {}
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 7)
    variables = {
        column: highs.addBinary(
            obj=COVERED_WEIGHT + pairs.eligible[column[0]][column[1]].score,
        )
        for column in columns
    }
    by_id = {gap.session_id: gap for gap in pairs.gaps}
    for gap in pairs.gaps:
        own = [variables[(gap.session_id, u)] for u in pairs.eligible[gap.session_id]]
        if own:
            highs.addConstr(highs.qsum(own) <= gap.missing)
    for user_id in {user for _gap, user in columns}:
        _person_rows(highs, pairs, variables, by_id, user_id, buffer)
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    highs.run()
    values = highs.getSolution().col_value
    chosen: dict[int, list[int]] = {}
    for (gap_id, user_id), variable in variables.items():
        if values[variable.index] > 0.5:
            chosen.setdefault(gap_id, []).append(user_id)
    return chosen


def _person_rows(
    highs: highspy.Highs,
    pairs: _Pairs,
    variables: dict[tuple[int, int], Any],  # HiGHS's column handles
    gaps: dict[int, Gap],
    user_id: int,
    buffer: int,
) -> None:
    """One person: no two clashing gaps, and no more than their contract hours left."""
    mine = sorted(gap_id for gap_id, user in variables if user == user_id)
    for i, first in enumerate(mine):
        for second in mine[i + 1 :]:
            if clash(gaps[first].booking(), gaps[second].booking(), buffer):
                highs.addConstr(variables[(first, user_id)] + variables[(second, user_id)] <= 1)
    left = _minutes_left(pairs.staff[user_id])
    if left is not None and len(mine) > 1:
        terms = [gaps[gap_id].minutes * variables[(gap_id, user_id)] for gap_id in mine]
        highs.addConstr(highs.qsum(terms) <= left)


def _gap_cover(gap: Gap, pairs: _Pairs, chosen: dict[int, list[int]], buffer: int) -> GapCover:
    """The gap's suggestions (proposed first, then by score) and refusals; someone
    proposed for a clashing gap is not suggested here and is told as such."""
    proposed = set(chosen.get(gap.session_id, []))
    elsewhere = {
        user_id: gap_id
        for gap_id, users in chosen.items()
        if gap_id != gap.session_id
        and clash(gap.booking(), _gap_of(pairs, gap_id).booking(), buffer)
        for user_id in users
    }
    suggestions: list[Suggestion] = []
    refused = list(pairs.refused[gap.session_id])
    for user_id, suggestion in pairs.eligible[gap.session_id].items():
        if user_id in proposed:
            suggestions.append(_proposed(suggestion))
        elif user_id in elsewhere:
            refused.append(
                Refusal(
                    user_id,
                    suggestion.name,
                    (Reason("proposed_elsewhere", session_id=elsewhere[user_id]),),
                )
            )
        else:
            suggestions.append(suggestion)
    suggestions.sort(key=lambda s: (not s.proposed, -s.score, s.name, s.user_id))
    refused.sort(key=lambda r: (r.name, r.user_id))
    return GapCover(gap=gap, suggestions=tuple(suggestions), refused=tuple(refused))


def _proposed(suggestion: Suggestion) -> Suggestion:
    return Suggestion(
        user_id=suggestion.user_id,
        name=suggestion.name,
        score=suggestion.score,
        ran_before=suggestion.ran_before,
        minutes_left=suggestion.minutes_left,
        other_sessions=suggestion.other_sessions,
        proposed=True,
    )


def _gap_of(pairs: _Pairs, gap_id: int) -> Gap:
    return next(gap for gap in pairs.gaps if gap.session_id == gap_id)
