"""The matcher on seeded synthetic weeks at three scales, each solved in a fresh
process so that its peak memory is its own; and re-planning the middle scale after
one participant's capacity changes.

Targets on a 2-core machine: S optimal in 1 s; M within 0.5% of the bound in 5 s;
L within 1% in 30 s and 2 GB; re-planning M in 1 s keeping 99% of other placements."""

from __future__ import annotations

import dataclasses
import multiprocessing
import resource
import time

from service.matching.model import Plan, Problem
from service.matching.scoring import objective_of
from service.matching.solver import greedy, solve
from tests.benchmarks.common import Row
from tests.matching_synthetic import synthetic_problem

# name, people, slots, time limit (s), relative gap the solver may stop at
SCALES = (
    ("S", 200, 60, 10.0, 0.0001),
    ("M", 1000, 200, 5.0, 0.005),
    ("L", 3000, 500, 30.0, 0.01),
)
CHANGED_PERSON = 7


async def run(engines: list[str]) -> list[Row]:
    """The matcher does no I/O, so the database engines play no part here."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:
        rows = [pool.apply(_measure_scale, scale) for scale in SCALES]
    with context.Pool(1, maxtasksperchild=1) as pool:
        rows.append(pool.apply(_measure_replan))
    return rows


def _measure_scale(name: str, people: int, slots: int, limit: float, gap: float) -> Row:
    problem = synthetic_problem(people, slots, seed=1, time_limit=limit, gap=gap)
    started = time.perf_counter()
    plan = solve(problem)
    seconds = time.perf_counter() - started
    greedy_objective = objective_of(problem, greedy(problem))
    return Row(
        "matching",
        f"{name}: {people} people x {slots} slots",
        "-",
        {
            **_figures(plan, seconds),
            "greedy_share": round(greedy_objective / plan.objective, 3),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        },
    )


def _measure_replan() -> Row:
    """Solve M, confirm its plan, halve one person's hours and narrow their days, then
    re-plan with continuity weighted as in re-planning runs (300 per kept placement)."""
    problem = synthetic_problem(1000, 200, seed=1, time_limit=5.0, gap=0.005)
    first = solve(problem)
    changed = _after_one_change(problem, first)
    started = time.perf_counter()
    plan = solve(changed)
    seconds = time.perf_counter() - started
    before = {(a.person_id, a.slot_id) for a in first.assignments if a.person_id != CHANGED_PERSON}
    after = {(a.person_id, a.slot_id) for a in plan.assignments}
    return Row(
        "matching",
        "re-plan M after one change",
        "-",
        {
            **_figures(plan, seconds),
            "kept_share": round(len(before & after) / len(before), 4),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        },
    )


def _after_one_change(problem: Problem, plan: Plan) -> Problem:
    people = []
    for person in problem.people:
        current = frozenset(plan.slots_of(person.id))
        if person.id == CHANGED_PERSON:
            person = dataclasses.replace(
                person, weekly_minutes=person.weekly_minutes // 2, windows=person.windows[:1]
            )
        people.append(dataclasses.replace(person, current=current))
    weights = dataclasses.replace(problem.weights, continuity=300.0)
    return dataclasses.replace(problem, people=tuple(people), weights=weights)


def _figures(plan: Plan, seconds: float) -> dict[str, float | int | str]:
    return {
        "status": plan.status,
        "seconds": round(seconds, 2),
        "objective": round(plan.objective),
        "bound": round(plan.bound),
        "gap_pct": round(plan.gap * 100, 3),
        "placed": len({a.person_id for a in plan.assignments}),
    }
