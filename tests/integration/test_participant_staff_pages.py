"""Participant pages for coordinators and staff: list, profile, record form, reviews."""

from __future__ import annotations

from service.auth.tables import Role
from service.people.tables import Participant, Review
from tests.helpers import api_login, make_user, post_form


async def test_coordinator_creates_reviews_and_finds_a_participant(client, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    olli = await make_user(Role.staff, "olli@example.org", display_name="Olli")
    await api_login(client, coordinator.email)
    created = await post_form(
        client,
        "/participants/new",
        {
            "display_name": "Aino K.",
            "preferred_language": "fi",
            "status": "active",
            "contact_staff_id": str(olli.id),
            "referral_date": "2026-09-01",
            "plan_start": "2026-10-01",
            "consent_calendar": "on",
        },
    )
    assert created.status_code == 200
    row = await Participant.select().first()
    assert created.url.path == f"/participants/{row['id']}"
    assert row["consent_calendar"] is True and row["consent_notifications"] is False
    bad = await post_form(
        client,
        f"/participants/{row['id']}/edit",
        {
            "display_name": "Aino K.",
            "status": "active",
            "plan_start": "2026-10-01",
            "plan_end": "2026-01-01",
        },
    )
    assert bad.status_code == 422
    assert 'id="plan_end-error"' in bad.text
    await client.post(
        f"/api/v1/participants/{row['id']}/goals",
        json={"text": "Cook for myself", "domains": ["everyday_living"]},
    )
    profile = await client.get(f"/participants/{row['id']}")
    assert "Cook for myself" in profile.text
    goal_id = profile.text.split('name="goal_id"')[1].split('value="')[1].split('"')[0]
    review = await post_form(
        client,
        f"/participants/{row['id']}/reviews",
        {"goal_id": goal_id, "rating": "4", "note": "Good weeks"},
    )
    assert review.status_code == 200
    assert await Review.count() == 1
    wrong = await post_form(
        client, f"/participants/{row['id']}/reviews", {"goal_id": goal_id, "rating": "9"}
    )
    assert wrong.status_code == 422
    listing = await client.get("/participants", params={"q": "aino", "status": "active"})
    assert "Aino K." in listing.text
    assert "Aino K." not in (await client.get("/participants", params={"q": "zz"})).text
    assert (await client.get("/participants", params={"status": "lost"})).status_code == 422
    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, olli.email)  # the contact staff member sees the profile
    assert (await client.get(f"/participants/{row['id']}")).status_code == 200
    assert (await client.get("/participants/new")).status_code == 403


async def test_other_roles_are_kept_out(client, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    await post_form(client, "/participants/new", {"display_name": "Aino K.", "status": "active"})
    row = await Participant.select().first()
    await client.post("/api/v1/auth/logout", json={})
    stranger = await make_user(Role.staff, "sanna@example.org")
    await api_login(client, stranger.email)
    assert (await client.get(f"/participants/{row['id']}")).status_code == 404
    assert "Aino" not in (await client.get("/participants")).text
    await client.post("/api/v1/auth/logout", json={})
    for role in (Role.partner, Role.participant):
        user = await make_user(role, f"{role.value}@example.org")
        await api_login(client, user.email)
        assert (await client.get("/participants")).status_code == 403
        assert (await client.get(f"/participants/{row['id']}")).status_code == 403
        await client.post("/api/v1/auth/logout", json={})
