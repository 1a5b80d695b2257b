"""The arithmetic of the attendance report: plain facts about sessions in, figures per
group out. No I/O; tested on plain data (tests/unit/test_report_core.py).

The rules, in one place:

- A session counts as *cancelled* when its status is cancelled or a closure covers its
  day at its site; it then adds nobody expected, absent or present, whatever marks it
  has. Every other session counts as *held*.
- The *current* mark of each participant counts (`attendance.rules.current_marks`: the
  later one replaces the earlier); the caller passes only current marks.
- At a held session, someone holding a place (*expected*) with no mark but with an
  "I can't come" notice counts as absent with notice; with neither, as *unmarked*.
- A *walk-in* is someone marked at a session without holding a place in it.
- *Attended* is present, late or left early. The attendance rate is attended divided by
  expected plus walk-ins; a participant-day is a day with at least one attended
  session; unique participants are those who attended at least once.
- Hours are the session's length between its instants (so a session across a change of
  the clocks lasts what it really lasted); `attended_hours` adds them once per attended
  participant (shift hours, for supported employment).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from service.attendance.rules import MarkStatus

ATTENDED = frozenset({MarkStatus.present, MarkStatus.late, MarkStatus.left_early})


class Grouping(StrEnum):
    provider = "provider"
    site = "site"
    kind = "kind"
    activity = "activity"
    weekday = "weekday"
    week = "week"
    participant = "participant"


class PeriodKind(StrEnum):
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"
    custom = "custom"


@dataclass(frozen=True)
class SessionFact:
    """One session as the report needs it. `marks` are the current marks by
    participant; `expected` those holding a place on its date; `notices` those who
    said they can't come; `closed` whether a closure covers its day at its site."""

    id: int
    day: date
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    places: int
    site_id: int
    site_name: str
    activity_id: int
    activity_title: str
    kind: str
    expected: frozenset[int] = frozenset()
    notices: frozenset[int] = frozenset()
    marks: Mapping[int, MarkStatus] = field(default_factory=dict)
    closed: bool = False

    @property
    def held(self) -> bool:
        return not (self.cancelled or self.closed)

    @property
    def seconds(self) -> int:
        # Aware datetimes of one zone subtract as wall-clock times: compare instants.
        length = self.ends_at.astimezone(UTC) - self.starts_at.astimezone(UTC)
        return int(length.total_seconds())

    @property
    def hours(self) -> Fraction:
        return Fraction(self.seconds, 3600)


@dataclass
class Figures:
    """The figures of one group. Counts are of participants at sessions, unless the
    name says sessions, places or days."""

    sessions_held: int = 0
    sessions_cancelled: int = 0
    places_offered: int = 0
    expected: int = 0
    present: int = 0
    late: int = 0
    left_early: int = 0
    absent_notice: int = 0
    absent_no_notice: int = 0
    excused: int = 0
    unmarked: int = 0
    walk_ins: int = 0
    attended: int = 0
    participant_days: int = 0
    unique_participants: int = 0
    seconds: int = 0  # of the sessions held (whole seconds add up exactly and fast)
    attended_seconds: int = 0

    @property
    def hours(self) -> Fraction:
        return Fraction(self.seconds, 3600)

    @property
    def attended_hours(self) -> Fraction:
        return Fraction(self.attended_seconds, 3600)

    @property
    def attendance_rate(self) -> Fraction | None:
        """Attended of those expected and walk-ins; None when nobody was."""
        counted = self.expected + self.walk_ins
        return Fraction(self.attended, counted) if counted else None


#: The figures that add up across groups (a sum over sites is the provider's figure).
ADDITIVE = tuple(
    f.name for f in fields(Figures) if f.name not in {"participant_days", "unique_participants"}
)
#: Every figure, in the order of the report's columns (the rate after `attended`).
COLUMNS = (
    "sessions_held",
    "sessions_cancelled",
    "places_offered",
    "expected",
    "present",
    "late",
    "left_early",
    "absent_notice",
    "absent_no_notice",
    "excused",
    "unmarked",
    "walk_ins",
    "attended",
    "attendance_rate",
    "participant_days",
    "unique_participants",
    "hours",
    "attended_hours",
)


@dataclass(frozen=True)
class GroupKey:
    """A group: what it is keyed by (an id, a weekday number, a week's Monday) and
    its label as the report shows it."""

    key: str
    label: str


@dataclass
class _Tally:
    figures: Figures = field(default_factory=Figures)
    days: set[tuple[int, date]] = field(default_factory=set)
    people: set[int] = field(default_factory=set)

    def finish(self) -> Figures:
        self.figures.participant_days = len(self.days)
        self.figures.unique_participants = len(self.people)
        return self.figures


@dataclass(frozen=True)
class Outcome:
    """What one participant's presence at one held session came to."""

    participant_id: int
    status: MarkStatus | None  # None: expected but not marked
    expected: bool


def outcomes(session: SessionFact) -> list[Outcome]:
    """Each participant's outcome at a held session: the expected (with their mark,
    their notice, or unmarked) and the walk-ins; nothing for a cancelled session."""
    if not session.held:
        return []
    found = []
    for pid in sorted(session.expected):
        status = session.marks.get(pid)
        if status is None and pid in session.notices:
            status = MarkStatus.absent_notice
        found.append(Outcome(pid, status, True))
    found.extend(
        Outcome(pid, status, False)
        for pid, status in sorted(session.marks.items())
        if pid not in session.expected
    )
    return found


def _count_session(tally: _Tally, session: SessionFact) -> None:
    figures = tally.figures
    if not session.held:
        figures.sessions_cancelled += 1
        return
    figures.sessions_held += 1
    figures.places_offered += session.places
    figures.seconds += session.seconds


def _count_outcome(tally: _Tally, session: SessionFact, outcome: Outcome) -> None:
    figures = tally.figures
    if outcome.expected:
        figures.expected += 1
    else:
        figures.walk_ins += 1
    if outcome.status is None:
        figures.unmarked += 1
        return
    setattr(figures, outcome.status.value, getattr(figures, outcome.status.value) + 1)
    if outcome.status in ATTENDED:
        figures.attended += 1
        figures.attended_seconds += session.seconds
        tally.days.add((outcome.participant_id, session.day))
        tally.people.add(outcome.participant_id)


KeyOf = Callable[[SessionFact], GroupKey]


def _session_key(grouping: Grouping, weekday_names: list[str]) -> KeyOf:
    keys: dict[Grouping, KeyOf] = {
        Grouping.provider: lambda s: GroupKey("all", ""),
        Grouping.site: lambda s: GroupKey(str(s.site_id), s.site_name),
        Grouping.kind: lambda s: GroupKey(s.kind, s.kind),
        Grouping.activity: lambda s: GroupKey(str(s.activity_id), s.activity_title),
        Grouping.weekday: lambda s: GroupKey(
            str(s.day.isoweekday()), weekday_names[s.day.weekday()]
        ),
        Grouping.week: lambda s: GroupKey(week_of(s.day).isoformat(), _week_label(s.day)),
    }
    return keys[grouping]


def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def _week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def attendance(
    sessions: Iterable[SessionFact],
    grouping: Grouping,
    *,
    weekday_names: list[str] | None = None,
    participant_names: Mapping[int, str] | None = None,
) -> tuple[list[tuple[GroupKey, Figures]], Figures]:
    """The figures of each group, ordered by label then key, and the total.

    Grouped by participant, a session belongs to each participant who was expected at
    it or marked: their sessions, places and hours are those they were expected at or
    came to (a cancelled session is cancelled for each who held a place in it)."""
    names = weekday_names or [str(n) for n in range(1, 8)]
    groups: dict[GroupKey, _Tally] = defaultdict(_Tally)
    total = _Tally()
    for session in sessions:
        found = outcomes(session)
        _count_session(total, session)
        for outcome in found:
            _count_outcome(total, session, outcome)
        if grouping == Grouping.participant:
            _by_participant(groups, session, found, participant_names or {})
            continue
        tally = groups[_session_key(grouping, names)(session)]
        _count_session(tally, session)
        for outcome in found:
            _count_outcome(tally, session, outcome)
    ordered = sorted(groups.items(), key=lambda item: _order(grouping, item[0]))
    return [(key, tally.finish()) for key, tally in ordered], total.finish()


def _order(grouping: Grouping, key: GroupKey) -> tuple[object, ...]:
    if grouping in (Grouping.weekday, Grouping.week):
        return (key.key,)
    return (key.label.casefold(), key.key)


def _by_participant(
    groups: dict[GroupKey, _Tally],
    session: SessionFact,
    found: list[Outcome],
    names: Mapping[int, str],
) -> None:
    """Each participant's share of a session: the session itself, one place when they
    held one in it, and their outcome."""
    if not session.held:
        for pid in sorted(session.expected):
            groups[GroupKey(str(pid), names.get(pid, str(pid)))].figures.sessions_cancelled += 1
        return
    for outcome in found:
        pid = outcome.participant_id
        tally = groups[GroupKey(str(pid), names.get(pid, str(pid)))]
        tally.figures.sessions_held += 1
        tally.figures.places_offered += 1 if outcome.expected else 0
        tally.figures.seconds += session.seconds
        _count_outcome(tally, session, outcome)


def period(kind: PeriodKind, day: date) -> tuple[date, date]:
    """The first and last day of the week, month, quarter or year holding `day` (a
    custom period is given by its own dates, not by this)."""
    if kind == PeriodKind.week:
        first = week_of(day)
        return first, first + timedelta(days=6)
    if kind == PeriodKind.month:
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if kind == PeriodKind.quarter:
        first_month = 3 * ((day.month - 1) // 3) + 1
        last_month = first_month + 2
        return (
            date(day.year, first_month, 1),
            date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]),
        )
    if kind == PeriodKind.year:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    raise ValueError("A custom period has its own dates.")


def closed_on(closures: Iterable[tuple[int | None, date, date]], site_id: int, day: date) -> bool:
    """Whether a closure (site or None for every site, first day, last day) covers
    the day at the site."""
    return any(
        (site is None or site == site_id) and first <= day <= last for site, first, last in closures
    )


def rounded_rate(rate: Fraction | None) -> float | None:
    """A rate as a share with four decimals (0.8333), for files and JSON."""
    return None if rate is None else round(float(rate), 4)


def rounded_hours(hours: Fraction) -> float:
    return round(float(hours), 2)


# --- journeys and outcomes -------------------------------------------------------------

#: Young: under this age at the start of the plan (from the year of birth alone).
YOUNG_BELOW = 30
WORK_OR_STUDY = frozenset({"work", "study"})


@dataclass(frozen=True)
class Journey:
    """One participant's plan as the outcomes report needs it."""

    participant_id: int
    plan_start: date | None
    ended_on: date | None
    destination: str | None
    birth_year: int | None

    def young_at_start(self) -> bool | None:
        """Under 30 when the plan started, by the year of birth (someone born in 1997
        whose plan starts in 2026 counts as 29); None when either is unknown."""
        if self.plan_start is None or self.birth_year is None:
            return None
        return self.plan_start.year - self.birth_year < YOUNG_BELOW


@dataclass
class Outcomes:
    starts: int = 0
    ends: int = 0
    destinations: dict[str, int] = field(default_factory=dict)
    young_ended: int = 0
    young_to_work_or_study: int = 0
    days_in_service: list[int] = field(default_factory=list)

    @property
    def young_share(self) -> Fraction | None:
        """Of the young whose plan ended, the share who went to work or study."""
        return Fraction(self.young_to_work_or_study, self.young_ended) if self.young_ended else None

    @property
    def mean_days(self) -> Fraction | None:
        days = self.days_in_service
        return Fraction(sum(days), len(days)) if days else None

    @property
    def median_days(self) -> Fraction | None:
        days = sorted(self.days_in_service)
        if not days:
            return None
        middle = len(days) // 2
        if len(days) % 2:
            return Fraction(days[middle])
        return Fraction(days[middle - 1] + days[middle], 2)


def outcomes_of(journeys: Iterable[Journey], start: date, end: date) -> Outcomes:
    """Plans started and ended from `start` to `end`, where the ended ones went, the
    share of young ones who went to work or study, and the days in service of those
    who ended (from the start of the plan to its end, both days counted)."""
    result = Outcomes()
    destinations: dict[str, int] = defaultdict(int)
    for journey in journeys:
        if journey.plan_start is not None and start <= journey.plan_start <= end:
            result.starts += 1
        if journey.ended_on is None or not start <= journey.ended_on <= end:
            continue
        result.ends += 1
        destinations[journey.destination or "unknown"] += 1
        if journey.young_at_start():
            result.young_ended += 1
            if journey.destination in WORK_OR_STUDY:
                result.young_to_work_or_study += 1
        if journey.plan_start is not None and journey.plan_start <= journey.ended_on:
            result.days_in_service.append((journey.ended_on - journey.plan_start).days + 1)
    result.destinations = dict(sorted(destinations.items()))
    return result


# --- goal progress ---------------------------------------------------------------------


@dataclass(frozen=True)
class GoalReviews:
    """One goal's domains and the ratings (1-5) of its reviews in the period, oldest
    first."""

    goal_id: int
    domains: tuple[str, ...]
    ratings: tuple[int, ...]


@dataclass
class Progress:
    """Goals reviewed in the period; of those reviewed at least twice (compared), how
    many improved, stayed or fell between the first and the last review."""

    reviewed: int = 0
    compared: int = 0
    improved: int = 0
    same: int = 0
    fell: int = 0

    def share(self, count: int) -> Fraction | None:
        return Fraction(count, self.compared) if self.compared else None

    def add(self, ratings: tuple[int, ...]) -> None:
        if not ratings:
            return
        self.reviewed += 1
        if len(ratings) < 2:
            return
        self.compared += 1
        first, last = ratings[0], ratings[-1]
        if last > first:
            self.improved += 1
        elif last < first:
            self.fell += 1
        else:
            self.same += 1


def goal_progress(goals: Iterable[GoalReviews]) -> tuple[dict[str, Progress], Progress]:
    """Progress per goal domain (a goal of two domains counts in both) and over all
    goals (each goal once)."""
    by_domain: dict[str, Progress] = defaultdict(Progress)
    total = Progress()
    for goal in goals:
        if not goal.ratings:
            continue
        total.add(goal.ratings)
        for domain in goal.domains:
            by_domain[domain].add(goal.ratings)
    return dict(by_domain), total


# --- funder files ----------------------------------------------------------------------

#: Counts from 1 to this are shown as "<5" when small numbers are hidden.
SMALL_BELOW = 5


@dataclass
class FunderLine:
    """One participant's month in one activity kind: days and hours attended."""

    participant_id: int
    month: date
    kind: str
    days: int = 0
    visits: int = 0
    hours: Fraction = Fraction(0)


def funder_lines(sessions: Iterable[SessionFact]) -> list[FunderLine]:
    """Per participant, month and activity kind: the days with an attended session, the
    attended sessions (visits) and their hours, ordered by participant, month, kind."""
    lines: dict[tuple[int, date, str], FunderLine] = {}
    days: dict[tuple[int, date, str], set[date]] = defaultdict(set)
    for session in sessions:
        month = session.day.replace(day=1)
        for outcome in outcomes(session):
            if outcome.status not in ATTENDED:
                continue
            key = (outcome.participant_id, month, session.kind)
            line = lines.setdefault(key, FunderLine(outcome.participant_id, month, session.kind))
            line.visits += 1
            line.hours += session.hours
            days[key].add(session.day)
    for key, line in lines.items():
        line.days = len(days[key])
    return [lines[key] for key in sorted(lines)]


def small_number(count: int, hide: bool) -> int | str:
    """A count as an exported aggregate shows it: from 1 to 4 as "<5" when small
    numbers are hidden, so that nobody is recognisable (0 says nothing of anyone)."""
    return "<5" if hide and 0 < count < SMALL_BELOW else count
