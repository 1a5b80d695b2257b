"""Every route declares who may use it: a named permission, or `public`."""

from __future__ import annotations

import pytest
from litestar import Litestar

from service.app import create_app
from service.auth.guards import declared_permissions, permission, public
from service.auth.permissions import PERMISSIONS, PUBLIC
from service.auth.schemas import CurrentUser
from service.auth.tables import Role
from service.settings import Settings


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Litestar:
    data_dir = tmp_path_factory.mktemp("data")
    return create_app(Settings.from_env({"TUPA_DATA_DIR": str(data_dir)}))


def handlers(app: Litestar):
    """Every route handler, but Litestar's own answers to OPTIONS (they carry no data)."""
    for route in app.routes:
        for handler in route.route_handlers:  # type: ignore[attr-defined]
            if handler.handler_name == "options_handler":
                continue
            yield route.path, handler


def test_every_route_declares_exactly_one_permission(app):
    undeclared = [
        f"{sorted(handler.http_methods)} {path} ({handler.handler_name})"
        for path, handler in handlers(app)
        if len(declared_permissions(handler)) != 1
    ]
    assert undeclared == []


def test_every_declared_permission_exists(app):
    names = {name for _path, handler in handlers(app) for name in declared_permissions(handler)}
    assert names <= set(PERMISSIONS) | {PUBLIC}


def test_the_declaration_test_finds_a_route_without_one(app):
    from litestar import get

    @get("/forgotten", sync_to_thread=False)
    def forgotten() -> str:
        return ""

    @get("/declared", guards=[permission("audit.read")], sync_to_thread=False)
    def declared() -> str:
        return ""

    @get("/open", guards=[public], sync_to_thread=False)
    def open_to_all() -> str:
        return ""

    small = Litestar([forgotten, declared, open_to_all], openapi_config=None)
    found = {path: declared_permissions(handler) for path, handler in handlers(small)}
    assert found == {"/forgotten": [], "/declared": ["audit.read"], "/open": [PUBLIC]}


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/login", PUBLIC),
        ("GET", "/feeds/{name:str}", PUBLIC),
        ("GET", "/static/{file_path:path}", PUBLIC),
        ("GET", "/dashboard", "account.use"),
        ("GET", "/admin/users", "users.manage"),
        ("POST", "/catalog/sites/new", "catalog.edit"),
        ("GET", "/catalog/sites", "catalog.view"),
        ("POST", "/api/v1/matching/runs", "matching.run"),
        ("POST", "/api/v1/attendance", "attendance.mark"),
        ("GET", "/me", "participant.self"),
        ("POST", "/participants/{participant_id:int}/erase", "participant.erase"),
    ],
)
def test_some_routes_declare_what_they_should(app, method, path, expected):
    found = [
        declared_permissions(handler)
        for route_path, handler in handlers(app)
        if route_path == path and method in handler.http_methods
    ]
    assert found == [[expected]]


@pytest.mark.parametrize(
    ("role", "shown"), [(Role.coordinator, "yes"), (Role.staff, "no"), (None, "no")]
)
def test_templates_ask_may_for_the_pages_user(app, role, shown):
    environment = app.template_engine.engine  # type: ignore[union-attr]
    template = environment.from_string('{{ "yes" if may("catalog.edit") else "no" }}')
    user = CurrentUser(id=1, email="x@example.org", display_name="", role=role) if role else None
    assert template.render(user=user) == shown
