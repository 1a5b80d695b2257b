"""Splitting a problem into independent parts, solving them apart and joining the plans;
and the run's clock: a run out of time keeps a plan and marks its reasons not worked out."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.matching.decompose import (
    candidate_slots,
    join,
    share_of_pairs,
    share_of_time,
    split,
)
from service.matching.model import Problem, Window
from service.matching.services.running import RunClock, _unplaced_within, solve_in_parts
from service.matching.solver import solve
from service.matching.validate import validate
from tests.matching_synthetic import crowded_week, synthetic_problem
from tests.unit.matching_builders import person, placed, problem, slot


def regions(count: int, seed: int, people: int = 30, slots: int = 12) -> Problem:
    """`count` synthetic weeks side by side, each at sites of its own: `count` parts."""
    weeks = [synthetic_problem(people, slots, seed=seed + r) for r in range(count)]
    shift = 10_000
    return replace(
        weeks[0],
        time_limit=20.0,
        people=tuple(
            replace(
                p,
                id=p.id + r * shift,
                sites=frozenset(s + r * shift for s in p.sites),
                wants_activities=frozenset(a + r * shift for a in p.wants_activities),
                refuses_activities=frozenset(a + r * shift for a in p.refuses_activities),
                current=frozenset(s + r * shift for s in p.current),
                pinned=frozenset(s + r * shift for s in p.pinned),
            )
            for r, week in enumerate(weeks)
            for p in week.people
        ),
        slots=tuple(
            replace(
                s,
                id=s.id + r * shift,
                site_id=s.site_id + r * shift,
                activity_id=s.activity_id + r * shift,
            )
            for r, week in enumerate(weeks)
            for s in week.slots
        ),
    )


def ids(part) -> tuple[set[int], set[int]]:
    return {p.id for p in part.problem.people}, {s.id for s in part.problem.slots}


def test_people_who_share_no_slot_are_apart_and_a_shared_slot_joins_them():
    slots = [slot(1, site_id=1), slot(2, site_id=2), slot(3, site_id=3)]
    here, there, nowhere = (
        person(1, sites=frozenset({1})),
        person(2, sites=frozenset({2})),
        person(3, sites=frozenset({9})),
    )
    parts = split(problem([there, here, nowhere], slots))
    assert [ids(p) for p in parts] == [({1}, {1}), ({2}, {2})]
    assert [p.pairs for p in parts] == [1, 1]
    both = person(4, sites=frozenset({1, 2}))
    (joined,) = split(problem([here, there, both], slots))
    assert ids(joined) == ({1, 2, 4}, {1, 2})


def test_a_pin_joins_even_where_a_rule_would_refuse_and_rules_split():
    monday, tuesday = slot(1), slot(2, weekday=1)
    only_monday = (Window(0, 8 * 60, 17 * 60),)
    pinned = person(1, windows=only_monday, pinned=frozenset({2}))
    other = person(2, windows=(Window(1, 8 * 60, 17 * 60),))
    (part,) = split(problem([pinned, other], [monday, tuesday]))
    assert ids(part) == ({1, 2}, {1, 2})
    assert candidate_slots(pinned, [monday, tuesday]) == [1, 2]
    apart = split(problem([replace(pinned, pinned=frozenset()), other], [monday, tuesday]))
    assert [ids(p) for p in apart] == [({1}, {1}), ({2}, {2})]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_solving_the_parts_apart_gives_the_optimum_of_the_whole(seed):
    instance = regions(3, seed)
    parts = split(instance)
    assert len(parts) >= 3
    every = [p.id for part in parts for p in part.problem.people]
    assert len(every) == len(set(every))  # nobody in two parts
    whole = solve(instance)
    joined = join([solve(part.problem) for part in parts], seconds=0.0)
    assert (whole.status, joined.status) == ("optimal", "optimal")
    assert joined.objective == pytest.approx(whole.objective)
    assert validate(instance, list(joined.assignments)) == []


def largest_share(parts) -> float:
    return max(p.pairs for p in parts) / sum(p.pairs for p in parts)


def test_the_crowded_week_is_one_part_since_a_far_site_each_joins_the_regions():
    """Why two workers cannot help the benchmark's crowded week: everyone also reaches
    one site anywhere, and a handful of such people join the four regions into one
    part. Staying in their regions the same people fall into one part per region."""
    week = crowded_week(1000, 160, seed=1)
    assert len(split(week)) == 1
    regional = split(crowded_week(1000, 160, seed=1, far=False))
    assert len(regional) == 4  # 20 sites, 4 regions
    assert largest_share(regional) < 0.3
    region_of = {p.index: {s.site_id % 4 for s in p.problem.slots} for p in regional}
    assert sorted(len(r) for r in region_of.values()) == [1, 1, 1, 1]


def test_a_part_takes_its_share_against_the_parts_waiting_for_its_worker():
    assert share_of_pairs(12.0, 100, [300]) == pytest.approx(3.0)  # one worker: in turn
    assert share_of_pairs(9.0, 300, []) == pytest.approx(9.0)  # the last takes the rest
    assert share_of_pairs(12.0, 100, [100, 100], workers=2) == pytest.approx(6.0)
    assert share_of_pairs(4.0, 0, [0]) == pytest.approx(2.0)  # an empty part counts one pair


def test_time_is_shared_by_size_and_an_empty_join_is_empty():
    parts = split(regions(3, 4))
    shares = [share_of_time(parts, i, 10.0) for i in range(len(parts))]
    assert shares[0] == pytest.approx(10.0 * parts[0].pairs / sum(p.pairs for p in parts))
    assert share_of_time(parts, len(parts) - 1, 3.0) == pytest.approx(3.0)
    nothing = join([], seconds=0.5)
    assert (nothing.status, nothing.assignments, nothing.gap) == ("empty", (), 0.0)


class FrozenClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_run_out_of_time_keeps_a_plan_and_does_not_explain():
    instance = problem(
        [person(1), person(2), person(3, sites=frozenset({9}))],
        [slot(1, capacity=1), slot(2, capacity=1, start=13 * 60, end=15 * 60)],
    )
    moment = FrozenClock()
    run_clock = RunClock(30.0, now=moment)
    moment.now += 30.0  # the limit is reached before the search starts
    solved = solve_in_parts(instance, run_clock, stop=lambda: False)
    assert solved.plan.assignments  # first come, first served, never an empty plan
    assert solved.plan.status == "time_limit"
    assert all(part.greedy_kept for part in solved.parts)
    assert validate(instance, list(solved.plan.assignments)) == []
    blockers, explained = _unplaced_within(instance, solved.plan, run_clock)
    assert (blockers, explained) == ({}, False)
    in_time = RunClock(30.0, now=FrozenClock())
    blockers, explained = _unplaced_within(instance, solved.plan, in_time)
    assert explained and blockers[3][0].rule == "site"


def test_a_stop_asked_keeps_the_best_plan_so_far():
    instance = synthetic_problem(60, 20, seed=5)
    solved = solve_in_parts(instance, RunClock(30.0), stop=lambda: True)
    assert solved.plan.assignments
    assert validate(instance, list(solved.plan.assignments)) == []
    in_full = solve_in_parts(instance, RunClock(30.0), stop=lambda: False)
    assert placed(in_full.plan) and in_full.plan.status == "optimal"
    assert in_full.plan.objective >= solved.plan.objective
    assert in_full.greedy_objective is not None
    assert in_full.greedy_objective <= in_full.plan.objective
