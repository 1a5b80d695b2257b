"""Which slots each person may be given, and whether a slot fits beside the ones a
person already has: shared by the model, the greedy plans and the explanations."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

from service.matching.model import Person, Problem, Slot
from service.matching.rules import clash, first_broken_rule


def slots_by_site(slots: Iterable[Slot]) -> dict[int, list[Slot]]:
    """The slots of each site in id order, so that a person's candidates are looked for
    only at the sites they can reach."""
    by_site: dict[int, list[Slot]] = defaultdict(list)
    for slot in sorted(slots, key=lambda s: s.id):
        by_site[slot.site_id].append(slot)
    return by_site


def candidates_for(
    person: Person,
    slots: Mapping[int, Slot],
    travel_buffer: int,
    by_site: Mapping[int, list[Slot]] | None = None,
) -> list[int]:
    """The slots the person may be given besides their pins, in id order: every unary
    rule holds, and the slot fits beside the pins."""
    if person.max_per_day < 1:
        return []
    sites = by_site if by_site is not None else slots_by_site(slots.values())
    pins = [slots[s] for s in sorted(person.pinned) if s in slots]
    chosen = []
    for site in sorted(person.sites):
        for slot in sites.get(site, ()):
            if slot.id in person.pinned or first_broken_rule(person, slot):
                continue
            if fits_beside(person, slot, pins, travel_buffer):
                chosen.append(slot.id)
    return sorted(chosen)


def pins_break_rules(person: Person, slots: Mapping[int, Slot], travel_buffer: int) -> bool:
    """Whether the person's pins alone already break a rule between slots."""
    pins = [slots[s] for s in sorted(person.pinned) if s in slots]
    if sum(s.minutes for s in pins) > person.weekly_minutes:
        return True
    days = [s.weekday for s in pins]
    if any(days.count(d) > person.max_per_day for d in set(days)):
        return True
    return any(clash(a, b, travel_buffer) for a, b in combinations(pins, 2))


def fits_beside(person: Person, slot: Slot, taken: list[Slot], travel_buffer: int) -> bool:
    """Whether the slot keeps the rules between slots (hours, sessions per day, clashes)
    beside the slots the person already has."""
    if sum(s.minutes for s in taken) + slot.minutes > person.weekly_minutes:
        return False
    if sum(s.weekday == slot.weekday for s in taken) >= person.max_per_day:
        return False
    return not any(clash(slot, other, travel_buffer) for other in taken)


@dataclass(frozen=True)
class Choices:
    """What each person may be given: their pins (kept whatever else) and their other
    options; the capacity of each slot (raised to its pins where they overfill it); and
    warnings about pins that are missing, break rules or overfill a slot."""

    pins: Mapping[int, list[int]]
    options: Mapping[int, list[int]]
    capacity: Mapping[int, int]
    warnings: tuple[str, ...]


def choices_of(problem: Problem) -> Choices:
    """The choices of every person, in id order. A person whose pins break a rule keeps
    just the pins and is given nothing else."""
    slots = {s.id: s for s in sorted(problem.slots, key=lambda s: s.id)}
    by_site = slots_by_site(slots.values())
    pins: dict[int, list[int]] = {}
    options: dict[int, list[int]] = {}
    warnings: list[str] = []
    pinned_in_slot: Counter[int] = Counter()
    for person in sorted(problem.people, key=lambda p: p.id):
        if any(s not in slots for s in person.pinned):
            warnings.append(f"pinned_slot_missing:{person.id}")
        pins[person.id] = [s for s in sorted(person.pinned) if s in slots]
        pinned_in_slot.update(pins[person.id])
        if pins_break_rules(person, slots, problem.travel_buffer):
            warnings.append(f"pins_break_rules:{person.id}")
            options[person.id] = []
        else:
            options[person.id] = candidates_for(person, slots, problem.travel_buffer, by_site)
    capacity = {}
    for slot_id, slot in slots.items():
        capacity[slot_id] = max(slot.capacity, pinned_in_slot[slot_id])
        if pinned_in_slot[slot_id] > slot.capacity:
            warnings.append(f"pins_over_capacity:{slot_id}")
    return Choices(pins, options, capacity, tuple(warnings))
