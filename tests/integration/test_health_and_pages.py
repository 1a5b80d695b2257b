"""Health, error pages, problem responses, the dashboard and the OpenAPI schema."""

from __future__ import annotations

import pytest

from service.app import create_app
from service.auth.tables import Role
from service.db import bind_engine, close_engine, open_engine
from service.engines import engine_from_url
from tests.conftest import make_client, running
from tests.helpers import api_login, make_user


async def test_health_reports_database_queue_and_migrations(client, db):
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "engine": db.kind}
    assert body["queue"] == {"ok": True, "kind": "in-process"}
    assert body["migrations"] == {"ok": True, "pending": []}


async def test_health_is_503_with_pending_migrations(settings, tmp_path, db):
    url = f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}"
    engine = engine_from_url(url)
    await open_engine(engine)
    app = create_app(
        settings.__class__(**{**settings.__dict__, "database_url": url}), engine=engine
    )
    try:
        async with running(app), make_client(app) as client:
            response = await client.get("/health")
    finally:
        await close_engine(engine)
        bind_engine(db.engine)
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert len(response.json()["migrations"]["pending"]) >= 5


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Page not found"), ("fi", "Sivua ei löytynyt")]
)
async def test_not_found_page_in_the_browsers_language(client, db, language, title):
    response = await client.get("/no/such/page", headers={"accept-language": language})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert title in response.text


async def test_api_errors_are_problem_documents(client, db):
    response = await client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "Not Found",
    }


async def test_forbidden_page_is_friendly(client, db):
    await make_user(Role.staff, "olli@example.org")
    await api_login(client, "olli@example.org")
    response = await client.get("/admin/audit")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.text


async def test_dashboard_greets_each_role(client, db):
    for role in Role:
        user = await make_user(role, f"{role.value}@example.org", display_name=f"{role.value} X")
        await api_login(client, user.email)
        response = await client.get("/dashboard")
        assert response.status_code == 200
        assert f"Hello, {role.value} X" in response.text
        assert ("/admin/users" in response.text) == (role == Role.admin)
        await client.post("/api/v1/auth/logout", json={})


async def test_home_sends_to_sign_in_or_dashboard(client, db):
    assert (await client.get("/", follow_redirects=False)).headers["location"] == "/login"
    await make_user(Role.staff, "olli@example.org")
    await api_login(client, "olli@example.org")
    assert (await client.get("/", follow_redirects=False)).headers["location"] == "/dashboard"


async def test_openapi_schema_lists_the_api(client, db):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/auth/login", "/api/v1/auth/tokens", "/api/v1/users", "/health"):
        assert path in paths


async def test_static_files_are_served(client, db):
    response = await client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "text/css" in response.headers["content-type"]
