"""Helpers shared by the tests: users, signing in, CSRF tokens."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from service.audit.services import Actor
from service.auth import services
from service.auth.csrf import CSRF_COOKIE
from service.auth.schemas import UserCreate, UserOut
from service.auth.tables import Role
from service.catalog.tables import Site

PASSWORD = "correct horse battery"


async def make_user(
    role: Role, email: str | None = None, *, site_ids: list[int] | None = None, **extra: Any
) -> UserOut:
    return await services.create_user(
        Actor.system("test"),
        UserCreate(
            email=email or f"{role.value}@example.org",
            role=role,
            display_name=extra.pop("display_name", role.value.title()),
            password=extra.pop("password", PASSWORD),
            site_ids=site_ids or [],
            **extra,
        ),
    )


async def make_site(name: str = "Pajatalo") -> int:
    site = Site(name=name)
    await site.save()
    return site.id


async def api_login(client: AsyncClient, email: str, password: str = PASSWORD) -> Any:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def csrf_token(client: AsyncClient) -> str:
    """The CSRF cookie, fetched with a page load; forms send it back as `_csrf_token`."""
    if CSRF_COOKIE not in client.cookies:
        await client.get("/login")
    return client.cookies[CSRF_COOKIE]


async def post_form(client: AsyncClient, url: str, data: dict[str, Any]) -> Any:
    return await client.post(url, data={"_csrf_token": await csrf_token(client), **data})
