"""Importing participants from a spreadsheet: a preview first, then all rows or none,
audited; a second import of the same file changes nothing; every refusal is said in
plain words, and nothing is half-written."""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook

from service.audit.tables import AuditEvent
from service.auth.tables import Role
from service.catalog.tables import Activity, ActivityDomain, Partner, Site, SiteFeature
from service.demo.loader import load_demo
from service.people.tables import (
    AccessibilityNeed,
    AvailabilityWindow,
    Goal,
    GoalDomainLink,
    Participant,
    ReachableSite,
    Strength,
)
from service.transfer.tables import ImportUpload
from tests.conftest import empty_tables
from tests.helpers import api_login, csrf_token, make_site, make_user

HEADINGS = (
    "Your own number,Name,Contact,Language,Referral date,Hours a week,Sessions a day at most,"
    "Demand they can take (1-5),Available (weekday start-end),Sites they can reach,"
    "Accessibility needs,Strengths,Contact staff member"
)
ROWS = (
    "P-1,Aino Aalto,aino@example.org,fi,2026-11-02,6,1,3,1 09:00-15:00; 3 09:00-12:00,"
    "Pajatalo,step_free,woodwork; cooking,olli@example.org",
    "P-2,Eero Esimerkki,040 123 4567,en,31.10.2026,4.5,2,2,ti 10:00-14:00,,,,",
)


def csv_of(*rows: str, headings: str = HEADINGS) -> bytes:
    return ("\n".join([headings, *rows]) + "\n").encode()


async def upload(client, data: bytes, filename: str = "people.csv", kind: str = "participants"):
    return await client.post(
        "/admin/imports",
        data={"_csrf_token": await csrf_token(client), "kind": kind},
        files={"file": (filename, data, "text/csv")},
    )


async def confirm(client, upload_id: int):
    return await client.post(
        f"/admin/imports/{upload_id}/confirm", data={"_csrf_token": await csrf_token(client)}
    )


def upload_id_of(page: str) -> int:
    found = re.search(r'action="/admin/imports/(\d+)/confirm"', page)
    assert found, "the preview offers no confirmation"
    return int(found[1])


def count_of(page: str, label: str) -> int:
    found = re.search(rf"{label}: (\d+)", page)
    assert found, label
    return int(found[1])


@pytest.fixture
async def as_coordinator(client, db):
    await make_site("Pajatalo")
    await make_user(Role.staff, "olli@example.org")
    user = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, user.email)
    return user


async def test_a_preview_writes_no_record_and_confirming_imports_every_row(client, as_coordinator):
    preview = await upload(client, csv_of(*ROWS))
    assert preview.status_code == 200, preview.text
    assert count_of(preview.text, "New records") == 2
    assert await Participant.count() == 0

    done = await confirm(client, upload_id_of(preview.text))
    assert done.status_code == 200
    assert "Imported: 2 new records, 0 updated, 0 unchanged." in done.text
    aino = await Participant.objects().get(Participant.external_id == "P-1")
    assert aino.display_name == "Aino Aalto"
    assert aino.weekly_hours == 6 and aino.contact_staff is not None
    assert aino.next_review is not None
    windows = await AvailabilityWindow.select(
        AvailabilityWindow.weekday, AvailabilityWindow.start
    ).where(AvailabilityWindow.participant == aino.id)
    assert sorted((w["weekday"], w["start"].hour) for w in windows) == [(0, 9), (2, 9)]
    assert await ReachableSite.count().where(ReachableSite.participant == aino.id) == 1
    assert await AccessibilityNeed.count().where(AccessibilityNeed.participant == aino.id) == 1
    assert await Strength.count().where(Strength.participant == aino.id) == 2
    eero = await Participant.objects().get(Participant.external_id == "P-2")
    assert str(eero.referral_date) == "2026-10-31" and eero.weekly_hours == 4.5
    tuesday = await AvailabilityWindow.select(AvailabilityWindow.weekday).where(
        AvailabilityWindow.participant == eero.id
    )
    assert tuesday == [{"weekday": 1}]

    actions = [e["action"] for e in await AuditEvent.select(AuditEvent.action)]
    assert actions.count("provider.import") == 1
    assert actions.count("participant.create") == 2
    # The parsed rows do not stay once imported.
    kept = [row["rows"] for row in await ImportUpload.select(ImportUpload.rows)]
    assert kept and all(rows in ([], "[]") for rows in kept)
    assert (await confirm(client, upload_id_of(preview.text))).status_code == 404


async def test_a_second_import_of_the_same_file_changes_nothing(client, as_coordinator):
    first = await upload(client, csv_of(*ROWS))
    await confirm(client, upload_id_of(first.text))
    again = await upload(client, csv_of(*ROWS))
    assert count_of(again.text, "Records that stay as they are") == 2
    assert count_of(again.text, "New records") == 0
    assert "/confirm" not in again.text
    assert "every record is already as the file says" in again.text

    changed = await upload(client, csv_of(ROWS[0].replace(",6,1,3,", ",8,1,3,"), ROWS[1]))
    assert count_of(changed.text, "Records to update") == 1
    assert "Changes: Hours a week" in changed.text
    await confirm(client, upload_id_of(changed.text))
    assert await Participant.count() == 2
    aino = await Participant.objects().get(Participant.external_id == "P-1")
    assert aino.weekly_hours == 8


async def test_a_likely_duplicate_without_a_number_is_flagged(client, as_coordinator):
    first = await upload(client, csv_of(*ROWS))
    await confirm(client, upload_id_of(first.text))
    no_numbers = csv_of(
        "," + ROWS[0].split(",", 1)[1].replace("Aino Aalto", "aino  aalto"),
        headings=HEADINGS,
    )
    preview = await upload(client, no_numbers)
    assert count_of(preview.text, "New records") == 1
    assert "Possibly the same person" in preview.text


async def test_refused_rows_say_row_column_and_reason_and_nothing_is_written(
    client, as_coordinator
):
    rows = [
        ROWS[0].replace("Pajatalo", "Pajatalot"),  # an unknown site: the closest is named
        ROWS[1].replace(",4.5,", ",lots,"),  # not a number
        "P-3,Ilona,,fi,31.2.2026,,,,,,,,",  # no such day
        "P-4,Kalle,,fi,,,,9,mon 15:00-09:00,,,,",  # out of range, backwards
        "P-7,Mikko,,fi,,,,,,,wings,,",  # an unknown accessibility need
        "P-5,,,fi,,,,,,,,,",  # the name is required
        "P-6,Liisa,,fi,,,,,Someday 09:00-10:00,,,,",  # a weekday in no language
    ]
    preview = await upload(client, csv_of(*rows))
    assert preview.status_code == 200
    page = preview.text
    assert count_of(page, "Rows that cannot be imported") == 7
    assert "Pajatalot is not one of the choices. Did you mean Pajatalo?" in page
    assert "lots is not a number." in page
    assert "31.2.2026 is not a day of the calendar." in page
    assert "9 is more than 5." in page
    assert "In mon 15:00-09:00 the end must be after the start." in page
    assert "wings is not one of the choices." in page
    assert "A value is required." in page
    assert "Someday 09:00-10:00 is not a time of the week" in page
    assert "/confirm" not in page
    assert "Nothing has been saved" in page
    # Confirming such an upload anyway is refused whole.
    stored = await ImportUpload.select(ImportUpload.id).first()
    refused = await confirm(client, stored["id"])
    assert refused.status_code == 409
    assert await Participant.count() == 0


async def test_whole_files_that_cannot_be_read_are_refused_clearly(client, as_coordinator):
    not_a_sheet = await upload(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00" * 50, "photo.png")
    assert not_a_sheet.status_code == 422
    assert "photo.png is not a spreadsheet: save it as XLSX or CSV." in not_a_sheet.text

    many = csv_of(*(f"P-{n},Person {n},,fi,,,,,,,,," for n in range(100_000)))
    too_many = await upload(client, many, "many.csv")
    assert too_many.status_code == 422
    assert "more than 20000 rows" in too_many.text

    huge = await upload(client, b"a" * (50 * 1024 * 1024), "huge.csv")
    assert huge.status_code == 413
    assert "at most 10 MB: split the file into several smaller ones" in huge.text
    assert await Participant.count() == 0
    assert await ImportUpload.count() == 0


async def test_excel_csv_in_finnish_and_danish_locales(client, as_coordinator):
    finnish = (
        "Oma numero;Nimi;Tunteja viikossa;Toimipaikat, joihin osallistuja pääsee\r\n"
        "F-1;Äijä Öhman;7,5;Pajatalo\r\n"
    )
    danish = "Your own number;Name;Hours a week\r\nD-1;Søren Ærø;3,5\r\n"
    for data in (
        b"\xef\xbb\xbf" + finnish.encode("utf-8"),
        finnish.replace("F-1", "F-2").encode("cp1252"),
        b"\xef\xbb\xbf" + danish.encode("utf-8"),
        danish.replace("D-1", "D-2").encode("cp1252"),
    ):
        preview = await upload(client, data, "excel.csv")
        assert count_of(preview.text, "New records") == 1, preview.text
        await confirm(client, upload_id_of(preview.text))
    names = {p["external_id"]: p for p in await Participant.select()}
    assert names["F-1"]["display_name"] == names["F-2"]["display_name"] == "Äijä Öhman"
    assert names["D-1"]["display_name"] == names["D-2"]["display_name"] == "Søren Ærø"
    assert names["F-2"]["weekly_hours"] == 7.5 and names["D-2"]["weekly_hours"] == 3.5


async def test_only_the_uploader_confirms_and_staff_cannot_import(client, as_coordinator):
    preview = await upload(client, csv_of(*ROWS))
    upload_id = upload_id_of(preview.text)
    other = await make_user(Role.admin, "anna@example.org")
    await api_login(client, other.email)
    assert (await client.get(f"/admin/imports/{upload_id}")).status_code == 404
    assert (await confirm(client, upload_id)).status_code == 404
    staff = await make_user(Role.staff, "sami@example.org")
    await api_login(client, staff.email)
    assert (await client.get("/admin/imports")).status_code == 403
    assert (await upload(client, csv_of(*ROWS))).status_code == 403
    assert await Participant.count() == 0


async def test_an_export_imports_again_and_changes_nothing(client, db):
    await load_demo("tupa-demo")
    assert (await api_login(client, "admin@demo.tupa", "tupa-demo")).status_code == 200
    before = (await client.get("/api/v1/export")).json()
    workbook = (await client.get("/admin/export.xlsx")).content
    for kind in ("partners", "sites", "activities", "participants", "goals"):
        preview = await upload(client, workbook, "export.xlsx", kind=kind)
        assert preview.status_code == 200, preview.text
        assert count_of(preview.text, "Records that stay as they are") == len(before[kind]) > 0
        assert count_of(preview.text, "Rows that cannot be imported") == 0
    # The participants sheet is the one read, whatever sheet comes first.
    book = load_workbook(io.BytesIO(workbook), read_only=True)
    assert book.sheetnames[0] != "Participants"
    after = (await client.get("/api/v1/export")).json()
    assert after == before


GOAL_HEADINGS = "Participant's own number,Participant,Goal in their own words,Priority,Goal domains"


async def test_goals_in_their_own_words_import_by_number_or_name(client, as_coordinator):
    people = await upload(client, csv_of(*ROWS))
    await confirm(client, upload_id_of(people.text))
    goals = csv_of(
        "P-1,,I want to get out of the house twice a week.,1,interaction; everyday_living",
        ",Eero Esimerkki,Cook a meal for a friend,2,everyday_living",
        headings=GOAL_HEADINGS,
    )
    preview = await upload(client, goals, "goals.csv", kind="goals")
    assert count_of(preview.text, "New records") == 2, preview.text
    await confirm(client, upload_id_of(preview.text))
    aino = await Participant.objects().get(Participant.external_id == "P-1")
    [goal] = await Goal.select().where(Goal.participant == aino.id)
    assert goal["text"] == "I want to get out of the house twice a week." and goal["priority"] == 1
    keys = await GoalDomainLink.select(GoalDomainLink.domain.key.as_alias("key")).where(
        GoalDomainLink.goal == goal["id"]
    )
    assert sorted(k["key"] for k in keys) == ["everyday_living", "interaction"]
    assert "goal.create" in [e["action"] for e in await AuditEvent.select(AuditEvent.action)]

    again = await upload(client, goals, "goals.csv", kind="goals")
    assert count_of(again.text, "Records that stay as they are") == 2
    assert await Goal.count() == 2

    wrong = csv_of(
        ",Eero Esimerki,Walk the dog,2,",  # a typo in the name: the closest is named
        "P-9,,Walk the dog,2,",  # nobody has this number
        ",Aino Aalto,Walk the dog,7,feelings",  # priority out of range, unknown domain
        headings=GOAL_HEADINGS,
    )
    refused = await upload(client, wrong, "goals.csv", kind="goals")
    assert count_of(refused.text, "Rows that cannot be imported") == 3
    assert "There is no participant named Eero Esimerki. Did you mean Eero Esimerkki?" in (
        refused.text
    )
    assert "There is no participant with the number P-9." in refused.text
    assert "feelings is not one of the choices." in refused.text


async def test_sites_are_known_by_name_and_saved_by_the_catalogue(client, as_coordinator):
    sites = csv_of(
        "Pajatalo,Rantakatu 4,FI,Europe/Helsinki,step_free",
        "Meijeri,Meijerinkatu 2,dk,Europe/Copenhagen,",
        headings="Name,Address,Country,Time zone,Accessibility features",
    )
    preview = await upload(client, sites, "sites.csv", kind="sites")
    assert count_of(preview.text, "New records") == 1, preview.text
    assert count_of(preview.text, "Records to update") == 1
    await confirm(client, upload_id_of(preview.text))
    meijeri = await Site.objects().get(Site.name == "Meijeri")
    assert meijeri.country == "DK" and meijeri.time_zone == "Europe/Copenhagen"
    pajatalo = await Site.objects().get(Site.name == "Pajatalo")
    assert pajatalo.address == "Rantakatu 4"
    assert await SiteFeature.count().where(SiteFeature.site == pajatalo.id) == 1
    assert "site.create" in [e["action"] for e in await AuditEvent.select(AuditEvent.action)]

    again = await upload(client, sites, "sites.csv", kind="sites")
    assert count_of(again.text, "Records that stay as they are") == 2, again.text

    wrong = csv_of(
        "Navetta,,XX,Europe/Nowhere,",
        headings="Name,Address,Country,Time zone,Accessibility features",
    )
    refused = await upload(client, wrong, "sites.csv", kind="sites")
    assert "Europe/Nowhere is not a known time zone." in refused.text
    assert "XX is not a supported country code." in refused.text
    assert await Site.count() == 2


async def test_partners_are_known_by_name(client, as_coordinator):
    partners = csv_of(
        "Mäkelän tila,farm,Liisa Mäkelä,liisa@example.org",
        "Kahvila Kulma,employer,,",
        headings="Name,Kind,Contact person,Email",
    )
    preview = await upload(client, partners, "partners.csv", kind="partners")
    assert count_of(preview.text, "New records") == 2, preview.text
    await confirm(client, upload_id_of(preview.text))
    farm = await Partner.objects().get(Partner.name == "Mäkelän tila")
    assert farm.kind == "farm" and farm.email == "liisa@example.org"
    again = await upload(client, partners, "partners.csv", kind="partners")
    assert count_of(again.text, "Records that stay as they are") == 2
    wrong = await upload(
        client,
        csv_of("Seurakunta,church,,", headings="Name,Kind,Contact person,Email"),
        "partners.csv",
        kind="partners",
    )
    assert "church is not one of the choices." in wrong.text
    assert await Partner.count() == 2


ACTIVITY_HEADINGS = (
    "Title,Kind,Site,Demand (1-5),Fewest participants,Most participants,Goal domains,Skills"
)


async def test_activities_are_known_by_title_and_site(client, as_coordinator):
    activities = csv_of(
        "Woodwork,workshop,Pajatalo,2,2,8,interaction:2; everyday_living,woodwork; hand_tools",
        "Cooking,workshop,pajatalo,1,1,6,,",
        headings=ACTIVITY_HEADINGS,
    )
    preview = await upload(client, activities, "activities.csv", kind="activities")
    assert count_of(preview.text, "New records") == 2, preview.text
    await confirm(client, upload_id_of(preview.text))
    woodwork = await Activity.objects().get(Activity.title == "Woodwork")
    assert woodwork.max_participants == 8 and woodwork.demand_level == 2
    strengths = await ActivityDomain.select(
        ActivityDomain.domain.key.as_alias("key"), ActivityDomain.strength
    ).where(ActivityDomain.activity == woodwork.id)
    assert sorted((d["key"], d["strength"]) for d in strengths) == [
        ("everyday_living", 1),
        ("interaction", 2),
    ]
    again = await upload(client, activities, "activities.csv", kind="activities")
    assert count_of(again.text, "Records that stay as they are") == 2, again.text

    wrong = csv_of(
        "Gardening,workshop,Pajatalot,2,9,3,interaction:5,Hand Tools",
        headings=ACTIVITY_HEADINGS,
    )
    refused = await upload(client, wrong, "activities.csv", kind="activities")
    assert "Pajatalot is not one of the choices. Did you mean Pajatalo?" in refused.text
    wrong = csv_of(
        "Gardening,workshop,Pajatalo,2,9,3,interaction:5,Hand Tools", headings=ACTIVITY_HEADINGS
    )
    refused = await upload(client, wrong, "activities.csv", kind="activities")
    page = refused.text
    assert "The most participants cannot be fewer than the fewest." in page
    assert "interaction:5: a goal domain&#39;s weight is 1, 2 or 3." in page
    assert "Hand Tools is not a skill" in page
    assert await Activity.count() == 2


IMPORTED_KINDS = ("partners", "sites", "activities", "participants", "goals")
TUPA_IDS = ("Tupa id", "Participant's Tupa id", "Slot's Tupa id")
ID_KEYS = ("id", "participant_id", "slot_id")


def without_tupa_ids(workbook: bytes) -> bytes:
    """The workbook as another database would have it: Tupa's ids mean nothing there."""
    book = load_workbook(io.BytesIO(workbook))
    for page in book.worksheets:
        headings = [cell.value for cell in page[1]]
        for index in sorted((i for i, h in enumerate(headings) if h in TUPA_IDS), reverse=True):
            page.delete_cols(index + 1)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def comparable(rows: list[dict]) -> list[dict]:
    kept = [{k: v for k, v in row.items() if k not in ID_KEYS} for row in rows]
    return sorted(kept, key=lambda row: json.dumps(row, sort_keys=True))


async def test_the_demo_exported_imports_into_an_empty_database(client, db):
    await load_demo("tupa-demo")
    assert (await api_login(client, "admin@demo.tupa", "tupa-demo")).status_code == 200
    before = (await client.get("/api/v1/export")).json()
    workbook = without_tupa_ids((await client.get("/admin/export.xlsx")).content)

    await empty_tables(db.kind)
    await make_user(Role.admin, "admin@demo.tupa")  # staff accounts are not imported yet
    for person in before["staff"]:
        if person["email"] != "admin@demo.tupa":
            await make_user(Role(person["role"]), person["email"], display_name=person["name"])
    client.cookies.clear()
    assert (await api_login(client, "admin@demo.tupa")).status_code == 200
    for kind in IMPORTED_KINDS:
        preview = await upload(client, workbook, "export.xlsx", kind=kind)
        assert count_of(preview.text, "Rows that cannot be imported") == 0, (kind, preview.text)
        assert count_of(preview.text, "New records") == len(before[kind]), kind
        assert (await confirm(client, upload_id_of(preview.text))).status_code == 200

    after = (await client.get("/api/v1/export")).json()
    for kind in IMPORTED_KINDS:
        for was, now in zip(comparable(before[kind]), comparable(after[kind]), strict=True):
            assert {k: v for k, v in now.items() if was.get(k) != v} == {}, (kind, was)


async def test_a_row_refused_by_its_cells_stays_refused_when_confirmed_anyway(
    client, as_coordinator
):
    preview = await upload(client, csv_of(ROWS[0], ROWS[1].replace(",4.5,", ",lots,")))
    assert count_of(preview.text, "Rows that cannot be imported") == 1
    stored = await ImportUpload.select(ImportUpload.id).first()
    again = await client.get(f"/admin/imports/{stored['id']}")
    assert "lots is not a number." in again.text and "/confirm" not in again.text
    assert (await confirm(client, stored["id"])).status_code == 409
    assert await Participant.count() == 0
