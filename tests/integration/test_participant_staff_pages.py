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
    rating = profile.text.split('name="rating"')[1].split("</select>")[0]
    assert '<option value="">' in rating and "selected" not in rating  # no score chosen
    unscored = await post_form(
        client, f"/participants/{row['id']}/reviews", {"goal_id": goal_id, "rating": ""}
    )
    assert unscored.status_code in (400, 422) and 'id="rating-error"' in unscored.text
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


async def test_capacity_and_goal_forms(client, db):
    from tests import schedule_helpers as h

    site = await h.site()
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    await post_form(client, "/participants/new", {"display_name": "Aino K.", "status": "active"})
    pid = (await Participant.select().first())["id"]
    form = {
        "weekly_hours": "7.5",
        "max_sessions_per_day": "1",
        "demand_tolerance": "2",
        "start_0": "09:00",
        "end_0": "14:00",
        "blocked_0_weekday": "2",
        "blocked_0_start": "10:00",
        "blocked_0_end": "11:00",
        "blocked_0_note": "therapy",
        "reachable_site_ids": [str(site)],
        "accessibility_needs": ["quiet_space"],
    }
    saved = await post_form(client, f"/participants/{pid}/capacity", form)
    assert saved.url.path == f"/participants/{pid}"
    capacity = (await client.get(f"/api/v1/participants/{pid}/capacity")).json()
    assert capacity["weekly_hours"] == 7.5
    assert capacity["animal_contact_allowed"] is False
    assert capacity["blocked"][0]["weekday"] == 2
    assert (await client.get(f"/participants/{pid}/capacity")).status_code == 200
    too_much = await post_form(
        client, f"/participants/{pid}/capacity", {**form, "weekly_hours": "45"}
    )
    assert too_much.status_code == 422
    assert 'id="weekly_hours-error"' in too_much.text
    backwards = await post_form(
        client, f"/participants/{pid}/capacity", {**form, "start_0": "14:00", "end_0": "09:00"}
    )
    assert backwards.status_code == 422
    both = await post_form(
        client, f"/participants/{pid}/capacity", {**form, "blocked_0_on_date": "2026-12-01"}
    )
    assert both.status_code == 422

    added = await post_form(
        client,
        f"/participants/{pid}/goals",
        {"text": "Cook for myself", "domains": ["everyday_living"], "priority": "1"},
    )
    assert "Cook for myself" in added.text
    goal = (await client.get(f"/api/v1/participants/{pid}/goals")).json()[0]
    await post_form(
        client,
        f"/participants/{pid}/goals",
        {
            "goal_id": str(goal["id"]),
            "text": goal["text"],
            "domains": goal["domains"],
            "priority": "2",
            "status": "achieved",
        },
    )
    changed = (await client.get(f"/api/v1/participants/{pid}/goals")).json()[0]
    assert (changed["status"], changed["priority"]) == ("achieved", 2)
    empty = await post_form(client, f"/participants/{pid}/goals", {"text": ""})
    assert empty.status_code == 422


async def test_interests_export_and_erase_from_the_profile(client, db):
    from tests import schedule_helpers as h

    site = await h.site()
    cafe = await h.activity(site, "Cafe")
    admin = await make_user(Role.admin, "admin@example.org")
    await api_login(client, admin.email)
    await post_form(client, "/participants/new", {"display_name": "Aino K.", "status": "active"})
    pid = (await Participant.select().first())["id"]
    saved = await post_form(
        client,
        f"/participants/{pid}/interests",
        {
            "wanted_activity_ids": [str(cafe)],
            "unwanted_kinds": ["green_care"],
            "strengths": "patient, funny",
        },
    )
    assert saved.status_code == 200
    interests = (await client.get(f"/api/v1/participants/{pid}/interests")).json()
    assert interests["wanted_activity_ids"] == [cafe]
    assert interests["strengths"] == ["funny", "patient"]
    clash = await post_form(
        client,
        f"/participants/{pid}/interests",
        {"wanted_activity_ids": [str(cafe)], "unwanted_activity_ids": [str(cafe)]},
    )
    assert clash.status_code == 422

    download = await client.get(f"/participants/{pid}/export.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    assert download.json()["participant"]["display_name"] == "Aino K."
    wrong = await post_form(client, f"/participants/{pid}/erase", {"confirm_name": "Aino"})
    assert wrong.status_code == 422
    assert (await Participant.select().first())["display_name"] == "Aino K."
    erased = await post_form(client, f"/participants/{pid}/erase", {"confirm_name": "Aino K."})
    assert erased.url.path == "/participants"
    assert (await Participant.select().first())["erased_at"] is not None

    await client.post("/api/v1/auth/logout", json={})
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    assert (await client.get(f"/participants/{pid}/export.json")).status_code == 403
    assert (await client.get(f"/participants/{pid}/erase")).status_code == 403
