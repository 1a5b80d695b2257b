"""Catalogue API: sites, rooms, partners, goal domains, activities and staff profiles."""

from __future__ import annotations

import pytest

from service.audit.tables import AuditEvent
from service.auth.tables import Role
from service.catalog.tables import Activity, ActivityDomain, Partner, Site
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user


@pytest.fixture
async def coordinator(client, db):
    user = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, user.email)
    return user


SITE = {
    "name": "Kotiranta farm",
    "time_zone": "Europe/Helsinki",
    "country": "FI",
    "address": "Kotirannantie 88",
    "phone": "+358 50 765 4321",
    "features": ["parking", "step_free"],
}


async def test_sites_and_rooms(client, coordinator):
    created = await client.post("/api/v1/sites", json=SITE)
    assert created.status_code == 201
    site = created.json()
    assert site["features"] == ["parking", "step_free"]
    room = await client.post(
        f"/api/v1/sites/{site['id']}/rooms", json={"name": "Barn", "capacity": 12}
    )
    assert room.status_code == 201
    duplicate = await client.post(f"/api/v1/sites/{site['id']}/rooms", json={"name": "barn"})
    assert duplicate.status_code == 409
    updated = await client.put(
        f"/api/v1/sites/{site['id']}", json={**SITE, "name": "Kotiranta", "features": []}
    )
    assert updated.json()["name"] == "Kotiranta"
    assert updated.json()["features"] == []
    assert updated.json()["rooms"][0]["name"] == "Barn"
    assert (await client.delete(f"/api/v1/rooms/{room.json()['id']}")).status_code == 204
    assert (await client.delete(f"/api/v1/sites/{site['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/sites/{site['id']}")).status_code == 404
    actions = {row["action"] for row in await AuditEvent.select(AuditEvent.action)}
    assert {"site.create", "site.update", "room.create", "room.delete", "site.delete"} <= actions


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_zone": "Moon/Base"}, "time_zone"),
        ({"country": "XX"}, "country"),
        ({"features": ["teleporter"]}, "features"),
        ({"name": ""}, "name"),
        ({"partner_id": 999}, "partner_id"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_site_refuses_bad_input(client, coordinator, change, field):
    response = await client.post("/api/v1/sites", json={**SITE, **change})
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await Site.count() == 0


async def test_site_with_activities_cannot_be_deleted(client, coordinator):
    site = await h.site()
    await h.activity(site)
    response = await client.delete(f"/api/v1/sites/{site}")
    assert response.status_code == 409
    assert await Site.count() == 1


async def test_partners(client, coordinator):
    created = await client.post(
        "/api/v1/partners",
        json={"name": "Kotiranta farm", "kind": "farm", "contact_name": "Heikki"},
    )
    assert created.status_code == 201
    partner = created.json()
    site = await client.post("/api/v1/sites", json={**SITE, "partner_id": partner["id"]})
    assert (await client.get(f"/api/v1/partners/{partner['id']}")).json()["site_ids"] == [
        site.json()["id"]
    ]
    assert (await client.delete(f"/api/v1/partners/{partner['id']}")).status_code == 409
    bad = await client.post("/api/v1/partners", json={"name": "X", "kind": "bank"})
    assert bad.status_code == 422
    assert await Partner.count() == 1


ACTIVITY = {
    "title": "Woodwork",
    "kind": "workshop",
    "demand_level": 3,
    "min_participants": 3,
    "max_participants": 8,
    "participants_per_staff": 4,
    "what_to_bring": "Sturdy shoes",
    "domains": [{"key": "everyday_living", "strength": 2}, {"key": "self_confidence"}],
    "required_skills": ["woodwork"],
    "features": ["seated_work"],
}


async def test_activities(client, coordinator):
    site = await h.site()
    created = await client.post("/api/v1/activities", json={**ACTIVITY, "site_id": site})
    assert created.status_code == 201
    activity = created.json()
    assert [d["key"] for d in activity["domains"]] == ["everyday_living", "self_confidence"]
    assert activity["required_skills"] == ["woodwork"]
    listed = await client.get("/api/v1/activities", params={"kind": "workshop"})
    assert [a["id"] for a in listed.json()] == [activity["id"]]
    assert (await client.get("/api/v1/activities", params={"kind": "green_care"})).json() == []
    changed = await client.put(
        f"/api/v1/activities/{activity['id']}", json={**ACTIVITY, "site_id": site, "domains": []}
    )
    assert changed.json()["domains"] == []
    translated = await client.put(
        f"/api/v1/activities/{activity['id']}",
        json={**ACTIVITY, "site_id": site, "titles": {"fi": "Puutyö"}},
    )
    assert translated.json()["titles"] == {"fi": "Puutyö"}
    assert (await client.delete(f"/api/v1/activities/{activity['id']}")).status_code == 204


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"min_participants": 9, "max_participants": 4}, "max_participants"),
        ({"demand_level": 6}, "demand_level"),
        ({"kind": "party"}, "kind"),
        ({"participants_per_staff": 0}, "participants_per_staff"),
        ({"domains": [{"key": "astrology"}]}, "domains"),
        ({"domains": [{"key": "interaction"}, {"key": "interaction"}]}, "domains"),
        ({"domains": [{"key": "interaction", "strength": 4}]}, "strength"),
        ({"required_skills": ["Bad Skill!"]}, "required_skills"),
        ({"site_id": 4242}, "site_id"),
        ({"titles": {"de": "Holzarbeit"}}, "titles.de"),
        ({"titles": {"fi": ""}}, "titles"),
    ],
)
async def test_activity_refuses_bad_input(client, coordinator, change, field):
    site = await h.site()
    response = await client.post("/api/v1/activities", json={**ACTIVITY, "site_id": site, **change})
    assert response.status_code == 422, response.text
    fields = [error["field"] for error in response.json()["errors"]]
    assert any(field in name for name in fields), fields
    assert await Activity.count() == 0
    assert await ActivityDomain.count() == 0


async def test_goal_domains_are_seeded_and_admins_add_more(client, db):
    admin = await make_user(Role.admin, "admin@example.org")
    await api_login(client, admin.email)
    keys = [d["key"] for d in (await client.get("/api/v1/goal-domains")).json()]
    assert keys[:6] == [
        "everyday_living",
        "interaction",
        "social_networks",
        "decision_making",
        "stress_management",
        "self_confidence",
    ]
    added = await client.post("/api/v1/goal-domains", json={"key": "housing", "label": "Housing"})
    assert added.status_code == 200
    assert (
        await client.post("/api/v1/goal-domains", json={"key": "Bad Key", "label": "x"})
    ).status_code == 422


async def test_staff_profiles(client, coordinator):
    site = await h.site()
    staff = await make_user(Role.staff, "olli@example.org")
    saved = await client.put(
        f"/api/v1/staff/{staff.id}",
        json={
            "skills": ["woodwork", "first_aid"],
            "site_ids": [site],
            "availability": [{"weekday": 0, "start": "08:00:00", "end": "16:00:00"}],
        },
    )
    assert saved.status_code == 200
    assert saved.json()["skills"] == ["first_aid", "woodwork"]
    assert saved.json()["site_ids"] == [site]
    bad = await client.put(
        f"/api/v1/staff/{staff.id}",
        json={"availability": [{"weekday": 0, "start": "16:00:00", "end": "08:00:00"}]},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "availability[0].end"
    assert (await client.get(f"/api/v1/staff/{coordinator.id}")).status_code == 404
    assert [s["email"] for s in (await client.get("/api/v1/staff")).json()] == [staff.email]


@pytest.mark.parametrize("role", [Role.staff, Role.partner, Role.participant])
async def test_only_planners_edit_the_catalogue(client, db, role):
    site = await h.site()
    user = await make_user(role, f"{role.value}@example.org", site_ids=[site])
    await api_login(client, user.email)
    writes = [
        await client.post("/api/v1/sites", json=SITE),
        await client.put(f"/api/v1/sites/{site}", json=SITE),
        await client.delete(f"/api/v1/sites/{site}"),
        await client.post(f"/api/v1/sites/{site}/rooms", json={"name": "x"}),
        await client.post("/api/v1/partners", json={"name": "x", "kind": "farm"}),
        await client.post("/api/v1/activities", json={**ACTIVITY, "site_id": site}),
        await client.put(f"/api/v1/staff/{user.id}", json={}),
        await client.post("/api/v1/goal-domains", json={"key": "xx", "label": "x"}),
    ]
    assert [r.status_code for r in writes] == [403] * len(writes)
    assert await Site.count() == 1


async def test_staff_and_partners_read_only_their_own_sites(client, db):
    own, other = await h.site("Own"), await h.site("Other")
    own_activity, other_activity = await h.activity(own), await h.activity(other, "Cafe")
    partner = await make_user(Role.partner, "farm@example.org", site_ids=[own])
    await api_login(client, partner.email)
    assert [s["id"] for s in (await client.get("/api/v1/sites")).json()] == [own]
    assert (await client.get(f"/api/v1/sites/{other}")).status_code == 404
    assert [a["id"] for a in (await client.get("/api/v1/activities")).json()] == [own_activity]
    assert (await client.get(f"/api/v1/activities/{other_activity}")).status_code == 404
    assert (await client.get("/api/v1/partners")).status_code == 403


async def test_participants_have_no_access_here(client, db):
    participant = await make_user(Role.participant, "p@example.org")
    await api_login(client, participant.email)
    for url in (
        "/api/v1/sites",
        "/api/v1/activities",
        "/api/v1/slots",
        "/planner",
        "/api/v1/sessions?start=2026-01-05&end=2026-01-11",
        "/api/v1/closures",
    ):
        assert (await client.get(url)).status_code == 403, url
