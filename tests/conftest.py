"""Test fixtures: every data-touching test runs on SQLite and on a fresh PostgreSQL
database made for this run. With TUPA_REQUIRE_SERVICES=1 a missing PostgreSQL or
Redis fails the run instead of skipping."""

from __future__ import annotations

import asyncio
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
from argon2 import PasswordHasher, profiles
from litestar import Litestar
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from service import composition
from service.app import create_app
from service.auth import passwords
from service.catalog.services import ensure_default_domains
from service.db import (
    app_tables,
    apply_migrations,
    bind_engine,
    close_engine,
    open_engine,
)
from service.engines import engine_from_url
from service.settings import Settings
from tests import frozen_time

POSTGRES_ADMIN_URL = os.environ.get(
    "TUPA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def redis_url_for_this_worker(base: str) -> str:
    """Each pytest-xdist worker empties a Redis database of its own: gw0 the base
    number, gw1 the one below it, and so on."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    prefix, _sep, number = base.rpartition("/")
    return f"{prefix}/{int(number or 0) - int(worker.removeprefix('gw') or 0)}"


MOMENTS = os.environ.get("TUPA_TEST_MOMENTS", "").split()

REDIS_URL = redis_url_for_this_worker(
    os.environ.get("TUPA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
)
REQUIRE_SERVICES = os.environ.get("TUPA_REQUIRE_SERVICES") == "1"


def pytest_configure(config: pytest.Config) -> None:
    """Freeze the clock before any test module is imported (some compute dates there)."""
    frozen_time.freeze()
    composition.wire()  # jobs and event handlers, as the app and the worker have them
    passwords.use_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """With TUPA_TEST_MOMENTS set, every collected test runs once at each moment."""
    if MOMENTS:
        metafunc.parametrize("tests_clock", MOMENTS, indirect=True)


@pytest.fixture(autouse=True)
def tests_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Under TUPA_TEST_MOMENTS, put the clock at this run's moment for the test."""
    moment = getattr(request, "param", None)
    if moment is None:
        yield
        return
    frozen_time.move_to(datetime.fromisoformat(moment))
    yield
    frozen_time.move_to(frozen_time.test_now())


def pytest_unconfigure(config: pytest.Config) -> None:
    frozen_time.unfreeze()


def pytest_report_header(config: pytest.Config) -> str:
    return f"tests' clock starts at {frozen_time.test_now().isoformat()} (TUPA_TEST_NOW)"


def service_missing(what: str, error: BaseException) -> None:
    message = f"{what} is not reachable ({type(error).__name__}: {error})"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}; TUPA_REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
    pytest.skip(message)


def postgres_url_for(database: str) -> str:
    base, _sep, _old = POSTGRES_ADMIN_URL.rpartition("/")
    return f"{base}/{database}"


async def create_postgres_database() -> str:
    """A new, empty database; its URL."""
    name = f"tupa_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return postgres_url_for(name)


async def drop_postgres_database(url: str) -> None:
    name = url.rpartition("/")[2]
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@dataclass
class Database:
    kind: str
    url: str
    engine: Engine | None = None


@pytest.fixture(scope="session")
async def migrated_databases(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[dict[str, Database | BaseException]]:
    """One migrated database per engine for the whole run (tests empty the tables)."""
    databases: dict[str, Database | BaseException] = {}
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'tupa.sqlite3'}"
    databases["sqlite"] = Database("sqlite", sqlite_url)
    try:
        databases["postgres"] = Database("postgres", await create_postgres_database())
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        databases["postgres"] = error
    for database in databases.values():
        if isinstance(database, Database):
            await _migrate(database.url)
    yield databases
    postgres = databases["postgres"]
    if isinstance(postgres, Database):
        await drop_postgres_database(postgres.url)


async def _migrate(url: str) -> None:
    engine = engine_from_url(url)
    bind_engine(engine)
    await open_engine(engine)
    try:
        await apply_migrations(url, quiet=True)
    finally:
        await close_engine(engine)


@pytest.fixture(params=["sqlite", "postgres"])
async def db(
    request: pytest.FixtureRequest, migrated_databases: dict[str, Database | BaseException]
) -> AsyncIterator[Database]:
    """A migrated, empty database of each engine, bound as Piccolo's engine."""
    database = migrated_databases[request.param]
    if isinstance(database, BaseException):
        service_missing("PostgreSQL", database)
    assert isinstance(database, Database)
    engine = engine_from_url(database.url)
    bind_engine(engine)
    await open_engine(engine)
    await empty_tables(database.kind)
    try:
        yield replace(database, engine=engine)
    finally:
        await close_engine(engine)


async def empty_tables(kind: str) -> None:
    """Delete every row and restart the ids. On PostgreSQL one batch of DELETEs (children
    first) and `setval`s in a single round trip: TRUNCATE of every table costs about a
    hundred times more for the few rows a test leaves."""
    tables = app_tables()
    deletes = "; ".join(f'DELETE FROM "{table._meta.tablename}"' for table in reversed(tables))
    if kind == "postgres":
        restarts = ", ".join(
            f"setval(pg_get_serial_sequence('\"{table._meta.tablename}\"', 'id'), 1, false)"
            for table in tables
        )
        await _run_script(f"{deletes}; SELECT {restarts}")
    else:
        for table in reversed(tables):
            await table.raw(f'DELETE FROM "{table._meta.tablename}"')
    await ensure_default_domains()  # reference data the migration seeds


async def _run_script(sql: str) -> None:
    """Several statements at once (asyncpg's simple query protocol; Piccolo prepares)."""
    engine = app_tables()[0]._meta.db
    assert isinstance(engine, PostgresEngine) and engine.pool is not None
    async with engine.pool.acquire() as connection:
        await connection.execute(sql)


@pytest.fixture
def settings(db: Database, tmp_path: Path) -> Settings:
    return Settings(
        env="test",
        data_dir=tmp_path,
        database_url=db.url,
        secret_key=secrets.token_urlsafe(48),
        login_attempts_per_minute=100,
    )


@pytest.fixture
def app(settings: Settings, db: Database) -> Litestar:
    return create_app(settings, engine=db.engine)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, in the test's own event loop, with the app started."""
    async with running(app), make_client(app) as test_client:
        yield test_client


@asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """Start the app's lifespan and stop it later, both in one task of their own (anyio
    requires that; pytest-asyncio sets fixtures up and tears them down in others)."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(lifespan())
    await asyncio.wait(
        [task, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED
    )
    if task.done():
        task.result()  # start-up failed: raise its error
    try:
        yield
    finally:
        stop.set()
        await task


def make_client(app: Litestar) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("10.1.2.3", 50000)),
        base_url="http://testserver.local",
        follow_redirects=True,
    )


@pytest.fixture
async def redis() -> AsyncIterator[str]:
    """The real Redis (a database number of its own), emptied before and after."""
    connection = aioredis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        await connection.flushdb()
    except (OSError, aioredis.RedisError) as error:
        await connection.aclose()
        service_missing("Redis", error)
    yield REDIS_URL
    await connection.flushdb()
    await connection.aclose()
