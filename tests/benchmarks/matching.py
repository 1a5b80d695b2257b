"""The matcher on seeded synthetic weeks, each solved in a fresh process so that its
peak memory is its own:

- S, M, L: the original weeks (plenty of seats), and re-planning M after one change;
- k = 16: back-to-back sessions at 16 sites closer than the travel buffer (2^16
  maximal clash groups), 32 slots and 20 people;
- crowded weeks (`crowded_week`): at most one seat per person, back-to-back slots at
  many sites, minimum group sizes up to 8, running groups, current placements, pins and
  partial availability, over three seeds. 1,000 people run by default; 5,000 x 800 and
  10,000 x 1,500 only with TUPA_BENCH_MATCHING_LARGE=1 (a few minutes each).

"seconds" is from the call of `solve` to the plan with its explanations (the database
is not part of the pure core); "cpu_seconds" is the process's own CPU time, which says
more than the wall clock on a shared machine. "max_placed" is the most people who can
have a place, from a maximum flow computed here with networkx (not with the solver's
matching); "greedy" is the round-robin greedy (each person in turn takes their best
free slot), scored with the same objective.

Targets on a 2-core machine: S optimal in 1 s; M within 0.5% of the bound in 5 s;
L within 1% in 30 s and 2 GB; re-planning M in 1 s keeping 99% of other placements;
k = 16 in 1 s; 5,000 x 800 within 1% in 30 s; 10,000 x 1,500 within 1% in 60 s and
4 GB; placed equal to max_placed everywhere."""

from __future__ import annotations

import dataclasses
import json
import math
import multiprocessing
import os
import resource
import sys
import time

from service.matching.model import Plan, Problem
from service.matching.scoring import objective_of
from service.matching.solver import greedy, solve
from tests.benchmarks.common import Row
from tests.matching_coverage import most_people_placeable
from tests.matching_synthetic import back_to_back_week, crowded_week, synthetic_problem

# name, people, slots, time limit (s), relative gap the solver may stop at
SCALES = (
    ("S", 200, 60, 10.0, 0.0001),
    ("M", 1000, 200, 5.0, 0.005),
    ("L", 3000, 500, 30.0, 0.01),
)
# people, slots, time limit (s); the gap asked is 1%
CROWDED = ((1000, 160, 10.0),)
CROWDED_LARGE = ((5000, 800, 30.0), (10000, 1500, 60.0))
SEEDS = (1, 2, 3)
LARGE = "TUPA_BENCH_MATCHING_LARGE"
CHANGED_PERSON = 7


async def run(engines: list[str]) -> list[Row]:
    """The matcher does no I/O, so the database engines play no part here."""
    crowded = CROWDED + (CROWDED_LARGE if os.environ.get(LARGE) == "1" else ())
    jobs: list[tuple[object, tuple[object, ...]]] = [(_measure_scale, s) for s in SCALES]
    jobs.append((_measure_replan, ()))
    jobs.append((_measure_back_to_back, (16,)))
    jobs.extend((_measure_crowded, (*c, seed)) for c in crowded for seed in SEEDS)
    context = multiprocessing.get_context("spawn")
    rows = []
    for work, args in jobs:
        with context.Pool(1, maxtasksperchild=1, initializer=_solver_banner_to_stderr) as pool:
            rows.append(pool.apply(work, args))  # type: ignore[arg-type]
        print(json.dumps(rows[-1].as_dict()), file=sys.stderr, flush=True)  # progress
    return rows


def _solver_banner_to_stderr() -> None:
    """HiGHS prints its banner on standard output from C++ whatever its options say;
    in the worker it goes to standard error, so that `--json` prints only JSON."""
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())


def _measure_scale(name: str, people: int, slots: int, limit: float, gap: float) -> Row:
    problem = synthetic_problem(people, slots, seed=1, time_limit=limit, gap=gap)
    return _measure(problem, f"{name}: {people} people x {slots} slots")


def _measure_crowded(people: int, slots: int, limit: float, seed: int) -> Row:
    problem = crowded_week(people, slots, seed, time_limit=limit)
    return _measure(problem, f"crowded {people} x {slots}, seed {seed}")


def _measure_back_to_back(sites: int) -> Row:
    return _measure(back_to_back_week(sites), f"back to back at {sites} sites, 20 people")


def _measure(problem: Problem, case: str) -> Row:
    started, cpu = time.perf_counter(), time.process_time()
    plan = solve(problem)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    baseline = greedy(problem)
    return Row(
        "matching",
        case,
        "-",
        {
            **_figures(plan, seconds),
            "cpu_seconds": round(cpu_seconds, 2),
            "max_placed": most_people_placeable(problem),
            "greedy_placed": len({a.person_id for a in baseline}),
            "greedy_share": round(objective_of(problem, baseline) / plan.objective, 3),
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
        "bound": round(plan.bound) if math.isfinite(plan.bound) else "none",
        "gap_pct": round(plan.gap * 100, 3) if math.isfinite(plan.gap) else "none",
        "placed": len({a.person_id for a in plan.assignments}),
    }
