"""Goal progress from reviews: per goal domain, a small fixed set counted by hand (the
first and the last review in the period compared), as JSON and files, for
coordinators and administrators only."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from service.auth.tables import Role
from service.catalog.services.domains import ensure_default_domains
from service.catalog.tables import GoalDomain
from service.people.tables import Goal, GoalDomainLink, Participant, Review
from tests.helpers import api_login, make_user

URL = "/api/v1/reports/goals"
SPRING = {"start": "2026-03-01", "end": "2026-05-31"}


async def goal(participant: int, domains: list[str], ratings: list[tuple[str, int]]) -> None:
    row = Goal(participant=participant, text="My own words")
    await row.save()
    for key in domains:
        domain = await GoalDomain.select(GoalDomain.id).where(GoalDomain.key == key).first()
        await GoalDomainLink(goal=row.id, domain=domain["id"]).save()
    for day, rating in ratings:
        await Review(goal=row.id, on_date=date.fromisoformat(day), rating=rating).save()


@pytest.fixture
async def reviews(db):
    await ensure_default_domains()
    await make_user(Role.coordinator, "kaisa@example.org")
    await make_user(Role.partner, "pirjo@example.org")
    aino = Participant(display_name="Aino")
    await aino.save()
    # improved 2 -> 4 (a February review is outside the period and does not count)
    await goal(
        aino.id,
        ["everyday_living", "stress_management"],
        [("2026-02-01", 5), ("2026-03-05", 2), ("2026-05-01", 4)],
    )
    await goal(aino.id, ["stress_management"], [("2026-03-10", 4), ("2026-04-10", 3)])  # fell
    await goal(aino.id, ["stress_management"], [("2026-04-01", 3)])  # once: not compared


async def test_goal_progress_by_domain_is_what_was_computed_by_hand(client, reviews):
    await api_login(client, "kaisa@example.org")
    answer = await client.get(URL, params=SPRING)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    rows = {row["domain"]: row for row in body["rows"]}
    assert set(rows) == {"everyday_living", "stress_management"}
    stress = rows["stress_management"]
    assert (stress["reviewed"], stress["compared"]) == (3, 2)
    assert (stress["improved"], stress["same"], stress["fell"]) == (1, 0, 1)
    assert stress["improved_share"] == 0.5 and stress["label"] == "Stress management"
    living = rows["everyday_living"]
    assert (living["reviewed"], living["improved"], living["improved_share"]) == (1, 1, 1)
    total = body["total"]
    assert (total["reviewed"], total["compared"], total["improved"], total["fell"]) == (3, 2, 1, 1)

    book = await client.get(URL, params={**SPRING, "format": "xlsx"})
    values = list(load_workbook(io.BytesIO(book.content)).active.values)
    assert values[0][:3] == ("Goal domain", "Goals reviewed", "Reviewed at least twice")
    assert values[-1][:4] == ("All goals", 3, 2, 1)


async def test_partners_see_no_goal_progress(client, reviews):
    await api_login(client, "pirjo@example.org")
    assert (await client.get(URL, params=SPRING)).status_code == 403
