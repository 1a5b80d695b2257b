"""The mixed-integer model of a `Problem`, as plain lists handed to HiGHS in one call.

One binary per person and slot that may be chosen. The model grows linearly with the
candidate pairs: overlaps are one row per person and point in time (the slots of that
person covering one instant, taken at each slot start), and travel-buffer conflicts one
short row per slot and later start within the buffer, written with a helper column for
"present at that instant" so that back-to-back sessions at many sites stay small. Each
helper column carries how to compute its value from a plan, so that any plan can be
handed to the solver as a starting point."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import highspy

from service.matching.candidates import Choices
from service.matching.model import Assignment, Person, Problem, Slot
from service.matching.rules import clash
from service.matching.scoring import pair_score, staffed_room, viable_room

INF = highspy.kHighsInf
Values = Sequence[float]


@dataclass
class LinearModel:
    """Columns and rows as plain lists. `derived` tells, for each helper column, how its
    value follows from the values of the columns before it."""

    cost: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    derived: list[tuple[int, Callable[[Values], float]]] = field(default_factory=list)

    def column(self, cost: float, lower: float, upper: float, *, integer: bool) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        if integer:
            self.integer.append(len(self.cost) - 1)
        return len(self.cost) - 1

    def helper(
        self, cost: float, lower: float, upper: float, value: Callable[[Values], float]
    ) -> int:
        """A continuous column whose value in a plan is `value(values of the columns)`."""
        column = self.column(cost, lower, upper, integer=False)
        self.derived.append((column, value))
        return column

    def row(self, terms: Iterable[tuple[int, float]], lower: float, upper: float) -> None:
        self.starts.append(len(self.index))
        for column, coefficient in terms:
            self.index.append(column)
            self.value.append(coefficient)
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    @property
    def rows(self) -> int:
        return len(self.row_lower)


@dataclass
class Formulation:
    """The model and what the solver needs to read it: the column of each person and
    slot, and each person's "has at least one" (and "at least two") column."""

    model: LinearModel
    pairs: list[tuple[int, int, int]]  # (person id, slot id, column)
    has_one: dict[int, int]
    has_two: dict[int, int]

    def values_of(self, chosen: Iterable[Assignment]) -> list[float]:
        """The value of every column in the plan `chosen` (pairs outside the model are
        left out)."""
        picked = {(a.person_id, a.slot_id) for a in chosen}
        values = [0.0] * len(self.model.cost)
        for person_id, slot_id, column in self.pairs:
            values[column] = 1.0 if (person_id, slot_id) in picked else 0.0
        for column, value in self.model.derived:
            values[column] = value(values)
        return values

    def chosen_in(self, values: Values) -> list[Assignment]:
        return [Assignment(p, s) for p, s, c in self.pairs if values[c] > 0.5]


def formulate(problem: Problem, choices: Choices) -> Formulation:
    """The model of the problem, built the same way whatever order the input comes in."""
    slots = {s.id: s for s in problem.slots}
    weights = problem.weights
    model = LinearModel()
    found = Formulation(model, [], {}, {})
    by_slot: dict[int, list[int]] = defaultdict(list)
    for person in sorted(problem.people, key=lambda p: p.id):
        pinned, options = choices.pins[person.id], choices.options[person.id]
        columns: dict[int, int] = {}
        for slot_id in pinned + options:
            is_pin = slot_id in person.pinned
            score = pair_score(person, slots[slot_id], weights)
            column = model.column(score, 1.0 if is_pin else 0.0, 1.0, integer=True)
            columns[slot_id] = column
            found.pairs.append((person.id, slot_id, column))
            by_slot[slot_id].append(column)
        if not columns:
            continue
        if options:  # a person whose pins break a rule keeps just the pins, unconstrained
            _person_rows(model, person, columns, slots, problem.travel_buffer)
        _count_rows(found, person.id, sorted(columns.values()), problem.second_before_third)
    for slot_id in sorted(by_slot):
        slot, in_slot = slots[slot_id], by_slot[slot_id]
        capacity = choices.capacity[slot_id]
        if len(in_slot) > capacity:
            model.row(((c, 1.0) for c in in_slot), -INF, float(capacity))
        if weights.viability:
            _viability_terms(model, slot, in_slot, capacity, weights.viability)
        if len(in_slot) > staffed_room(slot) and weights.staffing:
            room = staffed_room(slot)
            excess = model.helper(-weights.staffing, 0.0, INF, _count_above(in_slot, float(room)))
            model.row([(excess, -1.0), *((c, 1.0) for c in in_slot)], -INF, float(room))
    return found


def _count_rows(found: Formulation, person_id: int, columns: list[int], second: bool) -> None:
    """`has_one` is at most the number of places and at most 1, so at most min(1, places);
    `has_two` (when second places are counted) is 0 or 1, at most `has_one` and at most
    the places beyond `has_one`: 1 only with two places or more. The solver gives them
    their costs."""
    model = found.model
    one = model.helper(0.0, 0.0, 1.0, _count_up_to(columns, 1.0))
    model.row([(one, 1.0), *((c, -1.0) for c in columns)], -INF, 0.0)
    found.has_one[person_id] = one
    if second and len(columns) > 1:
        two = model.column(0.0, 0.0, 1.0, integer=True)
        model.derived.append((two, _second_place(columns)))
        model.row([(two, 1.0), (one, 1.0), *((c, -1.0) for c in columns)], -INF, 0.0)
        model.row([(two, 1.0), (one, -1.0)], -INF, 0.0)
        found.has_two[person_id] = two


def _count_up_to(columns: list[int], most: float) -> Callable[[Values], float]:
    return lambda values: min(most, sum(values[c] for c in columns))


def _count_above(columns: list[int], room: float) -> Callable[[Values], float]:
    return lambda values: max(0.0, sum(values[c] for c in columns) - room)


def _second_place(columns: list[int]) -> Callable[[Values], float]:
    return lambda values: min(1.0, max(0.0, sum(values[c] for c in columns) - 1.0))


def _viability_terms(
    model: LinearModel, slot: Slot, columns: list[int], capacity: int, weight: float
) -> None:
    """The `scoring.viability` term: a bonus per person up to the minimum where the group
    runs already; where it does not, a binary "opened" and a penalty per missing person."""
    if slot.others:
        room = float(viable_room(slot))
        if room:
            gain = model.helper(weight, 0.0, room, _count_up_to(columns, room))
            model.row([(gain, 1.0), *((c, -1.0) for c in columns)], -INF, 0.0)
        return
    if slot.minimum <= 1:
        return
    minimum = float(slot.minimum)
    opened = model.column(0.0, 0.0, 1.0, integer=True)
    model.derived.append((opened, lambda v: 1.0 if any(v[c] > 0.5 for c in columns) else 0.0))
    shortfall = model.helper(
        -weight,
        0.0,
        INF,
        lambda v: max(0.0, minimum - sum(v[c] for c in columns)) if v[opened] else 0.0,
    )
    model.row([(opened, -float(capacity)), *((c, 1.0) for c in columns)], -INF, 0.0)
    model.row([(shortfall, -1.0), (opened, minimum), *((c, -1.0) for c in columns)], -INF, 0.0)


def _person_rows(
    model: LinearModel,
    person: Person,
    columns: dict[int, int],
    slots: Mapping[int, Slot],
    travel_buffer: int,
) -> None:
    """Hours, sessions per day, overlaps and travel for one person."""
    minutes = sum(slots[s].minutes for s in columns)
    if minutes > person.weekly_minutes:
        model.row(
            ((c, float(slots[s].minutes)) for s, c in columns.items()),
            -INF,
            float(person.weekly_minutes),
        )
    per_day: dict[int, list[Slot]] = defaultdict(list)
    for slot_id in columns:
        per_day[slots[slot_id].weekday].append(slots[slot_id])
    for day in sorted(per_day):
        day_slots = sorted(per_day[day], key=lambda s: (s.start, s.id))
        if len(day_slots) > person.max_per_day:
            model.row(((columns[s.id], 1.0) for s in day_slots), -INF, float(person.max_per_day))
        if len(day_slots) > 1:
            _DayRows(model, columns, day_slots, travel_buffer).add()


@dataclass
class _DayRows:
    """Overlap and travel rows for one person's slots on one day."""

    model: LinearModel
    columns: Mapping[int, int]
    day_slots: list[Slot]
    travel_buffer: int
    present: dict[int, int] = field(default_factory=dict)  # instant -> helper column

    def add(self) -> None:
        instants = sorted({s.start for s in self.day_slots})
        covers = [self._covering(t) for t in instants]
        travel_rows = self._travel_rows(instants, covers)
        for i, (instant, cover) in enumerate(zip(instants, covers, strict=True)):
            if instant in self.present or len(cover) < 2:
                continue  # a helper column's bound is this instant's overlap row
            following = covers[i + 1] if i + 1 < len(covers) else []
            if {s.id for s in cover} <= {s.id for s in following}:
                continue  # the next instant's row says the same and more
            self.model.row(((self.columns[s.id], 1.0) for s in cover), -INF, 1.0)
        for terms in travel_rows:
            self.model.row(terms, -INF, 1.0)

    def _covering(self, instant: int) -> list[Slot]:
        return [s for s in self.day_slots if s.start <= instant < s.end]

    def _travel_rows(
        self, instants: list[int], covers: list[list[Slot]]
    ) -> list[list[tuple[int, float]]]:
        """For each slot and each later start within the travel buffer of its end: the
        slot and every slot covering that start that it clashes with, at most one."""
        rows: list[list[tuple[int, float]]] = []
        if self.travel_buffer <= 0:
            return rows
        for slot in self.day_slots:
            first = bisect.bisect_left(instants, slot.end)
            last = bisect.bisect_left(instants, slot.end + self.travel_buffer)
            for i in range(first, last):
                clashing = [b for b in covers[i] if clash(slot, b, self.travel_buffer)]
                if not any(b.site_id != slot.site_id for b in clashing):
                    continue  # only overlaps, which the overlap rows hold already
                rows.append(self._travel_row(slot, instants[i], covers[i], clashing))
        return rows

    def _travel_row(
        self, slot: Slot, instant: int, cover: list[Slot], clashing: list[Slot]
    ) -> list[tuple[int, float]]:
        own = (self.columns[slot.id], 1.0)
        fine = [b for b in cover if b not in clashing]
        if len(clashing) <= len(fine) + 2:
            return [own, *((self.columns[b.id], 1.0) for b in clashing)]
        present = self._present_at(instant, cover)
        return [own, (present, 1.0), *((self.columns[b.id], -1.0) for b in fine)]

    def _present_at(self, instant: int, cover: list[Slot]) -> int:
        """A helper column equal to the number of the person's slots covering the instant
        (at most 1: it is also the overlap row there)."""
        if instant not in self.present:
            members = [self.columns[s.id] for s in cover]
            column = self.model.helper(0.0, 0.0, 1.0, _count_up_to(members, float(len(members))))
            self.model.row([(column, 1.0), *((c, -1.0) for c in members)], 0.0, 0.0)
            self.present[instant] = column
        return self.present[instant]
