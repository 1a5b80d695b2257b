"""The database engine from DATABASE_URL, and the migrations runner."""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from filelock import AsyncFileLock, FileLock, Timeout
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw
from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from service import events
from service import piccolo_conf as conf
from service.engines import is_sqlite_url, sqlite_path
from service.errors import ConcurrentChange

os.environ.setdefault("PICCOLO_CONF", "service.piccolo_conf")

# Any constant works; it only has to be the same for every Tupa process.
MIGRATION_LOCK_KEY = 7_466_112_097


class MigrationError(RuntimeError):
    pass


# LIKE's escape character, said explicitly: SQLite has none by default.
_ESCAPE = " ESCAPE '\\'"


def _qualified(column: Column) -> str:
    return f'"{column._meta.table._meta.tablename}"."{column._meta.db_column_name}"'


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_text(column: Column, text: str) -> WhereRaw:
    """Rows whose column holds `text`, ignoring case, on both engines. `%`, `_` and `\\`
    in what someone typed are plain characters, not LIKE's wildcards."""
    return WhereRaw(
        f"lower({_qualified(column)}) LIKE lower({{}}){_ESCAPE}", f"%{_like_literal(text)}%"
    )


def starts_with_text(column: Column, text: str) -> WhereRaw:
    """Rows whose column starts with `text` (case as typed), wildcards taken literally."""
    return WhereRaw(f"{_qualified(column)} LIKE {{}}{_ESCAPE}", f"{_like_literal(text)}%")


def is_unique_violation(error: BaseException) -> bool:
    """Whether a database error is a unique index refusing a second row, on either engine."""
    return isinstance(error, asyncpg.UniqueViolationError) or (
        isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)
    )


def is_conflict_violation(error: BaseException) -> bool:
    """Whether a database error is what two writers racing for the same thing get: a
    unique index refusing a second row, or a row referring to one deleted meanwhile
    (or one still referred to being deleted)."""
    return is_unique_violation(error) or (
        isinstance(error, asyncpg.ForeignKeyViolationError)
        or (isinstance(error, sqlite3.IntegrityError) and "FOREIGN KEY" in str(error))
    )


def constraint_name(error: BaseException) -> str:
    """The violated constraint's name where the engine says it (PostgreSQL does; SQLite
    names the columns instead)."""
    name = getattr(error, "constraint_name", None)
    if isinstance(name, str):
        return name
    return str(error).partition(":")[2].strip()


def is_sqlite() -> bool:
    """Whether the bound engine is SQLite (which has no row locks and one writer)."""
    return isinstance(conf.DB, SQLiteEngine)


def engine_kind(engine: Engine) -> str:
    return "sqlite" if isinstance(engine, SQLiteEngine) else "postgres"


def app_tables() -> list[type[Table]]:
    """Every table of every registered app, in dependency order."""
    finder = Finder()
    tables: list[type[Table]] = []
    for app_config in finder.get_app_configs():
        tables.extend(app_config.table_classes)
    return tables


def bind_engine(engine: Engine) -> None:
    """Point Piccolo and every table at `engine` (tests switch between engines)."""
    conf.DB = engine
    tables: list[type[Table]] = [*app_tables(), Migration]
    for table in tables:
        table._meta.db = engine


async def open_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)
    else:
        # WAL lets readers carry on while a writer commits.
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def close_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


async def check_database() -> bool:
    """A round trip to the database."""
    rows = await conf.DB.run_ddl("SELECT 1 AS ok")
    return bool(rows)


async def pending_migrations() -> list[str]:
    """Migration ids that exist on disk but have not been applied."""
    applied = await _applied_migrations()
    return [migration for migration in migrations_on_disk() if migration not in applied]


async def unknown_migrations() -> list[str]:
    """Applied migration ids that no longer exist on disk: the database was made by
    migrations that have since been squashed (or by a newer Tupa)."""
    on_disk = set(migrations_on_disk())
    return sorted(await _applied_migrations() - on_disk)


def migrations_on_disk() -> list[str]:
    manager = BaseMigrationManager()
    found: list[str] = []
    for app_config in manager.get_app_configs():
        modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        found.extend(f"{app_config.app_name}:{migration_id}" for migration_id in sorted(modules))
    return found


async def _applied_migrations() -> set[str]:
    if not await Migration.table_exists().run():
        return set()
    rows = await Migration.select(Migration.app_name, Migration.name).run()
    return {f"{row['app_name']}:{row['name']}" for row in rows}


async def apply_migrations(database_url: str, *, quiet: bool = False) -> list[str]:
    """Apply pending migrations, one process at a time: two `tupa migrate` started at
    once migrate one after the other, and the second finds nothing left to do."""
    async with one_migrator_at_a_time(database_url):
        unknown = await unknown_migrations()
        if unknown:
            raise MigrationError(
                "the database was made by migrations this Tupa does not have "
                f"({len(unknown)}, such as {unknown[0]}); the migrations were squashed before the "
                "first release, so make a new database"
            )
        pending = await pending_migrations()
        if pending:
            output = io.StringIO() if quiet else None
            with contextlib.redirect_stdout(output) if output else contextlib.nullcontext():
                result = await run_forwards(app_name="all")
            if not result.success:
                raise MigrationError(result.message or "a migration failed")
        return pending


@asynccontextmanager
async def one_migrator_at_a_time(database_url: str) -> AsyncIterator[None]:
    """An advisory lock on PostgreSQL; on SQLite a lock on a file beside the database
    (its own write lock is taken per statement, not for a whole migration run)."""
    if not is_sqlite_url(database_url):
        connection = await asyncpg.connect(database_url)
        try:
            await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            yield
        finally:
            await connection.close()
        return
    database = sqlite_path(database_url)
    async with AsyncFileLock(database.with_name(database.name + ".migrate.lock"), mode=0o600):
        yield


_server_locks: dict[Path, FileLock] = {}


def another_process_serves(database_url: str) -> bool:
    """Whether another process already serves this SQLite file. This process then holds
    a lock beside the file for as long as it runs (the system drops it when it exits),
    so that the next one started on the same file can tell."""
    if not is_sqlite_url(database_url):
        return False
    database = sqlite_path(database_url)
    path = database.with_name(database.name + ".serve.lock")
    if path in _server_locks:
        return False
    lock = FileLock(path, mode=0o600, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    _server_locks[path] = lock
    return False


@dataclass(frozen=True)
class RowLock:
    """Rows a transaction holds until it ends, so that what it read of them (and of
    what hangs on them) cannot change under it: see `row_lock()`."""

    table: type[Table]
    ids: tuple[int, ...]
    strength: str = "NO KEY UPDATE"


@dataclass(frozen=True)
class NamedLock:
    """A lock on a name rather than a row, for a write that has no row to lock (on
    PostgreSQL a transaction-level advisory lock): see `named()`."""

    name: str


Lock = RowLock | NamedLock

#: The order writers lock rows in (and update them, which locks them too), so that no
#: two wait for each other: a record before what hangs on it.
LOCK_ORDER = (
    "matching_run",
    "participant",
    "user",
    "partner",
    "site",
    "activity",
    "room",
    "weekly_slot",
    "session",
    "placement",
)


def row_lock(table: type[Table], *ids: int | None, deleting: bool = False) -> RowLock:
    """Lock these rows of `table` (ids that are None are left out). Every writer that
    decides from what hangs on a row (the placements of a slot, the bookings of a
    room, the children of a record) locks that row first, so such writers take turns.
    `deleting` takes the strongest lock, which also holds off new rows referring to it."""
    kept = tuple(sorted({row_id for row_id in ids if row_id is not None}))
    return RowLock(table, kept, "UPDATE" if deleting else "NO KEY UPDATE")


def named(name: str) -> NamedLock:
    """Lock a name (such as "matching.publish") for the rest of the transaction."""
    return NamedLock(name)


@asynccontextmanager
async def transaction(*locks: Lock) -> AsyncIterator[None]:
    """A write transaction on the bound engine, and the domain events published inside
    it, handed to their handlers once it has committed (dropped if it fails). On SQLite
    it takes the write lock at BEGIN (IMMEDIATE), so that a read-then-write cannot be
    overtaken by another writer; on PostgreSQL the `locks` given (and those taken later
    with `lock()`) do that for the rows a check reads. Nested calls join the outer
    transaction. A unique or foreign key violation (two writers racing for the same
    thing) leaves as `ConcurrentChange`, a 409, never as a database error."""
    outermost = not events.collecting_now()
    try:
        async with events.collecting() as published, _engine_transaction():
            await lock(*locks)
            yield
    except Exception as error:
        if is_conflict_violation(error):
            raise ConcurrentChange(constraint_name(error)) from error
        raise
    if outermost:
        await events.dispatch(published)


async def lock(*locks: Lock) -> None:
    """Inside a transaction: hold these locks until it ends. SQLite needs nothing more:
    its write transaction already holds the whole database.

    So that two writers never wait for each other in a ring, names are locked first,
    then rows in the order given, each table's in id order; and every writer takes the
    tables in the order of `LOCK_ORDER` (a later `lock()` in the same transaction only
    for tables further down it)."""
    if not locks:
        return
    if not in_transaction():
        raise RuntimeError("db.lock() outside a transaction holds nothing")
    row_locks = [item for item in locks if isinstance(item, RowLock) and item.ids]
    _check_lock_order(row_locks)  # on SQLite too, so that tests on either engine catch it
    if is_sqlite():
        return
    for name in sorted({item.name for item in locks if isinstance(item, NamedLock)}):
        await conf.DB.run_ddl(f"SELECT pg_advisory_xact_lock({_lock_key(name)})")
    for item in row_locks:
        primary_key = item.table._meta.primary_key
        await (
            item.table.select(primary_key)
            .where(primary_key.is_in(list(item.ids)))
            .order_by(primary_key)
            .lock_rows(item.strength)  # type: ignore[arg-type]
        )


def _check_lock_order(row_locks: list[RowLock]) -> None:
    ranks = [_lock_rank(item.table) for item in row_locks]
    if ranks != sorted(ranks):
        names = [item.table._meta.tablename for item in row_locks]
        raise ValueError(f"rows locked out of LOCK_ORDER: {names}")


def _lock_rank(table: type[Table]) -> int:
    name = table._meta.tablename
    return LOCK_ORDER.index(name) if name in LOCK_ORDER else len(LOCK_ORDER)


def in_transaction() -> bool:
    return conf.DB.current_transaction.get() is not None


def _lock_key(name: str) -> int:
    """A stable 32-bit key for a lock name, the same in every Tupa process."""
    return zlib.crc32(f"tupa:{name}".encode())


def _engine_transaction() -> Any:
    engine = conf.DB
    if isinstance(engine, PostgresEngine):
        return ReleasingPostgresTransaction(engine=engine)
    return engine.transaction(transaction_type=TransactionType.immediate)


class ReleasingPostgresTransaction(PostgresTransaction):
    """Piccolo's PostgreSQL transaction, giving its connection back to the pool on every
    path. Piccolo's own keeps the connection (and its place in the pool) when BEGIN,
    COMMIT or ROLLBACK fails, as they do when the connection drops mid-transaction:
    after enough outages every request would wait for a connection forever."""

    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            self.transaction = self.connection.transaction()
            await self.begin()
        except BaseException:
            await self._give_back()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._give_back()
        return exception is None

    async def _give_back(self) -> None:
        """Release the connection; asyncpg closes it there if it is broken."""
        if self.engine.pool:
            await self.engine.pool.release(self.connection)
        else:
            await self.connection.close()


async def save_row(
    table: type[Table], values: dict[Any, Any], row_id: int | None
) -> tuple[int, str]:
    """Insert a row made of `values` (column: value), or update row `row_id` with them.
    Returns the row's id and the verb for the audit log: "create" or "update"."""
    if row_id is None:
        row = table(**{column._meta.name: value for column, value in values.items()})
        await row.save()
        return row.id, "create"  # type: ignore[attr-defined]
    await table.update(values).where(table._meta.primary_key == row_id)
    return row_id, "update"
