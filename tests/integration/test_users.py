"""User administration: what administrators can do, and what every route refuses."""

from __future__ import annotations

import pytest

from service.audit.tables import AuditEvent
from service.auth.tables import Role, User, UserSite
from tests.helpers import PASSWORD, api_login, make_site, make_user, post_form


@pytest.fixture
async def as_admin(client, db):
    admin = await make_user(Role.admin, "admin@example.org")
    assert (await api_login(client, admin.email)).status_code == 200
    return admin


async def test_admin_creates_staff_linked_to_sites(client, as_admin):
    site = await make_site("Pajatalo")
    response = await client.post(
        "/api/v1/users",
        json={
            "email": "Olli@Example.org",
            "role": "staff",
            "display_name": "Olli",
            "site_ids": [site],
            "password": "a good password",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "olli@example.org"
    assert body["site_ids"] == [site]
    event = await (
        AuditEvent.select()
        .where(AuditEvent.action == "user.create")
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )
    assert event["actor"] == as_admin.id
    assert event["entity_id"] == str(body["id"])
    assert event["ip"] == "10.1.2.3"
    # and the new account signs in
    await client.post("/api/v1/auth/logout", json={})
    assert (await api_login(client, "olli@example.org", "a good password")).status_code == 200


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"email": "not-an-email", "role": "staff"}, 422, "email"),
        ({"email": "a@example.org", "role": "boss"}, 422, "role"),
        ({"email": "a@example.org", "role": "staff", "language": "xx"}, 422, "language"),
        ({"email": "a@example.org", "role": "staff", "password": "short"}, 422, "password"),
        ({"email": "a@example.org", "role": "staff", "site_ids": [999]}, 422, "site_ids"),
        ({"email": "a@example.org", "role": "staff", "surprise": 1}, 422, "surprise"),
        ({"role": "staff"}, 422, "email"),
    ],
)
async def test_create_user_refuses_bad_input_and_writes_nothing(
    client, as_admin, payload, status, field
):
    response = await client.post("/api/v1/users", json=payload)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {error["field"].split(".")[-1] for error in response.json()["errors"]}
    assert await User.count() == 1  # only the admin
    assert await UserSite.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "user.create") == 1  # the admin


async def test_duplicate_email_is_a_conflict(client, as_admin):
    await make_user(Role.staff, "olli@example.org")
    response = await client.post(
        "/api/v1/users", json={"email": "OLLI@example.org", "role": "staff"}
    )
    assert response.status_code == 409
    assert "olli@example.org" in response.json()["detail"]


async def test_update_user_changes_role_and_sites(client, as_admin):
    one, two = await make_site("One"), await make_site("Two")
    user = await make_user(Role.staff, "olli@example.org", site_ids=[one])
    response = await client.patch(f"/api/v1/users/{user.id}", json={"site_ids": [two, one]})
    assert response.json()["site_ids"] == sorted([one, two])
    coordinator = await client.patch(f"/api/v1/users/{user.id}", json={"role": "coordinator"})
    assert coordinator.json()["role"] == "coordinator"
    assert coordinator.json()["site_ids"] == []  # sites belong to staff and partners only
    assert (await client.patch("/api/v1/users/9999", json={"display_name": "x"})).status_code == 404
    bad = await client.patch(f"/api/v1/users/{user.id}", json={"site_ids": [one, 12345]})
    assert bad.status_code == 422


async def test_admin_cannot_lock_themselves_out(client, as_admin):
    response = await client.patch(f"/api/v1/users/{as_admin.id}", json={"is_active": False})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "is_active"


async def test_user_pages_create_edit_and_reset(client, as_admin):
    site = await make_site("Kotiranta farm")
    listing = await client.get("/admin/users")
    assert listing.status_code == 200
    assert "admin@example.org" in listing.text
    form = await client.get("/admin/users/new")
    assert "Kotiranta farm" in form.text

    created = await post_form(
        client,
        "/admin/users/new",
        {
            "email": "heikki@example.org",
            "display_name": "Heikki",
            "role": "partner",
            "site_ids": [str(site)],
            "language": "fi",
        },
    )
    assert created.status_code == 200
    assert "<code>" in created.text  # the temporary password, shown once
    row = await User.select().where(User.email == "heikki@example.org").first()
    assert row["must_change_password"] is True
    assert row["language"] == "fi"

    invalid = await post_form(client, "/admin/users/new", {"email": "nope", "role": "staff"})
    assert invalid.status_code == 422
    assert 'id="email-error"' in invalid.text

    edited = await post_form(
        client,
        f"/admin/users/{row['id']}",
        {
            "display_name": "Heikki Kotiranta",
            "role": "partner",
            "site_ids": [str(site)],
            "is_active": "on",
        },
    )
    assert edited.url.path == f"/admin/users/{row['id']}"
    assert "Heikki Kotiranta" in edited.text

    reset = await post_form(client, f"/admin/users/{row['id']}/reset-password", {})
    assert reset.status_code == 200
    assert "<code>" in reset.text
    assert (await client.get("/admin/users/424242")).status_code == 404


async def test_search_and_filter_users(client, as_admin):
    await make_user(Role.staff, "olli@example.org", display_name="Olli Ohjaaja")
    await make_user(Role.partner, "farm@example.org", display_name="Farm")
    staff = await client.get("/api/v1/users", params={"role": "staff"})
    assert [u["email"] for u in staff.json()] == ["olli@example.org"]
    found = await client.get("/api/v1/users", params={"q": "ohjaaja"})
    assert [u["email"] for u in found.json()] == ["olli@example.org"]
    bad_role = await client.get("/api/v1/users", params={"role": "boss"})
    assert bad_role.status_code == 422
    assert bad_role.json()["errors"][0]["field"] == "role"


@pytest.mark.parametrize("role", [Role.coordinator, Role.staff, Role.partner, Role.participant])
async def test_only_admins_manage_users(client, db, role):
    target = await make_user(Role.staff, "target@example.org")
    user = await make_user(role, f"{role.value}@example.org")
    await api_login(client, user.email, PASSWORD)
    checks = [
        await client.get("/api/v1/users"),
        await client.post("/api/v1/users", json={"email": "x@example.org", "role": "staff"}),
        await client.get(f"/api/v1/users/{target.id}"),
        await client.patch(f"/api/v1/users/{target.id}", json={"display_name": "x"}),
        await client.post(f"/api/v1/users/{target.id}/password-reset", json={}),
        await client.get("/api/v1/audit"),
        await client.get("/admin/users"),
        await client.get("/admin/audit"),
        await post_form(client, f"/admin/users/{target.id}/reset-password", {}),
    ]
    assert [response.status_code for response in checks] == [403] * len(checks)
    assert await User.count().where(User.email == "x@example.org") == 0


async def test_anonymous_requests_are_sent_to_sign_in(client, db):
    api = await client.get("/api/v1/users")
    assert api.status_code == 401
    assert api.json()["status"] == 401
    page = await client.get("/admin/users", follow_redirects=False)
    assert page.status_code == 302
    assert page.headers["location"] == "/login?next=/admin/users"
