"""Login cards: a one-time code (and QR) signs a participant in without a password;
cards can be revoked and reissued."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from service.app import create_app
from service.auth.tables import Role, User
from service.people.cards import normalize
from service.people.tables import LoginCard, Participant
from tests.conftest import make_client, running
from tests.helpers import api_login, csrf_token, make_user, post_form


def preview_text(html: str, code: str) -> str:
    """The card page without what differs by request: the code and the CSRF tokens."""
    html = html.replace(code, "CODE").replace(normalize(code), "CODE")
    return re.sub(r"[0-9a-f]{64,}", "CSRF", html)


async def sign_in_with(app, code: str) -> int:
    """Use the card on another phone: 200 (signed in, on /me) or 404."""
    async with make_client(app) as phone:
        response = await post_form(phone, f"/card/{code}", {})
        assert response.status_code != 200 or response.url.path == "/me"
        return response.status_code


@pytest.fixture
async def issued(client, db):
    """A card for Aino, who has no email and so no account yet."""
    olli = await make_user(Role.staff, "olli@example.org")
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    aino = (
        await client.post(
            "/api/v1/participants",
            json={"display_name": "Aino Koskinen", "status": "active", "contact_staff_id": olli.id},
        )
    ).json()
    card = await client.post(f"/api/v1/participants/{aino['id']}/login-card", json={})
    assert card.status_code == 200
    await client.post("/api/v1/auth/logout", json={})
    return {"participant": aino, **card.json()}


async def test_the_card_signs_in_once(client, app, issued):
    code = issued["code"]
    assert issued["url"].endswith(f"/card/{code}")
    assert await LoginCard.count() == 1
    stored = await LoginCard.select().first()
    assert code not in str(stored)  # only a hash is kept
    account = await User.select().where(User.role == "participant").first()
    assert account["email"].endswith("@card.tupa.invalid")

    preview = await client.get(f"/card/{code}")  # what a link preview or scanner does
    assert preview.status_code == 200
    assert "Aino" not in preview.text
    assert preview_text(preview.text, code) == preview_text(
        (await client.get("/card/AAAA-BBBB-CCCC")).text, "AAAA-BBBB-CCCC"
    )
    signed_in = await post_form(client, f"/card/{code}", {})
    assert signed_in.url.path == "/me"
    me = await client.get("/api/v1/me/participant")
    assert me.json()["id"] == issued["participant"]["id"]

    async with make_client(app) as other_phone:
        await other_phone.get("/login")
        again = await other_phone.post(
            f"/card/{code}", data={"_csrf_token": await csrf_token(other_phone)}
        )
        assert again.status_code == 404
        assert "This card no longer works" in again.text
        # Opening the link still looks the same as for any code.
        reopened = await other_phone.get(f"/card/{code}")
        assert reopened.status_code == 200
        assert preview_text(reopened.text, code) == preview_text(preview.text, code)


async def test_a_typed_code_works_in_any_case(client, issued):
    typed = issued["code"].replace("-", " ").lower()
    signed_in = await post_form(client, "/card", {"code": typed})
    assert signed_in.url.path == "/me"
    wrong = await post_form(client, "/card", {"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 404


async def test_reissue_and_revoke_stop_old_cards(client, app, issued):
    coordinator_email = "kaisa@example.org"
    await api_login(client, coordinator_email)
    pid = issued["participant"]["id"]
    newer = (await client.post(f"/api/v1/participants/{pid}/login-card", json={})).json()
    assert await sign_in_with(app, issued["code"]) == 404
    revoked = await client.post(f"/api/v1/participants/{pid}/login-card/revoke", json={})
    assert revoked.json() == {"revoked": 1}
    assert await sign_in_with(app, newer["code"]) == 404
    newest = (await client.post(f"/api/v1/participants/{pid}/login-card", json={})).json()
    assert await sign_in_with(app, newest["code"]) == 200


async def test_old_cards_expire(client, app, issued):
    await LoginCard.update({LoginCard.created_at: LoginCard.created_at - timedelta(days=31)}).where(
        LoginCard.id > 0
    )
    assert (await client.get(f"/card/{issued['code']}")).status_code == 200  # tells nothing
    assert await sign_in_with(app, issued["code"]) == 404


async def test_erased_participants_cards_are_gone(client, app, issued):
    admin = await make_user(Role.admin, "admin@example.org")
    await api_login(client, admin.email)
    await client.post(f"/api/v1/participants/{issued['participant']['id']}/erase", json={})
    await client.post("/api/v1/auth/logout", json={})
    assert await sign_in_with(app, issued["code"]) == 404
    assert await LoginCard.count() == 0


async def test_who_may_issue_cards(client, issued):
    pid = issued["participant"]["id"]
    await api_login(client, "olli@example.org")  # the contact staff member may
    assert (await client.post(f"/api/v1/participants/{pid}/login-card", json={})).status_code == 200
    await client.post("/api/v1/auth/logout", json={})
    stranger = await make_user(Role.staff, "sanna@example.org")
    await api_login(client, stranger.email)
    assert (await client.post(f"/api/v1/participants/{pid}/login-card", json={})).status_code == 404
    await client.post("/api/v1/auth/logout", json={})
    partner = await make_user(Role.partner, "farm@example.org")
    await api_login(client, partner.email)
    assert (await client.post(f"/api/v1/participants/{pid}/login-card", json={})).status_code == 403


async def test_printed_card_page_has_the_qr_code(client, app, issued):
    await api_login(client, "kaisa@example.org")
    pid = issued["participant"]["id"]
    printed = await post_form(client, f"/participants/{pid}/card", {})
    assert printed.status_code == 200
    assert "<svg" in printed.text
    code = printed.text.split('class="card-code"><code>')[1].split("<")[0]
    assert await sign_in_with(app, code) == 200
    assert await Participant.count() == 1


async def test_opening_card_links_is_rate_limited_per_address(db, settings):
    """Codes cannot be tried by opening links either: every GET or POST of a card counts
    against the client address's sign-in attempts."""
    app = create_app(replace(settings, login_attempts_per_minute=3), engine=db.engine)
    async with running(app), make_client(app) as client:
        statuses = [(await client.get(f"/card/AAAA-BBBB-CC{n}{n}")).status_code for n in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert "Retry-After" in (await client.get("/card/AAAA-BBBB-CCDD")).headers
        assert (await client.get("/login")).status_code == 200  # other pages are not limited
