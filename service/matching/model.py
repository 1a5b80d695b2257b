"""The plain data the matcher works on. Times are minutes from local midnight and
weekdays run 0 (Monday) to 6, as in weekly slots."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Window:
    """A weekly stretch of time: when someone can come, or when they cannot."""

    weekday: int
    start: int
    end: int

    def holds(self, weekday: int, start: int, end: int) -> bool:
        return self.weekday == weekday and self.start <= start and end <= self.end

    def touches(self, weekday: int, start: int, end: int) -> bool:
        return self.weekday == weekday and self.start < end and start < self.end


@dataclass(frozen=True)
class Slot:
    """A weekly slot as the matcher sees it. `capacity` is the places left for the
    people in the problem; `others` counts those placed there who are not in it."""

    id: int
    activity_id: int
    site_id: int
    weekday: int
    start: int
    end: int
    capacity: int
    minimum: int = 1
    demand: int = 2
    animals: bool = False
    kind: str = "workshop"
    domains: Mapping[str, int] = field(default_factory=dict, hash=False)
    features: frozenset[str] = frozenset()
    staff: int = 1
    per_staff: int = 6
    others: int = 0

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Goal:
    """A goal's priority (1 is the most important) and the domains it belongs to."""

    id: int
    priority: int
    domains: frozenset[str]

    @property
    def weight(self) -> int:
        return max(1, 4 - self.priority)


@dataclass(frozen=True)
class Person:
    id: int
    weekly_minutes: int
    max_per_day: int = 1
    demand_tolerance: int = 3
    animals_ok: bool = True
    windows: tuple[Window, ...] = ()
    blocked: tuple[Window, ...] = ()
    sites: frozenset[int] = frozenset()
    needs: frozenset[str] = frozenset()
    goals: tuple[Goal, ...] = ()
    wants_activities: frozenset[int] = frozenset()
    wants_kinds: frozenset[str] = frozenset()
    refuses_activities: frozenset[int] = frozenset()
    refuses_kinds: frozenset[str] = frozenset()
    current: frozenset[int] = frozenset()
    pinned: frozenset[int] = frozenset()
    referral: date | None = None


@dataclass(frozen=True)
class Weights:
    """How much each soft goal counts. Defaults are the product's; settings may change
    them. `continuity` is per kept placement, `fairness` per person with at least one."""

    goal_fit: float = 10.0
    interest: float = 20.0
    continuity: float = 30.0
    fairness: float = 100.0
    viability: float = 15.0
    staffing: float = 10.0
    hours: float = 5.0


@dataclass(frozen=True)
class Problem:
    people: tuple[Person, ...]
    slots: tuple[Slot, ...]
    weights: Weights = field(default_factory=Weights)
    travel_buffer: int = 30
    time_limit: float = 30.0
    gap: float = 0.0001
    #: After the most people with one place, the most with two, before anything else.
    second_before_third: bool = False


@dataclass(frozen=True)
class Assignment:
    person_id: int
    slot_id: int


@dataclass(frozen=True)
class Blocker:
    """A hard rule that kept someone out, and how many slots it kept them out of."""

    rule: str
    slots: int


@dataclass(frozen=True)
class Plan:
    """The best plan found. `status` is optimal, time_limit, no_solution, infeasible or
    empty; `gap` is the relative distance to the bound (0.0 when proven optimal, infinite
    when the search stopped before it had a bound)."""

    assignments: tuple[Assignment, ...]
    objective: float
    bound: float
    gap: float
    status: str
    seconds: float
    unplaced: Mapping[int, tuple[Blocker, ...]] = field(default_factory=dict, hash=False)
    warnings: tuple[str, ...] = ()

    @property
    def proven(self) -> bool:
        """Whether the solver proved that no better plan exists."""
        return self.status in {"optimal", "empty"}

    def slots_of(self, person_id: int) -> list[int]:
        return [a.slot_id for a in self.assignments if a.person_id == person_id]
