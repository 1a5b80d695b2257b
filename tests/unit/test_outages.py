"""What makes a 503 (an outage of the database or Redis) and what stays a 500 (a bug)."""

from __future__ import annotations

import sqlite3

import asyncpg
import redis.exceptions

from service.outages import Backoff, outage_of


def test_connection_errors_of_each_client_are_outages():
    assert outage_of(asyncpg.exceptions.AdminShutdownError()) == "database"
    assert outage_of(asyncpg.exceptions.CannotConnectNowError()) == "database"
    assert outage_of(asyncpg.exceptions.ConnectionDoesNotExistError()) == "database"
    assert outage_of(asyncpg.InterfaceError("connection is closed")) == "database"
    assert outage_of(sqlite3.OperationalError("database is locked")) == "database"
    dropped_while_idle = "cannot switch to state 12; another operation (2) is in progress"
    assert outage_of(asyncpg.exceptions.InternalClientError(dropped_while_idle)) == "database"
    assert outage_of(sqlite3.OperationalError("unable to open database file")) == "database"
    assert outage_of(redis.exceptions.ConnectionError("refused")) == "redis"
    assert outage_of(redis.exceptions.TimeoutError()) == "redis"


def test_an_outage_that_caused_another_error_is_found():
    wrapped = RuntimeError("while saving")
    wrapped.__cause__ = redis.exceptions.TimeoutError()
    assert outage_of(wrapped) == "redis"


def test_bugs_stay_bugs():
    assert outage_of(sqlite3.OperationalError("no such table: site")) is None
    assert outage_of(asyncpg.exceptions.UniqueViolationError()) is None
    assert outage_of(asyncpg.InterfaceError("another operation is in progress")) is None
    assert outage_of(ConnectionRefusedError()) is None  # not through a client we know
    assert outage_of(ValueError("a bug")) is None


def test_backoff_doubles_up_to_its_longest_and_starts_again_after_a_success():
    backoff = Backoff(first=0.5, longest=3.0)
    assert [backoff.next_wait() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_wait() == 0.5
