"""The daily allowance ledger on both engines: rates in exact decimals, a month's lines
computed by hand, approval locks the month, and a mark changed afterwards in the locked
month becomes a correction line in the next open month, never a silent change; the
payroll files open with amounts as numbers."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from service.attendance.tables import AttendanceMark
from service.auth.tables import Role
from service.people.tables import Participant, ParticipantStatus
from service.schedule.tables import Session
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user

HELSINKI = ZoneInfo("Europe/Helsinki")
URL = "/api/v1/reports/allowances"


async def session(activity: int, site: int, day: date, start: time, end: time) -> int:
    row = Session(
        activity=activity,
        site=site,
        date=day,
        start=start,
        end=end,
        starts_at=datetime.combine(day, start, HELSINKI).astimezone(UTC),
        ends_at=datetime.combine(day, end, HELSINKI).astimezone(UTC),
    )
    await row.save()
    return row.id


async def marked(session_id: int, participant: int, status: str, minute: int) -> None:
    moment = datetime(2026, 5, 1, 10, minute, tzinfo=UTC)
    await AttendanceMark(
        client_uuid=str(uuid.uuid4()),
        session=session_id,
        participant=participant,
        status=status,
        marked_at=moment,
        received_at=moment,
    ).save()


@pytest.fixture
async def march(db):
    """Woodwork (a workshop, 9.50 a day) twice on 2 March and once on 3 March; a
    supported-employment shift (3.25 an hour) of 4.5 hours on 4 March."""
    site = await h.site("Pajatalo")
    wood = await h.activity(site, "Woodwork")
    shift = await h.activity(site, "Cafe shift", kind="supported_employment")
    aino = Participant(display_name="Aino", status=ParticipantStatus.active)
    await aino.save()
    ville = Participant(display_name="=cmd|' /C calc'!A0", status=ParticipantStatus.active)
    await ville.save()
    morning = await session(wood, site, date(2026, 3, 2), time(9), time(12))
    afternoon = await session(wood, site, date(2026, 3, 2), time(13), time(15))
    tuesday = await session(wood, site, date(2026, 3, 3), time(9), time(12))
    cafe = await session(shift, site, date(2026, 3, 4), time(10), time(14, 30))
    await marked(morning, aino.id, "present", 0)
    await marked(afternoon, aino.id, "late", 0)
    await marked(tuesday, aino.id, "absent_no_notice", 0)
    await marked(cafe, ville.id, "present", 0)
    await make_user(Role.coordinator, "kaisa@example.org")
    await make_user(Role.staff, "olli@example.org", site_ids=[site])
    return {"aino": aino.id, "ville": ville.id, "tuesday": tuesday, "shift": shift}


async def add_rates(client) -> None:
    for body in (
        {"basis": "day", "amount": "9.50", "valid_from": "2026-01-01", "kind": "workshop"},
        {
            "basis": "hour",
            "amount": "3.25",
            "valid_from": "2026-01-01",
            "kind": "supported_employment",
        },
    ):
        answer = await client.post("/api/v1/allowances/rates", json=body)
        assert answer.status_code == 201, answer.text


def amounts(ledger: dict) -> dict[tuple[str, str, str], tuple[int, str, str]]:
    return {
        (line["participant"], line["kind"], line["for_month"]): (
            line["days"],
            line["hours"],
            line["amount"],
        )
        for line in ledger["lines"]
    }


async def test_a_locked_month_changes_only_by_a_correction_line(client, march):
    await api_login(client, "kaisa@example.org")
    await add_rates(client)
    rates = (await client.get("/api/v1/allowances/rates")).json()
    assert [r["amount"] for r in rates] == ["9.50", "3.25"]

    open_march = (await client.get(URL, params={"month": "2026-03"})).json()
    assert open_march["approved"] is False
    assert amounts(open_march) == {
        ("Aino", "attendance", "2026-03"): (1, "0.00", "9.50"),  # one day, paid once
        ("=cmd|' /C calc'!A0", "attendance", "2026-03"): (0, "4.50", "14.63"),  # 14.625
    }
    approved = await client.post(f"{URL}/approve", json={"month": "2026-03"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved"] is True
    again = await client.post(f"{URL}/approve", json={"month": "2026-03"})
    assert again.status_code == 409

    # Tuesday's absence is corrected to present after the month was approved.
    await marked(march["tuesday"], march["aino"], "present", 30)
    locked = (await client.get(URL, params={"month": "2026-03"})).json()
    assert amounts(locked) == amounts(open_march)  # never a silent change
    april = (await client.get(URL, params={"month": "2026-04"})).json()
    assert amounts(april) == {("Aino", "correction", "2026-03"): (0, "0.00", "9.50")}
    assert (await client.get(URL, params={"month": "2026-05"})).json()["lines"] == []

    assert (await client.post(f"{URL}/approve", json={"month": "2026-04"})).status_code == 200
    may = (await client.get(URL, params={"month": "2026-05"})).json()
    assert may["lines"] == []  # the correction was settled in April

    book = await client.get(URL, params={"month": "2026-04", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Participant", "Participant number", "Month")
    assert rows[1][4] == "Correction"
    assert isinstance(rows[1][7], int | float | Decimal) and rows[1][7] == Decimal("9.5")
    payroll = await client.get(URL, params={"month": "2026-03", "format": "csv"})
    text = payroll.content.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text and ",14.63," in text


async def test_rates_and_months_refuse_what_cannot_be(client, march):
    await api_login(client, "kaisa@example.org")
    rates = "/api/v1/allowances/rates"
    both = {"basis": "day", "amount": "1", "valid_from": "2026-01-01", "kind": "workshop"}
    assert (
        await client.post(rates, json={**both, "activity_id": march["shift"]})
    ).status_code == 422
    for amount in ("-1", "1.00001", "100001", "NaN"):
        answer = await client.post(rates, json={**both, "amount": amount})
        assert answer.status_code in (400, 422) and "amount" in answer.text, amount
    assert (await client.get(URL, params={"month": "2026-13"})).status_code in (400, 422)
    assert (await client.post(f"{URL}/approve", json={"month": "03/2026"})).status_code in (
        400,
        422,
    )
    client.cookies.clear()
    await api_login(client, "olli@example.org")
    assert (await client.get(URL, params={"month": "2026-03"})).status_code == 403
    assert (await client.post(f"{URL}/approve", json={"month": "2026-03"})).status_code == 403
