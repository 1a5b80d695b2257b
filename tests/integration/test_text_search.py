"""Searches treat what someone typed as text: `%`, `_` and `\\` are not LIKE's wildcards,
and case does not matter, on both engines."""

from __future__ import annotations

from datetime import date

from service.audit.schemas import AuditFilter
from service.audit.services import list_events
from service.auth import services as accounts
from service.auth.schemas import CurrentUser
from service.auth.tables import Role
from service.people.schemas import ParticipantIn
from service.people.services import list_participants, save_participant
from service.people.tables import ParticipantStatus
from tests import schedule_helpers as h
from tests.helpers import make_user

TODAY = date(2027, 3, 1)


async def test_user_search_takes_wildcards_literally(db):
    await make_user(Role.staff, "anna_100%@example.org", display_name="Anna Back\\slash")
    await make_user(Role.staff, "annaX100Y@example.org", display_name="Annabel")
    assert [u.email for u in await accounts.list_users(search="_100%")] == ["anna_100%@example.org"]
    assert [u.email for u in await accounts.list_users(search="%")] == ["anna_100%@example.org"]
    assert [u.email for u in await accounts.list_users(search="K\\S")] == ["anna_100%@example.org"]
    assert len(await accounts.list_users(search="ANNA")) == 2


async def test_participant_search_takes_wildcards_literally(db):
    for name in ("Aino 50%", "Aino 500", "Eero"):
        await save_participant(
            h.ACTOR, ParticipantIn(display_name=name, status=ParticipantStatus.active), today=TODAY
        )
    coordinator = await make_user(Role.coordinator, "c@example.org")
    viewer = CurrentUser(
        id=coordinator.id, email=coordinator.email, display_name="C", role=Role.coordinator
    )
    found = await list_participants(h.ACTOR, viewer, search="0%", today=TODAY)
    assert [p.display_name for p in found] == ["Aino 50%"]
    found = await list_participants(h.ACTOR, viewer, search="aino", today=TODAY)
    assert [p.display_name for p in found] == ["Aino 50%", "Aino 500"]


async def test_audit_filters_take_wildcards_literally(db):
    await make_user(Role.staff, "s@example.org")
    every = (await list_events(AuditFilter()))[1]
    assert every > 0
    assert (await list_events(AuditFilter(action="%")))[1] == 0
    assert (await list_events(AuditFilter(action="user.")))[1] == every
    assert (await list_events(AuditFilter(actor="_")))[1] == 0
