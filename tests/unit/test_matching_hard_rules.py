"""Each hard rule on an instance where breaking it would score higher: the plan keeps it."""

from __future__ import annotations

from service.matching.model import Window
from service.matching.solver import solve
from service.matching.validate import validate
from tests.unit.matching_builders import goal, person, placed, problem, slot

# A slot that serves a top-priority goal strongly, and is therefore tempting.
TEMPTING = {"domains": {"work": 3}}
WANTS_WORK = {"goals": (goal(1, "work"),)}


def solved(people, slots, **changes):
    instance = problem(people, slots, **changes)
    plan = solve(instance)
    assert validate(instance, plan.assignments) == []
    return plan


def test_slot_capacity_is_never_exceeded():
    people = [person(n, **WANTS_WORK) for n in range(1, 5)]
    plan = solved(people, [slot(1, capacity=2, **TEMPTING)])
    assert len(plan.assignments) == 2
    assert all(blockers[0].rule == "capacity" for blockers in plan.unplaced.values())


def test_overlapping_slots_are_not_both_given():
    p = person(**WANTS_WORK)
    plan = solved([p], [slot(1, **TEMPTING), slot(2, start=10 * 60, end=12 * 60, **TEMPTING)])
    assert len(plan.assignments) == 1


def test_different_sites_need_the_travel_buffer_between_them():
    p = person(**WANTS_WORK)
    first = slot(1, end=11 * 60, **TEMPTING)
    near = slot(2, site_id=2, start=11 * 60 + 20, end=13 * 60, **TEMPTING)
    assert len(solved([p], [first, near], travel_buffer=30).assignments) == 1
    assert len(solved([p], [first, near], travel_buffer=15).assignments) == 2


def test_back_to_back_at_the_same_site_needs_no_buffer():
    p = person(**WANTS_WORK)
    plan = solved([p], [slot(1, **TEMPTING), slot(2, start=11 * 60, end=13 * 60, **TEMPTING)])
    assert len(plan.assignments) == 2


def test_weekly_hours_are_a_budget():
    p = person(weekly_minutes=5 * 60, **WANTS_WORK)
    slots = [slot(n, weekday=n - 1, **TEMPTING) for n in range(1, 5)]  # 2 h each
    assert len(solved([p], slots).assignments) == 2


def test_sessions_per_day_are_limited():
    p = person(max_per_day=1, **WANTS_WORK)
    plan = solved([p], [slot(1, **TEMPTING), slot(2, start=13 * 60, end=15 * 60, **TEMPTING)])
    assert len(plan.assignments) == 1


def test_availability_windows_hold():
    p = person(windows=(Window(0, 8 * 60, 10 * 60),), **WANTS_WORK)
    plan = solved([p], [slot(1, **TEMPTING)])  # 09:00-11:00 runs past 10:00
    assert plan.assignments == ()
    assert plan.unplaced[1][0].rule == "window"


def test_blocked_time_holds():
    p = person(blocked=(Window(0, 10 * 60, 10 * 60 + 30),), **WANTS_WORK)
    plan = solved([p], [slot(1, **TEMPTING)])
    assert plan.unplaced[1][0].rule == "blocked"


def test_demand_stays_within_tolerance():
    p = person(demand_tolerance=2, **WANTS_WORK)
    plan = solved([p], [slot(1, demand=3, **TEMPTING), slot(2, demand=2, weekday=1)])
    assert placed(plan) == {(1, 2)}


def test_only_reachable_sites():
    p = person(sites=frozenset({2}), **WANTS_WORK)
    plan = solved([p], [slot(1, site_id=1, **TEMPTING), slot(2, site_id=2, weekday=1)])
    assert placed(plan) == {(1, 2)}


def test_the_place_meets_accessibility_needs():
    p = person(needs=frozenset({"step_free"}), **WANTS_WORK)
    stairs = slot(1, features=frozenset({"quiet_room"}), **TEMPTING)
    level = slot(2, weekday=1, features=frozenset({"step_free", "quiet_room"}))
    assert placed(solved([p], [stairs, level])) == {(1, 2)}


def test_no_animal_contact_where_not_allowed():
    p = person(animals_ok=False, **WANTS_WORK)
    farm = slot(1, animals=True, kind="green_care", **TEMPTING)
    plan = solved([p], [farm, slot(2, weekday=1)])
    assert placed(plan) == {(1, 2)}


def test_an_activity_the_person_does_not_want_is_never_chosen():
    by_activity = person(refuses_activities=frozenset({101}), **WANTS_WORK)
    by_kind = person(2, refuses_kinds=frozenset({"green_care"}), **WANTS_WORK)
    slots = [slot(1, **TEMPTING), slot(2, weekday=1, kind="green_care", **TEMPTING)]
    plan = solved([by_activity, by_kind], slots)
    assert placed(plan) == {(1, 2), (2, 1)}


def test_pinned_placements_stay_even_when_another_would_score_higher():
    p = person(max_per_day=1, pinned=frozenset({1}), **WANTS_WORK)
    dull = slot(1)
    tempting = slot(2, start=13 * 60, end=15 * 60, **TEMPTING)
    assert placed(solved([p], [dull, tempting])) == {(1, 1)}


def test_a_pin_takes_a_place_that_others_cannot_have():
    pinned = person(1, pinned=frozenset({1}))
    keen = person(2, **WANTS_WORK)
    plan = solved([pinned, keen], [slot(1, capacity=1, **TEMPTING)])
    assert placed(plan) == {(1, 1)}
