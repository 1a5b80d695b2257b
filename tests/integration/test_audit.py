"""The audit log records writes, and administrators can read and filter it."""

from __future__ import annotations

from service.audit.services import Actor, AuditFilter, list_events, record
from service.auth.tables import Role
from service.db import transaction
from tests.helpers import api_login, make_user


async def test_record_keeps_who_what_which_when_where(db):
    user = await make_user(Role.coordinator, "kaisa@example.org")
    from service.auth.services import load_current_user

    actor = Actor(user=await load_current_user(user.id), ip="192.0.2.7", user_agent="Tablet")
    await record(actor, "site.update", entity="site", entity_id=12, details={"name": "Uusi"})
    events, total = await list_events(AuditFilter(action="site."))
    assert total == 1
    event = events[0]
    assert (event.actor_id, event.actor_label, event.entity, event.entity_id) == (
        user.id,
        "kaisa@example.org",
        "site",
        "12",
    )
    assert (event.ip, event.user_agent, event.details) == ("192.0.2.7", "Tablet", {"name": "Uusi"})
    assert event.at is not None


async def test_record_is_rolled_back_with_its_change(db):
    class Boom(Exception):
        pass

    try:
        async with transaction():
            await record(Actor.system("test"), "thing.delete", entity="thing", entity_id=1)
            raise Boom
    except Boom:
        pass
    assert (await list_events(AuditFilter(action="thing.")))[1] == 0


async def test_admin_reads_and_filters_the_log(client, db):
    admin = await make_user(Role.admin, "admin@example.org")
    await make_user(Role.staff, "olli@example.org")
    await api_login(client, admin.email)
    everything = await client.get("/api/v1/audit")
    assert everything.status_code == 200
    actions = [item["action"] for item in everything.json()["items"]]
    assert actions[0] == "auth.login"  # newest first
    assert actions.count("user.create") == 2
    only_logins = await client.get("/api/v1/audit", params={"action": "auth."})
    assert {item["action"] for item in only_logins.json()["items"]} == {"auth.login"}
    page = await client.get("/admin/audit", params={"action": "user.create"})
    assert page.status_code == 200
    assert page.text.count("<code>user.create</code>") == 2
    bad_page = await client.get("/api/v1/audit", params={"page": 0})
    assert bad_page.status_code == 422
    assert bad_page.json()["errors"][0]["field"] == "page"
