"""The model grows linearly with the candidate pairs: back-to-back sessions at many
sites closer than the travel buffer (2^k maximal clash groups) give a small model that
is solved exactly."""

from __future__ import annotations

from collections import Counter

from service.matching.candidates import choices_of
from service.matching.formulation import formulate
from service.matching.solver import solve
from service.matching.validate import validate
from tests.matching_synthetic import back_to_back_week

PEOPLE = 20


def model_size(sites: int) -> tuple[int, int, int]:
    instance = back_to_back_week(sites)
    formulation = formulate(instance, choices_of(instance))
    model = formulation.model
    return len(formulation.pairs), model.rows, len(model.index)


def test_rows_and_nonzeros_grow_linearly_with_candidate_pairs():
    for sites in (4, 8, 16):
        pairs, rows, nonzeros = model_size(sites)
        assert pairs == PEOPLE * 2 * sites
        assert rows <= 2 * pairs + 4 * sites  # maximal clash groups alone would be 2^k each
        assert nonzeros <= 10 * pairs
    small, large = model_size(8), model_size(16)
    assert all(b <= 2.2 * a for a, b in zip(small, large, strict=True))


def test_back_to_back_at_sixteen_sites_is_solved_and_keeps_every_rule():
    instance = back_to_back_week(16)
    plan = solve(instance)
    assert plan.proven
    assert validate(instance, plan.assignments) == []
    assert len({a.person_id for a in plan.assignments}) == PEOPLE
    assert len(plan.assignments) == 32  # every place given: both halves at one site each
    for person_id, count in Counter(a.person_id for a in plan.assignments).items():
        mine = {a.slot_id for a in plan.assignments if a.person_id == person_id}
        assert count == 1 or {(s - 1) // 2 for s in mine} == {(min(mine) - 1) // 2}
