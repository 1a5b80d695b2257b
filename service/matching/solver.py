"""The optimiser: a mixed-integer programme (`formulation`) solved by HiGHS (highspy),
fair by construction. In this order, each step never giving up any of the ones before:

1. the most people with at least one place (pins count). How many that is comes from a
   maximum bipartite matching (`greedy.one_each`), exactly, before the MIP starts;
2. if `second_before_third` is set, the most people with at least two places;
3. the weighted soft goals (goal fit, interest, continuity, viability, staffing, hours).

Step 1 is kept by weight: each person with a place is worth `cover` points, and a plan
the MIP returns is taken only if it covers as many people as the matching; if it covers
fewer, `cover` grows and the MIP runs again. A plan that is optimal for the weighted
objective and covers the most people is optimal for step 3 among such plans. Step 2 is
a MIP of its own (people covered first by a weight larger than all second places
together) whose count is then held by a row. The MIP starts from the round-robin
greedy plan whose first round is the matching, and falls back to it, so a run stopped
by its deadline returns at least that plan. The deadline is an absolute
`time.monotonic()` and covers building, solving and explaining."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from service.matching.candidates import Choices, choices_of, pins_break_rules
from service.matching.explain import blockers_for_unplaced
from service.matching.formulation import Formulation, LinearModel, formulate
from service.matching.greedy import greedy, one_each, round_robin
from service.matching.model import Assignment, Plan, Problem
from service.matching.scoring import objective_of, pair_score

__all__ = ["greedy", "pins_break_rules", "solve"]

INF = highspy.kHighsInf
STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInterrupt: "time_limit",
    highspy.HighsModelStatus.kSolutionLimit: "time_limit",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
}
# The share of the time left that step 2 may use when it is asked for.
SECOND_PLACES_SHARE = 0.4
# How much `cover` grows when a plan covered too few people.
COVER_GROWTH = 4.0
# Time kept back for a repair after the solver, as a multiple of the greedy's time.
REPAIR_RESERVE = 1.5
# Time kept back for explaining who was left out: seconds per person in the problem.
EXPLAIN_SECONDS_PER_PERSON = 0.0002


@dataclass
class _Best:
    """The best plan so far that keeps every step before the one being solved; the
    status of the last solve and its bound on the reported objective."""

    chosen: list[Assignment]
    status: str
    bound: float


@dataclass
class _Steps:
    """What the plan must keep: how many people covered, and with two places."""

    covered: int
    twice: int = 0


def solve(
    problem: Problem,
    deadline: float | None = None,
    stop: Callable[[], bool] | None = None,
) -> Plan:
    """The best plan found by `deadline` (a `time.monotonic()` instant; by default the
    problem's time limit from now), with its bound and gap; `Plan.proven` tells whether
    it was proven optimal. `stop` is asked while HiGHS searches: when it answers True
    (a coordinator stopped the run) the search ends with the best plan so far."""
    began = time.monotonic()
    deadline = began + problem.time_limit if deadline is None else deadline
    choices = choices_of(problem)
    warnings = list(choices.warnings)
    formulation = formulate(problem, choices)
    if not formulation.pairs:
        return _plan(problem, _Best([], "empty", 0.0), began, warnings, deadline)
    greedy_began = time.monotonic()
    start = round_robin(problem, choices, one_each(problem, choices))
    # Kept back for after the solver: a repair as long as the greedy took (on a busy
    # machine it takes longer, and so does the rest), and the explanations.
    reserve = (time.monotonic() - greedy_began) * REPAIR_RESERVE
    steps = _Steps(covered=_covered(start))
    best = _Best(start, "time_limit", math.inf)
    highs = _highs(formulation.model, problem, stop)
    end = deadline - reserve - EXPLAIN_SECONDS_PER_PERSON * len(problem.people)
    if problem.second_before_third and formulation.has_two:
        seconds = SECOND_PLACES_SHARE * (end - time.monotonic())
        best = _second_places(highs, formulation, best, steps, seconds)
    best = _soft_goals(highs, problem, choices, formulation, best, steps, end)
    return _plan(problem, best, began, warnings, deadline)


def _soft_goals(
    highs: highspy.Highs,
    problem: Problem,
    choices: Choices,
    formulation: Formulation,
    best: _Best,
    steps: _Steps,
    end: float,
) -> _Best:
    """Step 3, with `cover` points per person with a place, growing until the plan
    the MIP returns covers the most people, or until the time is up."""
    cover = _first_cover(problem, formulation)
    while True:
        costs = list(formulation.model.cost)
        for column in formulation.has_one.values():
            costs[column] = cover
        _set_costs(highs, costs)
        # The gap asked for is on the reported objective, not on the weighted one.
        floor = abs(objective_of(problem, best.chosen))
        highs.setOptionValue("mip_abs_gap", max(1e-6, problem.gap * floor))
        highs.setOptionValue("mip_rel_gap", 0.0)
        found = _run(highs, formulation, best, end - time.monotonic())
        shift = (cover - problem.weights.fairness) * steps.covered
        if _keeps(found.chosen, steps, formulation):
            return _Best(found.chosen, found.status, found.bound - shift)
        best = _closest_keeping(problem, choices, found.chosen, best, steps, formulation)
        if time.monotonic() >= end or found.status != "optimal":
            return _Best(best.chosen, "time_limit", found.bound - shift)
        cover *= COVER_GROWTH


def _closest_keeping(
    problem: Problem,
    choices: Choices,
    found: list[Assignment],
    best: _Best,
    steps: _Steps,
    formulation: Formulation,
) -> _Best:
    """A plan that places the most people and stays close to `found` (which places
    fewer): the matching and the round-robin, each preferring the places in `found`;
    the better of it and the best plan so far."""
    first = one_each(problem, choices, prefer=found)
    close = round_robin(problem, choices, first, prefer=found)
    if _keeps(close, steps, formulation) and objective_of(problem, close) > objective_of(
        problem, best.chosen
    ):
        return _Best(close, best.status, best.bound)
    return best


def _first_cover(problem: Problem, formulation: Formulation) -> float:
    """A first weight per person covered: more than the fairness weight, and more than
    the most one place can be worth with its group-size terms."""
    people = {p.id: p for p in problem.people}
    slots = {s.id: s for s in problem.slots}
    best_pair = max(
        (pair_score(people[p], slots[s], problem.weights) for p, s, _ in formulation.pairs),
        default=0,
    )
    largest = max((s.minimum for s in problem.slots), default=1)
    weights = problem.weights
    return float(
        max(weights.fairness, best_pair + weights.viability * largest + weights.staffing + 1)
    )


def _second_places(
    highs: highspy.Highs,
    formulation: Formulation,
    best: _Best,
    steps: _Steps,
    seconds: float,
) -> _Best:
    """Step 2: the most people with two places, each person covered weighing more than
    all second places together; the count found is then held by a row."""
    costs = [0.0] * len(formulation.model.cost)
    for column in formulation.has_one.values():
        costs[column] = float(len(formulation.has_two) + 1)
    for column in formulation.has_two.values():
        costs[column] = 1.0
    _set_costs(highs, costs)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", 0.5)  # counts: whole numbers
    found = _run(highs, formulation, best, seconds)
    chosen = found.chosen if _keeps(found.chosen, steps, formulation) else best.chosen
    steps.twice = _twice(chosen)
    columns = list(formulation.has_two.values())
    highs.addRow(
        steps.twice - 0.5,
        INF,
        len(columns),
        np.array(columns, dtype=np.int32),
        np.ones(len(columns)),
    )
    return _Best(chosen, "time_limit", math.inf)


def _covered(chosen: list[Assignment]) -> int:
    return len({a.person_id for a in chosen})


def _twice(chosen: list[Assignment]) -> int:
    counts: dict[int, int] = {}
    for a in chosen:
        counts[a.person_id] = counts.get(a.person_id, 0) + 1
    return sum(1 for n in counts.values() if n >= 2)


def _keeps(chosen: list[Assignment], steps: _Steps, formulation: Formulation) -> bool:
    """Whether the plan keeps steps 1 and 2 as far as they are settled."""
    if _covered(chosen) < steps.covered:
        return False
    return not formulation.has_two or _twice(chosen) >= steps.twice


def _set_costs(highs: highspy.Highs, costs: list[float]) -> None:
    count = len(costs)
    highs.changeColsCost(count, np.arange(count, dtype=np.int32), np.array(costs))


def _run(highs: highspy.Highs, formulation: Formulation, best: _Best, seconds: float) -> _Best:
    """Solve from the best plan so far for at most `seconds`; keep that plan if the
    solver found nothing within the time."""
    start = highspy.HighsSolution()
    start.col_value = formulation.values_of(best.chosen)
    highs.setSolution(start)
    highs.setOptionValue("time_limit", max(0.05, seconds))
    highs.run()
    info = highs.getInfo()
    status = STATUS.get(highs.getModelStatus(), "error")
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        return _Best(best.chosen, "no_solution" if not best.chosen else "time_limit", math.inf)
    chosen = formulation.chosen_in(highs.getSolution().col_value)
    return _Best(chosen, status, info.mip_dual_bound)


def _highs(
    model: LinearModel, problem: Problem, stop: Callable[[], bool] | None = None
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
        ("random_seed", 7),
        ("threads", 1),
        # Measured on the synthetic weeks: these heuristics cost more than they find.
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
    return highs


def _plan(
    problem: Problem, best: _Best, began: float, warnings: list[str], deadline: float
) -> Plan:
    objective = objective_of(problem, best.chosen)
    bound = best.bound
    if best.status == "empty":
        bound, gap = objective, 0.0
    elif not math.isfinite(bound):
        gap = math.inf  # the search stopped before it had a bound: how far is unknown
    else:
        bound = max(bound, objective)
        gap = (bound - objective) / max(abs(objective), 1e-9)
    return Plan(
        assignments=tuple(best.chosen),
        objective=objective,
        bound=bound,
        gap=gap,
        status=best.status,
        seconds=time.monotonic() - began,
        unplaced=blockers_for_unplaced(problem, best.chosen, deadline=deadline),
        warnings=tuple(warnings),
    )
