"""Manual placements fill the slot, show in the planner, make the participant's week,
and let the participant say "I can't come"."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from service import clock
from service.auth.tables import Role
from service.catalog.tables import ActivityTitle
from service.people.schemas import ParticipantIn
from service.people.services import link_account, save_participant
from service.people.tables import ParticipantStatus
from service.placements.tables import AbsenceNotice, Placement
from service.schedule.tables import Session
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user


async def participant(name: str, account_email: str | None = None) -> int:
    data = ParticipantIn(display_name=name, status=ParticipantStatus.active)
    row = await save_participant(h.ACTOR, data)
    if account_email:
        account = await make_user(Role.participant, account_email)
        await link_account(h.ACTOR, row.id, account.id)
    return row.id


@pytest.fixture
async def week(db):
    """A woodwork slot every day from today on (so there is always a coming session)."""
    site = await h.site(address="Verstaankatu 4", phone="+358 40 1")
    activity = await h.activity(
        site, max_participants=2, min_participants=2, what_to_bring="Sturdy shoes"
    )
    today = clock.today()
    slots = [
        await h.slot(
            activity,
            weekday=day,
            start=time(23, 0),
            end=time(23, 30),
            valid_from=today - timedelta(days=7),
            today=today,
        )
        for day in range(7)
    ]
    return {"site": site, "activity": activity, "slots": slots, "today": today}


async def test_placing_fills_the_slot_and_refuses_when_full(client, week):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    slot = week["slots"][week["today"].weekday()]
    aino, eero, liisa = [await participant(n) for n in ("Aino", "Eero", "Liisa")]
    body = {"slot_id": slot, "start_date": week["today"].isoformat()}
    assert (
        await client.post("/api/v1/placements", json={**body, "participant_id": aino})
    ).status_code == 201
    again = await client.post("/api/v1/placements", json={**body, "participant_id": aino})
    assert again.status_code == 409
    assert (
        await client.post("/api/v1/placements", json={**body, "participant_id": eero})
    ).status_code == 201
    full = await client.post("/api/v1/placements", json={**body, "participant_id": liisa})
    assert full.status_code == 409
    assert "full" in full.json()["detail"]
    assert await Placement.count() == 2
    sessions = await client.get(
        "/api/v1/sessions",
        params={"start": week["today"].isoformat(), "end": week["today"].isoformat()},
    )
    today_session = sessions.json()[0]
    assert (today_session["placed"], today_session["capacity"]) == (2, 2)
    assert "below_minimum" not in {w["code"] for w in today_session["warnings"]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"participant_id": 999}, "participant_id"),
        ({"slot_id": 999}, "slot_id"),
        ({"end_date": "2000-01-01"}, "end_date"),
        ({"start_date": "soon"}, "start_date"),
    ],
)
async def test_placement_refuses_bad_input(client, week, change, field):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    aino = await participant("Aino")
    body = {
        "participant_id": aino,
        "slot_id": week["slots"][0],
        "start_date": week["today"].isoformat(),
        **change,
    }
    response = await client.post("/api/v1/placements", json=body)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await Placement.count() == 0


async def test_participant_sees_their_week_and_says_they_cannot_come(client, week):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    aino = await participant("Aino", "aino@example.org")
    eero = await participant("Eero", "eero@example.org")
    for person in (aino, eero):
        await client.post(
            "/api/v1/placements",
            json={
                "participant_id": person,
                "slot_id": week["slots"][week["today"].weekday()],
                "start_date": week["today"].isoformat(),
            },
        )
    await client.post("/api/v1/auth/logout", json={})

    await api_login(client, "aino@example.org")
    mine = (await client.get("/api/v1/me/sessions")).json()
    assert len(mine) == 2  # today and the same weekday next week
    assert mine[0]["what_to_bring"] == "Sturdy shoes"
    assert "Eero" not in str(mine)
    await ActivityTitle.insert(
        ActivityTitle(activity=week["activity"], language="fi", title="Puutyö")
    )
    in_finnish = await client.get("/api/v1/me/sessions", headers={"Accept-Language": "fi"})
    assert {s["title"] for s in in_finnish.json()} == {"Puutyö"}
    assert {s["title"] for s in mine} == {"Woodwork"}
    # next week's, still to come (unless a holiday cancelled it: then today's, at 23:00)
    session_id = next(s["id"] for s in reversed(mine) if s["status"] != "cancelled")
    notice = await client.post(
        "/api/v1/absences", json={"session_id": session_id, "note": "Doctor's appointment"}
    )
    assert notice.status_code == 201
    given_at = notice.json()["given_at"]
    again = await client.post("/api/v1/absences", json={"session_id": session_id})
    assert again.json()["given_at"] == given_at  # the first notice and its time stay
    assert await AbsenceNotice.count() == 1
    marked = next(
        s for s in (await client.get("/api/v1/me/sessions")).json() if s["id"] == session_id
    )
    assert marked["absence_given_at"] == given_at

    other_site = await h.site("Elsewhere")
    other = await h.slot(
        await h.activity(other_site, "Cafe"),
        weekday=week["today"].weekday(),
        start=time(23),
        end=time(23, 30),
        today=week["today"],
    )
    foreign = (await Session.select(Session.id).where(Session.slot == other).first())["id"]
    assert (await client.post("/api/v1/absences", json={"session_id": foreign})).status_code == 404
    assert (
        await client.post(
            "/api/v1/absences", json={"session_id": session_id, "participant_id": eero}
        )
    ).status_code == 404


async def test_absence_rules(client, week):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    aino = await participant("Aino", "aino@example.org")
    await client.post(
        "/api/v1/placements",
        json={
            "participant_id": aino,
            "slot_id": week["slots"][(week["today"].weekday() + 1) % 7],
            "start_date": (week["today"] - timedelta(days=7)).isoformat(),
        },
    )
    sessions = (
        await Session.select()
        .where(Session.slot == week["slots"][(week["today"].weekday() + 1) % 7])
        .order_by(Session.date)
    )
    past = (
        next(s for s in sessions if s["date"] < week["today"])
        if any(s["date"] < week["today"] for s in sessions)
        else None
    )
    coming = next(  # a holiday may have cancelled the first one already
        s for s in sessions if s["date"] > week["today"] and s["status"] != "cancelled"
    )
    cancelled = await client.post(
        f"/api/v1/sessions/{coming['id']}/cancel", json={"reason": "Instructor ill"}
    )
    assert cancelled.status_code == 200
    on_behalf = await client.post(
        "/api/v1/absences", json={"session_id": coming["id"], "participant_id": aino}
    )
    assert on_behalf.status_code == 409
    assert (
        await client.post("/api/v1/absences", json={"session_id": coming["id"]})
    ).status_code == 422  # whose absence?
    if past is not None:
        started = await client.post(
            "/api/v1/absences", json={"session_id": past["id"], "participant_id": aino}
        )
        assert started.status_code in (404, 422)
    partner = await make_user(Role.partner, "farm@example.org")
    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, partner.email)
    assert (
        await client.post("/api/v1/absences", json={"session_id": coming["id"]})
    ).status_code == 403
    assert (await client.get("/api/v1/me/sessions")).status_code == 403


async def test_a_participant_without_a_record_is_told_so(client, db):
    await make_user(Role.participant, "new@example.org")
    await api_login(client, "new@example.org")
    response = await client.get("/api/v1/me/sessions")
    assert response.status_code == 404
    assert "not linked" in response.json()["detail"]


async def test_roster_shows_partners_first_names_only(client, week):
    farm_site = week["site"]
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    aino = await participant("Aino Koskinen", "aino@example.org")
    slot = week["slots"][(week["today"].weekday() + 1) % 7]
    await client.post(
        "/api/v1/placements",
        json={"participant_id": aino, "slot_id": slot, "start_date": week["today"].isoformat()},
    )
    session = (
        await Session.select()
        .where((Session.slot == slot) & (Session.date > week["today"]))
        .order_by(Session.date)
        .first()
    )
    full = (await client.get(f"/api/v1/sessions/{session['id']}/roster")).json()
    assert [entry["name"] for entry in full] == ["Aino Koskinen"]
    await client.post("/api/v1/auth/logout", json={})
    partner = await make_user(Role.partner, "farm@example.org", site_ids=[farm_site])
    await api_login(client, partner.email)
    seen = (await client.get(f"/api/v1/sessions/{session['id']}/roster")).json()
    assert [entry["name"] for entry in seen] == ["Aino"]
    assert "Koskinen" not in str(seen)
    await client.post("/api/v1/auth/logout", json={})
    elsewhere = await make_user(
        Role.partner, "other@example.org", site_ids=[await h.site("Other farm")]
    )
    await api_login(client, elsewhere.email)
    assert (await client.get(f"/api/v1/sessions/{session['id']}/roster")).status_code == 404
    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, "aino@example.org")
    assert (await client.get(f"/api/v1/sessions/{session['id']}/roster")).status_code == 403
