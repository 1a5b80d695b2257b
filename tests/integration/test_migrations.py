"""Migrations apply from empty on both engines, and on PostgreSQL two processes that
migrate at once take turns under the advisory lock. The migrations make what the table
classes declare: `piccolo migrations new --auto` would find nothing to write."""

from __future__ import annotations

import contextlib
import io
from itertools import chain
from pathlib import Path

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.columns import Varchar
from piccolo.conf.apps import AppConfig, Finder
from piccolo.table import create_table_class

from service.db import (
    MigrationError,
    app_tables,
    apply_migrations,
    bind_engine,
    close_engine,
    open_engine,
    pending_migrations,
)
from service.engines import engine_from_url
from service.system.tables import JobRun
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


# Two `tupa migrate` processes at once, on both engines: tests/integration/test_operations.py.


async def test_a_database_made_by_squashed_away_migrations_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = engine_from_url(url)
    bind_engine(engine)
    await open_engine(engine)
    try:
        await apply_migrations(url, quiet=True)
        await Migration.insert(
            Migration(app_name="catalog", name="2026-11-24T06:52:51:371320")
        ).run()
        with pytest.raises(MigrationError, match="catalog:2026-11-24T06:52:51:371320"):
            await apply_migrations(url, quiet=True)
    finally:
        await close_engine(engine)


async def index_definitions(db) -> dict[str, str]:
    if db.kind == "sqlite":
        rows = await db.engine.run_ddl(
            "SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index'"
        )
    else:
        rows = await db.engine.run_ddl(
            "SELECT indexname AS name, indexdef AS definition FROM pg_indexes "
            "WHERE schemaname = 'public'"
        )
    return {row["name"]: row["definition"] or "" for row in rows}


async def test_the_declared_unique_constraints_and_the_raw_indexes_exist(db):
    indexes = await index_definitions(db)
    declared = [
        constraint._meta.name for table in app_tables() for constraint in table._meta.constraints
    ]
    assert len(declared) >= 7
    partial = ("matching_run_one_open", "feed_token_one_live", "login_card_one_live")
    for name in [*declared, *partial]:
        assert "UNIQUE" in indexes[name].upper(), name
    for name in ("attendance_mark_participant_marked", "session_site_date"):
        assert name in indexes
    for name in partial:
        assert "WHERE" in indexes[name].upper(), name


def app_configs() -> list[AppConfig]:
    return Finder().get_app_configs()


async def migration_drift(app_config: AppConfig) -> list[str]:
    """What `piccolo migrations new <app> --auto` would write: the statements that take
    the schema the app's migrations make to the one its table classes declare."""
    # "n": a column dropped and another added are not taken for a rename.
    manager = AutoMigrationManager(auto_input="n")
    with contextlib.redirect_stdout(io.StringIO()):  # it prints a summary table
        alter_statements = await manager.get_alter_statements(app_config=app_config)
    return list(chain.from_iterable(statements.statements for statements in alter_statements))


@pytest.mark.parametrize("app_config", app_configs(), ids=lambda config: config.app_name)
def test_each_migration_uses_the_portable_manager(app_config):
    """Piccolo's own manager cannot add a composite unique constraint on SQLite."""
    for path in Path(app_config.resolved_migrations_folder_path).glob("*.py"):
        assert "= PortableMigrationManager(" in path.read_text(), path.name


@pytest.mark.parametrize("app_config", app_configs(), ids=lambda config: config.app_name)
async def test_the_migrations_make_what_the_tables_declare(app_config):
    assert await migration_drift(app_config) == []


async def test_a_column_added_without_a_migration_is_drift():
    [system] = [config for config in app_configs() if config.app_name == "system"]
    columns = {column._meta.name: column.copy() for column in JobRun._meta.non_default_columns}
    changed = create_table_class(
        class_name="JobRun",
        class_kwargs={"tablename": JobRun._meta.tablename},
        class_members={**columns, "added_without_migration": Varchar(length=10)},
    )
    drifted = AppConfig(
        app_name=system.app_name,
        migrations_folder_path=system.resolved_migrations_folder_path,
        table_classes=[changed],
    )
    [statement] = await migration_drift(drifted)
    assert "add_column" in statement
    assert "added_without_migration" in statement
