"""Signing in and out, CSRF, rate limiting, sessions and bearer tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher, profiles

from service.audit.tables import AuditEvent
from service.auth import passwords
from service.auth.tables import ApiToken, Role, User
from service.clock import utcnow
from tests.conftest import make_client
from tests.helpers import PASSWORD, api_login, csrf_token, make_user, post_form


async def test_login_page_signs_in_and_out(client, db):
    await make_user(Role.coordinator, "kaisa@example.org")
    page = await client.get("/login")
    assert page.status_code == 200
    assert 'name="_csrf_token"' in page.text

    signed_in = await post_form(
        client,
        "/login",
        {"email": "Kaisa@Example.org ", "password": PASSWORD, "next": "/dashboard"},
    )
    assert signed_in.status_code == 200  # followed the redirect
    assert signed_in.url.path == "/dashboard"
    assert "Coordinator" in signed_in.text

    signed_out = await post_form(client, "/logout", {})
    assert signed_out.url.path == "/login"
    assert "You have signed out." in signed_out.text
    after = await client.get("/dashboard", follow_redirects=False)
    assert after.status_code == 302
    assert after.headers["location"].startswith("/login?next=")


async def test_login_rotates_the_session_id(client, db):
    await make_user(Role.staff, "olli@example.org")
    await client.get("/login")
    await post_form(client, "/login", {"email": "x@example.org", "password": "nope"})
    before = client.cookies.get("tupa_session")
    await post_form(client, "/login", {"email": "olli@example.org", "password": PASSWORD})
    after = client.cookies.get("tupa_session")
    assert after and after != before


async def test_wrong_password_is_refused_without_saying_which_part(client, db):
    await make_user(Role.staff, "olli@example.org")
    wrong = await post_form(client, "/login", {"email": "olli@example.org", "password": "guess"})
    unknown = await post_form(client, "/login", {"email": "nobody@example.org", "password": "x"})
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "The email or the password is wrong." in response.text
    api = await api_login(client, "olli@example.org", "guess")
    assert api.status_code == 401
    assert api.headers["content-type"].startswith("application/problem+json")
    failures = await AuditEvent.count().where(AuditEvent.action == "auth.login_failed")
    assert failures == 3


async def test_inactive_user_cannot_sign_in(client, db):
    user = await make_user(Role.staff, "gone@example.org")
    await User.update({User.is_active: False}).where(User.id == user.id)
    assert (await api_login(client, "gone@example.org")).status_code == 401


async def test_login_is_rate_limited(db, settings):
    from dataclasses import replace

    from service.app import create_app
    from tests.conftest import running

    await make_user(Role.admin, "admin@example.org")
    app = create_app(replace(settings, login_attempts_per_minute=5), engine=db.engine)
    async with running(app), make_client(app) as client:
        statuses = []
        for _ in range(6):
            response = await api_login(client, "admin@example.org", "wrong password")
            statuses.append(response.status_code)
        assert statuses == [401] * 5 + [429]
        assert "Retry-After" in response.headers
        # Even the right password waits now.
        assert (await api_login(client, "admin@example.org")).status_code == 429
        # Other pages are not limited.
        assert (await client.get("/login")).status_code == 200


async def test_form_post_without_csrf_token_is_refused(client, db):
    await make_user(Role.admin, "admin@example.org")
    await client.get("/login")  # has the cookie, but the form lacks the token
    response = await client.post(
        "/login", data={"email": "admin@example.org", "password": PASSWORD}
    )
    assert response.status_code == 403
    forged = await client.post(
        "/login",
        data={"email": "admin@example.org", "password": PASSWORD, "_csrf_token": "forged" * 10},
    )
    assert forged.status_code == 403
    assert await AuditEvent.count().where(AuditEvent.action == "auth.login") == 0


async def test_cookie_session_api_post_needs_json_or_csrf(client, db):
    await make_user(Role.admin, "admin@example.org")
    assert (await api_login(client, "admin@example.org")).status_code == 200
    as_form = await client.post("/api/v1/auth/tokens", data={"name": "x"})
    assert as_form.status_code == 403
    as_json = await client.post("/api/v1/auth/tokens", json={"name": "laptop"})
    assert as_json.status_code == 201


async def test_api_login_sets_session_and_me(client, db):
    await make_user(Role.partner, "farm@example.org")
    response = await api_login(client, "farm@example.org")
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "partner"
    assert "password" not in str(body).lower()
    me = await client.get("/api/v1/auth/me")
    assert me.json()["email"] == "farm@example.org"
    assert (await client.post("/api/v1/auth/logout", json={})).status_code == 204
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_api_login_refuses_malformed_input(client, db):
    missing = await client.post("/api/v1/auth/login", json={"email": "a@b.fi"})
    assert missing.status_code in (400, 422)
    assert "password" in missing.text
    not_json = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400


async def test_password_reset_ends_old_sessions_and_forces_a_change(client, db, app):
    admin = await make_user(Role.admin, "admin@example.org")
    target = await make_user(Role.staff, "olli@example.org")
    async with make_client(app) as olli:
        assert (await api_login(olli, "olli@example.org")).status_code == 200
        assert (await api_login(client, admin.email)).status_code == 200
        reset = await client.post(f"/api/v1/users/{target.id}/password-reset", json={})
        assert reset.status_code == 200
        temporary = reset.json()["temporary_password"]
        # The old session no longer works.
        assert (await olli.get("/api/v1/auth/me")).status_code == 401
        # The temporary password signs in, but only the password page is open.
        assert (await api_login(olli, "olli@example.org", temporary)).status_code == 200
        dashboard = await olli.get("/dashboard", follow_redirects=False)
        assert dashboard.headers["location"] == "/account/password"
        assert (await olli.get("/api/v1/auth/tokens")).status_code == 403
        mismatch = await post_form(
            olli,
            "/account/password",
            {
                "current_password": temporary,
                "new_password": "a new secret",
                "new_password_again": "another",
            },
        )
        assert mismatch.status_code == 422
        changed = await post_form(
            olli,
            "/account/password",
            {
                "current_password": temporary,
                "new_password": "a new secret",
                "new_password_again": "a new secret",
            },
        )
        assert changed.url.path == "/dashboard"
        assert (await olli.get("/dashboard")).status_code == 200


async def test_password_change_refuses_bad_input(client, db):
    await make_user(Role.staff, "olli@example.org")
    await api_login(client, "olli@example.org")
    cases = [
        (
            {
                "current_password": "wrong",
                "new_password": "long enough",
                "new_password_again": "long enough",
            },
            "current_password",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short", "new_password_again": "short"},
            "new_password",
        ),
    ]
    for form, field in cases:
        response = await post_form(client, "/account/password", form)
        assert response.status_code == 422
        assert f'id="{field}-error"' in response.text


async def test_bearer_tokens_work_until_revoked(client, db):
    await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, "kaisa@example.org")
    created = await client.post("/api/v1/auth/tokens", json={"name": "reporting script"})
    assert created.status_code == 201
    secret = created.json()["token"]
    token_id = created.json()["details"]["id"]
    stored = await ApiToken.select().where(ApiToken.id == token_id).first()
    assert secret not in str(stored)  # only the hash is kept
    await client.post("/api/v1/auth/logout", json={})

    headers = {"Authorization": f"Bearer {secret}"}
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    # A bearer client needs no CSRF token, even for a form-encoded post.
    revoke = await client.delete(f"/api/v1/auth/tokens/{token_id}", headers=headers)
    assert revoke.status_code == 200
    assert revoke.json()["revoked_at"] is not None
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401
    bogus = {"Authorization": "Bearer tupa_not-a-real-token"}
    assert (await client.get("/api/v1/auth/me", headers=bogus)).status_code == 401


async def test_expired_token_is_refused(client, db):
    await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, "kaisa@example.org")
    created = (await client.post("/api/v1/auth/tokens", json={"name": "old"})).json()
    await ApiToken.update({ApiToken.expires_at: utcnow() - timedelta(minutes=1)}).where(
        ApiToken.id == created["details"]["id"]
    )
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401


async def test_tokens_refuse_bad_input_and_other_peoples_tokens(client, db):
    await make_user(Role.staff, "olli@example.org")
    await make_user(Role.staff, "sanna@example.org")
    await api_login(client, "olli@example.org")
    assert (await client.post("/api/v1/auth/tokens", json={"name": ""})).status_code == 422
    too_long = await client.post("/api/v1/auth/tokens", json={"name": "x", "expires_in_days": 0})
    assert too_long.status_code == 422
    assert "expires_in_days" in too_long.text
    mine = (await client.post("/api/v1/auth/tokens", json={"name": "mine"})).json()
    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, "sanna@example.org")
    assert (await client.get("/api/v1/auth/tokens")).json() == []
    steal = await client.delete(f"/api/v1/auth/tokens/{mine['details']['id']}")
    assert steal.status_code == 404
    assert (await client.delete("/api/v1/auth/tokens/99999")).status_code == 404


async def test_language_switch_sets_cookie_and_saves_choice(client, db):
    user = await make_user(Role.staff, "olli@example.org")
    await api_login(client, "olli@example.org")
    response = await post_form(client, "/language", {"language": "fi", "next": "/dashboard"})
    assert response.url.path == "/dashboard"
    assert 'lang="fi"' in response.text
    assert "Kirjaudu ulos" in response.text
    saved = await User.select(User.language).where(User.id == user.id).first()
    assert saved["language"] == "fi"
    bad = await post_form(client, "/language", {"language": "xx"})
    assert bad.status_code == 422
    offsite = await post_form(
        client, "/language", {"language": "en", "next": "https://evil.example/"}
    )
    assert offsite.url.path == "/" or offsite.url.host == "testserver.local"


@pytest.mark.parametrize("next_url", ["//evil.example/x", "https://evil.example/"])
async def test_login_never_redirects_off_site(client, db, next_url):
    await make_user(Role.staff, "olli@example.org")
    response = await client.post(
        "/login",
        data={
            "email": "olli@example.org",
            "password": PASSWORD,
            "next": next_url,
            "_csrf_token": await csrf_token(client),
        },
        follow_redirects=False,
    )
    assert response.status_code == 302
    assert response.headers["location"] == "/"


async def test_sessions_and_rate_limits_live_in_redis_when_it_is_set(db, settings, redis):
    """Several app processes share sign-ins through Redis: a session made by one app is
    read by another, and both count toward one rate limit."""
    from dataclasses import replace

    import redis.asyncio as aioredis

    from service.app import create_app
    from tests.conftest import running

    await make_user(Role.staff, "olli@example.org")
    shared = replace(
        settings, redis_url=redis, queue_name="tupa:test-queue", login_attempts_per_minute=5
    )
    first, second = create_app(shared, engine=db.engine), create_app(shared, engine=db.engine)
    async with (
        running(first),
        running(second),
        make_client(first) as one,
        make_client(second) as two,
    ):
        assert (await api_login(one, "olli@example.org")).status_code == 200
        two.cookies.set("tupa_session", one.cookies["tupa_session"])
        assert (await two.get("/api/v1/auth/me")).json()["email"] == "olli@example.org"
        connection = aioredis.from_url(redis)
        keys = [key.decode() for key in await connection.keys("tupa_sessions:*")]
        await connection.aclose()
        assert len(keys) == 1
        for _ in range(4):
            await api_login(one, "olli@example.org", "wrong")
        assert (await api_login(two, "olli@example.org", "wrong")).status_code == 429


async def test_a_hash_made_with_other_parameters_is_renewed_at_sign_in(client, db):
    """The suite hashes with argon2's cheapest profile; a provider's hasher with stronger
    parameters renews such a hash the first time its owner signs in."""
    await make_user(Role.staff, "olli@example.org")
    cheap = (await User.select(User.password_hash).first())["password_hash"]
    strong = PasswordHasher(time_cost=2, memory_cost=1024 * 8, parallelism=1)
    passwords.use_hasher(strong)
    try:
        assert (await api_login(client, "olli@example.org")).status_code == 200
        renewed = (await User.select(User.password_hash).first())["password_hash"]
        assert renewed != cheap and not strong.check_needs_rehash(renewed)
        assert strong.verify(renewed, PASSWORD)
    finally:
        passwords.use_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))
