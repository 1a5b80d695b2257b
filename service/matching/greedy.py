"""Plans without the optimiser: the most people with one place each (a maximum
bipartite matching), and the round-robin greedy (each person in turn takes their best
slot still free). The solver starts from these; the benchmark compares the solver with
the plain round-robin."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet

from service.matching.candidates import Choices, choices_of, fits_beside
from service.matching.model import Assignment, Person, Problem, Slot
from service.matching.scoring import pair_score


def greedy(problem: Problem) -> list[Assignment]:
    """The round-robin greedy plan: by referral date, each person in turn takes the best
    slot that is still free and fits beside what they have, round after round."""
    return round_robin(problem, choices_of(problem))


def round_robin(
    problem: Problem,
    choices: Choices,
    first: Iterable[Assignment] = (),
    prefer: Iterable[Assignment] = (),
) -> list[Assignment]:
    """Pins, then the places in `first` (one each, from `one_each`), then rounds in which
    each person takes their best free slot that fits, until no one can take another.
    Places in `prefer` (a plan to stay close to) count as best."""
    slots = {s.id: s for s in problem.slots}
    left = dict(choices.capacity)
    taken: dict[int, list[Slot]] = {}
    chosen: list[Assignment] = []
    given = {(a.person_id, a.slot_id) for a in first}
    for person_id, pins in choices.pins.items():
        taken[person_id] = []
        for slot_id in pins + [s for s in choices.options[person_id] if (person_id, s) in given]:
            taken[person_id].append(slots[slot_id])
            left[slot_id] -= 1
            chosen.append(Assignment(person_id, slot_id))
    people = {p.id: p for p in problem.people}
    order = _turn_order(problem)
    preferred = {(a.person_id, a.slot_id) for a in prefer}
    ranked = {
        p.id: _ranked(
            p,
            (s for s in choices.options[p.id] if (p.id, s) not in given),
            slots,
            problem,
            preferred,
        )
        for p in order
    }
    position = dict.fromkeys(ranked, 0)
    active = [p.id for p in order if ranked[p.id]]
    while active:
        still = []
        for person_id in active:
            person, mine, options = people[person_id], taken[person_id], ranked[person_id]
            i = position[person_id]
            # A slot that is full or does not fit now never will: skip it for good.
            while i < len(options) and not (
                left[options[i]] > 0
                and fits_beside(person, slots[options[i]], mine, problem.travel_buffer)
            ):
                i += 1
            if i < len(options):
                mine.append(slots[options[i]])
                left[options[i]] -= 1
                chosen.append(Assignment(person_id, options[i]))
                position[person_id] = i + 1
                still.append(person_id)
        active = still
    return chosen


def one_each(
    problem: Problem, choices: Choices, prefer: Iterable[Assignment] = ()
) -> list[Assignment]:
    """A maximum bipartite matching of people without pins to slots (up to the places
    left beside the pins): each person in turn takes their best free slot, then each
    person left out looks for an alternating path to a free place. A failed search's
    people and slots are never on a later path (Hungarian trees), so they are set
    aside. With the pins, the most people who can have a place each. Places in `prefer`
    count as best."""
    slots = {s.id: s for s in problem.slots}
    left = dict(choices.capacity)
    for pins in choices.pins.values():
        for slot_id in pins:
            left[slot_id] -= 1
    order = [p for p in _turn_order(problem) if not choices.pins[p.id] and choices.options[p.id]]
    preferred = {(a.person_id, a.slot_id) for a in prefer}
    options = {p.id: _ranked(p, choices.options[p.id], slots, problem, preferred) for p in order}
    match: dict[int, int] = {}
    holders: dict[int, list[int]] = {s: [] for s in slots}
    for person_id, ranked in options.items():
        free = next((s for s in ranked if left[s] > 0), None)
        if free is not None:
            _move(person_id, free, match, holders, left)
    dead: set[tuple[str, int]] = set()
    for person_id in options:
        if person_id not in match and ("p", person_id) not in dead:
            dead |= _augment(person_id, options, match, holders, left, dead)
    return [Assignment(p, s) for p, s in sorted(match.items())]


def _augment(
    person_id: int,
    options: Mapping[int, list[int]],
    match: dict[int, int],
    holders: dict[int, list[int]],
    left: dict[int, int],
    dead: set[tuple[str, int]],
) -> set[tuple[str, int]]:
    """Search breadth first for an alternating path from the person to a free place and
    shift the places along it; return the search tree if there was none (else empty)."""
    seen: set[tuple[str, int]] = {("p", person_id)}
    reached_by: dict[int, int] = {}  # slot -> the person whose options reached it
    queue = deque([person_id])
    while queue:
        person = queue.popleft()
        for slot_id in options[person]:
            if ("s", slot_id) in seen or ("s", slot_id) in dead:
                continue
            seen.add(("s", slot_id))
            reached_by[slot_id] = person
            if left[slot_id] > 0:
                _shift_along(slot_id, reached_by, match, holders, left)
                return set()
            for holder in holders[slot_id]:
                if ("p", holder) not in seen:
                    seen.add(("p", holder))
                    queue.append(holder)
    return seen


def _shift_along(
    slot_id: int,
    reached_by: Mapping[int, int],
    match: dict[int, int],
    holders: dict[int, list[int]],
    left: dict[int, int],
) -> None:
    """Each person on the path moves to the slot that reached them: one place more."""
    while True:
        person_id = reached_by[slot_id]
        before = match.get(person_id)
        _move(person_id, slot_id, match, holders, left)
        if before is None:
            return
        slot_id = before


def _move(
    person_id: int,
    slot_id: int,
    match: dict[int, int],
    holders: dict[int, list[int]],
    left: dict[int, int],
) -> None:
    before = match.get(person_id)
    if before is not None:
        holders[before].remove(person_id)
        left[before] += 1
    match[person_id] = slot_id
    holders[slot_id].append(person_id)
    left[slot_id] -= 1


def _turn_order(problem: Problem) -> list[Person]:
    """Turns go by referral date (the longest waiting first), then id."""
    return sorted(problem.people, key=lambda p: (p.referral is None, p.referral, p.id))


def _ranked(
    person: Person,
    options: Iterable[int],
    slots: Mapping[int, Slot],
    problem: Problem,
    preferred: AbstractSet[tuple[int, int]] = frozenset(),
) -> list[int]:
    """The person's options, preferred ones first, then best first."""
    return sorted(
        options,
        key=lambda s: (
            (person.id, s) not in preferred,
            -pair_score(person, slots[s], problem.weights),
            s,
        ),
    )
