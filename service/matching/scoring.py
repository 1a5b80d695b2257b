"""What a plan is worth: the soft goals, shared by the solver, the greedy baseline and
the tests that check the solver's objective."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from service.matching.model import Assignment, Person, Problem, Slot, Weights

# One top-priority goal (weight 3) served at full strength (3): the most one slot can be
# worth to a person in goal fit, however many goals they have, so that goals do not buy
# places.
GOAL_FIT_CAP = 9


def goal_fit(person: Person, slot: Slot) -> float:
    """Sum over the person's goals of its weight (from priority) times how strongly the
    activity serves the goal's domains (0-3), scaled down for a person whose goals could
    add up to more than `GOAL_FIT_CAP`, so that their best possible slot is worth the cap.

    Scaling rather than cutting at the cap keeps a person's slots in order (a slot that
    serves three of their goals still fits better than one that serves one): with a cut,
    such slots tied, and proving a plan optimal took the solver about twice as long."""
    raw = sum(
        goal.weight * max((slot.domains.get(d, 0) for d in goal.domains), default=0)
        for goal in person.goals
    )
    ceiling = 3 * sum(goal.weight for goal in person.goals)
    return raw * GOAL_FIT_CAP / ceiling if ceiling > GOAL_FIT_CAP else raw


def served_goals(person: Person, slot: Slot) -> list[int]:
    return [g.id for g in person.goals if any(slot.domains.get(d, 0) for d in g.domains)]


def interested(person: Person, slot: Slot) -> bool:
    return slot.activity_id in person.wants_activities or slot.kind in person.wants_kinds


def pair_score(person: Person, slot: Slot, weights: Weights) -> int:
    """The value of placing this person in this slot on its own, rounded to a whole
    number: an objective of whole numbers lets the solver prove optimality sooner."""
    return round(
        weights.goal_fit * goal_fit(person, slot)
        + weights.interest * interested(person, slot)
        + weights.continuity * (slot.id in person.current)
        + weights.hours * slot.minutes / 60
    )


def viable_room(slot: Slot) -> int:
    """How many more participants the slot needs to reach its minimum."""
    return max(0, slot.minimum - slot.others)


def viability(slot: Slot, count: int) -> int:
    """The group-size term for `count` more participants: a group that already meets
    gains one per person towards its minimum; a group that would start under its
    minimum loses one per missing person; an empty slot that stays empty is neutral."""
    if slot.others:
        return min(count, viable_room(slot))
    if count == 0:
        return 0
    return -max(0, slot.minimum - count)


def staffed_room(slot: Slot) -> int:
    """How many more participants the slot's staff can take at their ratio."""
    return max(0, slot.staff * slot.per_staff - slot.others)


def objective_of(problem: Problem, assignments: Iterable[Assignment]) -> float:
    """The objective the solver maximises, computed from a plan directly."""
    people = {p.id: p for p in problem.people}
    slots = {s.id: s for s in problem.slots}
    weights = problem.weights
    chosen = list(assignments)
    per_slot = Counter(a.slot_id for a in chosen)
    total: float = sum(pair_score(people[a.person_id], slots[a.slot_id], weights) for a in chosen)
    total += weights.fairness * len({a.person_id for a in chosen})
    for slot_id, count in per_slot.items():
        slot = slots[slot_id]
        total += weights.viability * viability(slot, count)
        total -= weights.staffing * max(0, count - staffed_room(slot))
    return total
