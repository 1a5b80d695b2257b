"""Security headers on every kind of response (pages, API JSON, problem documents,
redirects, 404 and 405, static files, feeds, OPTIONS, HEAD), found by walking the route
table; cookies are Secure and HSTS is sent in production."""

from __future__ import annotations

import re
from dataclasses import replace

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from service.app import create_app
from service.auth.tables import Role
from service.headers import CONTENT_SECURITY_POLICY, SECRET_PAGE
from tests.conftest import make_client, running
from tests.helpers import api_login, make_site, make_user, post_form

#: Responses that choose their own caching (not personal data, or revalidated by ETag).
OWN_CACHING = {
    "/static/": "max-age=3600, public",
    "/feeds/": "private, max-age=300",
    "/sw.js": "no-cache",
}


def concrete(path: str) -> str:
    """A path of the route table with a value for each parameter."""
    return re.sub(
        r"\{(\w+):(\w+)\}", lambda match: "1" if match[2] == "int" else "XXXX-XXXX-XXXX", path
    )


def http_routes(app: Litestar) -> list[HTTPRoute]:
    return [route for route in app.routes if isinstance(route, HTTPRoute)]


def is_secret(route: HTTPRoute, method: str) -> bool:
    return method == "OPTIONS" or any(
        handler.opt.get(SECRET_PAGE)
        for handler in route.route_handlers
        if method in handler.http_methods
    )


def check(response: httpx.Response, *, secret: bool, production: bool = False) -> None:
    """The headers every response carries."""
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    headers = response.headers
    assert headers.get("content-security-policy") == CONTENT_SECURITY_POLICY, where
    assert "frame-ancestors 'none'" in headers["content-security-policy"], where
    assert "'unsafe-inline'" not in headers["content-security-policy"], where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("x-content-type-options") == "nosniff", where
    expected_referrer = "no-referrer" if secret else "same-origin"
    assert headers.get("referrer-policy") == expected_referrer, where
    path = response.request.url.path
    own = next((value for prefix, value in OWN_CACHING.items() if path.startswith(prefix)), None)
    if own is None or response.status_code >= 400:
        assert headers.get("cache-control") == "no-store", where
    elif response.request.method == "OPTIONS":
        assert headers.get("cache-control") in {"no-store", own}, where
    else:
        assert headers.get("cache-control") == own, where
    if production:
        assert headers.get("strict-transport-security", "").startswith("max-age="), where
        for cookie in headers.get_list("set-cookie"):
            assert "secure" in [flag.strip().lower() for flag in cookie.split(";")], where
    else:
        assert "strict-transport-security" not in headers, where


async def walk(client: httpx.AsyncClient, app: Litestar, *, production: bool = False) -> int:
    """GET and HEAD every GET route and OPTIONS every route; the number of answers."""
    seen = 0
    for route in http_routes(app):
        path = concrete(route.path)
        for method in sorted(route.methods & {"GET", "HEAD", "OPTIONS"} | {"HEAD"}):
            response = await client.request(method, path, follow_redirects=False)
            assert response.status_code < 500, (method, path, response.text[:300])
            check(response, secret=is_secret(route, method), production=production)
            if method == "OPTIONS":
                assert response.status_code == 204, path
                assert response.content == b""
            seen += 1
    return seen


async def test_every_route_anonymous(client, app, db):
    """Nobody signed in: pages redirect to the sign-in page, the API answers 401
    problem documents, public pages render; OPTIONS answers the same to anyone."""
    assert await walk(client, app) >= 2 * len(http_routes(app))


async def test_every_route_as_an_administrator(client, app, db):
    """Signed in: the pages and the API's JSON with personal data are not stored."""
    admin = await make_user(Role.admin, "admin@example.org")
    await api_login(client, admin.email)
    await walk(client, app)
    users = await client.get("/api/v1/users")
    assert users.status_code == 200
    assert users.headers["content-type"].startswith("application/json")
    check(users, secret=False)


async def test_error_redirect_static_and_unrouted_answers(client, db):
    cases = {
        "/no/such/page": 404,
        "/api/v1/no/such/thing": 404,
        "/static/css/app.css": 200,
        "/static/no-such-file.css": 404,
        "/dashboard": 302,
        "/api/v1/users": 401,
        "/api/v1/sessions?start=not-a-date": 401,
    }
    for path, status in cases.items():
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == status, path
        check(response, secret=False)
    not_allowed = await client.put("/login")
    assert not_allowed.status_code == 405
    check(not_allowed, secret=False)
    problem = await client.get("/api/v1/users")
    assert problem.headers["content-type"].startswith("application/problem+json")
    head_static = await client.head("/static/css/app.css")
    assert head_static.status_code == 200
    check(head_static, secret=False)


async def test_feeds_keep_their_caching_and_send_no_referrer(client, db):
    admin = await make_user(Role.admin, "admin@example.org")
    await api_login(client, admin.email)
    site = await make_site()
    created = await client.post("/api/v1/feeds", json={"kind": "site", "owner_id": site})
    assert created.status_code == 201, created.text
    check(created, secret=False)
    path = created.json()["path"]
    feed = await client.get(path)
    assert feed.status_code == 200
    check(feed, secret=True)
    assert feed.headers["etag"]
    unchanged = await client.get(path, headers={"If-None-Match": feed.headers["etag"]})
    assert unchanged.status_code == 304
    check(unchanged, secret=True)
    head = await client.head(path)
    assert head.status_code == 200
    check(head, secret=True)


async def test_production_sends_hsts_and_only_secure_cookies(db, settings):
    app = create_app(replace(settings, env="production"), engine=db.engine)
    await make_user(Role.staff, "olli@example.org")
    async with running(app), make_client(app) as client:
        login = await client.get("/login")
        assert login.headers.get_list("set-cookie")  # the CSRF cookie at least
        check(login, secret=False, production=True)
        # Cookies marked Secure are not sent back over http: send the CSRF one by hand.
        csrf = login.cookies["tupa_csrf"]
        client.cookies.clear()
        client.cookies.set("tupa_csrf", csrf)
        signed_in = await client.post(
            "/login",
            data={"email": "olli@example.org", "password": "correct horse battery"},
            headers={"x-csrftoken": csrf},
            follow_redirects=False,
        )
        assert signed_in.status_code in {302, 303}, signed_in.text[:300]
        check(signed_in, secret=False, production=True)
        language = await client.post(
            "/language",
            data={"language": "fi", "next": "/login"},
            headers={"x-csrftoken": csrf},
            follow_redirects=False,
        )
        assert any(c.startswith("tupa_lang=") for c in language.headers.get_list("set-cookie"))
        check(language, secret=False, production=True)
        assert await walk(client, app, production=True)


@pytest.mark.parametrize("page", ["/card/ABCD-EFGH-JKLM", "/feeds/absence/nothing"])
async def test_pages_with_a_secret_in_the_url_send_no_referrer(client, db, page):
    response = await client.get(page)
    check(response, secret=True)
    if page.startswith("/card/"):
        posted = await post_form(client, page, {})
        check(posted, secret=True)


def test_routes_with_a_secret_in_the_path_declare_it(app):
    """A new route that takes a code or a token in its path must say so."""
    for route in http_routes(app):
        names = set(route.path_parameters)
        if names & {"code", "token"} or route.path.startswith(("/feeds/", "/card")):
            for handler in route.route_handlers:
                if "OPTIONS" not in handler.http_methods:
                    assert handler.opt.get(SECRET_PAGE), (route.path, handler.http_methods)


async def test_refusals_of_the_rate_limit_carry_the_headers(db, settings):
    app = create_app(replace(settings, login_attempts_per_minute=1), engine=db.engine)
    async with running(app), make_client(app) as client:
        await client.post("/api/v1/auth/login", json={"email": "a@example.org", "password": "x"})
        refused = await client.post(
            "/api/v1/auth/login", json={"email": "a@example.org", "password": "x"}
        )
        assert refused.status_code == 429
        check(refused, secret=False)
