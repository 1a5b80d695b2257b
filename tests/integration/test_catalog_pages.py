"""The catalogue pages: they save through the same services as the API, show the
API's refusals beside the field, and are closed to the wrong roles."""

from __future__ import annotations

import pytest

from service import clock
from service.auth.tables import Role
from service.catalog.tables import Activity, ActivityDomain, Partner, Room, Site
from service.schedule.tables import Closure, Session, WeeklySlot
from service.staff.tables import StaffAvailability, StaffSkill
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user, post_form


@pytest.fixture
async def as_coordinator(client, db):
    user = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, user.email)
    return user


async def test_site_pages(client, as_coordinator):
    form = {
        "name": "Meijeri",
        "time_zone": "Europe/Helsinki",
        "country": "fi",
        "address": "Meijerinkatu 2",
        "features": ["quiet_space", "parking"],
    }
    created = await post_form(client, "/catalog/sites/new", form)
    assert created.status_code == 200
    site = await Site.select().first()
    assert created.url.path == f"/catalog/sites/{site['id']}"
    assert site["country"] == "FI"
    room = await post_form(client, f"/catalog/sites/{site['id']}/rooms", {"name": "Hall"})
    assert "Hall" in room.text
    duplicate = await post_form(client, f"/catalog/sites/{site['id']}/rooms", {"name": "hall"})
    assert duplicate.status_code == 409
    assert 'id="room-error"' in duplicate.text
    bad = await post_form(client, f"/catalog/sites/{site['id']}", {**form, "time_zone": "Nowhere"})
    assert bad.status_code == 422
    assert 'id="time_zone-error"' in bad.text
    listing = await client.get("/catalog/sites")
    assert "Meijeri" in listing.text
    assert "Quiet space to rest" in listing.text
    room_id = (await Room.select().first())["id"]
    await post_form(client, f"/catalog/rooms/{room_id}/delete", {})
    assert await Room.count() == 0
    deleted = await post_form(client, f"/catalog/sites/{site['id']}/delete", {})
    assert deleted.url.path == "/catalog/sites"
    assert await Site.count() == 0


async def test_partner_pages(client, as_coordinator):
    created = await post_form(
        client,
        "/catalog/partners/new",
        {"name": "Kotiranta farm", "kind": "farm", "phone": "+358 50 1"},
    )
    assert created.status_code == 200
    assert await Partner.count() == 1
    bad = await post_form(client, "/catalog/partners/new", {"name": "", "kind": "farm"})
    assert bad.status_code == 422
    assert 'id="name-error"' in bad.text
    assert "Green-care farm" in (await client.get("/catalog/partners")).text


async def test_activity_page_saves_domains_and_adds_slots(client, as_coordinator):
    site = await h.site()
    staff = await make_user(Role.staff, "olli@example.org", site_ids=[site])
    form = {
        "title": "Animal care",
        "kind": "green_care",
        "site_id": str(site),
        "demand_level": "3",
        "min_participants": "2",
        "max_participants": "6",
        "participants_per_staff": "3",
        "domain_stress_management": "3",
        "domain_interaction": "0",
        "required_skills": "Animal handling, first_aid",
        "animal_contact": "on",
        "is_active": "on",
        "what_to_bring": "Rubber boots",
    }
    created = await post_form(client, "/catalog/activities/new", form)
    assert created.status_code == 200
    activity = await Activity.select().first()
    assert activity["animal_contact"] is True
    domains = await ActivityDomain.select(ActivityDomain.domain.key, ActivityDomain.strength)
    assert domains == [{"domain.key": "stress_management", "strength": 3}]
    page = await client.get(f"/catalog/activities/{activity['id']}")
    assert "animal_handling, first_aid" in page.text

    slot = await post_form(
        client,
        f"/catalog/activities/{activity['id']}/slots",
        {
            "weekday": "1",
            "start": "09:00",
            "end": "12:00",
            "valid_from": "2026-01-01",
            "staff_ids": [str(staff.id)],
        },
    )
    assert slot.status_code == 200
    assert await WeeklySlot.count() == 1
    assert await Session.count() == 12
    backwards = await post_form(
        client,
        f"/catalog/activities/{activity['id']}/slots",
        {"weekday": "1", "start": "12:00", "end": "09:00", "valid_from": "2026-01-01"},
    )
    assert backwards.status_code == 422
    assert 'id="end-error"' in backwards.text
    slot_id = (await WeeklySlot.select().first())["id"]
    ended = await post_form(client, f"/catalog/slots/{slot_id}/end", {})
    assert ended.status_code == 200
    statuses = {row["status"] for row in await Session.select(Session.status)}
    assert statuses == {"cancelled"}


async def test_activity_page_shows_refusals(client, as_coordinator):
    site = await h.site()
    bad = await post_form(
        client,
        "/catalog/activities/new",
        {
            "title": "Too small",
            "kind": "workshop",
            "site_id": str(site),
            "min_participants": "9",
            "max_participants": "3",
        },
    )
    assert bad.status_code == 422
    assert 'id="max_participants-error"' in bad.text
    demanding = await post_form(
        client,
        "/catalog/activities/new",
        {"title": "Odd", "kind": "workshop", "site_id": str(site), "demand_level": "7"},
    )
    assert demanding.status_code == 422
    assert 'id="demand_level-error"' in demanding.text
    assert await Activity.count() == 0


async def test_staff_profile_page(client, as_coordinator):
    site = await h.site()
    staff = await make_user(Role.staff, "olli@example.org")
    saved = await post_form(
        client,
        f"/catalog/staff/{staff.id}",
        {
            "skills": "woodwork, First aid",
            "site_ids": [str(site)],
            "start_0": "08:00",
            "end_0": "16:00",
            "start_4": "",
            "end_4": "",
        },
    )
    assert saved.status_code == 200
    skills = sorted(row["skill"] for row in await StaffSkill.select(StaffSkill.skill))
    assert skills == ["first_aid", "woodwork"]
    assert await StaffAvailability.count() == 1
    bad = await post_form(
        client, f"/catalog/staff/{staff.id}", {"start_1": "16:00", "end_1": "08:00"}
    )
    assert bad.status_code == 422
    assert "The end must be after the start." in bad.text


async def test_coordinators_manage_closures_and_hear_what_they_cancelled(client, db):
    site = await h.site()
    await h.slot(await h.activity(site), weekday=0, today=clock.today())
    staff = await make_user(Role.staff, "sanna@example.org")
    await api_login(client, staff.email)
    assert (await client.get("/admin/closures")).status_code == 403
    await client.post("/api/v1/auth/logout", json={})
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    assert (await client.get("/admin/closures")).status_code == 200
    first_monday = (await Session.select(Session.date).order_by(Session.date).first())["date"]
    added = await post_form(
        client,
        "/admin/closures",
        {
            "start_date": first_monday.isoformat(),
            "end_date": first_monday.isoformat(),
            "site_id": str(site),
            "reason": "Moving house",
        },
    )
    assert added.status_code == 200
    assert "Moving house" in added.text
    assert "The closure is saved; it cancelled 1 session." in added.text
    cancelled = await Session.select().where(Session.date == first_monday).first()
    assert cancelled["status"] == "cancelled"
    backwards = await post_form(
        client,
        "/admin/closures",
        {"start_date": "2026-05-02", "end_date": "2026-05-01", "reason": "x"},
    )
    assert backwards.status_code == 422
    closure_id = (await Closure.select().first())["id"]
    await post_form(client, f"/admin/closures/{closure_id}/delete", {})
    restored = await Session.select().where(Session.date == first_monday).first()
    assert restored["status"] == "planned"


@pytest.mark.parametrize("role", [Role.staff, Role.partner, Role.participant])
async def test_edit_pages_refuse_other_roles(client, db, role):
    site = await h.site()
    activity = await h.activity(site)
    user = await make_user(role, f"{role.value}@example.org", site_ids=[site])
    await api_login(client, user.email)
    refused = [
        await client.get("/catalog/sites/new"),
        await client.get(f"/catalog/sites/{site}"),
        await client.get("/catalog/partners"),
        await client.get(f"/catalog/activities/{activity}"),
        await client.get("/catalog/staff"),
        await post_form(client, "/catalog/sites/new", {"name": "x"}),
        await post_form(client, f"/catalog/activities/{activity}/slots", {"weekday": "0"}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    readable = 403 if role == Role.participant else 200
    assert (await client.get("/catalog/activities")).status_code == readable
    assert (await client.get("/catalog/sites")).status_code == readable


async def test_goal_domains_page(client, db):
    admin = await make_user(Role.admin, "admin@example.org")
    await api_login(client, admin.email)
    page = await client.get("/admin/goal-domains")
    assert "everyday_living" in page.text
    added = await post_form(
        client, "/admin/goal-domains", {"key": "housing", "label": "Housing", "is_active": "on"}
    )
    assert "housing" in added.text
    retired = await post_form(
        client, "/admin/goal-domains", {"key": "housing", "label": "Housing and home"}
    )
    assert retired.status_code == 200
    from service.catalog.tables import GoalDomain

    row = await GoalDomain.select().where(GoalDomain.key == "housing").first()
    assert (row["label"], row["is_active"]) == ("Housing and home", False)
    bad = await post_form(client, "/admin/goal-domains", {"key": "Bad Key", "label": "x"})
    assert bad.status_code == 422
    assert 'id="key-error"' in bad.text
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, coordinator.email)
    assert (await client.get("/admin/goal-domains")).status_code == 403
