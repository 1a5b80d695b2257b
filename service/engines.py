"""The database engine named by a URL (SQLite or PostgreSQL); nothing else, so that
Piccolo's configuration module and the app can both import it."""

import os
from contextlib import suppress
from pathlib import Path
from urllib.parse import unquote

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine


def sqlite_path(url: str) -> Path:
    """`sqlite:///var/x.db` is relative, `sqlite:////abs/x.db` absolute."""
    return Path(unquote(url.removeprefix("sqlite:///")))


#: What SQLite writes next to the database file; it gives them the file's own mode.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def is_sqlite_url(url: str) -> bool:
    """Whether a database URL names SQLite (anything else is PostgreSQL)."""
    return url.startswith("sqlite")


def engine_from_url(url: str) -> Engine:
    if is_sqlite_url(url):
        path = sqlite_path(url)
        keep_private(path)
        return SQLiteEngine(path=str(path), timeout=30)
    return PostgresEngine(config={"dsn": url})


def keep_private(path: Path) -> None:
    """The SQLite file holds everyone's personal data: readable by its owner only, like
    the secret key. Made so before SQLite opens it (SQLite gives its -wal and -shm files
    the database file's mode), and an older file made more open is narrowed."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS)):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)
