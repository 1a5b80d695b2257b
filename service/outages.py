"""What an outage of a backing service looks like, and how to wait for its end.

An outage is the database (PostgreSQL or SQLite) or Redis refusing, dropping or not
answering a connection: it is down, restarting or out of reach, and it comes back on its
own. The web layer answers such an error with 503 and `Retry-After` (never 500),
`/health` names what is down, and the long-running loops (live updates, the worker)
wait with `Backoff` and reconnect instead of dying.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

import asyncpg
import redis.exceptions

Service = Literal["database", "redis"]

#: What a 503 asks the client to wait before trying again, in seconds.
RETRY_AFTER_SECONDS = 5
#: How long a Redis command or connection may take before Redis counts as out of reach
#: (without it, a Redis that hangs instead of refusing would hang every request).
REDIS_TIMEOUT_SECONDS = 5.0

#: Errors that always mean the database is out of reach (the server shut down, crashed,
#: is starting, or the connection was cut).
DATABASE_OUTAGES: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
)
#: Errors that always mean Redis is out of reach (down, loading, or not answering).
REDIS_OUTAGES: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
#: SQLite's words for a database file that cannot be used for now.
_SQLITE_OUTAGE_WORDS = (
    "database is locked",
    "unable to open database file",
    "disk i/o error",
    "database or disk is full",
)


def outage_of(error: BaseException) -> Service | None:
    """Which backing service `error` (or an error that caused it) says is out of reach;
    None for any other error, which stays a bug (500)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        service = _outage_of_one(current)
        if service is not None:
            return service
        current = current.__cause__ or current.__context__
    return None


def _outage_of_one(error: BaseException) -> Service | None:
    if isinstance(error, DATABASE_OUTAGES):
        return "database"
    if isinstance(error, REDIS_OUTAGES):
        return "redis"
    if isinstance(error, asyncpg.InterfaceError) and (
        "closed" in str(error) or "closing" in str(error)
    ):
        return "database"  # a connection (or the pool) closed under the query
    if isinstance(error, asyncpg.exceptions.InternalClientError):
        # The server's "terminating connection" arrived while the connection was idle in
        # the pool: it still reads the error when the next query comes.
        return "database"
    if isinstance(error, sqlite3.OperationalError):
        message = str(error).lower()
        return "database" if any(words in message for words in _SQLITE_OUTAGE_WORDS) else None
    if isinstance(error, (ConnectionError, TimeoutError)):
        # Refused, reset or timed out below a client library: the one it came through.
        return _client_in_traceback(error.__traceback__)
    return None


def _client_in_traceback(traceback: TracebackType | None) -> Service | None:
    found: Service | None = None
    while traceback is not None:
        module = str(traceback.tb_frame.f_globals.get("__name__", ""))
        if module.startswith(("asyncpg", "piccolo")):
            found = "database"
        elif module.startswith(("redis", "arq", "litestar.stores.redis")):
            found = "redis"
        traceback = traceback.tb_next
    return found


@dataclass
class Backoff:
    """Waits that double from `first` up to `longest` seconds between reconnection
    attempts, and start again from `first` after a success."""

    first: float = 0.1
    longest: float = 5.0
    _next: float = 0.0

    def reset(self) -> None:
        self._next = 0.0

    def next_wait(self) -> float:
        """The next wait, in seconds (each one twice the last, up to `longest`)."""
        self._next = min(self.longest, self._next * 2 or self.first)
        return self._next

    async def wait(self) -> None:
        await asyncio.sleep(self.next_wait())
