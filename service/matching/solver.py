"""The optimiser: a mixed-integer programme solved by HiGHS (highspy).

One binary per person and slot that may be chosen. Overlaps and travel time are one
row per person and clique of clashing slots (not one row per pair), which keeps the
relaxation tight. Soft goals are the objective; pins are variables fixed to 1."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations

import highspy
import networkx as nx
import numpy as np

from service.matching.explain import blockers_for_unplaced
from service.matching.model import Assignment, Person, Plan, Problem, Slot
from service.matching.rules import clash, first_broken_rule
from service.matching.scoring import objective_of, pair_score, staffed_room, viable_room

INF = highspy.kHighsInf
STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInterrupt: "time_limit",
    highspy.HighsModelStatus.kSolutionLimit: "time_limit",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
}


@dataclass
class _Model:
    """Columns and rows as plain lists, handed to HiGHS in one call each."""

    cost: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)

    def column(self, cost: float, lower: float, upper: float, *, integer: bool) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        if integer:
            self.integer.append(len(self.cost) - 1)
        return len(self.cost) - 1

    def row(self, terms: Iterable[tuple[int, float]], lower: float, upper: float) -> None:
        self.starts.append(len(self.index))
        for column, coefficient in terms:
            self.index.append(column)
            self.value.append(coefficient)
        self.row_lower.append(lower)
        self.row_upper.append(upper)


def clash_cliques(slots: Iterable[Slot], travel_buffer: int) -> list[frozenset[int]]:
    """Maximal sets of slots that pairwise clash (overlap, or too little travel time),
    found once per weekday over all slots."""
    by_day: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_day[slot.weekday].append(slot)
    cliques: list[frozenset[int]] = []
    for day in sorted(by_day):
        graph = nx.Graph()
        day_slots = sorted(by_day[day], key=lambda s: (s.start, s.id))
        graph.add_nodes_from(s.id for s in day_slots)
        for i, a in enumerate(day_slots):
            for b in day_slots[i + 1 :]:
                if b.start - a.end >= travel_buffer:
                    break
                if clash(a, b, travel_buffer):
                    graph.add_edge(a.id, b.id)
        cliques.extend(frozenset(c) for c in nx.find_cliques(graph) if len(c) > 1)
    return sorted(cliques, key=lambda c: sorted(c))


def candidates_for(person: Person, slots: dict[int, Slot], travel_buffer: int) -> list[int]:
    """The slots the person may be given besides their pins: every unary rule holds,
    and the slot fits beside the pins."""
    pins = [slots[s] for s in sorted(person.pinned) if s in slots]
    chosen = []
    for slot_id, slot in slots.items():
        if slot.site_id not in person.sites:  # the cheapest rule first, to skip the rest
            continue
        if slot_id in person.pinned or first_broken_rule(person, slot):
            continue
        if not fits_beside(person, slot, pins, travel_buffer):
            continue
        chosen.append(slot_id)
    return chosen


def pins_break_rules(person: Person, slots: dict[int, Slot], travel_buffer: int) -> bool:
    """Whether the person's pins alone already break a rule between slots."""
    pins = [slots[s] for s in sorted(person.pinned) if s in slots]
    if sum(s.minutes for s in pins) > person.weekly_minutes:
        return True
    days = [s.weekday for s in pins]
    if any(days.count(d) > person.max_per_day for d in set(days)):
        return True
    return any(clash(a, b, travel_buffer) for a, b in combinations(pins, 2))


def solve(
    problem: Problem,
    *,
    deadline: float | None = None,
    stop: Callable[[], bool] | None = None,
) -> Plan:
    """The best plan HiGHS finds within the time limit (or by `deadline`, a
    `time.monotonic()` moment, when given), with its bound and gap. `stop` is asked
    while the search runs; when it answers True the search ends with its best plan."""
    began = time.perf_counter()
    people = sorted(problem.people, key=lambda p: p.id)
    slots = {s.id: s for s in sorted(problem.slots, key=lambda s: s.id)}
    weights = problem.weights
    warnings: list[str] = []
    model = _Model()
    pair_columns: list[tuple[int, int, int]] = []  # (person id, slot id, column)
    by_slot: dict[int, list[int]] = defaultdict(list)
    pinned_in_slot: dict[int, int] = defaultdict(int)
    start_values: list[float] = []

    cliques = clash_cliques(slots.values(), problem.travel_buffer)
    for person in people:
        missing = sorted(s for s in person.pinned if s not in slots)
        if missing:
            warnings.append(f"pinned_slot_missing:{person.id}")
        pinned = [s for s in sorted(person.pinned) if s in slots]
        if pins_break_rules(person, slots, problem.travel_buffer):
            warnings.append(f"pins_break_rules:{person.id}")
            options: list[int] = []
        else:
            options = candidates_for(person, slots, problem.travel_buffer)
        columns: dict[int, int] = {}
        for slot_id in pinned + options:
            score = pair_score(person, slots[slot_id], weights)
            is_pin = slot_id in person.pinned
            column = model.column(score, 1.0 if is_pin else 0.0, 1.0, integer=True)
            columns[slot_id] = column
            pair_columns.append((person.id, slot_id, column))
            by_slot[slot_id].append(column)
            pinned_in_slot[slot_id] += is_pin
            start_values.append(1.0 if slot_id in person.current or is_pin else 0.0)
        if not columns:
            continue
        if options:  # a person whose pins break a rule keeps just the pins, unconstrained
            _person_rows(model, person, columns, slots, cliques)
        fair = model.column(weights.fairness, 0.0, 1.0, integer=False)
        start_values.append(1.0 if any(start_values[c] for c in columns.values()) else 0.0)
        model.row([(fair, 1.0), *((c, -1.0) for c in columns.values())], -INF, 0.0)

    for slot_id, in_slot in by_slot.items():
        slot = slots[slot_id]
        capacity = max(slot.capacity, pinned_in_slot[slot_id])
        if pinned_in_slot[slot_id] > slot.capacity:
            warnings.append(f"pins_over_capacity:{slot_id}")
        if len(in_slot) > capacity:
            model.row(((c, 1.0) for c in in_slot), -INF, float(capacity))
        if weights.viability:
            _viability_terms(model, slot, in_slot, capacity, weights.viability, start_values)
        if len(in_slot) > staffed_room(slot) and weights.staffing:
            excess = model.column(-weights.staffing, 0.0, INF, integer=False)
            start_values.append(
                max(0.0, sum(start_values[c] for c in in_slot) - staffed_room(slot))
            )
            model.row([(excess, -1.0), *((c, 1.0) for c in in_slot)], -INF, staffed_room(slot))

    if not pair_columns:
        return _plan(problem, [], 0.0, "empty", began, warnings)
    time_left = problem.time_limit - (time.perf_counter() - began)  # building counts too
    if deadline is not None:
        time_left = deadline - time.monotonic()
    highs = _run(model, problem, start_values, time_left, stop)
    status = STATUS.get(highs.getModelStatus(), "error")
    values = highs.getSolution().col_value
    has_solution = highs.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    chosen = (
        [Assignment(p, s) for p, s, c in pair_columns if values[c] > 0.5] if has_solution else []
    )
    if not has_solution and status != "infeasible":
        status = "no_solution"
    bound = highs.getInfo().mip_dual_bound if has_solution else math.inf
    return _plan(problem, chosen, bound, status, began, warnings)


def _viability_terms(
    model: _Model,
    slot: Slot,
    columns: list[int],
    capacity: int,
    weight: float,
    start_values: list[float],
) -> None:
    """The `scoring.viability` term: a bonus per person up to the minimum where the group
    runs already; where it does not, a binary "opened" and a penalty per missing person."""
    count = sum(start_values[c] for c in columns)
    if slot.others:
        room = float(viable_room(slot))
        if room:
            gain = model.column(weight, 0.0, room, integer=False)
            start_values.append(min(room, count))
            model.row([(gain, 1.0), *((c, -1.0) for c in columns)], -INF, 0.0)
        return
    if slot.minimum <= 1:
        return
    opened = model.column(0.0, 0.0, 1.0, integer=True)
    start_values.append(1.0 if count else 0.0)
    shortfall = model.column(-weight, 0.0, INF, integer=False)
    start_values.append(max(0.0, slot.minimum - count) if count else 0.0)
    model.row([(opened, -float(capacity)), *((c, 1.0) for c in columns)], -INF, 0.0)
    model.row(
        [(shortfall, -1.0), (opened, float(slot.minimum)), *((c, -1.0) for c in columns)],
        -INF,
        0.0,
    )


def _person_rows(
    model: _Model,
    person: Person,
    columns: dict[int, int],
    slots: dict[int, Slot],
    cliques: list[frozenset[int]],
) -> None:
    """Hours, sessions per day and clashes for one person."""
    minutes = sum(slots[s].minutes for s in columns)
    if minutes > person.weekly_minutes:
        model.row(
            ((c, float(slots[s].minutes)) for s, c in columns.items()),
            -INF,
            float(person.weekly_minutes),
        )
    per_day: dict[int, list[int]] = defaultdict(list)
    for slot_id, column in columns.items():
        per_day[slots[slot_id].weekday].append(column)
    for day_columns in per_day.values():
        if len(day_columns) > person.max_per_day:
            model.row(((c, 1.0) for c in day_columns), -INF, float(person.max_per_day))
    mine = frozenset(columns)
    seen: set[frozenset[int]] = set()
    for clique in cliques:
        members = clique & mine
        if len(members) > 1 and members not in seen:
            seen.add(members)
            model.row(((columns[s], 1.0) for s in sorted(members)), -INF, 1.0)


def _run(
    model: _Model,
    problem: Problem,
    start_values: list[float],
    time_left: float,
    stop: Callable[[], bool] | None = None,
) -> highspy.Highs:
    highs = highspy.Highs()
    if stop is not None:

        def interrupt(event: highspy.HighsCallbackEvent) -> None:
            if stop():
                event.interrupt()

        highs.cbMipInterrupt += interrupt
        highs.cbSimplexInterrupt += interrupt
    for name, value in (
        ("output_flag", False),
        ("time_limit", max(0.5, time_left)),
        ("mip_rel_gap", float(problem.gap)),
        ("random_seed", 7),
        ("threads", 1),
        # Measured on the synthetic weeks: these two heuristics cost more than they find.
        ("mip_heuristic_run_root_reduced_cost", False),
        ("mip_heuristic_run_feasibility_jump", False),
        ("mip_heuristic_run_rens", False),
        # Measured on the synthetic weeks (S, M, L and re-planning M): HiGHS's presolve
        # costs more than it saves on this model, whose rows are already tight.
        ("presolve", "off"),
    ):
        if highs.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS refused its option {name}={value!r}")
    count = len(model.cost)
    empty_int = np.array([], dtype=np.int32)
    highs.addCols(
        count,
        np.array(model.cost),
        np.array(model.lower),
        np.array(model.upper),
        0,
        empty_int,
        empty_int,
        np.array([], dtype=np.float64),
    )
    if model.integer:
        kinds = np.full(len(model.integer), highspy.HighsVarType.kInteger)
        highs.changeColsIntegrality(
            len(model.integer), np.array(model.integer, dtype=np.int32), kinds
        )
    if model.row_lower:
        highs.addRows(
            len(model.row_lower),
            np.array(model.row_lower),
            np.array(model.row_upper),
            len(model.index),
            np.array(model.starts, dtype=np.int32),
            np.array(model.index, dtype=np.int32),
            np.array(model.value),
        )
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    start = highspy.HighsSolution()
    start.col_value = start_values
    highs.setSolution(start)
    highs.run()
    return highs


def _plan(
    problem: Problem,
    chosen: list[Assignment],
    bound: float,
    status: str,
    began: float,
    warnings: list[str],
) -> Plan:
    objective = objective_of(problem, chosen)
    if status == "empty":
        bound, gap = objective, 0.0
    elif not math.isfinite(bound):
        gap = math.inf  # the search stopped before it had a bound: how far is unknown
    else:
        bound = max(bound, objective)
        gap = (bound - objective) / max(abs(objective), 1e-9)
    return Plan(
        assignments=tuple(chosen),
        objective=objective,
        bound=bound,
        gap=gap,
        status=status,
        seconds=time.perf_counter() - began,
        unplaced=blockers_for_unplaced(problem, chosen),
        warnings=tuple(warnings),
    )


def greedy(problem: Problem) -> list[Assignment]:
    """First come, first served: by referral date, each person takes the best slots
    that still fit. The baseline the benchmark compares the solver with."""
    slots = {s.id: s for s in sorted(problem.slots, key=lambda s: s.id)}
    left = {s.id: s.capacity for s in slots.values()}
    chosen: list[Assignment] = []
    order = sorted(problem.people, key=lambda p: (p.referral is None, p.referral, p.id))
    for person in order:
        taken = [slots[s] for s in sorted(person.pinned) if s in slots]
        for pin in taken:
            left[pin.id] -= 1
            chosen.append(Assignment(person.id, pin.id))
        ranked = sorted(
            candidates_for(person, slots, problem.travel_buffer),
            key=lambda s: (-pair_score(person, slots[s], problem.weights), s),
        )
        for slot_id in ranked:
            slot = slots[slot_id]
            if left[slot_id] <= 0 or not fits_beside(person, slot, taken, problem.travel_buffer):
                continue
            taken.append(slot)
            left[slot_id] -= 1
            chosen.append(Assignment(person.id, slot_id))
    return chosen


def fits_beside(person: Person, slot: Slot, taken: list[Slot], travel_buffer: int) -> bool:
    """Whether the slot keeps the rules between slots (hours, sessions per day, clashes)
    beside the slots the person already has."""
    if sum(s.minutes for s in taken) + slot.minutes > person.weekly_minutes:
        return False
    if sum(s.weekday == slot.weekday for s in taken) >= person.max_per_day:
        return False
    return not any(clash(slot, other, travel_buffer) for other in taken)
