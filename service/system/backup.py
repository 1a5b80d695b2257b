"""`tupa backup` and `tupa restore`: one archive holds the database and the secret key.

The archive is a gzipped tar file, created readable by its owner only (it holds personal
data), with three members:

- `manifest.json`: the archive format, when and from which engine it was made, the
  migrations the database had, and the number of rows in every table;
- `database.sqlite3` (an online copy through SQLite's backup API, consistent while the
  app keeps writing) or `database.pgdump` (`pg_dump --format=custom`);
- `secret_key`: feed links and login cards are signed with it, so a restore without it
  would break every calendar subscription.

A restore goes into the same engine the archive came from, refuses a database that
holds data unless forced, refuses an archive made by migrations this Tupa does not have,
and checks afterwards that every table has the rows the manifest lists.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from service import clock
from service.auth.tables import User
from service.db import migrations_on_disk
from service.engines import sqlite_path
from service.settings import Settings

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
SECRET = "secret_key"  # noqa: S105 (the name of a file in the archive)
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class Manifest:
    engine: str
    created_at: str
    migrations: list[str]
    rows: dict[str, int]
    format: int = ARCHIVE_FORMAT

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        if data.get("format") != ARCHIVE_FORMAT:
            raise BackupError(f"unknown archive format {data.get('format')!r}")
        return cls(
            engine=data["engine"],
            created_at=data["created_at"],
            migrations=list(data["migrations"]),
            rows={str(name): int(count) for name, count in data["rows"].items()},
        )


@dataclass
class RestoreSummary:
    manifest: Manifest
    pending_migrations: list[str] = field(default_factory=list)
    secret_differs: bool = False


# --- backup -------------------------------------------------------------------------


def backup(settings: Settings, destination: Path) -> Manifest:
    """Write an archive of the database and the secret key to `destination`."""
    if destination.exists():
        raise BackupError(f"{destination} exists already; choose a new file name")
    engine = settings.database_engine
    with tempfile.TemporaryDirectory(prefix="tupa-backup-") as work:
        folder = Path(work)
        if engine == "sqlite":
            copy = folder / SQLITE_MEMBER
            _copy_sqlite(sqlite_path(settings.database_url), copy)
            rows, migrations = _sqlite_contents(copy)
        else:
            copy = folder / POSTGRES_MEMBER
            _pg_dump(settings.database_url, copy)
            rows, migrations = _postgres_contents(settings.database_url)
        manifest = Manifest(
            engine=engine,
            created_at=clock.now().isoformat(timespec="seconds"),
            migrations=migrations,
            rows=rows,
        )
        (folder / MANIFEST).write_bytes(manifest.to_json())
        (folder / SECRET).write_text(settings.secret_key)
        _write_private_archive(destination, folder, [MANIFEST, copy.name, SECRET])
    return manifest


def _copy_sqlite(source: Path, target: Path) -> None:
    """An online, consistent copy (readers and the writer carry on meanwhile), as one
    self-contained file (no write-ahead log beside it)."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")


def _pg_dump(database_url: str, target: Path) -> None:
    _run_tool("pg_dump", "--format=custom", "--no-owner", "--file", str(target), database_url)


def _write_private_archive(destination: Path, folder: Path, members: list[str]) -> None:
    descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
        for name in members:
            archive.add(folder / name, arcname=name)


# --- restore ------------------------------------------------------------------------


def restore(settings: Settings, archive: Path, *, force: bool = False) -> RestoreSummary:
    """Put the archive's database in place of the configured one, and its secret key in
    the data folder (or say that SECRET_KEY differs from it)."""
    engine = settings.database_engine
    with tempfile.TemporaryDirectory(prefix="tupa-restore-") as work:
        folder = Path(work)
        manifest = _unpack(archive, folder)
        _check_restorable(manifest, engine)
        if engine == "sqlite":
            target = sqlite_path(settings.database_url)
            if not force and _sqlite_holds_data(target):
                raise _holds_data_error()
            _restore_sqlite(folder / SQLITE_MEMBER, target)
            rows, migrations = _sqlite_contents(target)
        else:
            if not force and _postgres_holds_data(settings.database_url):
                raise _holds_data_error()
            _pg_restore(settings.database_url, folder / POSTGRES_MEMBER)
            rows, migrations = _postgres_contents(settings.database_url)
        _check_rows(manifest, rows)
        secret_differs = _restore_secret(settings, (folder / SECRET).read_text())
    pending = [name for name in migrations_on_disk() if name not in set(migrations)]
    return RestoreSummary(manifest, pending_migrations=pending, secret_differs=secret_differs)


def _unpack(archive: Path, folder: Path) -> Manifest:
    if not archive.is_file():
        raise BackupError(f"there is no archive at {archive}")
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            tar.extractall(folder, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{archive} is not a Tupa backup ({error})") from None
    if not (folder / MANIFEST).is_file() or not (folder / SECRET).is_file():
        raise BackupError(f"{archive} is not a Tupa backup (no manifest or secret key in it)")
    return Manifest.from_json((folder / MANIFEST).read_bytes())


def _check_restorable(manifest: Manifest, engine: str) -> None:
    if manifest.engine != engine:
        raise BackupError(
            f"the archive holds a {manifest.engine} database and DATABASE_URL names a "
            f"{engine} one; restore into the engine the backup was made from"
        )
    unknown = sorted(set(manifest.migrations) - set(migrations_on_disk()))
    if unknown:
        raise BackupError(
            f"the backup was made by a newer Tupa (migrations {', '.join(unknown)}); "
            "restore it with that version"
        )


def _holds_data_error() -> BackupError:
    return BackupError(
        "the database holds data; restoring would replace it. Back it up first, then run "
        "the restore again with --force"
    )


def _restore_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    target.chmod(0o600)


def _pg_restore(database_url: str, dump: Path) -> None:
    _run_tool(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--dbname",
        database_url,
        str(dump),
    )


def _check_rows(manifest: Manifest, rows: dict[str, int]) -> None:
    missing = {
        name: (count, rows.get(name, 0))
        for name, count in manifest.rows.items()
        if rows.get(name, 0) != count
    }
    if missing:
        listed = ", ".join(f"{name} {want} -> {got}" for name, (want, got) in missing.items())
        raise BackupError(f"the restored database does not match the backup: {listed}")


def _restore_secret(settings: Settings, secret: str) -> bool:
    """Write the archive's secret key to the data folder; with SECRET_KEY set in the
    environment, only tell whether it differs (the operator's secret store holds it)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"] != secret
    path = settings.data_dir / SECRET
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret)
    path.chmod(0o600)
    return False


# --- what a database holds ----------------------------------------------------------


def _sqlite_contents(path: Path) -> tuple[dict[str, int], list[str]]:
    with closing(sqlite3.connect(path)) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        rows = {
            name: connection.execute(f"SELECT {_count_of(name)}").fetchone()[0] for name in names
        }
        migrations = (
            [f"{app}:{name}" for app, name in connection.execute(_MIGRATIONS_SQL)]
            if "migration" in names
            else []
        )
    return rows, sorted(migrations)


def _sqlite_holds_data(path: Path) -> bool:
    if not path.is_file():
        return False
    rows, _ = _sqlite_contents(path)
    return _holds_data(rows)


def _postgres_contents(database_url: str) -> tuple[dict[str, int], list[str]]:
    names = _psql(database_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    rows: dict[str, int] = {}
    if names:
        counts = " UNION ALL ".join(f"SELECT '{name}', {_count_of(name)}" for name in names)
        for line in _psql(database_url, counts):
            name, count = line.split("|")
            rows[name] = int(count)
    migrations = _psql(database_url, _MIGRATIONS_SQL) if "migration" in names else []
    return rows, sorted(line.replace("|", ":") for line in migrations)


def _postgres_holds_data(database_url: str) -> bool:
    rows, _ = _postgres_contents(database_url)
    return _holds_data(rows)


def _psql(database_url: str, query: str) -> list[str]:
    """The rows of `query`, one line each, columns separated by `|`."""
    output = _run_tool(
        "psql", "--no-psqlrc", "--tuples-only", "--no-align", "-c", query, database_url
    )
    return [line for line in output.splitlines() if line]


def _count_of(table: str) -> str:
    """The SQL that counts a table's rows; `table` comes from the database's catalogue."""
    return f'count(*) FROM "{table}"'


def _holds_data(rows: dict[str, int]) -> bool:
    """Whether anyone uses the database: a freshly migrated one has migrations and
    reference data (the default goal domains) but no user."""
    return rows.get(User._meta.tablename, 0) > 0


_MIGRATIONS_SQL = "SELECT app_name, name FROM migration"


def _run_tool(name: str, *args: str) -> str:
    """Run a PostgreSQL client tool and give its output; its own message if it fails."""
    program = shutil.which(name)
    if program is None:
        raise BackupError(f"{name} is not installed (Debian: apt install postgresql-client)")
    done = subprocess.run(  # noqa: S603 (a fixed program; arguments are not shell-parsed)
        [program, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{name} failed: {done.stderr.strip()}")
    return done.stdout
