"""Why: for each placement, which goals it serves, why the time fits and how much of
the weekly hours it uses; for each person left out, which rules blocked them. The
reasons are codes with numbers; pages put them into words in the reader's language."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from service.matching.model import Assignment, Blocker, Person, Problem, Slot, Window
from service.matching.rules import RULES, clash, first_broken_rule
from service.matching.scoring import interested, served_goals


@dataclass(frozen=True)
class PlacementReason:
    goal_ids: tuple[int, ...]
    interest: bool
    kept: bool
    pinned: bool
    window: Window | None
    minutes_used: int
    minutes_budget: int
    sessions_that_day: int


def explain_placement(person: Person, slot: Slot, plan_slots: Iterable[Slot]) -> PlacementReason:
    """The reasons for one placement, given all the slots the person has in the plan."""
    mine = list(plan_slots)
    window = next((w for w in person.windows if w.holds(slot.weekday, slot.start, slot.end)), None)
    return PlacementReason(
        goal_ids=tuple(served_goals(person, slot)),
        interest=interested(person, slot),
        kept=slot.id in person.current,
        pinned=slot.id in person.pinned,
        window=window,
        minutes_used=sum(s.minutes for s in mine),
        minutes_budget=person.weekly_minutes,
        sessions_that_day=sum(s.weekday == slot.weekday for s in mine),
    )


def blockers_for_unplaced(
    problem: Problem,
    chosen: Iterable[Assignment],
    *,
    deadline: float | None = None,
    now: Callable[[], float] = time.monotonic,
) -> Mapping[int, tuple[Blocker, ...]]:
    """For everyone with no placement: the rules that kept them out, most slots first.
    With a `deadline` (a `now()` moment) it stops there, and those it had not reached
    are missing from the answer: the caller marks their reasons as not worked out."""
    chosen = list(chosen)
    placed = {a.person_id for a in chosen}
    filled = Counter(a.slot_id for a in chosen)
    slots = sorted(problem.slots, key=lambda s: s.id)
    result: dict[int, tuple[Blocker, ...]] = {}
    for person in sorted(problem.people, key=lambda p: p.id):
        if deadline is not None and now() >= deadline:
            break
        if person.id not in placed:
            result[person.id] = _blockers(person, slots, filled, problem.travel_buffer)
    return result


def _blockers(
    person: Person, slots: list[Slot], filled: Counter[int], travel_buffer: int
) -> tuple[Blocker, ...]:
    if not slots:
        return (Blocker("no_slots", 0),)
    if person.weekly_minutes <= 0:
        return (Blocker("no_hours", len(slots)),)
    pins = [s for s in slots if s.id in person.pinned]
    counts: Counter[str] = Counter()
    for slot in slots:
        rule = first_broken_rule(person, slot)
        if rule is None:
            rule = next((r for p in pins if (r := clash(slot, p, travel_buffer))), None)
        if rule is None:
            rule = _why_not_chosen(slot, filled[slot.id])
        counts[rule] += 1
    order = {rule: i for i, rule in enumerate((*RULES, "too_small", "not_chosen"))}
    ranked = sorted(counts.items(), key=lambda item: (-item[1], order.get(item[0], 99)))
    return tuple(Blocker(rule, n) for rule, n in ranked)


def _why_not_chosen(slot: Slot, filled: int) -> str:
    """A slot that fitted but was not given: full, a group that would have started under
    its minimum, or other placements weighed more."""
    if filled >= slot.capacity:
        return "capacity"
    if filled == 0 and slot.others == 0 and slot.minimum > 1:
        return "too_small"
    return "not_chosen"
