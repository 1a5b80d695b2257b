"""The client's address, which sign-in rate limits and the audit log use: the connection's
peer, or what `X-Forwarded-For` says only when the peer is a trusted proxy."""

from __future__ import annotations

from dataclasses import replace

import httpx

from service.app import create_app
from service.audit.tables import AuditEvent
from service.auth.tables import Role
from tests.conftest import make_client, running
from tests.helpers import api_login, make_user

PROXY = "10.1.2.3"  # the peer address of make_client's requests


def client_at(app, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)),
        base_url="http://testserver.local",
    )


async def failed_login(client: httpx.AsyncClient, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = await client.post(
        "/api/v1/auth/login",
        json={"email": "olli@example.org", "password": "wrong password"},
        headers=headers,
    )
    return response.status_code


async def audited_addresses() -> list[str]:
    rows = await (
        AuditEvent.select(AuditEvent.ip)
        .where(AuditEvent.action == "auth.login_failed")
        .order_by(AuditEvent.id)
    )
    return [row["ip"] for row in rows]


async def test_forwarded_for_is_ignored_without_a_trusted_proxy(db, settings):
    """By default nobody is trusted: a forged header neither escapes the rate limit nor
    reaches the audit log."""
    assert settings.trusted_proxies == ""
    app = create_app(replace(settings, login_attempts_per_minute=3), engine=db.engine)
    await make_user(Role.staff, "olli@example.org")
    async with running(app), make_client(app) as client:
        statuses = [await failed_login(client, f"198.51.100.{n}") for n in range(4)]
        assert statuses == [401, 401, 401, 429]
    assert await audited_addresses() == [PROXY] * 3


async def test_a_trusted_proxy_is_believed_and_nobody_else(db, settings):
    app = create_app(
        replace(settings, trusted_proxies=f"{PROXY},192.0.2.0/24", login_attempts_per_minute=2),
        engine=db.engine,
    )
    await make_user(Role.staff, "olli@example.org")
    async with running(app), make_client(app) as proxy, client_at(app, "10.9.9.9") as direct:
        # Behind the proxy: each client is counted and audited under its own address.
        assert [await failed_login(proxy, "203.0.113.7") for _ in range(3)] == [401, 401, 429]
        assert await failed_login(proxy, "203.0.113.8") == 401
        # A client that is not the proxy cannot choose its address.
        assert await failed_login(direct, "203.0.113.9") == 401
        assert await failed_login(direct, "203.0.113.10") == 401
        assert await failed_login(direct, "203.0.113.11") == 429
    assert await audited_addresses() == ["203.0.113.7"] * 2 + ["203.0.113.8"] + ["10.9.9.9"] * 2


async def test_a_signed_in_proxied_request_is_audited_under_the_client(db, settings):
    app = create_app(replace(settings, trusted_proxies=PROXY), engine=db.engine)
    await make_user(Role.staff, "olli@example.org")
    async with running(app), make_client(app) as client:
        client.headers["X-Forwarded-For"] = "203.0.113.7, 10.0.0.5"  # the nearest untrusted
        assert (await api_login(client, "olli@example.org")).status_code == 200
    login = await AuditEvent.select(AuditEvent.ip).where(AuditEvent.action == "auth.login").first()
    assert login["ip"] == "10.0.0.5"
