"""Outages heal themselves (issue #13, items 6, 7, 8): Redis stopped and started under
live updates, PostgreSQL backends terminated under load, the worker through a Redis
outage. Each asserts: nothing lost, no 500, recovery without a restart.

Redis here is a server of the test's own, on a free port, so that stopping it disturbs
no other test."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import time, timedelta
from typing import Any, TypeVar

import asyncpg
import httpx
import msgspec
import pytest
import redis.asyncio as aioredis
from litestar.channels import ChannelsPlugin
from litestar.routes import HTTPRoute

from service import clock
from service import piccolo_conf as conf
from service.app import create_app
from service.attendance.live import CATCH_UP, channel_of
from service.attendance.tables import AttendanceMark
from service.audit.services import Actor
from service.auth import services as auth
from service.auth.tables import Role
from service.db import bind_engine, transaction
from service.engines import engine_from_url
from service.jobs import ArqQueue
from service.outages import outage_of
from service.people.tables import Participant, ParticipantStatus
from service.placements.tables import Placement
from service.schedule.tables import Session
from service.settings import Settings
from service.system.tables import JobRun
from service.worker import supervise
from tests import schedule_helpers as h
from tests.conftest import POSTGRES_ADMIN_URL, make_client, running
from tests.helpers import api_login, make_user

T = TypeVar("T")
#: How long a recovery may take before the test fails (the back-off tops out at 5-10 s).
RECOVERY_SECONDS = 45.0
STAFF = "olli@example.org"


# --- a Redis of the test's own ------------------------------------------------------


class OwnRedis:
    """`redis-server` on a free port, without persistence: a restart forgets everything,
    as a Redis that crashed and came back empty would."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
            stdout=asyncio.subprocess.DEVNULL,
        )
        await eventually(self._answers, "the test's Redis to start")

    async def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            await self.process.wait()
            self.process = None

    async def _answers(self) -> bool:
        client = aioredis.from_url(self.url, socket_connect_timeout=1)
        try:
            return bool(await client.ping())
        except (OSError, aioredis.RedisError):
            return False
        finally:
            await client.aclose()


@pytest.fixture
async def own_redis() -> AsyncIterator[OwnRedis]:
    server = OwnRedis()
    try:
        await server.start()
    except FileNotFoundError as error:
        pytest.skip(f"redis-server is not installed: {error}")
    try:
        yield server
    finally:
        await server.stop()


async def eventually(
    check: Callable[[], Awaitable[T]], what: str, within: float = RECOVERY_SECONDS
) -> T:
    """Poll `check` until it returns something true; fail after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = await check()
        if result:
            return result
        if loop.time() > deadline:
            pytest.fail(f"waited {within:.0f} s for {what}")
        await asyncio.sleep(0.05)


# --- a roster to mark ----------------------------------------------------------------


async def roster(people: int) -> tuple[int, list[int]]:
    """A session today at a site of the staff member's, with `people` placed in it."""
    today = clock.today()
    site = await h.site("Pajatalo")
    await make_user(Role.staff, STAFF, site_ids=[site])
    activity = await h.activity(site, max_participants=people)
    slot = await h.slot(
        activity,
        weekday=today.weekday(),
        start=time(0, 0),
        end=time(0, 30),
        valid_from=today - timedelta(days=7),
        today=today,
    )
    await Participant.insert(
        *[
            Participant(display_name=f"Person {n}", status=ParticipantStatus.active)
            for n in range(people)
        ]
    )
    ids = [row["id"] for row in await Participant.select(Participant.id).order_by(Participant.id)]
    await Placement.insert(
        *[
            Placement(participant=pid, slot=slot, start_date=today - timedelta(days=7))
            for pid in ids
        ]
    )
    row = (
        await Session.select(Session.id)
        .where((Session.slot == slot) & (Session.date == today))
        .first()
    )
    assert row is not None
    return row["id"], ids


def a_mark(session_id: int, participant_id: int) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "session_id": session_id,
        "participant_id": participant_id,
        "status": "present",
        "marked_at": clock.utcnow().isoformat(),
    }


async def bearer_token() -> str:
    """A tablet's API token: it needs no session, so no Redis."""
    user = await auth.authenticate(STAFF, "correct horse battery")
    assert user is not None
    created = await auth.create_token(
        Actor.system("test"), user, "tablet", None, max_age=Settings().token_max_age
    )
    return created.token


class Answers:
    """Every answer the clients got, to show that none was a 500."""

    def __init__(self) -> None:
        self.statuses: list[tuple[str, int]] = []

    def watch(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        async def record(response: httpx.Response) -> None:
            self.statuses.append((response.request.url.path, response.status_code))

        client.event_hooks["response"].append(record)
        return client

    def server_errors(self) -> list[tuple[str, int]]:
        return [(path, status) for path, status in self.statuses if status >= 500 and status != 503]


async def stored_uuids() -> set[str]:
    return {str(row["client_uuid"]) for row in await AttendanceMark.select()}


# --- Redis stopped and started under live updates -------------------------------------


async def test_live_updates_and_health_come_back_after_a_redis_outage(db, settings, own_redis):
    session_id, people = await roster(3)
    token = await bearer_token()
    app = create_app(replace(settings, redis_url=own_redis.url), engine=db.engine)
    answers = Answers()
    heard: asyncio.Queue[bytes] = asyncio.Queue()
    channels = app.plugins.get(ChannelsPlugin)
    async with (
        running(app),
        make_client(app) as tablet,
        make_client(app) as browser,
        channels.start_subscription([channel_of(session_id)]) as roster_page,
        roster_page.run_in_background(heard.put),
    ):
        answers.watch(tablet).headers["Authorization"] = f"Bearer {token}"
        answers.watch(browser)
        assert (await api_login(browser, STAFF)).status_code == 200  # a session in Redis
        assert (await browser.get("/health")).status_code == 200

        before = await send(tablet, a_mark(session_id, people[0]))
        await hear_mark(heard, before)

        await own_redis.stop()
        down = await eventually(
            lambda: health_down(browser, {"queue", "live_updates"}), "/health to say Redis is down"
        )
        assert down.status_code == 503 and down.headers["Retry-After"]
        # A signed-in browser needs its session from Redis: 503, a problem or a page.
        api = await browser.get("/api/v1/auth/me")
        assert api.status_code == 503 and api.headers["Retry-After"]
        assert api.headers["content-type"].startswith("application/problem+json")
        assert api.json()["status"] == 503 and "Redis" in api.json()["detail"]
        page = await browser.get("/dashboard")
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        # A tablet with a token needs no Redis: its mark is stored, only not broadcast.
        during = await send(tablet, a_mark(session_id, people[1]))

        await own_redis.start()
        healthy = await eventually(lambda: health_ok(browser), "/health to say 200 again")
        assert healthy.json()["down"] == []
        await eventually(lambda: caught_up(heard), "the roster to be told to catch up")
        after = await send(tablet, a_mark(session_id, people[2]))
        await hear_mark(heard, after)

    assert {before, during, after} <= await stored_uuids()
    assert answers.server_errors() == []


async def send(client: httpx.AsyncClient, mark: dict[str, Any]) -> str:
    answer = await client.post("/api/v1/attendance", json={"marks": [mark]})
    assert answer.status_code == 200, answer.text
    return str(mark["uuid"])


async def hear_mark(heard: asyncio.Queue[bytes], mark_uuid: str) -> None:
    async def heard_it() -> bool:
        while not heard.empty():
            data = heard.get_nowait()
            if data != CATCH_UP and mark_uuid in {
                str(mark["uuid"]) for mark in msgspec.json.decode(data)["marks"]
            }:
                return True
        return False

    await eventually(heard_it, f"the roster to hear mark {mark_uuid}")


async def caught_up(heard: asyncio.Queue[bytes]) -> bool:
    while not heard.empty():
        if heard.get_nowait() == CATCH_UP:
            return True
    return False


async def health_down(client: httpx.AsyncClient, parts: set[str]) -> httpx.Response | None:
    answer = await client.get("/health")
    body = answer.json()
    assert answer.status_code in {200, 503}, answer.text
    return answer if parts <= set(body["down"]) else None


async def health_ok(client: httpx.AsyncClient) -> httpx.Response | None:
    answer = await client.get("/health")
    return answer if answer.status_code == 200 else None


# --- PostgreSQL backends terminated under load -----------------------------------------


async def terminate_backends(database_url: str) -> int:
    """Cut every connection of the app's database, as a PostgreSQL restart or a network
    cut would; the number cut."""
    name = database_url.rpartition("/")[2]
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        return int(
            await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        )
    finally:
        await admin.close()


#: Terminating backends is PostgreSQL's: these tests take only its `db`.
postgres_only = pytest.mark.parametrize("db", ["postgres"], indirect=True)


@postgres_only
async def test_marks_survive_backends_terminated_under_load(db, settings):
    tablets, marks_each, cuts_wanted = 6, 8, 4
    session_id, people = await roster(marks_each)
    token = await bearer_token()
    app = create_app(settings, engine=db.engine)
    answers = Answers()
    sent: list[str] = []
    stored_answers = 0
    progress = asyncio.Event()

    async def tablet(client: httpx.AsyncClient) -> None:
        """A tablet sends its marks one by one and, like the real one, sends again what
        was answered 503 until it is stored."""
        nonlocal stored_answers
        for participant in people:
            mark = a_mark(session_id, participant)
            sent.append(mark["uuid"])
            while True:
                answer = await client.post("/api/v1/attendance", json={"marks": [mark]})
                if answer.status_code != 503:
                    assert answer.status_code == 200, answer.text
                    break
                assert answer.headers["Retry-After"]
            stored_answers += 1
            progress.set()

    async def cut_connections() -> int:
        """Cut every connection `cuts_wanted` times, each after more marks got through."""
        cuts = 0
        step = tablets * marks_each // (cuts_wanted + 1)
        for n in range(1, cuts_wanted + 1):
            while stored_answers < n * step:
                progress.clear()
                await progress.wait()
            cuts += await terminate_backends(db.url)
        return cuts

    async with running(app):
        clients = [answers.watch(make_client(app)) for _ in range(tablets)]
        for client in clients:
            client.headers["Authorization"] = f"Bearer {token}"
        cutter = asyncio.create_task(cut_connections())
        try:
            async with asyncio.timeout(120):
                await asyncio.gather(*(tablet(client) for client in clients))
                cuts = await cutter
        finally:
            cutter.cancel()
        after = await clients[0].get("/health")
        for client in clients:
            await client.aclose()

    assert cuts >= cuts_wanted
    assert after.status_code == 200
    stored = await AttendanceMark.select(AttendanceMark.client_uuid)
    uuids = [str(row["client_uuid"]) for row in stored]
    assert set(sent) <= set(uuids), "a mark was lost"
    assert len(uuids) == len(set(uuids)), "a mark was stored twice"
    assert answers.server_errors() == []
    await every_connection_comes_back()


async def every_connection_comes_back() -> None:
    """The pool lends all of its connections at once: none was kept by a transaction
    that failed (a leaked one would make the last `acquire` wait forever)."""
    pool = conf.DB.pool  # type: ignore[attr-defined]
    async with asyncio.timeout(30):
        held = [await pool.acquire() for _ in range(pool.get_max_size())]
        for connection in held:
            await pool.release(connection)


class FailureInside(Exception):
    pass


@postgres_only
async def test_a_transaction_whose_connection_drops_gives_it_back(db):
    """COMMIT and ROLLBACK on a connection cut mid-transaction: more times than the pool
    has connections, and the pool still lends all of them; the next transaction works."""
    pool = conf.DB.pool  # type: ignore[attr-defined]
    for attempt in range(pool.get_max_size() + 2):
        with pytest.raises(Exception) as cut:
            # Were a connection leaked by each failure, this would wait forever.
            async with asyncio.timeout(30), transaction():
                (row,) = await conf.DB.run_ddl("SELECT pg_backend_pid() AS pid")
                admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
                try:
                    await admin.execute("SELECT pg_terminate_backend($1)", row["pid"])
                finally:
                    await admin.close()
                if attempt % 2:
                    raise FailureInside("ROLLBACK on the cut connection")
        # COMMIT fails; ROLLBACK fails too or is skipped by asyncpg on a closed connection.
        assert outage_of(cut.value) == "database" or isinstance(cut.value, FailureInside)
    await every_connection_comes_back()
    async with transaction():
        await Participant(display_name="After", status=ParticipantStatus.active).save()
    assert await Participant.count() == 1


# --- the worker through a Redis outage --------------------------------------------------


async def test_the_worker_keeps_running_through_a_redis_outage(db, settings, own_redis, caplog):
    settings = replace(settings, redis_url=own_redis.url, queue_name="tupa:outage-queue")
    stop = asyncio.Event()
    worker = asyncio.create_task(supervise(settings, stop, poll_delay=0.05))
    queue = ArqQueue(settings)
    await queue.start()
    try:
        await run_through_worker(queue, "before-outage")
        caplog.set_level(logging.INFO, logger="tupa.worker")
        await own_redis.stop()
        await eventually(lambda: logged(caplog, "worker: lost Redis"), "the worker to lose Redis")
        await own_redis.start()
        assert not worker.done()
        await eventually(lambda: enqueued(queue, "after-outage"), "Redis to take jobs again")
        await eventually(lambda: job_done("after-outage"), "the worker to run a job again")
        assert not worker.done()
    finally:
        await queue.stop()
        stop.set()
        async with asyncio.timeout(60):  # shutting down does not hang
            await worker
        bind_engine(db.engine)  # the worker bound engines of its own


async def logged(caplog: pytest.LogCaptureFixture, words: str) -> bool:
    return any(words in record.getMessage() for record in caplog.records)


async def run_through_worker(queue: ArqQueue, job_id: str) -> None:
    assert await queue.enqueue("prune_job_runs", job_id=job_id, days=30)
    await eventually(lambda: job_done(job_id), f"the worker to run {job_id}")


async def enqueued(queue: ArqQueue, job_id: str) -> bool:
    try:
        return await queue.enqueue("prune_job_runs", job_id=job_id, days=30)
    except (OSError, aioredis.RedisError):
        return False


async def job_done(job_id: str) -> bool:
    row = await JobRun.select(JobRun.status).where(JobRun.job_id == job_id).first()
    return row is not None and row["status"] == "done"


# --- every route, with the database out of reach ----------------------------------------

PATH_PARAMETER = re.compile(r"\{\w+:(\w+)\}")
EXAMPLE_OF = {
    "int": "1",
    "str": "x",
    "path": "/x",
    "uuid": str(uuid.UUID(int=1)),
    "date": "2026-09-16",
}


async def test_no_route_answers_500_while_the_database_is_out_of_reach(tmp_path):
    """Every GET route, anonymous and with a bearer token, against a PostgreSQL that
    refuses connections: 503 (or what the route answers without the database), never 500."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nobody_listens = probe.getsockname()[1]
    settings = Settings(
        env="test",
        data_dir=tmp_path,
        database_url=f"postgresql://postgres@127.0.0.1:{nobody_listens}/gone",
        secret_key="k" * 64,
    )
    engine = engine_from_url(settings.database_url)  # no pool: each query is refused
    app = create_app(settings, engine=engine)
    answers = Answers()
    paths = sorted(
        {
            PATH_PARAMETER.sub(lambda m: EXAMPLE_OF[m.group(1)], route.path)
            for route in app.routes
            if isinstance(route, HTTPRoute) and "GET" in route.methods
        }
    )
    unavailable = 0
    async with running(app), answers.watch(make_client(app)) as client:
        for path in paths:
            for headers in ({}, {"Authorization": "Bearer tupa_not-a-real-token"}):
                answer = await client.get(path, headers=headers)
                unavailable += answer.status_code == 503
    assert answers.server_errors() == []
    assert unavailable >= len(paths)  # every bearer request at least needs the database
