"""The tests' clock: frozen at a chosen moment, then ticking, so the suite never depends
on the day it runs.

`TUPA_TEST_NOW` (an ISO 8601 moment with its offset) chooses the moment. CI also runs
the date-sensitive tests at hard dates (Christmas, Epiphany, both daylight-saving
changes, 29 February, the year's end): `TUPA_TEST_MOMENTS` (moments separated by
spaces) runs each collected test once at each of them, in one pytest run. Browser tests run against a server in another
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
_coordinates: list[time_machine.Coordinates] = []


def freeze() -> None:
    _coordinates[:] = [_traveller.start()]


def move_to(moment: datetime) -> None:
    """Put the frozen clock at another moment (it keeps ticking from there)."""
    _coordinates[0].move_to(moment)


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
