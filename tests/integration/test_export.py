"""The full export: every record of the demo provider as JSON and as a workbook, for
administrators only, audited, without erased people, secrets or live formulas."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from service.audit.services import Actor
from service.audit.tables import AuditEvent
from service.auth.tables import Role, User
from service.catalog.tables import Activity, Partner, Site
from service.demo.loader import load_demo
from service.people.services import erase
from service.people.tables import Goal, Participant
from service.placements.tables import Placement
from service.schedule.tables import WeeklySlot
from service.transfer.sheets import SHEETS, SHEETS_BY_KIND
from tests.helpers import api_login, make_site, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def expected_counts() -> dict[str, int]:
    live = Participant.erased_at.is_null()
    return {
        "partners": await Partner.count(),
        "sites": await Site.count(),
        "staff": await User.count().where(User.role != Role.participant),
        "activities": await Activity.count(),
        "slots": await WeeklySlot.count(),
        "participants": await Participant.count().where(live),
        "goals": await Goal.count().where(Goal.participant.erased_at.is_null()),
        "placements": await Placement.count().where(Placement.participant.erased_at.is_null()),
    }


async def test_the_export_holds_every_record_as_json_and_as_a_workbook(client, db):
    await load_demo("tupa-demo")
    await erase(Actor.system("test"), (await Participant.select(Participant.id).first())["id"])
    assert (await api_login(client, "admin@demo.tupa", "tupa-demo")).status_code == 200

    answer = await client.get("/api/v1/export")
    assert answer.status_code == 200
    exported = answer.json()
    counts = await expected_counts()
    assert {kind: len(rows) for kind, rows in exported.items()} == counts
    assert min(counts.values()) > 0  # the demo has records of every kind
    for kind, rows in exported.items():
        assert all(tuple(row) == SHEETS_BY_KIND[kind].keys for row in rows)
    assert "$argon2" not in answer.text and "password" not in answer.text
    erased = await Participant.select(Participant.display_name).where(
        Participant.erased_at.is_not_null()
    )
    assert erased and all(p["name"] != erased[0]["display_name"] for p in exported["participants"])

    download = await client.get("/admin/export.xlsx")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith(XLSX)
    assert "attachment" in download.headers["content-disposition"]
    book = load_workbook(io.BytesIO(download.content), read_only=True)
    assert book.sheetnames == [sheet.title for sheet in SHEETS]
    for sheet in SHEETS:
        rows = list(book[sheet.title].values)
        assert rows[0] == tuple(column.heading for column in sheet.columns)
        assert len(rows) - 1 == counts[sheet.kind]

    events = await AuditEvent.select(AuditEvent.details).where(
        AuditEvent.action == "provider.export"
    )
    assert len(events) == 2
    assert '"participants":' in events[0]["details"]


async def test_a_name_that_looks_like_a_formula_stays_text(client, db):
    await make_user(Role.admin, "admin@example.org")
    await Participant.insert(Participant(display_name='=HYPERLINK("http://x.example","Hi")'))
    assert (await api_login(client, "admin@example.org")).status_code == 200
    download = await client.get("/admin/export.xlsx")
    book = load_workbook(io.BytesIO(download.content))
    name_column = SHEETS_BY_KIND["participants"].keys.index("name") + 1
    cell = book["Participants"].cell(row=2, column=name_column)
    assert cell.value == '=HYPERLINK("http://x.example","Hi")'
    assert cell.data_type == "s"


async def test_only_administrators_export(client, db):
    for role in (Role.coordinator, Role.staff, Role.partner, Role.participant):
        await make_user(role, f"{role.value}@example.org")
    for url in ("/api/v1/export", "/admin/export.xlsx"):
        anonymous = await client.get(url, follow_redirects=False)
        assert anonymous.status_code in (401, 302)
    for role in (Role.coordinator, Role.staff, Role.partner, Role.participant):
        client.cookies.clear()
        assert (await api_login(client, f"{role.value}@example.org")).status_code == 200
        for url in ("/api/v1/export", "/admin/export.xlsx"):
            assert (await client.get(url)).status_code == 403, (role, url)
    assert await AuditEvent.count().where(AuditEvent.action == "provider.export") == 0


async def test_a_template_per_kind_has_headings_an_example_lists_and_explanations(client, db):
    await make_user(Role.coordinator, "kaisa@example.org")
    site_id = await make_site("Pajatalo")
    assert site_id
    assert (await api_login(client, "kaisa@example.org")).status_code == 200
    page = await client.get("/admin/templates")
    assert page.status_code == 200
    for sheet in SHEETS:
        assert f'href="/admin/templates/{sheet.kind}.xlsx"' in page.text

    download = await client.get("/admin/templates/activities.xlsx")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith(XLSX)
    book = load_workbook(io.BytesIO(download.content))
    sheet = SHEETS_BY_KIND["activities"]
    page_ = book["Activities"]
    rows = list(page_.values)
    assert rows[0] == tuple(column.heading for column in sheet.columns)
    example = dict(zip(sheet.keys, rows[1], strict=True))
    assert example["title"] == "Woodwork" and example["site"] == "Pajatalo"
    lists = book["Lists"]
    assert lists.sheet_state == "hidden"
    validations = {str(v.sqref): v.formula1 for v in page_.data_validations.dataValidation}
    # id, title, kind, site: drop-downs for the kind (C) and the site (D)
    assert validations["C2:C5000"].startswith("Lists!")
    assert validations["D2:D5000"].startswith("Lists!")
    offered = {column[0]: column[1:] for column in lists.iter_cols(values_only=True)}
    assert {"workshop", "green_care"} <= set(offered["kind"])
    assert offered["site"][0] == "Pajatalo"
    explained = {row[0]: row[1] for row in book["Columns"].iter_rows(min_row=2, values_only=True)}
    assert explained["Title"] == "Text. Required."
    assert explained["Tupa id"].startswith("Tupa's own id.")

    assert (await client.get("/admin/templates/unknown.xlsx")).status_code == 404
    assert (await client.get("/admin/templates/activities.csv")).status_code == 404


async def test_templates_speak_the_readers_language(client, db):
    await make_user(Role.admin, "admin@example.org", language="fi")
    assert (await api_login(client, "admin@example.org")).status_code == 200
    download = await client.get("/admin/templates/participants.xlsx")
    book = load_workbook(io.BytesIO(download.content))
    assert "Osallistujat" in book.sheetnames
    assert "Tupa-tunnus" in next(book["Osallistujat"].values)
