"""A password change, a reset or a deactivation ends every other session of the user and
revokes their API tokens; tokens never outlive the maximum lifetime in the settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from service.app import create_app
from service.auth.tables import ApiToken, Role
from service.clock import utcnow
from tests.conftest import make_client, running
from tests.helpers import PASSWORD, api_login, make_user, post_form


async def bearer_token(client, email: str, **body) -> str:
    await api_login(client, email)
    created = await client.post("/api/v1/auth/tokens", json={"name": "script", **body})
    assert created.status_code == 201, created.text
    return created.json()["token"]


async def token_works(client, token: str) -> bool:
    answer = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code in {200, 401}
    return answer.status_code == 200


async def test_a_password_change_ends_other_sessions_and_tokens(client, app, db):
    await make_user(Role.staff, "olli@example.org")
    async with make_client(app) as tablet, make_client(app) as script:
        token = await bearer_token(script, "olli@example.org")
        await api_login(tablet, "olli@example.org")
        await api_login(client, "olli@example.org")
        changed = await post_form(
            client,
            "/account/password",
            {
                "current_password": PASSWORD,
                "new_password": "a new secret",
                "new_password_again": "a new secret",
            },
        )
        assert changed.status_code == 200
        assert (await client.get("/api/v1/auth/me")).status_code == 200  # this browser stays
        assert (await tablet.get("/api/v1/auth/me")).status_code == 401
        assert not await token_works(tablet, token)
    revoked = await ApiToken.select(ApiToken.revoked_at).first()
    assert revoked["revoked_at"] is not None


async def test_a_reset_revokes_tokens(client, app, db):
    admin = await make_user(Role.admin, "admin@example.org")
    olli = await make_user(Role.staff, "olli@example.org")
    async with make_client(app) as script:
        token = await bearer_token(script, "olli@example.org")
        assert await token_works(script, token)
        await api_login(client, admin.email)
        reset = await client.post(f"/api/v1/users/{olli.id}/password-reset", json={})
        assert reset.status_code == 200
        assert not await token_works(script, token)


async def test_deactivation_ends_sessions_and_tokens_for_good(client, app, db):
    """Making the account active again brings back neither the sessions nor the tokens."""
    admin = await make_user(Role.admin, "admin@example.org")
    olli = await make_user(Role.staff, "olli@example.org")
    async with make_client(app) as tablet, make_client(app) as script:
        token = await bearer_token(script, "olli@example.org")
        await api_login(tablet, "olli@example.org")
        await api_login(client, admin.email)
        for active in (False, True):
            answer = await client.patch(f"/api/v1/users/{olli.id}", json={"is_active": active})
            assert answer.status_code == 200, answer.text
        assert (await tablet.get("/api/v1/auth/me")).status_code == 401
        assert not await token_works(tablet, token)
        # A new sign-in works again.
        assert (await api_login(tablet, "olli@example.org")).status_code == 200


async def test_tokens_live_at_most_the_maximum_age(db, settings):
    app = create_app(replace(settings, token_max_age_days=30), engine=db.engine)
    await make_user(Role.coordinator, "kaisa@example.org")
    async with running(app), make_client(app) as client:
        asked_long = await bearer_token(client, "kaisa@example.org", expires_in_days=365)
        forever = await bearer_token(client, "kaisa@example.org", expires_in_days=None)
        for row in await ApiToken.select():
            assert row["expires_at"] <= utcnow() + timedelta(days=30)
        assert await token_works(client, asked_long)
        # Enforced at use, not only at creation: a token made when the limit was longer
        # (its own expiry still ahead) stops when it is older than the limit now.
        await ApiToken.update(
            {
                ApiToken.created_at: utcnow() - timedelta(days=31),
                ApiToken.expires_at: utcnow() + timedelta(days=300),
            }
        ).where(ApiToken.id > 0)
        assert not await token_works(client, asked_long)
        assert not await token_works(client, forever)
