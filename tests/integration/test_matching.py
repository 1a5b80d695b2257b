"""Matching runs end to end on both databases: start, run as a job, review with
reasons, change by hand under the hard rules, pin, publish into placements and
rosters, re-plan after a change, and the waitlist. And what each route refuses."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from arq.worker import Worker

from service import clock
from service.auth.schemas import CurrentUser
from service.auth.tables import Role
from service.catalog.schemas import DomainStrength
from service.catalog.tables import ActivityKind
from service.db import bind_engine, is_unique_violation
from service.jobs import ArqQueue, InProcessQueue
from service.matching.tables import MatchingProposal, MatchingRun, RunStatus
from service.people.schemas import CapacityIn, GoalIn, ParticipantIn, WindowIn
from service.people.services import link_account, save_capacity, save_goal, save_participant
from service.people.tables import ParticipantStatus
from service.placements.tables import Placement, PlacementStatus
from service.schedule.tables import Session
from service.worker import worker_settings
from tests import schedule_helpers as h
from tests.helpers import api_login, csrf_token, make_user, post_form
from tests.integration.test_feeds import parse

SYSTEM = CurrentUser(id=0, email="system@tupa.invalid", display_name="Tupa", role=Role.admin)


def monday_after(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


async def person(
    name: str,
    *,
    hours: float,
    windows: list[tuple[int, time, time]],
    sites: list[int],
    goal: tuple[str, str] | None = None,
    status: ParticipantStatus = ParticipantStatus.active,
    referral: date | None = None,
) -> int:
    row = await save_participant(
        h.ACTOR, ParticipantIn(display_name=name, status=status, referral_date=referral)
    )
    await save_capacity(
        h.ACTOR,
        row.id,
        CapacityIn(
            weekly_hours=hours,
            windows=[WindowIn(weekday=d, start=s, end=e) for d, s, e in windows],
            reachable_site_ids=sites,
        ),
    )
    if goal:
        await save_goal(
            h.ACTOR, SYSTEM, row.id, GoalIn(text=goal[0], domains=[goal[1]], priority=1)
        )
    return row.id


@pytest.fixture
async def scene(db):
    """Woodwork on Monday and Wednesday mornings (two places each) at Pajatalo, and a
    garden on Monday afternoons at a farm, all run by Sanna. Aino wants work and can come both days;
    Eero only on Monday mornings; Liisa too, but she was referred last; Oona can only
    come on Fridays."""
    today = clock.today()
    first_day = monday_after(today)
    pajatalo = await h.site("Pajatalo")
    farm = await h.site("Koivula farm")
    woodwork = await h.activity(
        pajatalo,
        "Woodwork",
        max_participants=2,
        domains=[DomainStrength(key="work_and_study", strength=3)],
    )
    garden = await h.activity(
        farm,
        "Garden",
        kind=ActivityKind.green_care,
        domains=[DomainStrength(key="stress_management", strength=2)],
    )
    sanna = (await make_user(Role.staff, "sanna@example.org")).id
    slots = {
        "wood_mon": await h.slot(woodwork, 0, time(9), time(12), today=today, staff_ids=[sanna]),
        "wood_wed": await h.slot(woodwork, 2, time(9), time(12), today=today, staff_ids=[sanna]),
        "garden_mon": await h.slot(garden, 0, time(13), time(15), today=today, staff_ids=[sanna]),
    }
    both_days = [(0, time(8), time(16)), (2, time(8), time(16))]
    mornings = [(0, time(8), time(12))]
    people = {
        "aino": await person(
            "Aino Virtanen",
            hours=6,
            windows=both_days,
            sites=[pajatalo, farm],
            goal=("Get back to working life", "work_and_study"),
            referral=date(2026, 2, 1),
        ),
        "eero": await person(
            "Eero Nieminen", hours=3, windows=mornings, sites=[pajatalo], referral=date(2026, 3, 1)
        ),
        "liisa": await person(
            "Liisa Mäkelä",
            hours=3,
            windows=mornings,
            sites=[pajatalo],
            status=ParticipantStatus.waiting,
            referral=date(2026, 5, 1),
        ),
        "oona": await person(
            "Oona Korhonen",
            hours=3,
            windows=[(4, time(8), time(16))],
            sites=[pajatalo],
            status=ParticipantStatus.waiting,
            referral=date(2026, 1, 10),
        ),
    }
    return {"first_day": first_day, "slots": slots, "people": people, "sites": (pajatalo, farm)}


async def coordinator_client(client):
    user = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, user.email)
    return user


async def run_to_done(client, app, body) -> dict:
    started = await client.post("/api/v1/matching/runs", json=body)
    assert started.status_code == 202, started.text
    queue: InProcessQueue = app.state.queue
    await queue.drain()
    detail = (await client.get(f"/api/v1/matching/runs/{started.json()['id']}")).json()
    assert detail["run"]["status"] == "done", detail["run"]
    return detail


def proposals_of(detail: dict, participant_id: int) -> dict[int, dict]:
    return {p["slot_id"]: p for p in detail["proposals"] if p["participant_id"] == participant_id}


async def test_a_run_proposes_explains_and_publishes_into_rosters(client, app, scene):
    await coordinator_client(client)
    people, slots = scene["people"], scene["slots"]
    detail = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    run = detail["run"]
    assert run["solver_status"] == "optimal"
    assert run["progress"] == 100
    assert (run["participants"], run["slots"]) == (4, 3)
    assert 0 < run["greedy_share"] <= 1

    # Woodwork on Monday has two places. Fairness gives Eero and Liisa, who can only
    # come then, one place each before Aino gets a second woodwork morning.
    aino = proposals_of(detail, people["aino"])
    assert set(aino) == {slots["wood_wed"], slots["garden_mon"]}
    assert all(p["change"] == "new" for p in aino.values())
    reasons = " ".join(aino[slots["wood_wed"]]["reason_text"])
    assert "Get back to working life" in reasons
    assert "Uses 5 of 6 weekly hours." in reasons
    assert "Inside their time on Wednesday, 08:00–16:00." in reasons
    placed_monday = {
        p["participant_id"] for p in detail["proposals"] if p["slot_id"] == slots["wood_mon"]
    }
    assert placed_monday == {people["eero"], people["liisa"]}
    unplaced = {u["participant_id"]: u for u in detail["unplaced"]}
    assert set(unplaced) == {people["oona"]}
    assert unplaced[people["oona"]]["reason_text"] == [
        "2 slots outside the times they can come",
        "1 slot at sites they cannot reach",
    ]

    published = await client.post(f"/api/v1/matching/runs/{run['id']}/publish", json={})
    assert published.status_code == 200, published.text
    assert published.json()["created"] == len(detail["proposals"])
    rows = await Placement.select().where(Placement.source == "matcher")
    assert len(rows) == len(detail["proposals"])
    assert all(r["start_date"] == scene["first_day"] for r in rows)
    assert all(r["status"] == PlacementStatus.confirmed for r in rows)

    session = (
        await Session.select(Session.id)
        .where((Session.slot == slots["wood_mon"]) & (Session.date == scene["first_day"]))
        .first()
    )
    roster = await client.get(f"/api/v1/sessions/{session['id']}/roster")
    assert {e["participant_id"] for e in roster.json()} == placed_monday

    again = await client.post(f"/api/v1/matching/runs/{run['id']}/publish", json={})
    assert again.status_code == 409

    waitlist = (await client.get("/api/v1/matching/waitlist")).json()
    assert [entry["participant_id"] for entry in waitlist] == [people["oona"]]


async def test_hand_changes_are_held_to_the_hard_rules(client, app, scene):
    await coordinator_client(client)
    people, slots = scene["people"], scene["slots"]
    detail = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    run_id = detail["run"]["id"]
    url = f"/api/v1/matching/runs/{run_id}/proposals"

    outside_times = await client.post(
        url, json={"participant_id": people["oona"], "slot_id": slots["wood_mon"]}
    )
    assert outside_times.status_code == 409
    rules = {e["rule"] for e in outside_times.json()["errors"]}
    assert "window" in rules and "capacity" in rules

    aino = proposals_of(detail, people["aino"])
    monday_afternoon = await client.post(
        url, json={"participant_id": people["aino"], "slot_id": slots["wood_mon"]}
    )
    assert monday_afternoon.status_code == 409
    assert {e["rule"] for e in monday_afternoon.json()["errors"]} == {
        "per_day",
        "hours",
        "capacity",
    }

    liisa = proposals_of(detail, people["liisa"])[slots["wood_mon"]]
    garden = aino[slots["garden_mon"]]
    for proposal in (liisa, garden):
        response = await client.post(f"{url}/{proposal['id']}", json={"accepted": False})
        assert response.status_code == 200
        assert response.json()["accepted"] is False
    added = await client.post(
        url, json={"participant_id": people["aino"], "slot_id": slots["wood_mon"]}
    )
    assert added.status_code == 201, added.text
    assert added.json()["source"] == "manual"
    assert "Get back to working life" in " ".join(added.json()["reason_text"])
    taking_back = await client.post(f"{url}/{liisa['id']}", json={"accepted": True})
    assert taking_back.status_code == 409  # the place is Aino's now
    assert {e["rule"] for e in taking_back.json()["errors"]} == {"capacity"}

    aino_wed = proposals_of(detail, people["aino"])[slots["wood_wed"]]
    pinned = await client.post(f"{url}/{aino_wed['id']}", json={"pinned": True})
    assert pinned.json()["pinned"] is True
    unknown = await client.post(f"{url}/999999", json={"accepted": True})
    assert unknown.status_code == 404
    bad_slot = await client.post(url, json={"participant_id": people["oona"], "slot_id": 999999})
    assert (bad_slot.status_code, bad_slot.json()["errors"][0]["field"]) == (422, "slot_id")

    assert (
        await client.post(f"/api/v1/matching/runs/{run_id}/publish", json={})
    ).status_code == 200
    wed = (
        await Placement.select()
        .where((Placement.participant == people["aino"]) & (Placement.slot == slots["wood_wed"]))
        .first()
    )
    assert wed["pinned"] is True
    placed = {(r["participant"], r["slot"]) for r in await Placement.select()}
    assert (people["liisa"], slots["wood_mon"]) not in placed
    assert (people["aino"], slots["wood_mon"]) in placed
    assert (people["aino"], slots["garden_mon"]) not in placed
    after = await client.post(
        url, json={"participant_id": people["oona"], "slot_id": slots["wood_wed"]}
    )
    assert after.status_code == 409  # published: no more changes


async def test_replanning_after_one_change_keeps_everyone_else(client, app, scene):
    await coordinator_client(client)
    people, slots = scene["people"], scene["slots"]
    first = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    before = {(p["participant_id"], p["slot_id"]) for p in first["proposals"]}
    assert (
        await client.post(f"/api/v1/matching/runs/{first['run']['id']}/publish", json={})
    ).status_code == 200
    aino = people["aino"]
    await save_capacity(
        h.ACTOR,
        aino,
        CapacityIn(
            weekly_hours=3,
            windows=[WindowIn(weekday=2, start=time(8), end=time(16))],
            reachable_site_ids=list(scene["sites"]),
        ),
    )
    replan = await run_to_done(
        client, app, {"first_day": scene["first_day"].isoformat(), "replan_for": aino}
    )
    assert replan["run"]["mode"] == "replan"
    changes = {(p["participant_id"], p["slot_id"]): p["change"] for p in replan["proposals"]}
    assert changes[(aino, slots["garden_mon"])] == "removed"
    assert changes[(aino, slots["wood_wed"])] == "kept"
    others = {pair for pair in before if pair[0] != aino}
    assert all(changes.get(pair) == "kept" for pair in others)
    removed = next(p for p in replan["proposals"] if p["change"] == "removed")
    assert removed["reason"]["rule"] == "window"
    assert removed["accepted"] is False  # ending a place is the coordinator's call
    run_url = f"/api/v1/matching/runs/{replan['run']['id']}"
    ending = await client.post(f"{run_url}/proposals/{removed['id']}", json={"accepted": True})
    assert ending.status_code == 200
    assert (await client.post(f"{run_url}/publish", json={})).status_code == 200
    garden = (
        await Placement.select()
        .where((Placement.participant == aino) & (Placement.slot == slots["garden_mon"]))
        .first()
    )
    assert garden["status"] == PlacementStatus.ended  # it had not started yet


async def test_a_pinned_placement_cannot_be_set_aside_while_pinned(client, app, scene):
    await coordinator_client(client)
    people, slots = scene["people"], scene["slots"]
    await Placement.insert(
        Placement(
            participant=people["eero"],
            slot=slots["wood_mon"],
            start_date=scene["first_day"] - timedelta(days=7),
            pinned=True,
        )
    )
    detail = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    kept = proposals_of(detail, people["eero"])[slots["wood_mon"]]
    assert (kept["change"], kept["pinned"]) == ("kept", True)
    url = f"/api/v1/matching/runs/{detail['run']['id']}/proposals/{kept['id']}"
    refused = await client.post(url, json={"accepted": False})
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["rule"] == "pinned"
    assert (await client.post(url, json={})).status_code == 422
    assert (await client.post(url, json={"pinned": False})).status_code == 200
    assert (await client.post(url, json={"accepted": False})).status_code == 200
    run_url = f"/api/v1/matching/runs/{detail['run']['id']}"
    assert (await client.post(f"{run_url}/publish", json={})).status_code == 200
    ended = await Placement.select().where(Placement.participant == people["eero"]).first()
    assert (ended["status"], ended["end_date"]) == (
        "confirmed",
        scene["first_day"] - timedelta(days=1),
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_day": "2027-01-04", "last_day": "2027-01-03"}, "last_day"),
        ({"first_day": "2027-01-04", "last_day": "2027-06-04"}, "last_day"),
        ({"first_day": "2027-01-04", "replan_for": 999999}, "replan_for"),
        ({"first_day": "2020-01-06"}, "first_day"),
        ({"first_day": "not a day"}, "first_day"),
        ({"last_day": "2027-01-04"}, "first_day"),
    ],
)
async def test_bad_runs_are_refused_naming_the_field(client, db, body, field):
    await coordinator_client(client)
    response = await client.post("/api/v1/matching/runs", json=body)
    assert response.status_code in (400, 422)
    assert field in response.text
    assert await MatchingRun.count() == 0


async def test_one_run_at_a_time_and_unknown_runs(client, db):
    await coordinator_client(client)
    await MatchingRun.insert(
        MatchingRun(
            first_day=date(2027, 1, 4), last_day=date(2027, 1, 10), status=RunStatus.running
        )
    )
    busy = await client.post("/api/v1/matching/runs", json={"first_day": "2027-01-04"})
    assert busy.status_code == 409
    assert await MatchingRun.count() == 1
    assert (await client.get("/api/v1/matching/runs/999999")).status_code == 404
    assert (await client.post("/api/v1/matching/runs/999999/publish", json={})).status_code == 404
    running = (await MatchingRun.select(MatchingRun.id).first())["id"]
    not_yet = await client.post(f"/api/v1/matching/runs/{running}/publish", json={})
    assert not_yet.status_code == 409


@pytest.mark.parametrize("role", [Role.staff, Role.partner, Role.participant])
async def test_only_planners_may_match(client, db, role):
    user = await make_user(role, "someone@example.org")
    await api_login(client, user.email)
    for method, url in [
        ("post", "/api/v1/matching/runs"),
        ("get", "/api/v1/matching/runs"),
        ("get", "/api/v1/matching/runs/1"),
        ("post", "/api/v1/matching/runs/1/publish"),
        ("post", "/api/v1/matching/runs/1/proposals"),
        ("get", "/api/v1/matching/waitlist"),
        ("get", "/matching"),
        ("get", "/matching/waitlist"),
    ]:
        kwargs = {"json": {"first_day": "2027-01-04"}} if method == "post" else {}
        response = await getattr(client, method)(url, **kwargs)
        assert response.status_code == 403, (url, response.status_code)
    assert await MatchingRun.count() == 0


async def test_the_pages_start_show_and_publish_a_run(client, app, scene):
    await coordinator_client(client)
    index = await client.get("/matching")
    assert index.status_code == 200
    assert "Find placements" in index.text
    response = await post_form(
        client, "/matching/runs", {"first_day": scene["first_day"].isoformat(), "last_day": ""}
    )
    assert response.status_code == 200, response.text
    run_url = response.url.path
    assert run_url.startswith("/matching/runs/")
    await app.state.queue.drain()
    page = await client.get(run_url)
    assert page.status_code == 200
    assert "Aino Virtanen" in page.text and "Get back to working life" in page.text
    assert "Oona Korhonen" in page.text
    assert f'<option value="{scene["people"]["oona"]}">Oona Korhonen</option>' in page.text
    by_slot = await client.get(run_url, params={"view": "slots"})
    assert "Woodwork" in by_slot.text
    bad = await post_form(
        client, "/matching/runs", {"first_day": "2027-01-04", "last_day": "2027-01-01"}
    )
    assert bad.status_code == 422
    assert "The last day must be on or after the first day." in bad.text
    listed = (await client.get("/matching")).text
    assert re.search(r"\d\d:\d\d</td>", listed)  # a 24-hour time
    assert " AM<" not in listed and " PM<" not in listed
    published = await post_form(client, f"{run_url}/publish", {})
    assert published.status_code == 200
    assert "Published:" in published.text
    assert await Placement.count() > 0
    waitlist = await client.get("/matching/waitlist")
    assert "Oona Korhonen" in waitlist.text


async def test_a_run_through_redis_and_a_burst_worker(db, settings, redis, scene):
    settings = replace(settings, redis_url=redis, queue_name="tupa:test-matching")
    run = MatchingRun(first_day=scene["first_day"], last_day=scene["first_day"] + timedelta(days=6))
    await run.save()
    queue = ArqQueue(settings)
    await queue.start()
    try:
        job_id = f"matching:{run.id}"
        assert await queue.enqueue("run_matching", job_id=job_id, run_id=run.id) is True
        worker = Worker(
            **worker_settings(settings, burst=True, poll_delay=0.05, handle_signals=False)
        )
        try:
            await worker.main()
        finally:
            await worker.close()
        assert (worker.jobs_complete, worker.jobs_failed) == (1, 0)
    finally:
        await queue.stop()
        bind_engine(db.engine)
    row = await MatchingRun.select().where(MatchingRun.id == run.id).first()
    assert row["status"] == RunStatus.done
    assert await MatchingProposal.count().where(MatchingProposal.run == run.id) > 0


async def test_participants_see_why_in_simple_words(client, app, scene):
    people = scene["people"]
    await coordinator_client(client)
    detail = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    assert (
        await client.post(f"/api/v1/matching/runs/{detail['run']['id']}/publish", json={})
    ).status_code == 200
    for key, email in (("aino", "aino@example.org"), ("oona", "oona@example.org")):
        account = await make_user(Role.participant, email)
        await link_account(h.ACTOR, people[key], account.id)

    await client.post("/logout", data={"_csrf_token": await csrf_token(client)})
    await api_login(client, "aino@example.org")
    mine = await client.get("/me/activities")
    assert mine.status_code == 200
    assert "Your places and why" in mine.text
    assert "It helps with your goal: “Get back to working life”" in mine.text
    assert "Your week: 5 of the 6 hours you want." in mine.text
    assert "Eero" not in mine.text and "Liisa" not in mine.text

    await client.post("/logout", data={"_csrf_token": await csrf_token(client)})
    await api_login(client, "oona@example.org")
    waiting = await client.get("/me/activities")
    assert "We are still looking for your place" in waiting.text
    assert "no group meets at the times you can come" in waiting.text


async def test_replanning_starts_from_the_participant_profile(client, app, scene):
    await coordinator_client(client)
    aino = scene["people"]["aino"]
    profile = await client.get(f"/participants/{aino}")
    assert "Re-plan from" in profile.text
    response = await post_form(
        client,
        "/matching/runs",
        {"replan_for": str(aino), "first_day": scene["first_day"].isoformat()},
    )
    assert response.status_code == 200
    await app.state.queue.drain()
    (run,) = await MatchingRun.select()
    assert (run["mode"], run["replan_for"], run["status"]) == ("replan", aino, "done")


async def test_a_run_that_lost_its_worker_does_not_block_the_next(client, app, scene):
    await coordinator_client(client)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    await MatchingRun.insert(
        MatchingRun(
            first_day=scene["first_day"],
            last_day=scene["first_day"],
            status=RunStatus.running,
            created_at=long_ago,
        )
    )
    detail = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    old = await MatchingRun.select().where(MatchingRun.id != detail["run"]["id"]).first()
    assert (old["status"], old["error"]) == ("failed", "worker_stopped")


async def test_keeping_a_placement_that_no_longer_fits_is_the_coordinators_call(client, app, scene):
    """The run ends Oona's hand-made placement at a farm she cannot reach; keeping it
    is allowed, since it changes nothing, and publishing does not trip over it."""
    await coordinator_client(client)
    people, slots = scene["people"], scene["slots"]
    await Placement.insert(
        Placement(participant=people["oona"], slot=slots["garden_mon"], start_date=date(2026, 1, 5))
    )
    detail = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    removal = proposals_of(detail, people["oona"])[slots["garden_mon"]]
    assert (removal["change"], removal["reason"]["rule"]) == ("removed", "site")
    url = f"/api/v1/matching/runs/{detail['run']['id']}"
    kept = await client.post(f"{url}/proposals/{removal['id']}", json={"accepted": False})
    assert kept.status_code == 200
    assert (await client.post(f"{url}/publish", json={})).status_code == 200
    row = await Placement.select().where(Placement.participant == people["oona"]).first()
    assert (row["status"], row["end_date"]) == ("confirmed", None)


async def test_publishing_counts_placements_made_since_the_run(client, app, scene):
    """Pekka is placed by hand in Monday's woodwork after the run proposed Eero and
    Liisa for its two places: publishing now would put three in it."""
    await coordinator_client(client)
    slots = scene["slots"]
    detail = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    pekka = await person(
        "Pekka Laine", hours=3, windows=[(0, time(8), time(12))], sites=[scene["sites"][0]]
    )
    await Placement.insert(
        Placement(participant=pekka, slot=slots["wood_mon"], start_date=scene["first_day"])
    )
    refused = await client.post(f"/api/v1/matching/runs/{detail['run']['id']}/publish", json={})
    assert refused.status_code == 409
    assert {e["rule"] for e in refused.json()["errors"]} == {"capacity"}
    assert await Placement.count() == 1  # nothing half-written
    run = await MatchingRun.select().where(MatchingRun.id == detail["run"]["id"]).first()
    assert run["status"] == "done"  # still open for review


async def test_accept_all_discard_and_who_may_be_placed_by_hand(client, app, scene):
    await coordinator_client(client)
    slots = scene["slots"]
    paused = await person(
        "Ville Paused",
        hours=3,
        windows=[(0, time(8), time(12))],
        sites=[scene["sites"][0]],
        status=ParticipantStatus.paused,
    )
    detail = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    url = f"/api/v1/matching/runs/{detail['run']['id']}"
    not_planned = await client.post(
        f"{url}/proposals", json={"participant_id": paused, "slot_id": slots["wood_wed"]}
    )
    assert (not_planned.status_code, not_planned.json()["errors"][0]["field"]) == (
        422,
        "participant_id",
    )
    aside = await client.post(f"{url}/accept-all", json={"accepted": False})
    assert aside.json() == {"changed": len(detail["proposals"])}
    assert (await client.post(f"{url}/accept-all", json={})).status_code == 422
    assert (await client.post(f"{url}/discard", json={})).json()["status"] == "discarded"
    assert (await client.post(f"{url}/discard", json={})).status_code == 409
    assert (await client.post(f"{url}/publish", json={})).status_code == 409
    assert await Placement.count() == 0


async def test_the_database_allows_one_open_run(db):
    await MatchingRun.insert(
        MatchingRun(first_day=date(2027, 1, 4), last_day=date(2027, 1, 4), status="queued")
    )
    with pytest.raises(Exception) as refused:
        await MatchingRun.insert(
            MatchingRun(first_day=date(2027, 1, 4), last_day=date(2027, 1, 4), status="running")
        )
    assert is_unique_violation(refused.value)
    await MatchingRun.insert(
        MatchingRun(first_day=date(2027, 1, 4), last_day=date(2027, 1, 4), status="done")
    )


async def test_publishing_reaches_the_participants_calendar(client, app, scene):
    await coordinator_client(client)
    aino = scene["people"]["aino"]
    made = await client.post("/api/v1/feeds", json={"kind": "participant", "owner_id": aino})
    assert made.status_code == 201, made.text
    path = made.json()["path"]
    before = parse((await client.get(path)).content)
    assert before == []
    detail = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    url = f"/api/v1/matching/runs/{detail['run']['id']}/publish"
    assert (await client.post(url, json={})).status_code == 200
    await app.state.queue.drain()  # the feed refresh the publication queued
    after = parse((await client.get(path)).content)
    titles = {str(event["SUMMARY"]) for event in after}
    assert {"Woodwork", "Garden"} <= titles  # (and any on public holidays, as cancelled)
    assert "Eero" not in (await client.get(path)).text


async def replanned_without_the_garden(client, app, scene) -> dict:
    """Aino's week is published, then she can come only on Wednesdays: the re-plan
    would end her Monday garden."""
    first = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    assert (
        await client.post(f"/api/v1/matching/runs/{first['run']['id']}/publish", json={})
    ).status_code == 200
    await save_capacity(
        h.ACTOR,
        scene["people"]["aino"],
        CapacityIn(
            weekly_hours=3,
            windows=[WindowIn(weekday=2, start=time(8), end=time(16))],
            reachable_site_ids=list(scene["sites"]),
        ),
    )
    return await run_to_done(
        client,
        app,
        {"first_day": scene["first_day"].isoformat(), "replan_for": scene["people"]["aino"]},
    )


def list_items(html: str, css_class: str) -> list[str]:
    """The texts of the list items in the first list with `css_class`."""
    start = html.index(f'class="summary {css_class}"')
    block = html[start : html.index("</ul>", start)]
    return [part.split("</li>")[0].strip() for part in block.split("<li>")[1:]]


async def test_an_ending_is_flagged_starts_kept_and_publishing_asks_with_the_counts(
    client, app, scene
):
    await coordinator_client(client)
    replan = await replanned_without_the_garden(client, app, scene)
    run_url = f"/matching/runs/{replan['run']['id']}"
    removal = next(p for p in replan["proposals"] if p["change"] == "removed")
    assert removal["accepted"] is False

    review = await client.get(run_url)
    flagged = review.text[review.text.index('id="losses-title"') :]
    flagged = flagged[: flagged.index("</section>")]
    assert "1 person would lose a place" in flagged
    assert "Aino Virtanen" in flagged and "Garden" in flagged
    assert review.text.index('id="losses-title"') < review.text.index('id="summary-title"')
    assert f'href="{run_url}/publish"' in review.text  # Publish asks first

    asked = await client.get(f"{run_url}/publish")
    assert asked.status_code == 200
    before = list_items(asked.text, "publish-counts")
    assert "0 ending" in before
    assert "kept: the ending is not accepted" in asked.text

    # The ending accepted through htmx: only its row comes back, now ending.
    swapped = await client.post(
        f"{run_url}/proposals/{removal['id']}",
        data={"_csrf_token": await csrf_token(client), "accepted": "true", "view": "people"},
        headers={"HX-Request": "true", "HX-Target": f"proposal-{removal['id']}"},
    )
    assert swapped.status_code == 200
    assert swapped.text.lstrip().startswith(f'<li id="proposal-{removal["id"]}"')
    assert "Ends when published" in swapped.text and "<html" not in swapped.text

    asked = await client.get(f"{run_url}/publish")
    counts = list_items(asked.text, "publish-counts")
    assert "1 ending" in counts
    published = await post_form(client, f"{run_url}/publish", {})
    assert published.status_code == 200
    assert f"Published: {', '.join(counts)}." in published.text
    garden = (
        await Placement.select()
        .where(
            (Placement.participant == scene["people"]["aino"])
            & (Placement.slot == scene["slots"]["garden_mon"])
        )
        .first()
    )
    assert garden["status"] == PlacementStatus.ended
    gone = await client.get(f"{run_url}/publish", follow_redirects=False)
    assert gone.status_code in (302, 303)  # nothing left to publish


async def test_changes_only_and_the_fill_of_each_slot(client, app, scene):
    await coordinator_client(client)
    replan = await replanned_without_the_garden(client, app, scene)
    run_url = f"/matching/runs/{replan['run']['id']}"
    everything = await client.get(run_url)
    changes = await client.get(run_url, params={"changes": "only"})
    assert "Eero Nieminen" in everything.text  # his place is kept
    assert (
        "Eero Nieminen"
        not in changes.text.split('id="changes-title"')[1].split('id="unplaced-title"')[0]
    )
    assert "Garden" in changes.text
    by_slot = await client.get(run_url, params={"view": "slots"})
    assert "Places: 2 (at least 1)." in by_slot.text  # Woodwork
    assert "Now 1, after publishing 1." in by_slot.text  # the garden kept until ended
    bad = await client.get(run_url, params={"changes": "some"})
    assert bad.status_code in (400, 422) and "changes" in bad.text
