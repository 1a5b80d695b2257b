"""Migrations apply from empty on both engines, and on PostgreSQL two processes that
migrate at once take turns under the advisory lock."""

from __future__ import annotations

import asyncio

import pytest

from service.db import (
    app_tables,
    apply_migrations,
    bind_engine,
    close_engine,
    open_engine,
    pending_migrations,
)
from service.engines import engine_from_url
from tests.conftest import create_postgres_database, drop_postgres_database, service_missing


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    try:
        url = await create_postgres_database()
    except OSError as error:
        service_missing("PostgreSQL", error)
    yield url
    await drop_postgres_database(url)


async def test_migrations_apply_from_empty(empty_database_url):
    engine = engine_from_url(empty_database_url)
    bind_engine(engine)
    await open_engine(engine)
    try:
        before = await pending_migrations()
        assert len(before) >= 5
        applied = await apply_migrations(empty_database_url, quiet=True)
        assert applied == before
        assert await pending_migrations() == []
        for table in app_tables():
            assert await table.table_exists(), table._meta.tablename
        assert await apply_migrations(empty_database_url, quiet=True) == []
    finally:
        await close_engine(engine)


async def test_two_processes_migrating_at_once_take_turns(db):
    if db.kind != "postgres":
        pytest.skip("the advisory lock is PostgreSQL's")
    url = await create_postgres_database()
    engine = engine_from_url(url)
    bind_engine(engine)
    await open_engine(engine)
    try:
        first, second = await asyncio.gather(
            apply_migrations(url, quiet=True), apply_migrations(url, quiet=True)
        )
        # One applied everything; the other waited for the lock and found nothing to do.
        assert sorted([len(first), len(second)])[0] == 0
        assert max(len(first), len(second)) >= 5
        rows = await engine.run_ddl("SELECT name, count(*) AS n FROM migration GROUP BY name")
        assert all(row["n"] == 1 for row in rows)
    finally:
        await close_engine(engine)
        bind_engine(db.engine)
        await drop_postgres_database(url)
