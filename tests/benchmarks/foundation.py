"""Server time of the foundation's requests, through the whole middleware stack
(sessions, auth, CSRF, language) but without a network: health, the sign-in page,
signing in (argon2 is slow on purpose), an authenticated page and an API read."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

from service.app import create_app
from service.auth.tables import Role
from service.settings import Settings
from tests.benchmarks.common import Row, migrated_engine, timed
from tests.conftest import make_client, running
from tests.helpers import PASSWORD, make_user

STAFF = 50


def succeeding(send: Callable[[], Awaitable[httpx.Response]]) -> Callable[[], Awaitable[None]]:
    """A request that must succeed, or the benchmark stops."""

    async def call() -> None:
        (await send()).raise_for_status()

    return call


async def run(engines: list[str]) -> list[Row]:
    rows = []
    for kind in engines:
        async with migrated_engine(kind) as (url, engine):
            with TemporaryDirectory() as data_dir:
                settings = Settings(
                    env="test",
                    data_dir=Path(data_dir),
                    database_url=url,
                    secret_key=secrets.token_urlsafe(48),
                    login_attempts_per_minute=1000,
                )
                admin = await make_user(Role.admin, "admin@example.org")
                for n in range(STAFF):
                    await make_user(Role.staff, f"staff{n}@example.org")
                app = create_app(settings, engine=engine)
                async with running(app), make_client(app) as client:
                    rows += await measure(client, kind, admin.email)
    return rows


async def measure(client: httpx.AsyncClient, kind: str, email: str) -> list[Row]:
    login = {"email": email, "password": PASSWORD}
    rows = []
    anonymous = [
        ("GET /health", lambda: client.get("/health"), 200),
        ("GET /login (page)", lambda: client.get("/login"), 200),
        ("POST /api/v1/auth/login", lambda: client.post("/api/v1/auth/login", json=login), 20),
    ]
    for name, send, repeat in anonymous:
        rows.append(Row("foundation", name, kind, await timed(succeeding(send), repeat)))
    await client.post("/api/v1/auth/login", json=login)
    signed_in = [
        ("GET /dashboard (signed in)", lambda: client.get("/dashboard")),
        (f"GET /api/v1/users ({STAFF + 1} users)", lambda: client.get("/api/v1/users")),
    ]
    for name, send in signed_in:
        rows.append(Row("foundation", name, kind, await timed(succeeding(send), 200)))
    return rows
