"""Participants: records, capacity, goals, reviews and interests; who sees whom; the
audit of every view; export and erasure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service import clock
from service.audit.tables import AuditEvent
from service.auth.tables import Role
from service.db import app_tables
from service.people.tables import Goal, Participant
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user

AINO = {
    "display_name": "Aino Esimerkki",
    "preferred_language": "fi",
    "contact": "+358 40 555 0101",
    "support_person": "Mirja (sister)",
    "consent_calendar": True,
    "referral_date": "2026-09-01",
    "plan_start": "2026-10-01",
    "plan_end": "2027-09-30",
    "status": "active",
}


@pytest.fixture
async def coordinator(client, db):
    user = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, user.email)
    return user


async def create(client, **changes) -> dict:
    response = await client.post("/api/v1/participants", json={**AINO, **changes})
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_read_update(client, coordinator):
    created = await create(client)
    assert created["next_review"] == "2027-01-01"  # three months from the plan's start
    fetched = await client.get(f"/api/v1/participants/{created['id']}")
    assert fetched.json()["support_person"] == "Mirja (sister)"
    changed = await client.put(
        f"/api/v1/participants/{created['id']}",
        json={**AINO, "status": "paused", "next_review": "2026-12-01"},
    )
    assert changed.json()["status"] == "paused"
    listed = await client.get("/api/v1/participants", params={"status": "paused"})
    assert [p["id"] for p in listed.json()] == [created["id"]]
    assert (await client.get("/api/v1/participants", params={"q": "esimerk"})).json()
    assert (await client.get("/api/v1/participants", params={"q": "nobody"})).json() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"preferred_language": "xx"}, "preferred_language"),
        ({"plan_start": "2027-01-01", "plan_end": "2026-01-01"}, "plan_end"),
        ({"status": "lost"}, "status"),
        ({"contact_staff_id": 99999}, "contact_staff_id"),
        ({"diagnosis": "anything"}, "diagnosis"),
        ({"referral_date": "yesterday"}, "referral_date"),
    ],
)
async def test_record_refuses_bad_input(client, coordinator, change, field):
    response = await client.post("/api/v1/participants", json={**AINO, **change})
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await Participant.count() == 0


CAPACITY = {
    "weekly_hours": 9.5,
    "max_sessions_per_day": 1,
    "demand_tolerance": 3,
    "animal_contact_allowed": False,
    "windows": [{"weekday": 0, "start": "09:00:00", "end": "15:00:00"}],
    "blocked": [
        {"weekday": 2, "start": "10:00:00", "end": "11:00:00", "note": "therapy"},
        {"on_date": "2026-12-03", "start": "08:00:00", "end": "12:00:00"},
    ],
    "accessibility_needs": ["step_free"],
}


async def test_capacity(client, coordinator):
    participant = await create(client)
    site = await h.site()
    url = f"/api/v1/participants/{participant['id']}/capacity"
    saved = await client.put(url, json={**CAPACITY, "reachable_site_ids": [site]})
    assert saved.status_code == 200
    body = (await client.get(url)).json()
    assert body["weekly_hours"] == 9.5
    assert body["reachable_site_ids"] == [site]
    assert len(body["blocked"]) == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weekly_hours": 41}, "weekly_hours"),
        ({"weekly_hours": -1}, "weekly_hours"),
        ({"demand_tolerance": 0}, "demand_tolerance"),
        ({"max_sessions_per_day": 0}, "max_sessions_per_day"),
        ({"windows": [{"weekday": 0, "start": "15:00:00", "end": "09:00:00"}]}, "windows[0].end"),
        ({"windows": [{"weekday": 8, "start": "09:00:00", "end": "10:00:00"}]}, "windows"),
        ({"blocked": [{"start": "09:00:00", "end": "10:00:00"}]}, "blocked[0].weekday"),
        (
            {
                "blocked": [
                    {"weekday": 1, "on_date": "2026-12-01", "start": "09:00:00", "end": "10:00:00"}
                ]
            },
            "blocked[0].weekday",
        ),
        ({"accessibility_needs": ["jetpack"]}, "features"),
        ({"reachable_site_ids": [12345]}, "reachable_site_ids"),
    ],
)
async def test_capacity_refuses_malformed_input(client, coordinator, change, field):
    participant = await create(client)
    url = f"/api/v1/participants/{participant['id']}/capacity"
    response = await client.put(url, json={**CAPACITY, **change})
    assert response.status_code == 422, response.text
    fields = [error["field"] for error in response.json()["errors"]]
    assert any(name.startswith(field) for name in fields), fields
    assert (await client.get(url)).json()["windows"] == []  # nothing half-written


async def test_goals_reviews_and_due_list(client, coordinator):
    participant = await create(client, plan_start=None)
    pid = participant["id"]
    goal = await client.post(
        f"/api/v1/participants/{pid}/goals",
        json={
            "text": "I want to get up in the mornings and go somewhere twice a week.",
            "domains": ["everyday_living", "self_confidence"],
            "priority": 1,
        },
    )
    assert goal.status_code == 201
    assert goal.json()["domains"] == ["everyday_living", "self_confidence"]
    bad = await client.post(
        f"/api/v1/participants/{pid}/goals", json={"text": "x", "domains": ["astrology"]}
    )
    assert bad.status_code == 422
    assert (
        await client.post(f"/api/v1/participants/{pid}/goals", json={"text": "x", "priority": 4})
    ).status_code == 422
    today = clock.today()
    due = await client.get("/api/v1/reviews/due", params={"within_days": 120})
    assert [d["participant_id"] for d in due.json()] == [pid]
    review = await client.post(
        f"/api/v1/participants/{pid}/reviews",
        json={"goal_id": goal.json()["id"], "rating": 4, "note": "Came every week."},
    )
    assert review.status_code == 201
    record = (await client.get(f"/api/v1/participants/{pid}")).json()
    assert record["next_review"] > (today + timedelta(days=85)).isoformat()
    assert (await client.get("/api/v1/reviews/due")).json() == []
    assert (
        await client.post(
            f"/api/v1/participants/{pid}/reviews", json={"goal_id": goal.json()["id"], "rating": 6}
        )
    ).status_code == 422
    other = await create(client, display_name="Other Person")
    foreign_goal = await client.post(
        f"/api/v1/participants/{other['id']}/goals", json={"text": "Someone else's"}
    )
    wrong = await client.post(
        f"/api/v1/participants/{pid}/reviews",
        json={"goal_id": foreign_goal.json()["id"], "rating": 3},
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "goal_id"
    reviews = (await client.get(f"/api/v1/participants/{pid}/reviews")).json()
    assert [r["rating"] for r in reviews] == [4]


async def test_interests(client, coordinator):
    participant = await create(client)
    site = await h.site()
    woodwork, cafe = await h.activity(site), await h.activity(site, "Cafe")
    url = f"/api/v1/participants/{participant['id']}/interests"
    saved = await client.put(
        url,
        json={
            "wanted_activity_ids": [woodwork],
            "unwanted_kinds": ["green_care"],
            "strengths": ["good with numbers", "patient"],
        },
    )
    assert saved.status_code == 200
    assert saved.json()["wanted_activity_ids"] == [woodwork]
    both = await client.put(
        url, json={"wanted_activity_ids": [cafe], "unwanted_activity_ids": [cafe]}
    )
    assert both.status_code == 422
    assert (await client.put(url, json={"wanted_activity_ids": [4242]})).status_code == 422
    assert (await client.get(url)).json()["strengths"] == ["good with numbers", "patient"]


async def test_who_sees_whom(client, app, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    olli = await make_user(Role.staff, "olli@example.org")
    sanna = await make_user(Role.staff, "sanna@example.org")
    partner = await make_user(Role.partner, "farm@example.org")
    aino_account = await make_user(Role.participant, "aino@example.org")
    await make_user(Role.participant, "other@example.org")
    await api_login(client, coordinator.email)
    aino = await create(client, contact_staff_id=olli.id)
    other = await create(client, display_name="Other Person")
    from service.people.services import link_account
    from tests.schedule_helpers import ACTOR

    await link_account(ACTOR, aino["id"], aino_account.id)
    await client.post("/api/v1/auth/logout", json={})

    async def ids_seen_by(email: str) -> tuple[int, int, int]:
        await api_login(client, email)
        listing = await client.get("/api/v1/participants")
        own = await client.get(f"/api/v1/participants/{aino['id']}")
        foreign = await client.get(f"/api/v1/participants/{other['id']}")
        await client.post("/api/v1/auth/logout", json={})
        listed = len(listing.json()) if listing.status_code == 200 else listing.status_code
        return listed, own.status_code, foreign.status_code

    assert await ids_seen_by("olli@example.org") == (1, 200, 404)  # contact staff member
    assert await ids_seen_by("sanna@example.org") == (0, 404, 404)
    assert await ids_seen_by("aino@example.org") == (403, 200, 404)  # own record only
    assert await ids_seen_by("other@example.org") == (403, 404, 404)  # no record linked
    assert await ids_seen_by("farm@example.org") == (403, 403, 403)
    assert await ids_seen_by("kaisa@example.org") == (2, 200, 200)
    await api_login(client, "aino@example.org")
    me = await client.get("/api/v1/me/participant")
    assert me.json()["id"] == aino["id"]
    wish = await client.post(
        f"/api/v1/participants/{aino['id']}/goals", json={"text": "I'd like to try the farm."}
    )
    assert wish.status_code == 201
    assert (
        await client.put(f"/api/v1/participants/{aino['id']}/capacity", json=CAPACITY)
    ).status_code == 403
    assert (
        await client.post(f"/api/v1/participants/{other['id']}/goals", json={"text": "x"})
    ).status_code == 404
    del partner, sanna


async def test_every_view_and_change_is_audited_without_personal_data(client, coordinator):
    participant = await create(client)
    await client.get(f"/api/v1/participants/{participant['id']}")
    await client.get(f"/api/v1/participants/{participant['id']}/goals")
    rows = await AuditEvent.select().where(AuditEvent.entity == "participant")
    actions = [row["action"] for row in rows]
    assert {"participant.create", "participant.view", "participant.view_goals"} <= set(actions)
    assert all("Aino" not in str(row["details"]) for row in rows)


async def test_export_and_erase_are_for_administrators(client, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    aino = await create(client)
    await client.post(
        f"/api/v1/participants/{aino['id']}/goals", json={"text": "Aino wants to bake bread"}
    )
    assert (await client.get(f"/api/v1/participants/{aino['id']}/export")).status_code == 403
    assert (
        await client.post(f"/api/v1/participants/{aino['id']}/erase", json={})
    ).status_code == 403
    await client.post("/api/v1/auth/logout", json={})
    admin = await make_user(Role.admin, "admin@example.org")
    await api_login(client, admin.email)
    exported = await client.get(f"/api/v1/participants/{aino['id']}/export")
    assert exported.status_code == 200
    assert exported.json()["participant"]["display_name"] == "Aino Esimerkki"
    assert exported.json()["goals"][0]["text"] == "Aino wants to bake bread"


async def test_erasure_leaves_the_name_nowhere(client, db):
    admin = await make_user(Role.admin, "admin@example.org")
    account = await make_user(
        Role.participant, "aino.esimerkki@example.org", display_name="Aino Esimerkki"
    )
    await api_login(client, admin.email)
    aino = await create(client)
    from service.people.services import link_account
    from tests.schedule_helpers import ACTOR

    await link_account(ACTOR, aino["id"], account.id)
    await client.post(
        f"/api/v1/participants/{aino['id']}/goals",
        json={"text": "Aino Esimerkki wants to bake bread"},
    )
    await client.put(
        f"/api/v1/participants/{aino['id']}/interests", json={"strengths": ["Aino's patience"]}
    )
    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, "aino.esimerkki@example.org")  # leaves her email in the log
    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, admin.email)
    erased = await client.post(f"/api/v1/participants/{aino['id']}/erase", json={})
    assert erased.status_code == 200
    assert (await client.get(f"/api/v1/participants/{aino['id']}")).status_code == 404
    assert await Participant.count() == 1  # an anonymous row keeps the counts right
    assert await Goal.count() == 0
    for table in app_tables():
        rows = await table.select()
        text = repr(rows)
        for trace in ("Esimerkki", "aino.esimerkki", "555 0101", "Mirja"):
            assert trace not in text, f"{trace} left in {table._meta.tablename}"


async def test_staff_see_participants_placed_at_their_sites(client, db):
    from datetime import time

    from service.placements.services import PlacementIn, place

    site, other = await h.site("Own"), await h.site("Other")
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await make_user(Role.staff, "olli@example.org", site_ids=[site])
    await api_login(client, coordinator.email)
    aino, eero = await create(client), await create(client, display_name="Eero")
    today = clock.today()
    here = await h.slot(await h.activity(site), weekday=0, start=time(9), end=time(10), today=today)
    there = await h.slot(
        await h.activity(other, "Cafe"), weekday=0, start=time(9), end=time(10), today=today
    )
    await place(h.ACTOR, PlacementIn(participant_id=aino["id"], slot_id=here, start_date=today))
    await place(h.ACTOR, PlacementIn(participant_id=eero["id"], slot_id=there, start_date=today))
    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, "olli@example.org")
    listed = (await client.get("/api/v1/participants")).json()
    assert [p["display_name"] for p in listed] == ["Aino Esimerkki"]
    assert (await client.get(f"/api/v1/participants/{eero['id']}")).status_code == 404


# Each role against each participant route: the status a role gets for another
# person's record (the participant role's own record is covered above).
ROUTES = [
    ("GET", "/api/v1/participants", None),
    ("POST", "/api/v1/participants", AINO),
    ("GET", "/api/v1/participants/{id}", None),
    ("PUT", "/api/v1/participants/{id}", AINO),
    ("GET", "/api/v1/participants/{id}/capacity", None),
    ("PUT", "/api/v1/participants/{id}/capacity", CAPACITY),
    ("GET", "/api/v1/participants/{id}/goals", None),
    ("POST", "/api/v1/participants/{id}/goals", {"text": "x"}),
    ("GET", "/api/v1/participants/{id}/reviews", None),
    ("POST", "/api/v1/participants/{id}/reviews", {"goal_id": 1, "rating": 3}),
    ("GET", "/api/v1/participants/{id}/interests", None),
    ("PUT", "/api/v1/participants/{id}/interests", {}),
    ("GET", "/api/v1/reviews/due", None),
    ("GET", "/api/v1/participants/{id}/export", None),
    ("POST", "/api/v1/participants/{id}/erase", {}),
    ("POST", "/api/v1/participants/{id}/login-card", {}),
]
# per role: the status for each route above, in order (for someone else's record)
EXPECTED = {
    Role.coordinator: [
        200,
        201,
        200,
        200,
        200,
        200,
        200,
        201,
        200,
        201,
        200,
        200,
        200,
        403,
        403,
        200,
    ],
    Role.staff: [200, 403, 404, 403, 404, 403, 404, 404, 404, 404, 404, 404, 200, 403, 403, 404],
    Role.partner: [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    Role.participant: [
        403,
        403,
        404,
        403,
        404,
        403,
        404,
        404,
        404,
        403,
        404,
        404,
        403,
        403,
        403,
        403,
    ],
}


@pytest.mark.parametrize("role", list(EXPECTED))
async def test_permission_matrix(client, db, role):
    admin = await make_user(Role.admin, "admin@example.org")
    await api_login(client, admin.email)
    other = await create(client, display_name="Someone Else")
    await client.post("/api/v1/auth/logout", json={})
    user = await make_user(role, f"{role.value}@example.org")
    await api_login(client, user.email)
    statuses = []
    for method, path, body in ROUTES:
        url = path.format(id=other["id"])
        response = await client.request(method, url, json=body if body is not None else None)
        statuses.append(response.status_code)
    assert statuses == EXPECTED[role], list(zip([r[1] for r in ROUTES], statuses, strict=True))
