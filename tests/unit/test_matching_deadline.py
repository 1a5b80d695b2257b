"""A solve stopped by its deadline returns at least the round-robin greedy plan over
the maximum matching, never an empty plan, and keeps every rule."""

from __future__ import annotations

import time

from service.matching.candidates import choices_of
from service.matching.greedy import one_each, round_robin
from service.matching.scoring import objective_of
from service.matching.solver import solve
from service.matching.validate import validate
from tests.matching_coverage import most_people_placeable
from tests.matching_synthetic import crowded_week


def test_a_deadline_already_passed_still_gives_the_greedy_plan_or_better():
    instance = crowded_week(300, 50, seed=4)
    choices = choices_of(instance)
    start = round_robin(instance, choices, one_each(instance, choices))
    plan = solve(instance, deadline=time.monotonic())
    assert plan.assignments
    assert validate(instance, plan.assignments) == []
    assert len({a.person_id for a in plan.assignments}) == most_people_placeable(instance)
    assert plan.objective >= objective_of(instance, start)
    assert plan.status in {"time_limit", "optimal"}
    assert plan.proven == (plan.status == "optimal")


def test_the_round_robin_start_places_the_most_people_and_keeps_every_rule():
    for seed in (1, 2):
        instance = crowded_week(400, 60, seed=seed)
        choices = choices_of(instance)
        start = round_robin(instance, choices, one_each(instance, choices))
        assert validate(instance, start) == []
        assert len({a.person_id for a in start}) == most_people_placeable(instance)
