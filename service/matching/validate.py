"""An independent check of a plan against every hard rule, straight from the rules'
definitions (not from the solver's rows). It names the rule each problem breaks, for
the tests and for a coordinator's manual change."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from service.matching.model import Assignment, Problem
from service.matching.rules import clash, first_broken_rule


@dataclass(frozen=True)
class Violation:
    rule: str
    person_id: int | None
    slot_id: int
    other_slot_id: int | None = None


def validate(problem: Problem, assignments: Iterable[Assignment]) -> list[Violation]:
    """Every broken hard rule in the plan. Pinned placements are the coordinator's word,
    so the per-pair rules are not held against them; the rules between slots are."""
    people = {p.id: p for p in problem.people}
    slots = {s.id: s for s in problem.slots}
    chosen = list(assignments)
    found: list[Violation] = []
    by_person: dict[int, list[int]] = defaultdict(list)
    for assignment in chosen:
        by_person[assignment.person_id].append(assignment.slot_id)
    for person_id, slot_ids in by_person.items():
        person = people[person_id]
        for slot_id in (person.pinned & slots.keys()) - set(slot_ids):
            found.append(Violation("pinned", person_id, slot_id))
        for slot_id, times in Counter(slot_ids).items():
            if times > 1:
                found.append(Violation("overlap", person_id, slot_id, slot_id))
        unique = sorted(set(slot_ids))
        for slot_id in unique:
            rule = None if slot_id in person.pinned else first_broken_rule(person, slots[slot_id])
            if rule:
                found.append(Violation(rule, person_id, slot_id))
        for a, b in combinations(unique, 2):
            rule = clash(slots[a], slots[b], problem.travel_buffer)
            if rule:
                found.append(Violation(rule, person_id, a, b))
        if sum(slots[s].minutes for s in unique) > person.weekly_minutes:
            found.append(Violation("hours", person_id, unique[-1]))
        per_day = Counter(slots[s].weekday for s in unique)
        for weekday, count in per_day.items():
            if count > person.max_per_day:
                last = max(s for s in unique if slots[s].weekday == weekday)
                found.append(Violation("per_day", person_id, last))
    for person in problem.people:
        if person.id not in by_person:
            found.extend(
                Violation("pinned", person.id, s) for s in sorted(person.pinned & slots.keys())
            )
    for slot_id, count in Counter(a.slot_id for a in chosen).items():
        if count > slots[slot_id].capacity:
            found.append(Violation("capacity", None, slot_id))
    return found
