"""Journeys and outcomes: ending a plan records the day, the destination and why; the
year of birth and the municipality's reference are kept for the reports; the outcomes
report counts a small fixed set by hand, in JSON and as files, for coordinators only."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from service.audit.tables import AuditEvent
from service.auth.tables import Role
from service.people.tables import Participant, ParticipantStatus
from tests.helpers import api_login, make_user

URL = "/api/v1/reports/outcomes"
QUARTER = {"start": "2026-01-01", "end": "2026-03-31"}


async def person(name: str, plan_start: date | None) -> int:
    row = Participant(display_name=name, status=ParticipantStatus.active, plan_start=plan_start)
    await row.save()
    return row.id


@pytest.fixture
async def journeys(db):
    await make_user(Role.coordinator, "kaisa@example.org")
    await make_user(Role.staff, "olli@example.org")
    return {
        "aino": await person("Aino", date(2025, 9, 1)),
        "eero": await person("Eero", date(2026, 1, 10)),
        "ilona": await person("Ilona", date(2026, 3, 1)),
    }


async def end(client, pid: int, **body):
    return await client.post(f"/api/v1/participants/{pid}/end", json=body)


async def test_ending_plans_gives_the_outcomes_computed_by_hand(client, journeys):
    await api_login(client, "kaisa@example.org")
    details = await client.put(
        f"/api/v1/participants/{journeys['aino']}/reporting",
        json={"birth_year": 1998, "municipality_ref": "HEL-123"},
    )
    assert details.status_code == 200, details.text
    assert details.json()["municipality_ref"] == "HEL-123"
    await client.put(
        f"/api/v1/participants/{journeys['eero']}/reporting", json={"birth_year": 1990}
    )
    ended = await end(
        client, journeys["aino"], ended_on="2026-02-28", destination="work", end_reason="A job"
    )
    assert ended.status_code == 200, ended.text
    body = ended.json()
    assert (body["status"], body["plan_end"], body["destination"]) == (
        "ended",
        "2026-02-28",
        "work",
    )
    assert body["end_reason"] == "A job"
    await end(client, journeys["eero"], ended_on="2026-03-10", destination="study")

    report = (await client.get(URL, params=QUARTER)).json()
    assert (report["starts"], report["ends"]) == (2, 2)  # Eero and Ilona; Aino and Eero
    assert {d["destination"]: d["count"] for d in report["destinations"]} == {"study": 1, "work": 1}
    assert (report["young_ended"], report["young_to_work_or_study"]) == (1, 1)  # Aino, 27
    assert report["young_share"] == 1
    assert report["median_days_in_service"] == 120.5  # 181 and 60 days
    assert await AuditEvent.count().where(AuditEvent.action == "participant.end_plan") == 2

    book = await client.get(URL, params={**QUARTER, "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(book.content)).active.values)
    assert rows[0] == ("Figure", "Value")
    assert ("Plans ended", 2) in rows and ("Destination: Work", 1) in rows
    csv = await client.get(URL, params={**QUARTER, "format": "csv"})
    assert "Plans started,2" in csv.content.decode("utf-8-sig")
    assert await AuditEvent.count().where(AuditEvent.action == "report.export") == 2


async def test_ending_refuses_what_cannot_be(client, journeys):
    await api_login(client, "kaisa@example.org")
    early = await end(client, journeys["aino"], ended_on="2025-01-01", destination="work")
    assert early.status_code == 422 and "ended_on" in early.text
    odd = await end(client, journeys["aino"], ended_on="2026-02-01", destination="moon")
    assert odd.status_code in (400, 422) and "destination" in odd.text
    young = await client.put(
        f"/api/v1/participants/{journeys['aino']}/reporting", json={"birth_year": 1800}
    )
    assert young.status_code in (400, 422) and "birth_year" in young.text
    assert (
        await end(client, 999_999, ended_on="2026-02-01", destination="work")
    ).status_code == 404
    row = await Participant.select(Participant.status).where(Participant.id == journeys["aino"])
    assert row[0]["status"] == "active"


async def test_only_coordinators_and_administrators_see_outcomes_and_end_plans(client, journeys):
    await api_login(client, "olli@example.org")
    assert (await client.get(URL, params=QUARTER)).status_code == 403
    refused = await end(client, journeys["aino"], ended_on="2026-02-01", destination="work")
    assert refused.status_code == 403
