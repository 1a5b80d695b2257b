"""The attendance report through the API on SQLite and PostgreSQL: a small fixed week
whose figures were computed by hand, the later mark counting, a closure, every role's
view, and the files opened with openpyxl."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from service.attendance.tables import AttendanceMark
from service.audit.tables import AuditEvent
from service.auth.tables import Role
from service.people.tables import Participant, ParticipantStatus
from service.placements.tables import AbsenceNotice, Placement, PlacementStatus
from service.schedule.tables import Closure, Session, SessionStatus, WeeklySlot
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY = date(2026, 3, 23)  # the week in which Helsinki's clocks move forward (Sunday)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
URL = "/api/v1/reports/attendance"
WEEK = {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=6)).isoformat()}


async def weekly_slot(activity: int, weekday: int) -> int:
    slot = WeeklySlot(
        activity=activity, weekday=weekday, start=time(9), end=time(12), valid_from=date(2026, 1, 5)
    )
    await slot.save()
    return slot.id


async def session(activity: int, site: int, slot: int | None, day: date, **extra) -> int:
    start, end = extra.pop("start", time(9)), extra.pop("end", time(12))
    row = Session(
        activity=activity,
        site=site,
        slot=slot,
        origin_date=day if slot else None,
        date=day,
        start=start,
        end=end,
        starts_at=datetime.combine(day, start, HELSINKI).astimezone(UTC),
        ends_at=datetime.combine(day, end, HELSINKI).astimezone(UTC),
        **extra,
    )
    await row.save()
    return row.id


async def person(name: str) -> int:
    row = Participant(display_name=name, status=ParticipantStatus.active)
    await row.save()
    return row.id


async def placed(participant: int, slot: int) -> None:
    await Placement(
        participant=participant,
        slot=slot,
        start_date=date(2026, 1, 5),
        status=PlacementStatus.confirmed,
    ).save()


async def marked(session_id: int, participant: int, status: str, minute: int = 0) -> None:
    moment = datetime(2026, 3, 30, 10, minute, tzinfo=UTC)
    await AttendanceMark(
        client_uuid=str(uuid.uuid4()),
        session=session_id,
        participant=participant,
        status=status,
        marked_at=moment,
        received_at=moment,
    ).save()


@pytest.fixture
async def week(db):
    """Pajatalo: woodwork on Monday (Aino, Eero, Ilona placed; Ilona gave notice;
    Ville walked in; Eero first marked absent, then late), on Tuesday (cancelled, a
    mark that must not count) and on Wednesday (a closure of Pajatalo). Kotiranta farm
    (a partner's place): animal care on Sunday night across the change of the clocks,
    01:00-05:00 (three hours), Aino present."""
    paja = await h.site("Pajatalo")
    farm = await h.site("Kotiranta farm")
    wood = await h.activity(paja, "Woodwork", max_participants=6)
    animals = await h.activity(farm, "Animal care", kind="green_care", max_participants=4)
    aino, eero = await person("Aino Aaltonen"), await person("Eero Eskola")
    ilona, ville = await person("Ilona Ilves"), await person('=HYPERLINK("x")')
    slots = [await weekly_slot(wood, day) for day in range(3)]
    farm_slot = await weekly_slot(animals, 6)
    for slot in slots:
        for pid in (aino, eero, ilona):
            await placed(pid, slot)
    await placed(aino, farm_slot)
    monday = await session(wood, paja, slots[0], MONDAY)
    tuesday = await session(
        wood, paja, slots[1], MONDAY + timedelta(days=1), status=SessionStatus.cancelled
    )
    wednesday = await session(wood, paja, slots[2], MONDAY + timedelta(days=2))
    await Closure(
        site=paja,
        start_date=MONDAY + timedelta(days=2),
        end_date=MONDAY + timedelta(days=2),
        reason="Staff training",
    ).save()
    sunday = await session(
        animals, farm, farm_slot, MONDAY + timedelta(days=6), start=time(1), end=time(5)
    )
    await marked(monday, aino, "present")
    await marked(monday, eero, "absent_no_notice", minute=1)
    await marked(monday, eero, "late", minute=2)  # the later mark counts
    await marked(monday, ville, "present")
    await AbsenceNotice(participant=ilona, session=monday).save()
    await marked(tuesday, aino, "present")
    await marked(wednesday, eero, "present")
    await marked(sunday, aino, "present")
    await make_user(Role.coordinator, "kaisa@example.org")
    await make_user(Role.staff, "olli@example.org", site_ids=[paja])
    await make_user(Role.partner, "pirjo@example.org", site_ids=[farm])
    await make_user(Role.participant, "aino@example.org")
    return {"paja": paja, "farm": farm}


def by_label(answer) -> dict[str, dict]:
    body = answer.json()
    return {row["label"]: row for row in body["rows"]} | {"total": body["total"]}


async def test_the_week_by_site_is_what_was_computed_by_hand(client, week):
    await api_login(client, "kaisa@example.org")
    answer = await client.get(URL, params={**WEEK, "group_by": "site"})
    assert answer.status_code == 200, answer.text
    rows = by_label(answer)
    paja, farm, total = rows["Pajatalo"], rows["Kotiranta farm"], rows["total"]
    assert (paja["sessions_held"], paja["sessions_cancelled"]) == (1, 2)
    assert paja["places_offered"] == 6
    assert paja["expected"] == 3 and paja["walk_ins"] == 1
    assert (paja["present"], paja["late"], paja["absent_notice"]) == (2, 1, 1)
    assert paja["absent_no_notice"] == 0
    assert paja["attended"] == 3 and paja["attendance_rate"] == 0.75
    assert paja["participant_days"] == 3 and paja["unique_participants"] == 3
    assert paja["hours"] == 3 and paja["attended_hours"] == 9
    assert farm["hours"] == 3  # 01:00-05:00 on the night the clocks move forward
    assert farm["attended"] == 1 and farm["attendance_rate"] == 1
    assert total["sessions_held"] == 2 and total["sessions_cancelled"] == 2
    assert total["unique_participants"] == 3 and total["participant_days"] == 4
    assert total["hours"] == 6


async def test_by_weekday_and_by_participant(client, week):
    await api_login(client, "kaisa@example.org")
    weekdays = (await client.get(URL, params={**WEEK, "group_by": "weekday"})).json()
    assert [(r["key"], r["sessions_held"], r["sessions_cancelled"]) for r in weekdays["rows"]] == [
        ("1", 1, 0),
        ("2", 0, 1),
        ("3", 0, 1),
        ("7", 1, 0),
    ]
    people = by_label(await client.get(URL, params={**WEEK, "group_by": "participant"}))
    assert people["Aino Aaltonen"]["attended"] == 2
    assert people["Aino Aaltonen"]["sessions_cancelled"] == 2
    assert people["Eero Eskola"]["late"] == 1 and people["Eero Eskola"]["absent_no_notice"] == 0
    assert people["Ilona Ilves"]["absent_notice"] == 1
    assert await AuditEvent.count().where(AuditEvent.action == "report.read") == 1


async def test_the_files_open_with_typed_cells_and_no_formulas(client, week):
    await api_login(client, "kaisa@example.org")
    params = {**WEEK, "group_by": "participant"}
    workbook = await client.get(URL, params={**params, "format": "xlsx"})
    assert workbook.status_code == 200
    assert workbook.headers["content-type"].startswith(XLSX)
    assert "attachment" in workbook.headers["content-disposition"]
    page = load_workbook(io.BytesIO(workbook.content)).active
    assert page.freeze_panes == "A2"
    headings = [cell.value for cell in page[1]]
    assert headings[:3] == ["Participant", "Sessions held", "Sessions cancelled"]
    rows = {row[0].value: row for row in page.iter_rows(min_row=2)}
    ville = rows['=HYPERLINK("x")']
    assert ville[0].data_type == "s"  # text, not a formula
    rate = ville[headings.index("Attendance rate")]
    assert rate.value == 1 and rate.data_type == "n"
    assert rows["Total"][headings.index("Hours of activity")].value == 6
    assert page.column_dimensions["A"].width >= 10

    by_accept = await client.get(URL, params=params, headers={"Accept": "text/csv"})
    assert by_accept.status_code == 200
    assert by_accept.headers["content-type"].startswith("text/csv")
    text = by_accept.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][0] == "Participant"
    assert lines[[r[0] for r in lines].index('\'=HYPERLINK("x")')][:2] == ['\'=HYPERLINK("x")', "1"]
    exports = await AuditEvent.select(AuditEvent.details).where(
        AuditEvent.action == "report.export"
    )
    assert len(exports) == 2 and '"format":"xlsx"' in exports[0]["details"]


async def test_each_role_sees_what_it_may(client, week):
    await api_login(client, "olli@example.org")
    staff = by_label(await client.get(URL, params={**WEEK, "group_by": "site"}))
    assert set(staff) == {"Pajatalo", "total"}
    assert (await client.get(URL, params={**WEEK, "group_by": "participant"})).status_code == 200

    client.cookies.clear()
    await api_login(client, "pirjo@example.org")
    partner = by_label(await client.get(URL, params={**WEEK, "group_by": "activity"}))
    assert set(partner) == {"Animal care", "total"}
    refused = await client.get(URL, params={**WEEK, "group_by": "participant"})
    assert refused.status_code == 403
    assert (await client.get(URL, params={**WEEK, "format": "csv"})).status_code == 200

    client.cookies.clear()
    await api_login(client, "aino@example.org")
    assert (await client.get(URL, params=WEEK)).status_code == 403
    client.cookies.clear()
    assert (await client.get(URL, params=WEEK)).status_code == 401


async def test_bad_periods_are_refused_naming_the_field(client, week):
    await api_login(client, "kaisa@example.org")
    backwards = await client.get(URL, params={"start": "2026-03-29", "end": "2026-03-23"})
    assert backwards.status_code in (400, 422) and "end" in backwards.text
    long = await client.get(URL, params={"start": "2024-01-01", "end": "2026-03-23"})
    assert long.status_code in (400, 422) and "end" in long.text
    bad = await client.get(URL, params={**WEEK, "group_by": "mood"})
    assert bad.status_code in (400, 422) and "group_by" in bad.text
    pdf = await client.get(URL, params={**WEEK, "format": "pdf"})
    assert pdf.status_code in (400, 422) and "format" in pdf.text


async def test_the_page_shows_the_table_charts_with_their_numbers_and_downloads(client, week):
    await api_login(client, "kaisa@example.org")
    page = await client.get(
        "/reports", params={"period": "week", "day": "2026-03-25", "group_by": "site"}
    )
    assert page.status_code == 200, page.text
    text = page.text
    assert 'href="/reports" aria-current="page"' in text
    assert "Pajatalo" in text and "Kotiranta farm" in text
    assert "75.0 %" in text  # Pajatalo's attendance rate
    assert "start=2026-03-23&amp;end=2026-03-29&amp;group_by=site&amp;format=xlsx" in text
    for chart_id in ("chart-rate-by-week", "chart-fill-by-activity", "chart-absences-by-weekday"):
        assert f'<canvas id="{chart_id}" role="img"' in text
        assert f'<script type="application/json" id="{chart_id}-data">' in text
    assert "/static/vendor/chart-4.6.1.umd.min.js" in text
    assert '<td class="number">80.0%</td>' in text  # week 13: 4 came of 5 expected
    assert "Participant</option>" in text
    for chart_id in ("chart-destinations", "chart-goal-progress"):
        assert f'<canvas id="{chart_id}" role="img"' in text
    assert 'href="/api/v1/reports/funder?year=2026"' in text


async def test_partners_see_the_page_without_the_participant_grouping(client, week):
    await api_login(client, "pirjo@example.org")
    page = await client.get("/reports", params={"period": "week", "day": "2026-03-25"})
    assert page.status_code == 200
    assert "Kotiranta farm" in page.text and "Pajatalo" not in page.text
    assert "Participant</option>" not in page.text
    assert "chart-destinations" not in page.text and "/api/v1/reports/funder" not in page.text
    refused = await client.get(
        "/reports", params={"period": "week", "day": "2026-03-25", "group_by": "participant"}
    )
    assert refused.status_code == 403
    client.cookies.clear()
    await api_login(client, "aino@example.org")
    assert (await client.get("/reports")).status_code == 403


async def test_the_funder_file_per_participant_month_with_small_numbers_hidden(client, week):
    aino = (
        await Participant.select(Participant.id)
        .where(Participant.display_name == "Aino Aaltonen")
        .first()
    )
    await Participant.update({Participant.municipality_ref: "HEL-0001"}).where(
        Participant.id == aino["id"]
    )
    await api_login(client, "kaisa@example.org")
    answer = await client.get("/api/v1/reports/funder", params={"year": 2026})
    assert answer.status_code == 200, answer.text
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Year 2026", "Participant months"]
    summary = dict(list(book["Year 2026"].values)[1:])
    assert summary["Unique participants"] == "<5" and summary["Visits"] == "<5"
    assert summary["Hours attended"] == 12  # 3 x 3 at Pajatalo and 3 at the farm
    months = list(book["Participant months"].values)
    assert months[0][:3] == ("Participant number", "Municipality reference", "Month")
    by_ref = [row for row in months[1:] if row[1] == "HEL-0001"]
    assert sorted((row[3], row[4], row[5], row[6]) for row in by_ref) == [
        ("Green care", 1, 1, 3),
        ("Workshop", 1, 1, 3),
    ]
    shown = await client.get(
        "/api/v1/reports/funder", params={"year": 2026, "small_numbers": "false"}
    )
    summary = dict(list(load_workbook(io.BytesIO(shown.content))["Year 2026"].values)[1:])
    assert summary["Unique participants"] == 3 and summary["Visits"] == 4
    csv_file = await client.get("/api/v1/reports/funder", params={"year": 2026, "format": "csv"})
    assert "HEL-0001,2026-03" in csv_file.content.decode("utf-8-sig")
    client.cookies.clear()
    await api_login(client, "olli@example.org")
    assert (await client.get("/api/v1/reports/funder", params={"year": 2026})).status_code == 403
