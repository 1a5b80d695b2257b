"""The `tupa` command, run as a real process against both engines."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import create_postgres_database, drop_postgres_database, service_missing


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.sqlite3'}"
        return
    try:
        url = await create_postgres_database()
    except OSError as error:
        service_missing("PostgreSQL", error)
    yield url
    await drop_postgres_database(url)


def tupa(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_demo_and_users(database_url, tmp_path):
    env = {"DATABASE_URL": database_url, "TUPA_DATA_DIR": str(tmp_path)}
    migrated = tupa("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert "Applied" in migrated.stdout
    assert "No migrations" in tupa("migrate", env=env).stdout

    demo = tupa("demo", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "Demo loaded" in demo.stdout
    again = tupa("demo", env=env)
    assert again.returncode != 0
    assert "already has users" in again.stderr
    assert tupa("demo", "--if-empty", env=env).returncode == 0

    created = tupa(
        "user", "create", "--email", "Uusi@Example.org", "--role", "coordinator", env=env
    )
    assert created.returncode == 0, created.stderr
    assert "Created coordinator uusi@example.org" in created.stdout
    assert "Temporary password: " in created.stdout
    duplicate = tupa("user", "create", "--email", "uusi@example.org", "--role", "staff", env=env)
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr
    bad_role = tupa("user", "create", "--email", "x@example.org", "--role", "boss", env=env)
    assert bad_role.returncode == 2

    reset = tupa("user", "reset-password", "--email", "admin@demo.tupa", env=env)
    assert reset.returncode == 0
    assert "Temporary password: " in reset.stdout
    missing = tupa("user", "reset-password", "--email", "nobody@example.org", env=env)
    assert missing.returncode == 1

    listing = tupa("user", "list", env=env)
    assert "admin@demo.tupa" in listing.stdout
    assert "participant1@demo.tupa" in listing.stdout


def test_a_wrong_setting_stops_start_up_naming_it(tmp_path):
    result = tupa("migrate", env={"TUPA_DATA_DIR": str(tmp_path), "DATABASE_URL": "mysql://x"})
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    result = tupa("serve", env={"TUPA_DATA_DIR": str(tmp_path), "TUPA_TIME_ZONE": "Nowhere"})
    assert result.returncode == 2
    assert "TUPA_TIME_ZONE" in result.stderr


def test_demo_is_refused_in_production(tmp_path):
    env = {
        "TUPA_ENV": "production",
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",  # never reached
        "SECRET_KEY": "k" * 48,
        "TUPA_DATA_DIR": str(tmp_path),
    }
    refused = tupa("demo", "--if-empty", env=env)
    assert refused.returncode == 1
    assert "refused when TUPA_ENV=production" in refused.stderr
