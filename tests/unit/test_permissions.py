"""The permission table, role by role, written out here apart from the code so that a
change to who may do what shows up as a failing line; and the guards made from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar import Litestar, get
from litestar.middleware import ASGIMiddleware
from litestar.testing import TestClient
from litestar.types import ASGIApp, Receive, Scope, Send

from service.auth.guards import PASSWORD_CHANGE_PATHS, permission, public
from service.auth.permissions import PERMISSIONS, PUBLIC, markdown_table, may, note_for
from service.auth.schemas import CurrentUser
from service.auth.tables import Role

README = Path(__file__).resolve().parents[2] / "README.md"

# A admin, C coordinator, S staff, P partner, T participant. Nobody signed in has none.
EXPECTED = {
    "notifications.read": "ACSPT",
    "notifications.all": "AC",
    "notifications.retry": "AC",
    "notifications.outbox": "A",
    "notifications.preferences": "ACSP",
    "account.use": "ACSPT",
    "users.manage": "A",
    "audit.read": "A",
    "provider.export": "A",
    "provider.import": "AC",
    "participant.self": "T",
    "participant.view": "ACST",
    "participant.contribute": "ACST",
    "participant.follow": "ACS",
    "participant.edit": "AC",
    "participant.export": "A",
    "participant.erase": "A",
    "participants.all": "AC",
    "goals.plan": "ACS",
    "notes.read": "ACS",
    "login_cards.manage": "ACS",
    "login_cards.replace_password": "AC",
    "catalog.view": "ACSP",
    "catalog.edit": "AC",
    "staff.manage": "AC",
    "sites.all": "AC",
    "closures.manage": "AC",
    "goal_domains.manage": "A",
    "schedule.view": "ACSP",
    "schedule.plan": "AC",
    "placements.manage": "AC",
    "matching.run": "AC",
    "absence.give": "ACST",
    "roster.view": "ACSP",
    "roster.full_names": "ACS",
    "attendance.mark": "ACSP",
    "attendance.walk_ins": "ACS",
    "attendance.mark_late": "AC",
    "attendance.history": "ACS",
    "follow_ups.view": "ACS",
    "follow_ups.all": "AC",
    "feeds.manage": "ACST",
    "feeds.all": "AC",
    "feeds.staff": "ACS",
    "reports.view": "ACSP",
    "reports.all_sites": "AC",
    "reports.names": "ACS",
    "allowances.manage": "AC",
    "reports.funder": "AC",
    "staff_absence.record": "ACS",
    "staff_absence.view": "ACS",
    "cover.plan": "AC",
    "rota.view": "ACS",
    "day_sheet.print": "ACS",
}
LETTER = {
    Role.admin: "A",
    Role.coordinator: "C",
    Role.staff: "S",
    Role.partner: "P",
    Role.participant: "T",
}


def someone(role: Role, user_id: int = 7, *, must_change_password: bool = False) -> CurrentUser:
    return CurrentUser(
        id=user_id,
        email=f"{role.value}@example.org",
        display_name=role.value,
        role=role,
        must_change_password=must_change_password,
    )


def test_every_permission_is_in_the_expected_table():
    assert set(PERMISSIONS) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_its_permissions(name, role):
    assert may(someone(role), name) == (LETTER[role] in EXPECTED[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_nobody_signed_in_has_no_permission(name):
    assert may(None, name) is False


@pytest.mark.parametrize("role", [*Role, None])
def test_public_is_for_everyone(role):
    assert may(someone(role) if role else None, PUBLIC) is True


def test_an_unknown_permission_is_an_error_not_a_no():
    with pytest.raises(KeyError):
        may(someone(Role.admin), "catalog.edti")
    with pytest.raises(KeyError):
        permission("catalog.edti")


@pytest.mark.parametrize(
    "name",
    ["feeds.staff", "follow_ups.view", "staff_absence.record", "staff_absence.view", "rota.view"],
)
def test_staff_have_a_staff_permission_only_for_themselves(name):
    staff = someone(Role.staff, user_id=7)
    assert may(staff, name, 7)
    assert not may(staff, name, 8)
    for planner in (Role.admin, Role.coordinator):
        assert may(someone(planner, user_id=1), name, 8)
    for other in (Role.partner, Role.participant):
        assert not may(someone(other, user_id=7), name, 7)


def test_notes_are_for_staff_and_for_the_participant_they_are_about():
    for reader in (Role.admin, Role.coordinator, Role.staff):
        assert note_for(someone(reader), "Flu") == "Flu"
    assert note_for(someone(Role.partner), "Flu") == ""
    assert note_for(someone(Role.partner, user_id=7), "Flu", 7) == ""
    assert note_for(someone(Role.participant, user_id=7), "Flu", 7) == "Flu"
    assert note_for(someone(Role.participant, user_id=7), "Flu", 8) == ""
    assert note_for(someone(Role.participant, user_id=7), "Flu") == ""
    assert note_for(None, "Flu") == ""


def test_the_readme_shows_the_table_as_it_is():
    assert markdown_table() in README.read_text(encoding="utf-8")


# --- the guards --------------------------------------------------------------------


class _UserFromHeader(ASGIMiddleware):
    """Signs the request in as the role named in the x-role header (test only)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = dict(scope.get("headers") or [])
        role = headers.get(b"x-role", b"").decode()
        change = headers.get(b"x-must-change", b"") == b"1"
        scope["user"] = someone(Role(role), must_change_password=change) if role else None
        await next_app(scope, receive, send)


@get("/edit", guards=[permission("catalog.edit")], sync_to_thread=False)
def _edit() -> str:
    return "edited"


@get("/account/password", guards=[permission("account.use")], sync_to_thread=False)
def _password() -> str:
    return "change it"


@get("/open", guards=[public], sync_to_thread=False)
def _open() -> str:
    return "open"


@pytest.fixture(scope="module")
def client():
    app = Litestar([_edit, _password, _open], middleware=[_UserFromHeader()])
    with TestClient(app) as test_client:
        yield test_client


def test_guard_says_401_to_nobody_and_403_to_a_role_without_it(client):
    assert client.get("/edit").status_code == 401
    assert client.get("/edit", headers={"x-role": "staff"}).status_code == 403
    assert client.get("/edit", headers={"x-role": "coordinator"}).text == "edited"


def test_guard_sends_a_temporary_password_to_be_changed_first(client):
    changing = {"x-role": "admin", "x-must-change": "1"}
    refused = client.get("/edit", headers=changing)
    assert refused.status_code == 403
    assert "temporary password" in refused.json()["detail"]
    assert "/account/password" in PASSWORD_CHANGE_PATHS
    assert client.get("/account/password", headers=changing).status_code == 200


def test_public_guard_lets_anyone_in(client):
    assert client.get("/open").text == "open"
    assert client.get("/open", headers={"x-role": "participant"}).text == "open"
