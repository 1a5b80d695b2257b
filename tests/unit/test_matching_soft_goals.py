"""Each soft goal on an instance where it changes the choice; explanations; the
objective; determinism; empty and impossible inputs."""

from __future__ import annotations

import dataclasses
import random

from service.matching.explain import explain_placement
from service.matching.model import Weights, Window
from service.matching.scoring import objective_of
from service.matching.solver import greedy, solve
from service.matching.validate import validate
from tests.matching_synthetic import synthetic_problem
from tests.unit.matching_builders import goal, person, placed, problem, slot

ONE_SESSION = {"max_per_day": 1, "weekly_minutes": 3 * 60}


def test_goal_fit_picks_the_slot_that_serves_the_goal():
    p = person(goals=(goal(1, "social"),), **ONE_SESSION)
    slots = [slot(1, domains={"work": 3}), slot(2, domains={"social": 2})]
    assert placed(solve(problem([p], slots))) == {(1, 2)}


def test_goal_priority_weighs_more_than_a_lesser_goal():
    p = person(goals=(goal(1, "work", priority=3), goal(2, "social", priority=1)), **ONE_SESSION)
    slots = [slot(1, domains={"work": 3}), slot(2, domains={"social": 2})]
    assert placed(solve(problem([p], slots))) == {(1, 2)}


def test_stated_interest_picks_the_activity():
    p = person(wants_activities=frozenset({101}), **ONE_SESSION)
    assert placed(solve(problem([p], [slot(1), slot(2)]))) == {(1, 1)}
    p = person(wants_kinds=frozenset({"green_care"}), **ONE_SESSION)
    assert placed(solve(problem([p], [slot(1), slot(2, kind="green_care")]))) == {(1, 2)}


def test_continuity_keeps_a_confirmed_placement_over_a_slightly_better_one():
    p = person(goals=(goal(1, "work"),), current=frozenset({1}), **ONE_SESSION)
    slots = [slot(1, domains={"work": 2}), slot(2, domains={"work": 3})]
    assert placed(solve(problem([p], slots))) == {(1, 1)}
    no_continuity = problem([p], slots, weights=Weights(continuity=0))
    assert placed(solve(no_continuity)) == {(1, 2)}


def test_viability_joins_a_running_group_rather_than_starting_one_under_its_minimum():
    p = person(**ONE_SESSION)
    half_full = slot(1, minimum=3, others=2, capacity=3)
    empty = slot(2, minimum=3, weekday=1, start=9 * 60, end=11 * 60 + 30)  # 30 min longer
    assert placed(solve(problem([p], [half_full, empty]))) == {(1, 1)}
    assert placed(solve(problem([p], [half_full, empty], weights=Weights(viability=0)))) == {(1, 2)}


def test_staffing_avoids_a_group_larger_than_its_staff_can_take():
    p = person(**ONE_SESSION)
    crowded = slot(1, staff=1, per_staff=4, others=4, capacity=6, end=11 * 60 + 30)
    staffed = slot(2, staff=1, per_staff=4, weekday=1)
    assert placed(solve(problem([p], [crowded, staffed]))) == {(1, 2)}
    assert placed(solve(problem([p], [crowded, staffed], weights=Weights(staffing=0)))) == {(1, 1)}


def test_the_solver_reports_the_objective_of_the_plan_it_returns():
    instance = synthetic_problem(40, 15, seed=3)
    plan = solve(instance)
    assert plan.status == "optimal"
    assert plan.objective == objective_of(instance, plan.assignments)
    assert plan.bound >= plan.objective
    assert plan.gap <= instance.gap + 1e-9
    baseline = greedy(instance)
    assert len({a.person_id for a in baseline}) <= len({a.person_id for a in plan.assignments})


def test_the_same_input_gives_the_same_plan_in_any_order():
    instance = synthetic_problem(60, 20, seed=5)
    shuffled_people = list(instance.people)
    random.Random(1).shuffle(shuffled_people)
    shuffled = dataclasses.replace(instance, people=tuple(shuffled_people))
    first, second, third = solve(instance), solve(instance), solve(shuffled)
    assert first.assignments == second.assignments == third.assignments


def test_an_empty_input_is_an_empty_plan():
    plan = solve(problem([], []))
    assert (plan.status, plan.assignments, dict(plan.unplaced)) == ("empty", (), {})
    alone = solve(problem([person()], []))
    assert alone.unplaced[1][0].rule == "no_slots"


def test_when_no_one_fits_the_plan_says_why_for_each_person():
    far = person(1, sites=frozenset({9}))
    busy = person(2, windows=(Window(4, 8 * 60, 9 * 60),))
    no_hours = person(3, weekly_minutes=0)
    plan = solve(problem([far, busy, no_hours], [slot(1), slot(2, weekday=1)]))
    assert plan.assignments == ()
    assert plan.unplaced[1][0].rule == "site"
    assert plan.unplaced[2][0].rule == "window"
    assert plan.unplaced[3][0].rule == "no_hours"


def test_pins_that_break_a_rule_are_kept_and_reported():
    p = person(max_per_day=1, pinned=frozenset({1, 2}))
    slots = [slot(1), slot(2, start=13 * 60, end=15 * 60), slot(3, weekday=2)]
    plan = solve(problem([p], slots))
    assert placed(plan) == {(1, 1), (1, 2)}
    assert "pins_break_rules:1" in plan.warnings


def test_a_placement_explains_its_goals_time_and_hours():
    p = person(
        goals=(goal(7, "work"), goal(8, "nature")),
        wants_kinds=frozenset({"workshop"}),
        weekly_minutes=6 * 60,
        windows=(Window(0, 8 * 60, 12 * 60), Window(2, 8 * 60, 16 * 60)),
    )
    monday = slot(1, domains={"work": 2})
    wednesday = slot(2, weekday=2, start=13 * 60, end=15 * 60)
    plan = solve(problem([p], [monday, wednesday]))
    assert placed(plan) == {(1, 1), (1, 2)}
    reason = explain_placement(p, monday, [monday, wednesday])
    assert reason.goal_ids == (7,)
    assert reason.interest and not reason.kept and not reason.pinned
    assert reason.window == Window(0, 8 * 60, 12 * 60)
    assert (reason.minutes_used, reason.minutes_budget) == (240, 360)


def test_someone_left_out_by_full_slots_is_told_so():
    people = [person(n) for n in (1, 2)]
    plan = solve(problem(people, [slot(1, capacity=1)]))
    (left_out,) = plan.unplaced.values()
    assert left_out[0].rule == "capacity"


def test_validate_names_each_broken_rule():
    p = person(max_per_day=1, weekly_minutes=3 * 60, sites=frozenset({1}))
    slots = [
        slot(1, capacity=0),
        slot(2, start=10 * 60, end=12 * 60),
        slot(3, site_id=2, start=13 * 60, end=15 * 60),
    ]
    instance = problem([p], slots)
    from service.matching.model import Assignment

    rules = {v.rule for v in validate(instance, [Assignment(1, s) for s in (1, 2, 3)])}
    assert rules == {"capacity", "overlap", "site", "hours", "per_day"}
