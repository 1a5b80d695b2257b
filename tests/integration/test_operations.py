"""`tupa backup` and `tupa restore` as real processes, a round trip on both engines, and
one migrator and one server per SQLite file."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from service.app import create_app
from service.db import another_process_serves, migrations_on_disk
from service.demo.loader import load_demo
from service.engines import sqlite_path
from service.settings import Settings
from service.system.backup import BackupError, backup, restore
from tests.conftest import (
    create_postgres_database,
    drop_postgres_database,
    make_client,
    running,
    service_missing,
)
from tests.helpers import api_login


@dataclass
class Place:
    """Where a Tupa keeps its data: a database and a data folder."""

    database_url: str
    data_dir: Path

    @property
    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.database_url, "TUPA_DATA_DIR": str(self.data_dir)}

    def settings(self) -> Settings:
        return Settings.from_env({**self.env, "TUPA_ENV": "test"})


def without_secret_key() -> dict[str, str]:
    """The environment without SECRET_KEY: the data folder keeps the secret."""
    return {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}


def tupa(*args: str, place: Place) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env={**without_secret_key(), **place.env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture
async def fresh_place(db, tmp_path) -> AsyncIterator[Place]:
    """A new, empty place of the `db` fixture's engine to restore into."""
    if db.kind == "sqlite":
        yield Place(f"sqlite:///{tmp_path / 'b' / 'tupa.sqlite3'}", tmp_path / "b")
        return
    url = await create_postgres_database()
    yield Place(url, tmp_path / "b")
    await drop_postgres_database(url)


async def table_contents(database_url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order."""
    if database_url.startswith("sqlite"):
        with closing(sqlite3.connect(sqlite_path(database_url))) as connection:
            names = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {
                name: sorted(
                    map(tuple, connection.execute(f'SELECT * FROM "{name}"')),
                    key=repr,
                )
                for name in names
            }
    connection = await asyncpg.connect(database_url)
    try:
        names = [
            row["tablename"]
            for row in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        return {
            name: sorted(
                (tuple(row) for row in await connection.fetch(f'SELECT * FROM "{name}"')),
                key=repr,
            )
            for name in names
        }
    finally:
        await connection.close()


async def a_site_feed(place: Place) -> tuple[str, str]:
    """A coordinator's feed link for a demo site, and what it serves."""
    app = create_app(place.settings())
    async with running(app), make_client(app) as client:
        signed_in = await api_login(client, "coordinator@demo.tupa", "tupa-demo")
        assert signed_in.status_code == 200, signed_in.text
        site_id = (await client.get("/api/v1/sites")).json()[0]["id"]
        created = await client.post("/api/v1/feeds", json={"kind": "site", "owner_id": site_id})
        assert created.status_code == 201, created.text
        url = created.json()["path"]
        served = await client.get(url)
        assert served.status_code == 200
        return url, served.text


async def served_feed(place: Place, url: str) -> str:
    app = create_app(place.settings())
    async with running(app), make_client(app) as client:
        served = await client.get(url)
        assert served.status_code == 200, f"the feed link no longer works: {served.status_code}"
        return served.text


async def test_a_backup_restores_every_row_and_keeps_feed_links(db, fresh_place, tmp_path):
    original = Place(db.url, tmp_path / "a")
    await load_demo("tupa-demo")
    feed_url, feed = await a_site_feed(original)

    archive = tmp_path / "tupa-backup.tar.gz"
    manifest = backup(original.settings(), archive)
    assert manifest.rows["user_account"] > 5
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with pytest.raises(BackupError, match="exists already"):
        backup(original.settings(), archive)

    summary = restore(fresh_place.settings(), archive)
    assert summary.pending_migrations == []
    assert await table_contents(fresh_place.database_url) == await table_contents(db.url)
    assert (fresh_place.data_dir / "secret_key").read_text() == (
        original.data_dir / "secret_key"
    ).read_text()
    assert await served_feed(fresh_place, feed_url) == feed

    with pytest.raises(BackupError, match=r"holds data.*--force"):
        restore(fresh_place.settings(), archive)
    assert restore(fresh_place.settings(), archive, force=True).manifest == manifest


def test_the_commands_back_up_restore_and_refuse_what_is_not_a_backup(tmp_path):
    place = Place(f"sqlite:///{tmp_path / 'a' / 'tupa.sqlite3'}", tmp_path / "a")
    not_an_archive = tmp_path / "notes.tar.gz"
    not_an_archive.write_text("shopping list")
    refused = tupa("restore", str(not_an_archive), place=place)
    assert refused.returncode == 1
    assert "is not a Tupa backup" in refused.stderr
    missing = tupa("restore", str(tmp_path / "nowhere.tar.gz"), place=place)
    assert missing.returncode == 1
    assert "there is no archive" in missing.stderr

    assert tupa("migrate", place=place).returncode == 0
    made = tupa("backup", str(tmp_path / "b.tar.gz"), place=place)
    assert made.returncode == 0, made.stderr
    assert "Backed up" in made.stdout and "personal data" in made.stdout
    fresh = Place(f"sqlite:///{tmp_path / 'b' / 'tupa.sqlite3'}", tmp_path / "b")
    restored = tupa("restore", str(tmp_path / "b.tar.gz"), place=fresh)
    assert restored.returncode == 0, restored.stderr
    assert "every table has the rows the backup listed" in restored.stdout
    elsewhere = Place("postgresql://postgres@127.0.0.1:5432/not_used_here", tmp_path / "x")
    wrong_engine = tupa("restore", str(tmp_path / "b.tar.gz"), place=elsewhere)
    assert wrong_engine.returncode == 1
    assert "restore into the engine the backup was made from" in wrong_engine.stderr


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tupa.sqlite3'}"
        return
    try:
        url = await create_postgres_database()
    except OSError as error:
        service_missing("PostgreSQL", error)
    yield url
    await drop_postgres_database(url)


async def test_two_migrations_at_once_record_each_migration_once(database_url, tmp_path):
    place = Place(database_url, tmp_path)
    both = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "service.cli",
            "migrate",
            env={**without_secret_key(), **place.env},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outcomes = [await process.communicate() for process in both]
    assert [process.returncode for process in both] == [0, 0], outcomes
    said = sorted(out.decode().strip() for out, _ in outcomes)
    assert said[0].startswith("Applied") and said[1] == "No migrations to apply."
    assert await recorded_migrations(database_url) == sorted(migrations_on_disk())


async def recorded_migrations(database_url: str) -> list[str]:
    query = "SELECT app_name || ':' || name FROM migration"
    if database_url.startswith("sqlite"):
        with closing(sqlite3.connect(sqlite_path(database_url))) as connection:
            return sorted(name for (name,) in connection.execute(query))
    connection = await asyncpg.connect(database_url)
    try:
        return sorted(row[0] for row in await connection.fetch(query))
    finally:
        await connection.close()


async def test_a_second_server_on_one_sqlite_file_is_warned(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'tupa.sqlite3'}"
    first = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; from service.db import another_process_serves as serves; "
        "print(serves(sys.argv[1]), flush=True); sys.stdin.read()",
        url,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert first.stdout is not None
        assert (await first.stdout.readline()).strip() == b"False"  # it was the first
        place = Place(url, tmp_path)
        assert tupa("migrate", place=place).returncode == 0
        app = create_app(place.settings())
        async with running(app):
            pass
        assert "Another Tupa server already uses the SQLite file" in capsys.readouterr().err
    finally:
        await first.communicate(input=b"")
    assert another_process_serves(url) is False  # the first has gone: this one serves
