"""Random small instances: every plan passes the independent validator, and on tiny
ones it is the best that brute force finds in the README's order: the most people
with a place, then (if asked) the most with two, then the highest objective."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import chain, combinations, product

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from service.matching.model import Assignment, Goal, Person, Problem, Slot, Weights, Window
from service.matching.scoring import objective_of
from service.matching.solver import pins_break_rules, solve
from service.matching.validate import validate
from tests.matching_coverage import most_people_placeable

DOMAINS = ("work", "social", "nature")


@st.composite
def slots(draw: st.DrawFn, slot_id: int) -> Slot:
    start = draw(st.sampled_from((8 * 60, 9 * 60, 10 * 60, 11 * 60 + 30, 13 * 60)))
    return Slot(
        id=slot_id,
        activity_id=draw(st.integers(1, 3)),
        site_id=draw(st.integers(1, 2)),
        weekday=draw(st.integers(0, 1)),
        start=start,
        end=start + draw(st.sampled_from((60, 120, 180))),
        capacity=draw(st.integers(0, 3)),
        minimum=draw(st.integers(1, 3)),
        demand=draw(st.integers(1, 4)),
        animals=draw(st.booleans()),
        kind=draw(st.sampled_from(("workshop", "green_care"))),
        domains=draw(st.dictionaries(st.sampled_from(DOMAINS), st.integers(1, 3), max_size=2)),
        features=frozenset(draw(st.sets(st.sampled_from(("step_free", "quiet_room"))))),
        staff=draw(st.integers(0, 2)),
        per_staff=draw(st.integers(1, 3)),
        others=draw(st.integers(0, 2)),
    )


@st.composite
def people(draw: st.DrawFn, person_id: int) -> Person:
    windows = draw(
        st.lists(
            st.builds(
                Window,
                st.integers(0, 1),
                st.sampled_from((8 * 60, 9 * 60)),
                st.sampled_from((12 * 60, 16 * 60)),
            ),
            max_size=2,
        )
    )
    return Person(
        id=person_id,
        weekly_minutes=draw(st.sampled_from((0, 60, 120, 240, 600))),
        max_per_day=draw(st.integers(1, 2)),
        demand_tolerance=draw(st.integers(1, 5)),
        animals_ok=draw(st.booleans()),
        windows=tuple(windows),
        blocked=tuple(
            draw(
                st.lists(
                    st.builds(Window, st.integers(0, 1), st.just(10 * 60), st.just(11 * 60)),
                    max_size=1,
                )
            )
        ),
        sites=frozenset(draw(st.sets(st.integers(1, 2), min_size=1))),
        needs=frozenset(draw(st.sets(st.sampled_from(("step_free", "quiet_room")), max_size=1))),
        goals=tuple(
            Goal(person_id * 10 + n, draw(st.integers(1, 3)), frozenset({d}))
            for n, d in enumerate(draw(st.lists(st.sampled_from(DOMAINS), max_size=2)))
        ),
        wants_kinds=frozenset(
            draw(st.sets(st.sampled_from(("workshop", "green_care")), max_size=1))
        ),
        refuses_activities=frozenset(draw(st.sets(st.integers(1, 3), max_size=1))),
        current=frozenset(draw(st.sets(st.integers(1, 3), max_size=2))),
        pinned=frozenset(draw(st.sets(st.integers(1, 3), max_size=1))),
    )


@st.composite
def problems(draw: st.DrawFn, max_people: int, max_slots: int) -> Problem:
    n_people = draw(st.integers(0, max_people))
    n_slots = draw(st.integers(0, max_slots))
    return Problem(
        people=tuple(draw(people(n)) for n in range(1, n_people + 1)),
        slots=tuple(draw(slots(n)) for n in range(1, n_slots + 1)),
        weights=Weights(),
        travel_buffer=draw(st.sampled_from((0, 30, 60))),
        time_limit=10.0,
        second_before_third=draw(st.booleans()),
    )


def lexicographic_key(problem: Problem, plan: Iterable[Assignment]) -> tuple[int, int, float]:
    """What the README says the matcher maximises, in order: people with a place, then
    (if asked) people with two, then the weighted objective."""
    counts = Counter(a.person_id for a in plan)
    twice = sum(1 for n in counts.values() if n >= 2) if problem.second_before_third else 0
    return len(counts), twice, objective_of(problem, plan)


def best_by_brute_force(problem: Problem) -> tuple[int, int, float]:
    pairs = [Assignment(p.id, s.id) for p, s in product(problem.people, problem.slots)]
    subsets = chain.from_iterable(combinations(pairs, k) for k in range(len(pairs) + 1))
    return max(
        lexicographic_key(problem, subset) for subset in subsets if not validate(problem, subset)
    )


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def pins_are_possible(problem: Problem) -> bool:
    """Pins are the coordinator's word; the tests draw only pins that fit together."""
    slots = {s.id: s for s in problem.slots}
    if any(pins_break_rules(p, slots, problem.travel_buffer) for p in problem.people):
        return False
    pins = Counter(s for p in problem.people for s in p.pinned if s in slots)
    return all(n <= slots[s].capacity for s, n in pins.items())


@SETTINGS
@given(problems(max_people=5, max_slots=5))
def test_every_plan_keeps_every_hard_rule(problem: Problem) -> None:
    assume(pins_are_possible(problem))
    plan = solve(problem)
    assert plan.status in {"optimal", "empty"}
    assert validate(problem, plan.assignments) == []
    assert plan.objective == objective_of(problem, plan.assignments)
    placed = {a.person_id for a in plan.assignments}
    assert set(plan.unplaced) == {p.id for p in problem.people} - placed


@SETTINGS
@given(problems(max_people=3, max_slots=3))
def test_tiny_plans_are_as_good_as_brute_force(problem: Problem) -> None:
    assume(pins_are_possible(problem))
    plan = solve(problem)
    covered, twice, objective = lexicographic_key(problem, plan.assignments)
    best_covered, best_twice, best_objective = best_by_brute_force(problem)
    assert (covered, twice) == (best_covered, best_twice)
    assert abs(objective - best_objective) <= 1e-6 + problem.gap * abs(best_objective)
    assert plan.proven


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_people=8, max_slots=6))
def test_as_many_people_have_a_place_as_a_maximum_flow_allows(problem: Problem) -> None:
    assume(pins_are_possible(problem))
    plan = solve(problem)
    assert len({a.person_id for a in plan.assignments}) == most_people_placeable(problem)
