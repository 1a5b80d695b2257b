"""Notifications over HTTP: the one-click unsubscribe without signing in, preferences
on the API and the pages (phone numbers checked, the field named), the outbox for
administrators, messages by recipient for coordinators, and retry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service import clock
from service.auth.tables import Role
from service.db import transaction
from service.notifications import services
from service.notifications.channels import senders_from
from service.notifications.schemas import Draft, PreferencesIn
from service.notifications.services import outbox
from service.notifications.services.render import unsubscribe_token
from service.notifications.tables import Notification, NotificationPreference
from service.people.schemas import ParticipantIn
from service.people.services import link_account, save_participant
from service.people.tables import ParticipantStatus
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user, post_form


@pytest.fixture
async def people(db):
    aino = await save_participant(
        h.ACTOR,
        ParticipantIn(
            display_name="Aino", status=ParticipantStatus.active, contact="aino@example.org"
        ),
    )
    account = await make_user(Role.participant, "aino@example.org")
    await link_account(h.ACTOR, aino.id, account.id)
    await services.save_preferences(h.ACTOR, PreferencesIn(email=True), participant_id=aino.id)
    coordinator = await make_user(Role.coordinator, "coordinator@example.org")
    staff = await make_user(Role.staff, "olli@example.org")
    admin = await make_user(Role.admin, "admin@example.org")
    async with transaction():
        await outbox.queue(
            [
                Draft(
                    dedup_key=f"absence:test:{who}",
                    kind="absence",
                    channel="email",
                    address=address,
                    language="en",
                    due_at=clock.utcnow() - timedelta(minutes=1),
                    payload={
                        "title": "Woodwork",
                        "date": "2026-09-17",
                        "start": "09:00",
                        "end": "12:00",
                        "name": "Aino",
                        "note": "",
                    },
                    recipient_user=user,
                    recipient_participant=participant,
                )
                for who, address, user, participant in [
                    ("aino", "aino@example.org", None, aino.id),
                    ("olli", "olli@example.org", staff.id, None),
                ]
            ]
        )
    return {"aino": aino.id, "coordinator": coordinator, "staff": staff, "admin": admin}


async def email_consent(participant_id: int) -> bool:
    row = (
        await NotificationPreference.select(NotificationPreference.email)
        .where(NotificationPreference.participant == participant_id)
        .first()
    )
    return bool(row and row["email"])


async def test_one_click_unsubscribe_works_without_signing_in(client, settings, people):
    token = unsubscribe_token(settings.secret_key, f"participant-{people['aino']}", "email")
    page = await client.get(f"/unsubscribe/{token}")  # a link scanner: changes nothing
    assert page.status_code == 200 and await email_consent(people["aino"])
    answer = await client.post(
        f"/unsubscribe/{token}",
        content="List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    assert not await email_consent(people["aino"])
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (await client.post(f"/unsubscribe/{forged}")).status_code == 404
    assert (await client.get("/unsubscribe/nonsense")).status_code == 404


async def test_preferences_on_the_api_store_e164_and_refuse_a_bad_number(client, people):
    assert (await api_login(client, "aino@example.org")).status_code == 200
    mine = (await client.get("/api/v1/me/notification-preferences")).json()
    assert mine["email"] is True and mine["sms"] is False
    saved = await client.put(
        "/api/v1/me/notification-preferences",
        json={"email": True, "sms": True, "phone": "040 123 4567", "quiet_from": "22:00:00"},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["phone"] == "+358401234567"
    bad = await client.put("/api/v1/me/notification-preferences", json={"sms": True, "phone": "12"})
    assert bad.status_code in (400, 422) and "phone" in bad.text
    no_number = await client.put("/api/v1/me/notification-preferences", json={"sms": True})
    assert no_number.status_code in (400, 422) and "phone" in no_number.text
    assert (await client.get("/api/v1/me/notification-preferences")).json()[
        "phone"
    ] == "+358401234567"


async def test_the_preferences_page_names_the_bad_field(client, people):
    await api_login(client, "aino@example.org")
    assert (await client.get("/me/notifications")).status_code == 200
    refused = await post_form(
        client, "/me/notifications", {"email": "on", "sms": "on", "phone": "abc"}
    )
    assert refused.status_code == 422 and 'id="phone-error"' in refused.text
    saved = await post_form(client, "/me/notifications", {"sms": "on", "phone": "+358 40 765 4321"})
    assert saved.status_code == 200
    prefs = await services.preferences(participant_id=people["aino"])
    assert (prefs.email, prefs.sms, prefs.phone) == (False, True, "+358407654321")


async def test_own_messages_and_coordinators_by_recipient(client, people):
    await api_login(client, "aino@example.org")
    own = (await client.get("/api/v1/notifications")).json()
    assert [n["address"] for n in own] == ["aino@example.org"]
    assert (
        await client.get(f"/api/v1/notifications?recipient_user={people['staff'].id}")
    ).status_code == 403
    await api_login(client, "coordinator@example.org")
    theirs = (await client.get(f"/api/v1/notifications?recipient_user={people['staff'].id}")).json()
    assert [n["address"] for n in theirs] == ["olli@example.org"]
    by_participant = (
        await client.get(f"/api/v1/notifications?participant={people['aino']}")
    ).json()
    assert [n["address"] for n in by_participant] == ["aino@example.org"]
    assert (await client.get("/api/v1/notifications?state=nonsense")).status_code in (400, 422)


async def test_retry_is_for_planners_and_only_for_failed_messages(client, people):
    (row,) = await Notification.select(Notification.id).where(
        Notification.address == "olli@example.org"
    )
    await Notification.update({Notification.state: "failed", Notification.attempts: 6}).where(
        Notification.id == row["id"]
    )
    await api_login(client, "olli@example.org")
    assert (
        await client.post(f"/api/v1/notifications/{row['id']}/retry", json={})
    ).status_code == 403
    await api_login(client, "coordinator@example.org")
    assert (await client.post(f"/api/v1/notifications/{row['id']}/retry", json={})).json() == {
        "queued": True
    }
    again = (
        await Notification.select(Notification.state, Notification.attempts)
        .where(Notification.id == row["id"])
        .first()
    )
    assert again == {"state": "queued", "attempts": 0}
    assert (await client.post(f"/api/v1/notifications/{row['id']}/retry", json={})).json() == {
        "queued": True
    }
    assert (await client.post("/api/v1/notifications/999999/retry", json={})).status_code == 404


async def test_the_outbox_page_shows_what_would_have_been_sent(client, settings, people):
    await services.deliver_due(settings, senders_from(settings))
    await api_login(client, "coordinator@example.org")
    assert (await client.get("/admin/outbox")).status_code == 403
    await api_login(client, "admin@example.org")
    page = await client.get("/admin/outbox")
    assert page.status_code == 200
    assert "olli@example.org" in page.text and "Aino can&#39;t come to Woodwork" in page.text
    assert "kept in the outbox log" in page.text


async def test_a_refused_address_and_a_given_up_message_show_on_the_profile(client, people):
    await Notification.update(
        {Notification.state: "failed", Notification.last_answer: "refused: 550 No such user"}
    ).where(Notification.address == "aino@example.org")
    await outbox.mark_failing("aino@example.org", "refused: 550 No such user")
    await api_login(client, "coordinator@example.org")
    profile = await client.get(f"/participants/{people['aino']}")
    assert profile.status_code == 200
    assert "The address aino@example.org is failing" in profile.text
    assert "Messages that did not arrive" in profile.text
