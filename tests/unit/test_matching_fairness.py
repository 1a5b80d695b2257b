"""Fair by construction: the most people with one place first (then, if asked, the
most with two), whatever the weights say; goal fit per slot capped."""

from __future__ import annotations

from service.matching.model import Weights, Window
from service.matching.scoring import GOAL_FIT_CAP, goal_fit
from service.matching.solver import solve
from service.matching.validate import validate
from tests.unit.matching_builders import goal, person, placed, problem, slot

KEEN = {"goals": (goal(1, "work"),), "wants_kinds": frozenset({"workshop"})}


def test_one_each_comes_first_whatever_the_weights():
    keen = person(1, current=frozenset({1, 2}), **KEEN)
    other = person(2)
    slots = [
        slot(1, capacity=1, domains={"work": 3}),
        slot(2, capacity=1, weekday=1, domains={"work": 3}),
    ]
    for weights in (Weights(), Weights(fairness=0, continuity=1000, goal_fit=100)):
        plan = solve(problem([keen, other], slots, weights=weights))
        assert {a.person_id for a in plan.assignments} == {1, 2}
        assert plan.proven


def test_a_second_place_before_anyone_s_third_when_asked():
    keen = person(1, max_per_day=1, **KEEN)
    two_days = person(2, max_per_day=1, windows=tuple(Window(d, 8 * 60, 17 * 60) for d in (0, 1)))
    slots = [slot(n, capacity=1, weekday=n - 1, domains={"work": 3}) for n in range(1, 5)]
    usual = solve(problem([keen, two_days], slots))
    counts = sorted(len(usual.slots_of(p)) for p in (1, 2))
    assert counts == [1, 3]  # the goals alone give the keen person three
    fair = solve(problem([keen, two_days], slots, second_before_third=True))
    assert placed(fair) == {(1, 3), (1, 4), (2, 1), (2, 2)}
    assert fair.proven


def test_a_person_left_out_only_when_no_plan_covers_them_too():
    """Three people, two places that each could take; the third has none anywhere."""
    people = [person(n, **KEEN) for n in (1, 2)] + [person(3, sites=frozenset({9}))]
    instance = problem(people, [slot(1, capacity=2, domains={"work": 3})])
    plan = solve(instance)
    assert placed(plan) == {(1, 1), (2, 1)}
    assert validate(instance, plan.assignments) == []
    assert plan.unplaced[3][0].rule == "site"


def test_goal_fit_per_slot_is_capped_so_that_many_goals_do_not_buy_places():
    many = person(goals=tuple(goal(n, d) for n, d in enumerate(("work", "social", "daily"))))
    one = person(goals=(goal(1, "work"),))
    rich = slot(1, domains={"work": 3, "social": 3, "daily": 3})
    assert goal_fit(one, rich) == GOAL_FIT_CAP
    assert goal_fit(many, rich) == GOAL_FIT_CAP
    assert goal_fit(one, slot(2, domains={"work": 1})) < GOAL_FIT_CAP


def test_goal_fit_keeps_a_persons_slots_in_order_under_the_cap():
    """A slot serving all of many goals fits better than one serving one of them, and
    neither is worth more than the cap."""
    many = person(goals=tuple(goal(n, d) for n, d in enumerate(("work", "social", "daily"))))
    all_three = goal_fit(many, slot(1, domains={"work": 3, "social": 3, "daily": 3}))
    one_of_them = goal_fit(many, slot(2, domains={"work": 3}))
    assert GOAL_FIT_CAP >= all_three > one_of_them > 0
