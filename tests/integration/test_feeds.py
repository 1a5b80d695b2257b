"""Calendar feeds end to end: who may make them, what they show (and never show), the
HTTP rules calendar apps rely on, invalidation by the job, and "I can't come"."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from arq.worker import Worker

from service import clock
from service.app import create_app
from service.auth.schemas import UserUpdate
from service.auth.services import update_user
from service.auth.tables import Role
from service.calendars import services as feeds
from service.calendars.tables import FeedToken
from service.catalog.schemas import ActivityIn, SiteIn
from service.catalog.tables import ActivityTitle
from service.db import bind_engine
from service.people.schemas import ParticipantIn
from service.people.services import erase, link_account, save_participant
from service.people.tables import ParticipantStatus
from service.placements import services as placements
from service.placements.services import PlacementIn
from service.placements.tables import AbsenceNotice
from service.schedule import services as schedule
from service.schedule.schemas import SessionChange
from service.schedule.tables import Session, SessionStatus
from service.worker import worker_settings
from tests import schedule_helpers as h
from tests.conftest import make_client, running
from tests.helpers import api_login, make_user, post_form

HELSINKI = ZoneInfo("Europe/Helsinki")


async def participant(name: str, account_email: str | None = None, **extra) -> int:
    data = ParticipantIn(display_name=name, status=ParticipantStatus.active, **extra)
    row = await save_participant(h.ACTOR, data)
    if account_email:
        account = await make_user(Role.participant, account_email)
        await link_account(h.ACTOR, row.id, account.id)
    return row.id


def parse(body: bytes) -> list:
    """Strict parsing and expansion, as the issue asks of every feed in the tests."""
    calendar = icalendar.Calendar.from_ical(body)
    assert not [c.errors for c in calendar.walk() if c.errors]  # nothing icalendar skipped
    return recurring_ical_events.of(calendar).between(date(2000, 1, 1), date(2100, 1, 1))


def held_titles(events: list) -> set[str]:
    """The titles of the sessions that take place (a holiday in the horizon cancels some,
    and those carry a "Cancelled:" prefix in the feed's language)."""
    return {str(e["SUMMARY"]) for e in events if str(e.get("STATUS", "")) != "CANCELLED"}


@pytest.fixture
async def world(db):
    """Woodwork every day at 23:00 (always a coming session), with Olli running it and
    Aino and Eero placed in it."""
    site = await h.site("Pajatalo", address="Verstaankatu 4, Tampere", phone="+358 40 123 4567")
    activity = await h.activity(
        site, title="Puutyö, maalaus; ja lakkaus", what_to_bring="Turvakengät; eväät"
    )
    olli = await make_user(Role.staff, "olli@example.org", display_name="Olli Virtanen")
    today = clock.today()
    slots = [
        await h.slot(
            activity,
            weekday=day,
            start=time(23, 0),
            end=time(23, 30),
            valid_from=today - timedelta(days=7),
            today=today,
            staff_ids=[olli.id],
        )
        for day in range(7)
    ]
    aino = await participant("Aino Koskinen", "aino@example.org")
    eero = await participant("Eero Esimerkki", "eero@example.org")
    for person in (aino, eero):
        await placements.place(
            h.ACTOR,
            PlacementIn(participant_id=person, slot_id=slots[today.weekday()], start_date=today),
        )
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    return {
        "site": site,
        "activity": activity,
        "slots": slots,
        "today": today,
        "olli": olli,
        "aino": aino,
        "eero": eero,
        "coordinator": coordinator,
    }


async def make_feed(client, kind: str, owner_id: int) -> dict:
    response = await client.post("/api/v1/feeds", json={"kind": kind, "owner_id": owner_id})
    assert response.status_code == 201, response.text
    feed = response.json()
    served = await client.get(feed["path"])
    assert served.status_code == 200
    parse(served.content)  # every feed the tests make is parsed strictly and expanded
    return feed


async def test_participant_feed_over_http(client, world):
    await api_login(client, world["coordinator"].email)
    feed = await make_feed(client, "participant", world["aino"])
    assert len(feed["token"]) >= 22  # at least 128 bits, base64url
    assert feed["path"] == f"/feeds/{feed['token']}.ics"
    stored = await FeedToken.select().first()
    assert feed["token"] not in str(stored)  # only a hash and a salt are kept
    await client.post("/api/v1/auth/logout", json={})
    client.cookies.clear()  # as a calendar app: no cookies

    response = await client.get(feed["path"])  # no sign-in: the secret is the key
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["etag"].startswith('"')
    assert "last-modified" in response.headers
    assert "content-encoding" not in response.headers
    assert "set-cookie" not in response.headers  # calendar apps keep no cookies
    body = response.content
    assert body.endswith(b"\r\n")
    events = parse(body)
    assert events
    item = events[0]
    assert str(item["SUMMARY"]) == "Puutyö, maalaus; ja lakkaus"
    assert "Pajatalo" in str(item["LOCATION"])
    assert "Verstaankatu 4, Tampere" in str(item["LOCATION"])
    description = str(item["DESCRIPTION"])
    assert "Turvakengät; eväät" in description
    assert "+358 40 123 4567" in description
    assert "Olli" in description and "Virtanen" not in description
    assert "/feeds/absence/" in description
    assert str(item["UID"]).startswith("session-")
    # nobody else's name, not even the other participant placed in the same session
    assert b"Eero" not in body and b"Esimerkki" not in body
    assert b"Koskinen" not in body


async def test_304_and_head(client, world):
    await api_login(client, world["coordinator"].email)
    feed = await make_feed(client, "participant", world["aino"])
    first = await client.get(feed["path"])
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = await client.get(feed["path"], headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert (await client.get(feed["path"], headers={"If-None-Match": '"other"'})).status_code == 200
    since = await client.get(feed["path"], headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    older = format_datetime(datetime.now(UTC) - timedelta(days=400), usegmt=True)
    assert (await client.get(feed["path"], headers={"If-Modified-Since": older})).status_code == 200
    head = await client.head(feed["path"])
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == etag
    assert head.headers["content-length"] == str(len(first.content))


async def test_unknown_rotated_and_revoked_tokens_give_404(client, world):
    await api_login(client, world["coordinator"].email)
    feed = await make_feed(client, "participant", world["aino"])
    assert (await client.get("/feeds/" + "A" * 43 + ".ics")).status_code == 404
    assert (await client.get(f"/feeds/{feed['token']}")).status_code == 404  # no .ics
    rotated = await client.post(f"/api/v1/feeds/{feed['id']}/rotate", json={})
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["token"] != feed["token"]
    old = await client.get(feed["path"], follow_redirects=False)
    assert old.status_code == 404  # and no redirect to the new one
    assert (await client.get(new["path"])).status_code == 200
    assert (await client.post(f"/api/v1/feeds/{feed['id']}/rotate", json={})).status_code == 404
    revoked = await client.post(f"/api/v1/feeds/{new['id']}/revoke", json={})
    assert revoked.status_code == 204
    assert (await client.get(new["path"])).status_code == 404
    assert (await client.post(f"/api/v1/feeds/{new['id']}/revoke", json={})).status_code == 404
    # once revoked, a new feed may be made
    assert (await make_feed(client, "participant", world["aino"]))["token"] != new["token"]


async def test_rate_limit_per_token(settings, db, world):
    app = create_app(replace(settings, feed_requests_per_minute=3), engine=db.engine)
    async with running(app), make_client(app) as client:
        await api_login(client, world["coordinator"].email)
        feed = await make_feed(client, "participant", world["aino"])
        other = await make_feed(client, "participant", world["eero"])
        for _ in range(2):  # make_feed has fetched it once
            assert (await client.get(feed["path"])).status_code == 200
        limited = await client.get(feed["path"])
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 61
        assert (await client.get(other["path"])).status_code == 200  # per token


async def test_changes_reach_the_feed_through_the_job(client, app, world):
    await api_login(client, world["coordinator"].email)
    feed = await make_feed(client, "participant", world["aino"])
    before = await client.get(feed["path"])
    coming = (
        await Session.select()
        .where(Session.slot == world["slots"][world["today"].weekday()])
        .order_by(Session.date)
        .first()
    )
    later = (
        await Session.select()
        .where(
            (Session.slot == world["slots"][world["today"].weekday()])
            & (Session.date > coming["date"])
            & (Session.status != SessionStatus.cancelled.value)  # not one a holiday cancelled
        )
        .order_by(Session.date)
        .first()
    )
    uid = f"session-{coming['id']}@tupa"
    original = next(e for e in parse(before.content) if str(e["UID"]) == uid)

    await schedule.change_session(h.ACTOR, coming["id"], SessionChange(start=time(22, 0)))
    await app.state.queue.drain()
    moved_response = await client.get(
        feed["path"], headers={"If-None-Match": before.headers["etag"]}
    )
    assert moved_response.status_code == 200
    moved = next(e for e in parse(moved_response.content) if str(e["UID"]) == uid)
    assert moved["SEQUENCE"] > original["SEQUENCE"]
    assert moved["DTSTART"].dt < original["DTSTART"].dt

    await schedule.cancel_session(h.ACTOR, later["id"], "Ohjaaja sairaana")
    await app.state.queue.drain()
    cancelled_body = (await client.get(feed["path"])).content
    cancelled = next(
        e for e in parse(cancelled_body) if str(e["UID"]) == f"session-{later['id']}@tupa"
    )
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SEQUENCE"] >= 1


async def test_staff_site_and_activity_feeds_show_counts_not_names(client, world):
    await api_login(client, world["coordinator"].email)
    for kind, owner in (
        ("staff", world["olli"].id),
        ("site", world["site"]),
        ("activity", world["activity"]),
    ):
        feed = await make_feed(client, kind, owner)
        body = (await client.get(feed["path"])).content
        events = parse(body)
        assert events, kind
        today_event = next(
            e for e in events if e["DTSTART"].dt.astimezone(HELSINKI).date() == world["today"]
        )
        assert "Participants expected: 2" in str(today_event["DESCRIPTION"])
        for name in (b"Aino", b"Koskinen", b"Eero", b"Esimerkki"):
            assert name not in body, (kind, name)
        assert b"/feeds/absence/" not in body


async def test_nine_in_helsinki_across_dst_in_a_participant_feed(db):
    """Weekly at 09:00 on Mondays around the change to summer time (29 March 2026)."""
    site = await h.site("Meijeri")
    activity = await h.activity(site, title="Aamupuuro")
    slot = await h.slot(
        activity,
        weekday=0,
        start=time(9),
        end=time(10),
        valid_from=date(2026, 3, 16),
        today=date(2026, 3, 16),
    )
    aino = await participant("Aino Koskinen")
    await placements.place(
        h.ACTOR, PlacementIn(participant_id=aino, slot_id=slot, start_date=date(2026, 3, 16))
    )
    row = await FeedToken.insert(
        FeedToken(
            kind="participant",
            owner_id=aino,
            scope=f"participant:{aino}",
            salt="s",
            token_hash="h" * 64,
        )
    ).returning(FeedToken.id)
    ref = feeds.FeedRef(
        id=row[0]["id"],
        kind=feeds.FeedKind.participant,
        owner_id=aino,
        language="fi",
        created_at=datetime(2026, 3, 1, tzinfo=HELSINKI),
        version=0,
        changed_at=None,
        all_version=0,
        all_changed_at=None,
    )
    body = await feeds.render_feed(
        ref, base_url="https://tupa.example", secret_key="k" * 40, today=date(2026, 3, 26)
    )
    starts = {e["DTSTART"].dt.date(): e["DTSTART"].dt for e in parse(body)}
    assert starts[date(2026, 3, 23)].hour == 7  # UTC+2 before the change
    assert starts[date(2026, 3, 30)].hour == 6  # UTC+3 after it
    assert all(s.astimezone(HELSINKI).time() == time(9) for s in starts.values())
    assert all(s.utcoffset() == timedelta(0) for s in starts.values())
    assert b"Aamupuuro" in body


async def test_who_may_make_which_feed(client, world):
    partner = await make_user(Role.partner, "farm@example.org")
    other_staff = await make_user(Role.staff, "ville@example.org")
    body = {"kind": "participant", "owner_id": world["aino"]}
    assert (await client.post("/api/v1/feeds", json=body)).status_code == 401
    await api_login(client, partner.email)
    assert (await client.post("/api/v1/feeds", json=body)).status_code == 403
    assert (await client.get("/api/v1/feeds")).status_code == 403
    await client.post("/api/v1/auth/logout", json={})

    await api_login(client, "aino@example.org")
    own = await client.post("/api/v1/feeds", json=body)
    assert own.status_code == 201
    support = await client.post("/api/v1/feeds", json={**body, "kind": "support"})
    assert support.status_code == 201
    assert (await client.post("/api/v1/feeds", json=body)).status_code == 409
    others = {"kind": "participant", "owner_id": world["eero"]}
    assert (await client.post("/api/v1/feeds", json=others)).status_code == 404
    staff_feed = {"kind": "staff", "owner_id": world["olli"].id}
    assert (await client.post("/api/v1/feeds", json=staff_feed)).status_code == 403
    site_feed = {"kind": "site", "owner_id": world["site"]}
    assert (await client.post("/api/v1/feeds", json=site_feed)).status_code == 403
    mine = (await client.get("/api/v1/feeds")).json()
    assert {f["kind"] for f in mine} == {"participant", "support"}
    await client.post("/api/v1/auth/logout", json={})

    await api_login(client, world["coordinator"].email)
    eero_feed = await make_feed(client, "participant", world["eero"])
    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, "aino@example.org")
    assert (
        await client.post(f"/api/v1/feeds/{eero_feed['id']}/rotate", json={})
    ).status_code == 404
    assert (
        await client.post(f"/api/v1/feeds/{eero_feed['id']}/revoke", json={})
    ).status_code == 404
    await client.post("/api/v1/auth/logout", json={})

    await api_login(client, other_staff.email)
    assert (await client.post("/api/v1/feeds", json=staff_feed)).status_code == 403
    assert (await client.post("/api/v1/feeds", json=site_feed)).status_code == 403
    mine = {"kind": "staff", "owner_id": other_staff.id}
    assert (await client.post("/api/v1/feeds", json=mine)).status_code == 201
    await client.post("/api/v1/auth/logout", json={})

    await api_login(client, world["coordinator"].email)
    bad = await client.post("/api/v1/feeds", json={"kind": "site", "owner_id": 999})
    assert bad.status_code == 422
    assert "owner_id" in bad.text
    wrong_kind = await client.post("/api/v1/feeds", json={"kind": "planet", "owner_id": 1})
    assert wrong_kind.status_code in (400, 422)
    assert "kind" in wrong_kind.text
    language = await client.post(
        "/api/v1/feeds", json={"kind": "site", "owner_id": world["site"], "language": "xx"}
    )
    assert language.status_code == 422 and "language" in language.text
    assert (await client.post("/api/v1/feeds/999/rotate", json={})).status_code == 404
    assert (await make_feed(client, "activity", world["activity"]))["kind"] == "activity"


async def test_i_cant_come_link_asks_first_and_records_on_post(client, app, world):
    await api_login(client, world["coordinator"].email)
    feed = await make_feed(client, "participant", world["aino"])
    await client.post("/api/v1/auth/logout", json={})
    events = parse((await client.get(feed["path"])).content)
    url = str(next(e for e in events if "URL" in e)["URL"])
    path = url.split("testserver.local", 1)[1]
    preview = await client.get(path)  # what a link preview does
    assert preview.status_code == 200
    assert "Puutyö" in preview.text
    assert "Koskinen" not in preview.text
    assert await AbsenceNotice.count() == 0
    done = await post_form(client, path, {"note": ""})
    assert done.status_code == 200
    assert await AbsenceNotice.count() == 1
    notice = await AbsenceNotice.select().first()
    assert notice["participant"] == world["aino"]
    again = await post_form(client, path, {})
    assert again.status_code == 200 and await AbsenceNotice.count() == 1
    await app.state.queue.drain()
    told = parse((await client.get(feed["path"])).content)
    session_uid = f"session-{notice['session']}@tupa"
    marked = next(e for e in told if str(e["UID"]) == session_uid)
    assert "URL" not in marked  # said already: no second link
    assert "can't come" in str(marked["DESCRIPTION"]) or "pääse" in str(marked["DESCRIPTION"])
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert (await client.get(tampered)).status_code == 404
    assert (await post_form(client, tampered, {})).status_code == 404
    assert (await client.get("/feeds/absence/nonsense")).status_code == 404
    # rotating the feed stops its links
    await api_login(client, world["coordinator"].email)
    await client.post(f"/api/v1/feeds/{feed['id']}/rotate", json={})
    assert (await client.get(path)).status_code == 404


async def test_pages_show_the_webcal_link_and_qr(client, world):
    await api_login(client, "aino@example.org")
    week = await client.get("/me")
    assert "/me/calendar" in week.text
    empty = await client.get("/me/calendar")
    assert empty.status_code == 200 and "webcal://" not in empty.text
    made = await post_form(client, "/me/calendar/participant", {"action": "create"})
    assert made.status_code == 200
    assert "webcal://testserver.local/feeds/" in made.text
    assert "<svg" in made.text
    token = made.text.split("webcal://testserver.local/feeds/", 1)[1].split(".ics", 1)[0]
    assert parse((await client.get(f"/feeds/{token}.ics")).content)
    renewed = await post_form(client, "/me/calendar/participant", {"action": "rotate"})
    assert token not in renewed.text
    assert (await client.get(f"/feeds/{token}.ics")).status_code == 404
    assert (await post_form(client, "/me/calendar/bogus", {})).status_code == 404
    await client.post("/api/v1/auth/logout", json={})

    staff = await make_user(Role.partner, "farm@example.org")
    await api_login(client, staff.email)
    refused = await post_form(client, f"/participants/{world['aino']}/feeds/participant", {})
    assert refused.status_code == 403
    await client.post("/api/v1/auth/logout", json={})

    await api_login(client, world["coordinator"].email)
    profile = await client.get(f"/participants/{world['aino']}")
    assert 'id="calendar-feeds"' in profile.text
    stopped = await post_form(
        client, f"/participants/{world['aino']}/feeds/participant", {"action": "revoke"}
    )
    assert stopped.status_code == 200
    assert await FeedToken.count().where(FeedToken.revoked_at.is_null()) == 0
    await post_form(
        client, f"/participants/{world['aino']}/feeds/participant", {"action": "create"}
    )
    card = await post_form(client, f"/participants/{world['aino']}/card", {})
    assert card.status_code == 200
    assert "webcal://testserver.local/feeds/" in card.text


async def test_with_redis_the_cache_is_shared_and_a_worker_runs_the_job(db, settings, redis, world):
    """Two app processes share the rendered feed through Redis; a change queues the
    invalidation job to arq, and only once a worker has run it does the feed change."""
    settings = replace(settings, redis_url=redis, queue_name="tupa:test-feeds")
    first_app = create_app(settings, engine=db.engine)
    second_app = create_app(settings, engine=db.engine)
    try:
        async with (
            running(first_app),
            running(second_app),
            make_client(first_app) as client,
            make_client(second_app) as other,
        ):
            await api_login(client, world["coordinator"].email)
            feed = await make_feed(client, "participant", world["aino"])
            before = await client.get(feed["path"])
            assert (await other.get(feed["path"])).headers["etag"] == before.headers["etag"]
            coming = (
                await Session.select()
                .where(Session.slot == world["slots"][world["today"].weekday()])
                .order_by(Session.date)
                .first()
            )
            await schedule.cancel_session(h.ACTOR, coming["id"], "Flu")
            stale = await other.get(feed["path"])
            assert stale.headers["etag"] == before.headers["etag"]  # the job has not run
            worker = Worker(
                **worker_settings(settings, burst=True, poll_delay=0.05, handle_signals=False)
            )
            try:
                await worker.main()
            finally:
                await worker.close()
            assert worker.jobs_failed == 0 and worker.jobs_complete >= 1
            bind_engine(db.engine)
            fresh = await other.get(feed["path"])
            assert fresh.headers["etag"] != before.headers["etag"]
            uid = f"session-{coming['id']}@tupa"
            item = next(e for e in parse(fresh.content) if str(e["UID"]) == uid)
            assert item["STATUS"] == "CANCELLED"
    finally:
        bind_engine(db.engine)


async def test_a_new_placement_and_its_end_reach_the_feed(client, app, world):
    await api_login(client, world["coordinator"].email)
    feed = await make_feed(client, "participant", world["eero"])
    other_slot = world["slots"][(world["today"].weekday() + 1) % 7]
    uids = {str(e["UID"]) for e in parse((await client.get(feed["path"])).content)}
    placed = await client.post(
        "/api/v1/placements",
        json={
            "participant_id": world["eero"],
            "slot_id": other_slot,
            "start_date": world["today"].isoformat(),
        },
    )
    assert placed.status_code == 201
    await app.state.queue.drain()
    more = {str(e["UID"]) for e in parse((await client.get(feed["path"])).content)}
    assert uids < more
    ended = await client.post(
        f"/api/v1/placements/{placed.json()['id']}/end",
        json={"end_date": world["today"].isoformat()},
    )
    assert ended.status_code == 200
    await app.state.queue.drain()
    assert {str(e["UID"]) for e in parse((await client.get(feed["path"])).content)} == uids


async def test_feeds_of_people_who_are_gone_stop(client, app, world):
    await api_login(client, world["coordinator"].email)
    feed = await make_feed(client, "participant", world["aino"])
    staff_feed = await make_feed(client, "staff", world["olli"].id)
    events = parse((await client.get(feed["path"])).content)
    absence_path = str(next(e for e in events if "URL" in e)["URL"]).split("testserver.local")[1]
    await erase(h.ACTOR, world["aino"])
    await app.state.queue.drain()
    assert (await client.get(feed["path"])).status_code == 404
    assert (await client.get(absence_path)).status_code == 404
    await update_user(h.ACTOR, world["olli"].id, UserUpdate(is_active=False))
    await app.state.queue.drain()
    assert (await client.get(staff_feed["path"])).status_code == 404


async def test_after_a_new_secret_key_old_links_work_until_a_new_one_is_made(
    client, settings, db, world
):
    """The app cannot show a link made under the old key, so it offers a new one; the
    subscribed calendars keep working until then."""
    await api_login(client, world["coordinator"].email)
    feed = await make_feed(client, "participant", world["aino"])
    app = create_app(replace(settings, secret_key="another-secret-" * 4), engine=db.engine)
    async with running(app), make_client(app) as other:
        await api_login(other, world["coordinator"].email)
        assert (await other.get(feed["path"])).status_code == 200
        assert (await other.get("/api/v1/feeds")).json() == []
        fresh = await make_feed(other, "participant", world["aino"])
        assert (await other.get(fresh["path"])).status_code == 200
        assert (await other.get(feed["path"])).status_code == 404


async def test_staff_make_their_own_feed_on_a_page(client, world):
    await api_login(client, "aino@example.org")
    assert (await client.get("/calendar")).status_code == 403
    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, world["olli"].email)
    assert "/calendar" in (await client.get("/dashboard")).text
    made = await post_form(client, "/calendar", {"action": "create"})
    assert made.status_code == 200
    token = made.text.split("webcal://testserver.local/feeds/", 1)[1].split(".ics", 1)[0]
    body = (await client.get(f"/feeds/{token}.ics")).content
    assert parse(body)
    assert b"Aino" not in body and b"Eero" not in body
    stopped = await post_form(client, "/calendar", {"action": "revoke"})
    assert "webcal://" not in stopped.text
    assert (await client.get(f"/feeds/{token}.ics")).status_code == 404


async def test_rate_limit_with_redis(settings, db, redis, world):
    settings = replace(
        settings, redis_url=redis, queue_name="tupa:test-feeds", feed_requests_per_minute=3
    )
    app = create_app(settings, engine=db.engine)
    async with running(app), make_client(app) as client:
        await api_login(client, world["coordinator"].email)
        feed = await make_feed(client, "participant", world["aino"])
        results = await asyncio.gather(*(client.get(feed["path"]) for _ in range(6)))
        assert sorted(r.status_code for r in results) == [200, 200, 429, 429, 429, 429]
        assert all("retry-after" in r.headers for r in results if r.status_code == 429)


async def test_the_title_is_in_the_feed_owners_language(client, world):
    """The activity is called "Puutyö, ..." and has an English title; a feed in English
    shows it, one in Finnish keeps the Finnish."""
    await api_login(client, world["coordinator"].email)
    await ActivityTitle.insert(
        ActivityTitle(activity=world["activity"], language="en", title="Woodwork, painting")
    )
    english = await client.post(
        "/api/v1/feeds", json={"kind": "participant", "owner_id": world["aino"], "language": "en"}
    )
    assert english.status_code == 201, english.text
    summaries = held_titles(parse((await client.get(english.json()["path"])).content))
    assert summaries == {"Woodwork, painting"}
    finnish = await client.post(
        "/api/v1/feeds", json={"kind": "support", "owner_id": world["aino"], "language": "fi"}
    )
    summaries = held_titles(parse((await client.get(finnish.json()["path"])).content))
    assert summaries == {"Puutyö, maalaus; ja lakkaus"}


async def test_planners_make_site_and_activity_feeds_from_their_pages(client, world):
    await api_login(client, world["coordinator"].email)
    site_page = await client.get(f"/catalog/sites/{world['site']}")
    assert f'href="/calendar/site/{world["site"]}"' in site_page.text
    page = await client.get(f"/calendar/site/{world['site']}")
    assert page.status_code == 200
    assert "Make a calendar link" in page.text
    made = await post_form(client, f"/calendar/site/{world['site']}", {"action": "create"})
    assert made.status_code == 200
    assert "webcal://" in made.text
    (feed,) = await FeedToken.select().where(FeedToken.kind == "site")
    assert feed["owner_id"] == world["site"]
    link = re.search(r"webcal://[^/]+(/feeds/[\w-]+\.ics)", made.text).group(1)
    events = parse((await client.get(link)).content)
    assert events and all("Aino" not in str(e.get("DESCRIPTION", "")) for e in events)
    stopped = await post_form(client, f"/calendar/site/{world['site']}", {"action": "revoke"})
    assert "Make a calendar link" in stopped.text
    assert (await client.get(link)).status_code == 404

    activity = await post_form(
        client, f"/calendar/activity/{world['activity']}", {"action": "create"}
    )
    assert "webcal://" in activity.text
    assert (await client.get("/calendar/site/424242")).status_code == 404
    assert (await client.get(f"/calendar/staff/{world['olli'].id}")).status_code == 404

    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, "olli@example.org")
    assert (await client.get(f"/calendar/site/{world['site']}")).status_code == 403
    refused = await post_form(client, f"/calendar/site/{world['site']}", {"action": "create"})
    assert refused.status_code == 403


async def test_a_sites_new_address_is_in_the_feed_at_once(client, app, world):
    """Catalogue writes publish events that the feeds hear: no hand-called refresh."""
    await api_login(client, world["coordinator"].email)
    feed = await make_feed(client, "participant", world["aino"])
    site_feed = await make_feed(client, "site", world["site"])
    site = (await client.get(f"/api/v1/sites/{world['site']}")).json()
    moved = {field: site[field] for field in SiteIn.__struct_fields__ if field in site}
    moved["address"] = "Hämeenkatu 1, Tampere"
    assert (await client.put(f"/api/v1/sites/{world['site']}", json=moved)).status_code == 200
    await app.state.queue.drain()
    for path in (feed["path"], site_feed["path"]):
        locations = {str(e["LOCATION"]) for e in parse((await client.get(path)).content)}
        assert locations and all("Hämeenkatu 1" in location for location in locations)


async def test_an_activitys_new_title_is_in_the_feed_at_once(client, app, world):
    await api_login(client, world["coordinator"].email)
    feed = await make_feed(client, "participant", world["aino"])
    activity = (await client.get(f"/api/v1/activities/{world['activity']}")).json()
    renamed = {field: activity[field] for field in ActivityIn.__struct_fields__}
    renamed["title"] = "Puutyö ja korjaus"
    response = await client.put(f"/api/v1/activities/{world['activity']}", json=renamed)
    assert response.status_code == 200, response.text
    await app.state.queue.drain()
    assert held_titles(parse((await client.get(feed["path"])).content)) == {"Puutyö ja korjaus"}


async def test_an_instructors_new_name_is_in_the_feed_at_once(client, app, world):
    await api_login(client, world["coordinator"].email)
    feed = await make_feed(client, "participant", world["aino"])
    before = parse((await client.get(feed["path"])).content)
    assert any("Olli" in str(e.get("DESCRIPTION", "")) for e in before)
    await update_user(h.ACTOR, world["olli"].id, UserUpdate(display_name="Oskari Virtanen"))
    await app.state.queue.drain()
    after = parse((await client.get(feed["path"])).content)
    descriptions = " ".join(str(e.get("DESCRIPTION", "")) for e in after)
    assert "Oskari" in descriptions and "Olli" not in descriptions
