"""Reads of personal data are audited, from one place: every GET route that shows
other people's personal data is guarded by a permission that audits reads (or says so
itself, `opt={AUDIT_READS: True}`). This walks the route table, so that a new route
that shows personal data cannot lack its audit: its answer's fields give it away (for
the JSON API), or it is a page that is not listed here as showing none."""

from __future__ import annotations

import typing
from typing import Any

import msgspec
import pytest
from litestar import Litestar, get
from litestar.response import Template

from service.app import create_app
from service.audit.reads import audits_reads
from service.auth.guards import declared_permissions, permission
from service.auth.permissions import PUBLIC
from service.settings import Settings

#: Fields of an answer that carry personal data of participants or users.
PERSONAL_FIELDS = {
    "participant_id",
    "participant_ids",
    "participant_name",
    "display_name",
    "email",
    "note",
    "absence_note",
    "contact",
    "support_person",
    "support_contact",
    "user_id",
}

#: GET routes that show no one's personal data but the user's own, or data that only
#: looks personal by its field names; each with the reason.
NOT_OTHERS_PERSONAL_DATA = {
    "/api/v1/auth/me": "the user's own account",
    "/api/v1/auth/tokens": "the user's own API tokens",
    "/api/v1/me/notification-preferences": "the user's own notification choices",
    "/api/v1/partners": "an organisation's contact address",
    "/api/v1/partners/{partner_id:int}": "an organisation's contact address",
    "/api/v1/sessions": "a session's planning note, about no one",
    "/api/v1/sessions/{session_id:int}": "a session's planning note, about no one",
}

#: Pages that show no one's personal data (catalogue, schedule, forms, own account).
PAGES_WITHOUT_PERSONAL_DATA = {
    "/account/notifications",
    "/account/password",
    "/admin/closures",
    "/admin/goal-domains",
    "/admin/templates",
    "/catalog/activities",
    "/catalog/activities/new",
    "/catalog/activities/{activity_id:int}",
    "/catalog/partners",
    "/catalog/partners/new",
    "/catalog/partners/{partner_id:int}",
    "/catalog/sites",
    "/catalog/sites/new",
    "/catalog/sites/{site_id:int}",
    "/catalog/sites/{site_id:int}/day-service",
    "/planner",
    "/planner/sessions/new",
    "/planner/sessions/{session_id:int}/edit",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Litestar:
    return create_app(Settings.from_env({"TUPA_DATA_DIR": str(tmp_path_factory.mktemp("d"))}))


def reads(app: Litestar):
    """Every GET route that needs a signed-in user, with its handler."""
    for route in app.routes:
        for handler in route.route_handlers:  # type: ignore[attr-defined]
            if "GET" in handler.http_methods and declared_permissions(handler) != [PUBLIC]:
                yield route.path, handler


def field_names(annotation: Any, seen: set[type] | None = None) -> set[str]:
    """The names of every field in an answer's type, nested structs and lists too."""
    seen = set() if seen is None else seen
    if typing.get_origin(annotation) is not None:
        return set().union(*(field_names(arg, seen) for arg in typing.get_args(annotation)))
    if not (isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)):
        return set()
    if annotation in seen:
        return set()
    seen.add(annotation)
    names: set[str] = set()
    for field in msgspec.structs.fields(annotation):
        names |= {field.name} | field_names(field.type, seen)
    return names


def shows_personal_data(path: str, handler: Any) -> bool:
    """Whether a read route shows someone else's personal data, by its answer's type."""
    answer = handler.parsed_fn_signature.return_type.annotation
    if answer is Template or (isinstance(answer, type) and issubclass(answer, Template)):
        return path not in PAGES_WITHOUT_PERSONAL_DATA
    if path in NOT_OTHERS_PERSONAL_DATA:
        return False
    return bool(field_names(answer) & PERSONAL_FIELDS)


def test_every_read_of_personal_data_is_audited(app):
    unaudited = [
        f"GET {path} ({handler.handler_name})"
        for path, handler in reads(app)
        if shows_personal_data(path, handler) and not audits_reads(handler)
    ]
    assert unaudited == []


def test_the_lists_name_only_routes_that_exist(app):
    paths = {path for path, _handler in reads(app)}
    assert set(NOT_OTHERS_PERSONAL_DATA) | PAGES_WITHOUT_PERSONAL_DATA <= paths


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/absences",
        "/api/v1/sessions/{session_id:int}/attendance",
        "/api/v1/sessions/{session_id:int}/attendance/marks",
        "/api/v1/reviews/due",
        "/api/v1/matching/runs",
        "/api/v1/matching/waitlist",
        "/api/v1/follow-ups",
        "/api/v1/placements",
        "/api/v1/me/sessions",
        "/api/v1/feeds",
        "/api/v1/users",
        "/dashboard",
    ],
)
def test_the_reads_the_probe_found_unaudited_are_audited(app, path):
    found = [handler for route_path, handler in reads(app) if route_path == path]
    assert found and all(audits_reads(handler) for handler in found)


class Someone(msgspec.Struct):
    display_name: str


def test_the_walk_finds_an_unaudited_route_that_shows_personal_data():
    @get("/people", guards=[permission("catalog.view")], sync_to_thread=False)
    def people() -> list[Someone]:
        return []

    @get("/people-audited", guards=[permission("participant.follow")], sync_to_thread=False)
    def audited() -> list[Someone]:
        return []

    small = Litestar([people, audited], openapi_config=None)
    found = {path: audits_reads(h) for path, h in reads(small) if shows_personal_data(path, h)}
    assert found == {"/people": False, "/people-audited": True}
