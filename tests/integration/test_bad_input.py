"""Bad input gets a clear 4xx naming what is wrong, never a 500 (issue #12): ids above
what the database stores, dates at the ends of the calendar, NUL characters, deep JSON,
long texts and large bodies. The route table is walked, so a new route is tried too."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from litestar import Litestar

from service.audit.services import Actor
from service.auth import services as auth
from service.auth.tables import Role
from service.settings import Settings
from tests.conftest import make_client, running
from tests.helpers import PASSWORD, api_login, make_site, make_user, post_form

HUGE_IDS = [2**31, 2**63, 2**70, 0]
EDGE_DAYS = ["9999-12-31", "0001-01-01"]
PATH_INT = re.compile(r"\{(\w+):int\}")


async def bearer(role: Role, **extra: Any) -> dict[str, str]:
    user = await make_user(role, **extra)
    current = await auth.authenticate(user.email, PASSWORD)
    assert current is not None
    created = await auth.create_token(
        Actor.system("test"), current, "bad input", 30, max_age=Settings().token_max_age
    )
    return {"Authorization": f"Bearer {created.token}"}


def get_routes(app: Litestar) -> list[tuple[str, Any]]:
    return [
        (route.path, handler)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if "GET" in handler.http_methods and not handler.fn.__module__.startswith("litestar")
    ]


def date_query_parameters(handler: Any) -> list[str]:
    return [
        name
        for name, definition in handler.parsed_fn_signature.parameters.items()
        if date in (definition.annotation, *getattr(definition.annotation, "__args__", ()))
    ]


@pytest.fixture
async def as_roles(app) -> Any:
    site = await make_site()
    headers = {
        "admin": await bearer(Role.admin),
        "coordinator": await bearer(Role.coordinator),
        "staff": await bearer(Role.staff, site_ids=[site]),
        "participant": await bearer(Role.participant),
    }
    async with running(app), make_client(app) as client:
        client.follow_redirects = False
        yield client, headers


async def test_ids_beyond_the_database_are_refused_on_every_route(app, as_roles):
    client, headers = as_roles
    answers: dict[str, set[int]] = {}
    for path, _handler in get_routes(app):
        for huge in HUGE_IDS:
            url = PATH_INT.sub(str(huge), path)
            if url == path:
                continue
            response = await client.get(url, headers=headers["coordinator"])
            answers.setdefault(path, set()).add(response.status_code)
    assert answers, "the walk found no route with an id in its path"
    # 422 naming the parameter, or 403 where the role may not use the route at all.
    assert {path: codes for path, codes in answers.items() if not codes <= {403, 422}} == {}


async def test_ids_beyond_the_database_are_refused_in_the_query(as_roles):
    client, headers = as_roles
    for url in [
        "/api/v1/absences?session={n}",
        "/api/v1/slots?activity={n}",
        "/api/v1/participants?site={n}",
        "/api/v1/placements?participant={n}",
    ]:
        for huge in HUGE_IDS:
            response = await client.get(url.format(n=huge), headers=headers["coordinator"])
            assert response.status_code == 422, (url, huge, response.text)
            assert response.json()["errors"][0]["field"] in url


async def test_dates_at_the_ends_of_the_calendar_are_refused_in_every_query(app, as_roles):
    client, headers = as_roles
    tried = []
    for path, handler in get_routes(app):
        for name in date_query_parameters(handler):
            url = PATH_INT.sub("1", path)
            for day in EDGE_DAYS:
                others = {"start": "2026-09-14", "end": "2026-09-20"}
                query = {**{k: v for k, v in others.items() if k != name}, name: day}
                codes = set()
                for role in headers:
                    response = await client.get(url, params=query, headers=headers[role])
                    assert response.status_code < 500, (url, query, role)
                    codes.add(response.status_code)
                assert 422 in codes, (url, query, codes)
                tried.append(url)
    assert "/api/v1/sessions" in tried and "/api/v1/me/sessions" in tried
    for url in ["/planner?week={day}", "/today?date={day}"]:
        for day in EDGE_DAYS:
            response = await client.get(url.format(day=day), headers=headers["coordinator"])
            assert response.status_code == 422, (url, day)


@pytest.mark.parametrize("day", EDGE_DAYS)
async def test_dates_at_the_ends_of_the_calendar_are_refused_in_bodies_naming_the_field(
    as_roles, day
):
    client, headers = as_roles
    cases = [
        ("/api/v1/participants", {"display_name": "Ada", "plan_start": day}, "plan_start"),
        ("/api/v1/matching/runs", {"first_day": day}, "first_day"),
        (
            "/api/v1/sessions",
            {"activity_id": 1, "date": day, "start": "09:00:00", "end": "10:00:00"},
            "date",
        ),
        (
            "/api/v1/closures",
            {"start_date": "2026-10-01", "end_date": day, "reason": "Repairs"},
            "end_date",
        ),
    ]
    for url, body, field in cases:
        role = "admin" if url == "/api/v1/closures" else "coordinator"
        response = await client.post(url, json=body, headers=headers[role])
        assert response.status_code == 422, (url, response.text)
        assert response.json()["errors"][0]["field"] == field, response.text


async def test_a_time_with_an_offset_is_refused_naming_the_field(as_roles):
    client, headers = as_roles
    body = {"activity_id": 1, "date": "2026-10-01", "start": "09:00:00+05:00", "end": "10:00:00"}
    response = await client.post("/api/v1/sessions", json=body, headers=headers["coordinator"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"


async def test_nul_characters_are_refused_in_bodies_and_queries(as_roles):
    client, headers = as_roles
    body = {"display_name": "Ada\u0000Lovelace"}
    response = await client.post("/api/v1/participants", json=body, headers=headers["coordinator"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "display_name"
    response = await client.get("/api/v1/participants?q=a%00b", headers=headers["coordinator"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"


async def test_deeply_nested_json_on_sign_in_is_a_bad_request(as_roles):
    client, _headers = as_roles
    nested = b'{"email": "a@example.org", "password": "x", "extra": ' + b"[" * 50_000
    nested += b"]" * 50_000 + b"}"
    response = await client.post(
        "/api/v1/auth/login", content=nested, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_long_search_texts_are_refused(as_roles):
    client, headers = as_roles
    for url, role, name in [
        ("/api/v1/participants", "coordinator", "q"),
        ("/participants", "coordinator", "q"),
        ("/api/v1/users", "admin", "q"),
        ("/admin/users", "admin", "q"),
        ("/api/v1/audit", "admin", "actor"),
    ]:
        response = await client.get(url, params={name: "x" * 60_000}, headers=headers[role])
        assert response.status_code == 422, url


async def test_a_body_larger_than_tupa_reads_is_refused(as_roles):
    client, headers = as_roles
    body = {"display_name": "Ada", "contact": "x" * 2_000_000}
    response = await client.post("/api/v1/participants", json=body, headers=headers["coordinator"])
    assert response.status_code == 413


async def test_forty_thousand_interests_are_refused_at_once(as_roles):
    client, headers = as_roles
    created = await client.post(
        "/api/v1/participants", json={"display_name": "Ada"}, headers=headers["coordinator"]
    )
    assert created.status_code == 201, created.text
    participant = created.json()["id"]
    body = {"strengths": [f"s{n}" for n in range(40_000)]}
    response = await client.put(
        f"/api/v1/participants/{participant}/interests", json=body, headers=headers["coordinator"]
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "strengths"


async def test_nul_characters_are_refused_in_page_forms_and_query_strings(client):
    """Pages read some fields straight from the form: the app refuses NUL before them."""
    for url, field in [("/card", "code"), ("/login", "email")]:
        response = await post_form(client, url, {field: "ab\x00cd", "password": "x"})
        assert response.status_code == 422, (url, response.text[:200])
        assert response.headers["content-type"].startswith("text/html")
    response = await client.get("/login", params={"next": "/a\x00b"})
    assert response.status_code == 422


async def test_page_forms_refuse_what_the_api_refuses(client):
    """A page that builds the API's struct from its form checks it as the API does."""
    admin = await make_user(Role.admin)
    assert (await api_login(client, admin.email)).status_code == 200
    for fields, field in [
        ({"email": "new@example.org", "site_ids": str(2**40)}, "site_ids"),
        ({"email": "new@example.org", "display_name": "x" * 5000}, "display_name"),
        ({"email": "x" * 300 + "@example.org"}, "email"),
    ]:
        for url in ["/admin/users/new", f"/admin/users/{admin.id}"]:
            response = await post_form(client, url, {"role": "staff", **fields})
            if url.endswith("/new") or field != "email":
                assert response.status_code == 422, (url, field, response.text[:300])
