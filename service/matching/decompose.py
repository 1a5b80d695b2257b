"""Split a matching problem into independent parts, and join the parts' plans.

Two people interact only through a slot both could take, and two slots only through a
person who could take both: every rule between slots (overlap, travel, hours, sessions
per day) is a rule of one person, and every rule of a slot (capacity, group size,
staffing) counts only the people who could be placed there. So the parts are the
connected components of the candidate graph (a person joined to each slot they may be
given or hold pinned), and the objective is a sum over them: solving each part on its
own and putting the plans side by side gives the plan of the whole, also when the
objective is lexicographic (the first level's optimum of the whole is the sum of the
parts' optima).

The candidate test is the unary rules alone, a superset of what the solver allows (it
also drops slots that do not fit beside the pins): a part may be larger than it needs
to be, never split where it must not be. Pure: no I/O."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from service.matching.model import Assignment, Person, Plan, Problem, Slot
from service.matching.rules import first_broken_rule

#: How the parts' solver statuses combine, the weakest first.
STATUS_ORDER = ("error", "no_solution", "infeasible", "time_limit", "optimal", "empty")


@dataclass(frozen=True)
class Part:
    """One independent part: its people, the slots they may share, and its size in
    candidate pairs (what the solver's work grows with)."""

    index: int
    problem: Problem
    pairs: int


def candidate_slots(person: Person, slots: Iterable[Slot]) -> list[int]:
    """The slots the person could be given (no unary rule broken) or holds pinned."""
    return [
        s.id
        for s in slots
        if s.id in person.pinned
        or (s.site_id in person.sites and first_broken_rule(person, s) is None)
    ]


class _Components:
    """Union-find over people and slots (keys `("p", id)` and `("s", id)`)."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(self, key: tuple[str, int]) -> tuple[str, int]:
        self.parent.setdefault(key, key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def join(self, a: tuple[str, int], b: tuple[str, int]) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def split(problem: Problem) -> tuple[Part, ...]:
    """The independent parts, ordered by their smallest person id. People with no
    candidate slot and no pin are in no part (nothing can be planned for them; the
    run explains why); slots nobody could take are in no part either."""
    slots = sorted(problem.slots, key=lambda s: s.id)
    by_id = {s.id: s for s in slots}
    at_site: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:
        at_site[slot.site_id].append(slot)
    components = _Components()
    pairs: dict[int, int] = {}
    for person in sorted(problem.people, key=lambda p: p.id):
        mine = candidate_slots(person, _within_reach(person, at_site, by_id))
        if not mine and not person.pinned:
            continue
        pairs[person.id] = len(mine)
        components.find(("p", person.id))
        for slot_id in mine:
            components.join(("p", person.id), ("s", slot_id))
    people_of: dict[tuple[str, int], list[Person]] = defaultdict(list)
    for person in problem.people:
        if person.id in pairs:
            people_of[components.find(("p", person.id))].append(person)
    slots_of: dict[tuple[str, int], list[Slot]] = defaultdict(list)
    for slot_id, slot in by_id.items():
        if ("s", slot_id) in components.parent:
            slots_of[components.find(("s", slot_id))].append(slot)
    groups = sorted(
        people_of.items(), key=lambda item: min(p.id for p in item[1])
    )  # deterministic, whatever the order of the input
    return tuple(
        Part(
            index=index,
            problem=replace(
                problem,
                people=tuple(sorted(people, key=lambda p: p.id)),
                slots=tuple(slots_of.get(root, ())),
            ),
            pairs=sum(pairs[p.id] for p in people),
        )
        for index, (root, people) in enumerate(groups)
    )


def _within_reach(
    person: Person, at_site: dict[int, list[Slot]], by_id: dict[int, Slot]
) -> list[Slot]:
    """The slots at the sites the person reaches and those they hold pinned: the only
    ones that can be candidates (looking at these alone keeps a split of 10,000 people
    from testing every slot for everyone)."""
    near = {s.id: s for site in person.sites for s in at_site.get(site, ())}
    near.update((i, by_id[i]) for i in person.pinned if i in by_id)
    return [near[i] for i in sorted(near)]


def share_of_time(parts: Sequence[Part], index: int, seconds: float) -> float:
    """The seconds part `index` may use out of `seconds` left for it and the parts after
    it, in proportion to its size (a part has at least one pair's worth)."""
    return share_of_pairs(seconds, parts[index].pairs, [p.pairs for p in parts[index + 1 :]])


def share_of_pairs(seconds: float, pairs: int, waiting: Sequence[int], workers: int = 1) -> float:
    """The seconds a part of `pairs` may use out of `seconds` left, when the `waiting`
    parts (their pairs) are still to be solved after it by `workers` workers, each
    solving a part at a time: in proportion to its size against its own and its
    worker's share of the waiting ones, so the first part leaves time to the rest."""
    own = max(1, pairs)
    return seconds * own / (own + sum(max(1, p) for p in waiting) / max(1, workers))


def join(plans: Sequence[Plan], *, seconds: float) -> Plan:
    """The plan of the whole from the parts' plans: their assignments side by side,
    objectives and bounds summed, the weakest status, `seconds` as the time taken.
    `unplaced` is left empty: who is left out is judged against the whole problem."""
    if not plans:
        return Plan((), 0.0, 0.0, 0.0, "empty", seconds)
    assignments = sorted(
        (a for plan in plans for a in plan.assignments), key=lambda a: (a.person_id, a.slot_id)
    )
    objective = sum(plan.objective for plan in plans)
    bound = sum(plan.bound for plan in plans)
    status = min(
        (plan.status for plan in plans),
        key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 0,
    )
    if math.isfinite(bound):
        bound = max(bound, objective)
        gap = (bound - objective) / max(abs(objective), 1e-9)
    else:
        gap = math.inf
    return Plan(
        assignments=tuple(Assignment(a.person_id, a.slot_id) for a in assignments),
        objective=objective,
        bound=bound,
        gap=gap,
        status=status,
        seconds=seconds,
        warnings=tuple(w for plan in plans for w in plan.warnings),
    )
