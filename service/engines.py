"""The database engine named by a URL (SQLite or PostgreSQL); nothing else, so that
Piccolo's configuration module and the app can both import it."""

from pathlib import Path
from urllib.parse import unquote

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine


def sqlite_path(url: str) -> Path:
    """`sqlite:///var/x.db` is relative, `sqlite:////abs/x.db` absolute."""
    return Path(unquote(url.removeprefix("sqlite:///")))


def engine_from_url(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=30)
    return PostgresEngine(config={"dsn": url})
