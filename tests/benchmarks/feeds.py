"""Calendar feeds: a participant feed of about 250 events rendered cold (no cache);
warm requests per second beside the same bytes served as a static file by the same app
in the same run; the 304 path; and 1,000 distinct feeds polled by 50 concurrent
clients (first round renders, second round is cached). In process, through the whole
middleware stack, without a network."""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time as stopwatch
from datetime import date, datetime, time, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
from litestar.static_files import create_static_files_router

from service import clock
from service.app import create_app
from service.calendars import services as feeds
from service.calendars.tables import FeedKind, FeedToken
from service.people.tables import Participant
from service.placements.tables import Placement
from service.schedule import services as schedule
from service.settings import Settings
from tests import schedule_helpers as h
from tests.benchmarks.common import Row, migrated_engine, timed
from tests.benchmarks.foundation import succeeding
from tests.conftest import make_client, running

SLOTS_PER_WEEKDAY = 3  # Monday to Friday: 15 a week, about 250 in the feed's window
MANY_FEEDS = 1000
CLIENTS = 50


async def run(engines: list[str]) -> list[Row]:
    rows: list[Row] = []
    for kind in engines:
        async with migrated_engine(kind) as (url, engine):
            with TemporaryDirectory() as data_dir:
                settings = Settings(
                    env="test",
                    data_dir=Path(data_dir),
                    database_url=url,
                    secret_key=secrets.token_urlsafe(48),
                    feed_requests_per_minute=100_000,
                )
                rows += await _measure(kind, settings, engine, Path(data_dir))
    return rows


async def _measure(kind: str, settings: Settings, engine, data_dir: Path) -> list[Row]:
    rows = []
    today = datetime.now(settings.tz).date()
    slots = await _schedule(today)
    big = await _participant("Aino Koskinen", slots)
    token = await _feed(settings, big)
    ref = await feeds.resolve(token)
    assert ref is not None
    body = await feeds.render_feed(
        ref, base_url="http://bench.local", secret_key=settings.secret_key, today=today
    )
    events = body.count(b"BEGIN:VEVENT")
    cold = await timed(
        lambda: feeds.render_feed(
            ref, base_url="http://bench.local", secret_key=settings.secret_key, today=today
        ),
        20,
    )
    rows.append(Row("feeds", f"render participant feed, {events} events (cold)", kind, cold))

    app = create_app(settings, engine=engine)
    static_dir = data_dir / "static-copy"
    static_dir.mkdir()
    async with running(app), make_client(app) as client:
        path = f"/feeds/{token}.ics"
        served = await client.get(path)
        served.raise_for_status()
        (static_dir / "feed.ics").write_bytes(served.content)
        app.register(create_static_files_router(path="/bench-static", directories=[static_dir]))
        static = await client.get("/bench-static/feed.ics")
        assert static.content == served.content

        store = app.stores.get("feeds")

        async def cold_request() -> None:
            await store.delete_all()
            (await client.get(path)).raise_for_status()

        rows.append(
            Row(
                "feeds",
                f"GET feed, {events} events, cache emptied",
                kind,
                await timed(cold_request, 20),
            )
        )
        warm = await timed(succeeding(lambda: client.get(path)), 500)
        plain = await timed(succeeding(lambda: client.get("/bench-static/feed.ics")), 500)
        warm["vs_static"] = round(warm["per_s"] / plain["per_s"], 2)
        warm["bytes"] = len(served.content)
        rows.append(Row("feeds", f"GET feed, {events} events (cached)", kind, warm))
        plain["bytes"] = len(static.content)
        rows.append(Row("feeds", "GET the same bytes as a static file", kind, plain))
        etag = served.headers["etag"]

        async def not_modified() -> None:
            response = await client.get(path, headers={"If-None-Match": etag})
            assert response.status_code == 304

        rows.append(
            Row("feeds", "GET feed with If-None-Match (304)", kind, await timed(not_modified, 500))
        )

        tokens = await _many_feeds(settings, slots)
        for round_name in ("first poll, renders", "second poll, cached"):
            rows.append(
                Row(
                    "feeds",
                    f"{MANY_FEEDS} feeds, {CLIENTS} concurrent clients ({round_name})",
                    kind,
                    await _poll(app, tokens),
                )
            )
    return rows


async def _schedule(today: date) -> list[int]:
    site = await h.site("Pajatalo", address="Verstaankatu 4", phone="+358 40 123 4567")
    activity = await h.activity(
        site, title="Puutyö", max_participants=200, what_to_bring="Turvakengät"
    )
    start = today - timedelta(days=35)
    slots = []
    for weekday in range(5):
        for n in range(SLOTS_PER_WEEKDAY):
            slots.append(
                await h.slot(
                    activity,
                    weekday=weekday,
                    start=time(9 + 2 * n),
                    end=time(10 + 2 * n),
                    valid_from=start,
                    today=start,
                )
            )
    await schedule.generate_sessions(today=start, weeks=18)
    return slots


async def _participant(name: str, slots: list[int]) -> int:
    person = Participant(display_name=name, status="active")
    await person.save()
    start = clock.today() - timedelta(days=60)
    await Placement.insert(
        *[Placement(participant=person.id, slot=slot, start_date=start) for slot in slots]
    )
    return person.id


async def _feed(settings: Settings, participant_id: int) -> str:
    salt = secrets.token_hex(16)
    token = feeds._token(settings.secret_key, salt)
    await FeedToken.insert(
        FeedToken(
            kind=FeedKind.participant.value,
            owner_id=participant_id,
            scope=feeds.scope_of(FeedKind.participant, participant_id),
            salt=salt,
            token_hash=feeds.token_hash(token),
        )
    )
    return token


async def _many_feeds(settings: Settings, slots: list[int]) -> list[str]:
    """1,000 participants, each placed in one slot (about 17 events a feed), each with
    a feed of their own."""
    people = [Participant(display_name=f"Person {n}", status="active") for n in range(MANY_FEEDS)]
    ids = [r["id"] for r in await Participant.insert(*people).returning(Participant.id)]
    start = clock.today() - timedelta(days=60)
    await Placement.insert(
        *[
            Placement(participant=pid, slot=slots[n % len(slots)], start_date=start)
            for n, pid in enumerate(ids)
        ]
    )
    tokens, rows = [], []
    for pid in ids:
        salt = secrets.token_hex(16)
        token = feeds._token(settings.secret_key, salt)
        tokens.append(token)
        rows.append(
            FeedToken(
                kind=FeedKind.participant.value,
                owner_id=pid,
                scope=feeds.scope_of(FeedKind.participant, pid),
                salt=salt,
                token_hash=feeds.token_hash(token),
            )
        )
    await FeedToken.insert(*rows)
    return tokens


async def _poll(app, tokens: list[str]) -> dict[str, float | int]:
    """Every feed once, by CLIENTS concurrent clients taking the next feed in turn."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for token in tokens:
        queue.put_nowait(token)
    samples: list[float] = []

    async def client_loop(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            token = queue.get_nowait()
            started = stopwatch.perf_counter()
            response = await client.get(f"/feeds/{token}.ics")
            samples.append(stopwatch.perf_counter() - started)
            response.raise_for_status()

    clients = [make_client(app) for _ in range(CLIENTS)]
    started = stopwatch.perf_counter()
    try:
        await asyncio.gather(*(client_loop(c) for c in clients))
    finally:
        for c in clients:
            await c.aclose()
    elapsed = stopwatch.perf_counter() - started
    samples.sort()
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))] * 1000, 2),
        "per_s": round(len(samples) / elapsed, 1),
    }
