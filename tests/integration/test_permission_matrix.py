"""Kept closed (issue #12): every route x every role x an object the role must not see.

Generated from the route table, so that a new route is in it the day it is added. For
each role (administrator, coordinator, staff, partner, participant, nobody signed in)
the path parameters are filled with objects that role must not see: Zelda, a
participant at another site with another contact person (and her session, goal,
follow-up item and feed); for administrators and coordinators, who see every
participant, an erased one. A route the role has no permission for answers 401 or 403;
one it has answers 404 or 403 for the hidden object; lists answer without a trace of
Zelda. A write may instead refuse its (empty) body with 400 or 422: that happens before
the object is looked up, so nothing is read or written. Never 2xx or 3xx with the
hidden object, never a 500.

SQLite only: the matrix makes about 1,100 requests, and the access rules it exercises
are in Python, not in SQL that differs between the engines (the per-area tests run the
same queries on both engines); on PostgreSQL it would double the time for no new case."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from litestar import Litestar

from service import clock
from service.attendance.tables import FollowUp
from service.auth.guards import declared_permissions
from service.auth.permissions import PUBLIC, may
from service.auth.schemas import CurrentUser
from service.auth.tables import Role
from service.people.schemas import ParticipantIn
from service.people.services import erase, link_account, save_participant
from service.people.tables import ParticipantStatus
from service.placements.services import PlacementIn, place
from service.placements.tables import AbsenceNotice
from service.schedule.tables import Session
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)

#: What of Zelda must never reach someone who must not see her.
TRACES = ("Zelda", "Zebra", "ZSECRET", "Zorro")
#: Parameters that are no object of anyone (kinds, names, files): filled, never hidden.
PLAIN_VALUES = {"kind": "participant", "name": "x.ics", "code": "AAAA-BBBB-CCCC"}
REFUSED = {401, 403, 404}
BODY_REFUSED = {400, 422}
ANONYMOUS = "anonymous"


@dataclass
class World:
    hidden: dict[str, dict[str, int]] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)


async def _person(name: str, **extra: Any) -> int:
    data = ParticipantIn(display_name=name, status=ParticipantStatus.active, **extra)
    return (await save_participant(h.ACTOR, data)).id


@pytest.fixture
async def world(db, client) -> World:
    """Olli (staff) and a partner at Pajatalo, where Aino is placed; Zelda at Kotiranta
    with Tiina as her contact person, an absence note, a goal and its review, a mark
    with a note, a follow-up item for Tiina, a feed; an erased participant; an API
    token of the administrator's."""
    today = clock.today()
    here, there = await h.site("Pajatalo"), await h.site("Kotiranta")
    since = today - timedelta(days=7)
    here_slot = await h.slot(
        await h.activity(here),
        weekday=today.weekday(),
        start=time(23),
        end=time(23, 30),
        valid_from=since,
        today=since,
    )
    there_slot = await h.slot(
        await h.activity(there, "Animal care"),
        weekday=today.weekday(),
        start=time(0),
        end=time(0, 30),
        valid_from=since,
        today=since,
    )
    admin = await make_user(Role.admin, "admin@example.org")
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    olli = await make_user(Role.staff, "olli@example.org", site_ids=[here])
    tiina = await make_user(Role.staff, "tiina@example.org", site_ids=[there])
    partner = await make_user(Role.partner, "farm@example.org", site_ids=[here])
    aino = await _person("Aino Aaltonen", contact_staff_id=olli.id)
    aino_account = await make_user(Role.participant, "aino@example.org")
    await link_account(h.ACTOR, aino, aino_account.id)
    zelda = await _person("Zelda Zebra", support_person="Zorro ZSECRET", contact_staff_id=tiina.id)
    await place(h.ACTOR, PlacementIn(participant_id=aino, slot_id=here_slot, start_date=since))
    await place(h.ACTOR, PlacementIn(participant_id=zelda, slot_id=there_slot, start_date=since))
    session = (
        await Session.select(Session.id)
        .where((Session.slot == there_slot) & (Session.date == today))
        .first()
    )["id"]
    await AbsenceNotice(participant=zelda, session=session, note="ZSECRET absence").save()
    await api_login(client, coordinator.email)
    goal = (
        await client.post(
            f"/api/v1/participants/{zelda}/goals", json={"text": "ZSECRET goal", "priority": 1}
        )
    ).json()["id"]
    await client.post(
        f"/api/v1/participants/{zelda}/reviews",
        json={"goal_id": goal, "rating": 3, "note": "ZSECRET review"},
    )
    marked = await client.post(
        "/api/v1/attendance",
        json={
            "device": "t1",
            "marks": [
                {
                    "uuid": str(uuid.uuid4()),
                    "session_id": session,
                    "participant_id": zelda,
                    "status": "present",
                    "marked_at": datetime.now(UTC).isoformat(),
                    "note": "ZSECRET mark",
                }
            ],
        },
    )
    assert marked.status_code == 200, marked.text
    feed = (
        await client.post("/api/v1/feeds", json={"kind": "participant", "owner_id": zelda})
    ).json()["id"]
    follow_up = FollowUp(participant=zelda, session=session, staff=tiina.id)
    await follow_up.save()
    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, admin.email)
    token = (await client.post("/api/v1/auth/tokens", json={"name": "admin's"})).json()["details"][
        "id"
    ]
    await client.post("/api/v1/auth/logout", json={})
    gone = await _person("Zelda Zebra the second", support_person="Zorro ZSECRET")
    await erase(h.ACTOR, gone)
    client.cookies.clear()
    unseen_by_followers = {
        "participant_id": zelda,
        "owner_id": zelda,
        "session_id": session,
        "goal_id": goal,
        "follow_up_id": follow_up.id,
        "feed_id": feed,
        "token_id": token,
        "user_id": tiina.id,
    }
    return World(
        hidden={
            "admin": {"participant_id": gone, "owner_id": gone, "goal_id": goal},
            "coordinator": {
                "participant_id": gone,
                "owner_id": gone,
                "goal_id": goal,
                "token_id": token,
            },
            "staff": unseen_by_followers,
            "partner": unseen_by_followers,
            "participant": unseen_by_followers,
            ANONYMOUS: unseen_by_followers,
        },
        emails={
            "admin": admin.email,
            "coordinator": coordinator.email,
            "staff": olli.email,
            "partner": partner.email,
            "participant": "aino@example.org",
        },
    )


def routes(app: Litestar):
    """(method, path, handler) for every route but the public ones and OPTIONS."""
    for route in app.routes:
        for handler in route.route_handlers:  # type: ignore[attr-defined]
            if handler.handler_name == "options_handler":
                continue
            if declared_permissions(handler) == [PUBLIC]:
                continue
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                yield method, route.path, handler


PARAMETER = re.compile(r"\{(\w+):\w+\}")


def filled(path: str, hidden: dict[str, int], *, refused: bool) -> tuple[str, bool] | None:
    """The path with its parameters filled with hidden objects, and whether any
    parameter names one; None when a parameter is an object this role may see. For a
    route the role has no permission for, any object will do (`refused`)."""
    names = PARAMETER.findall(path)
    known = {**PLAIN_VALUES, **({name: 1 for name in names} if refused else {}), **hidden}
    if any(name not in known for name in names):
        return None
    url = PARAMETER.sub(lambda m: str(known[m.group(1)]), path)
    return url, any(name in hidden for name in names)


def permitted(role: str, handler: Any) -> bool:
    if role == ANONYMOUS:
        return False
    user = CurrentUser(id=0, email="", display_name="", role=Role(role))
    return all(may(user, name) for name in declared_permissions(handler))


def sees_the_hidden_participant(role: str) -> bool:
    return role in ("admin", "coordinator")


async def walk(client, app: Litestar, world: World, role: str) -> list[str]:
    hidden = world.hidden[role]
    query = {"session": hidden.get("session_id", 0), "participant": hidden["participant_id"]}
    wrong = []
    for method, path, handler in routes(app):
        allowed = permitted(role, handler)
        target = filled(path, hidden, refused=not allowed)
        if target is None:
            continue
        url, names_hidden = target
        if allowed and not names_hidden and method != "GET":
            continue  # a write of no hidden object: nothing this matrix should refuse
        response = await client.request(
            method,
            url,
            params=query if method == "GET" else None,
            json=None if method == "GET" else {},
            follow_redirects=False,
        )
        status, body = response.status_code, response.text
        leaked = not sees_the_hidden_participant(role) and any(t in body for t in TRACES)
        if status >= 500 or leaked:
            wrong.append(f"{method} {url}: {status}{' with Zelda' if leaked else ''}")
            continue
        to_login = response.headers.get("location", "").startswith("/login")
        if role == ANONYMOUS and status in (302, 303) and to_login:
            continue
        expected = REFUSED if method == "GET" else REFUSED | BODY_REFUSED
        if (not allowed or names_hidden) and status not in expected:
            wrong.append(f"{method} {url}: {status}")
    return wrong


@pytest.mark.parametrize(
    "role", ["admin", "coordinator", "staff", "partner", "participant", ANONYMOUS]
)
async def test_no_role_reaches_what_it_must_not_see(client, app, world, role):
    if role != ANONYMOUS:
        signed_in = await api_login(client, world.emails[role])
        assert signed_in.status_code == 200
    wrong = await walk(client, app, world, role)
    assert wrong == [], "\n".join(wrong)
