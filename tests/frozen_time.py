"""The tests' clock: frozen at a chosen moment, then ticking, so the suite never depends
on the day it runs.

`TUPA_TEST_NOW` (an ISO 8601 moment with its offset) chooses the moment; CI also runs
the date-sensitive tests at hard dates (Christmas, Epiphany, both daylight-saving
changes, 29 February, the year's end). Browser tests run against a server in another
process, which keeps the real time, so they pause the freeze (`real_time`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import time_machine

#: An ordinary Wednesday morning in Helsinki, far from holidays and clock changes.
DEFAULT_TEST_NOW = "2026-09-16T09:30:00+03:00"


def test_now() -> datetime:
    return datetime.fromisoformat(os.environ.get("TUPA_TEST_NOW") or DEFAULT_TEST_NOW)


_traveller = time_machine.travel(test_now(), tick=True)


def freeze() -> None:
    _traveller.start()


def unfreeze() -> None:
    _traveller.stop()


@contextmanager
def real_time() -> Iterator[None]:
    """The machine's own time for a while (for tests that talk to another process)."""
    unfreeze()
    try:
        yield
    finally:
        freeze()
