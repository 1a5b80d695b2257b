"""Shift start (issue #13, item 10): 40 tablets sign in at once while 10 others, signed
in already, mark attendance one tap at a time. Signing in hashes a password (argon2, a
few hundred milliseconds of CPU on purpose) in a thread; the marks must not wait for
it. Prints the p50 and p99 of the marks with nobody signing in, then during the
sign-ins (the target: p99 under 1 s on PostgreSQL), and how long the sign-ins took."""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time as stopwatch
import uuid
from collections.abc import Iterator
from datetime import time, timedelta
from itertools import cycle
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

from service import clock
from service.app import create_app
from service.auth.tables import Role
from service.people.tables import Participant, ParticipantStatus
from service.placements.tables import Placement
from service.schedule.tables import Session
from service.settings import Settings
from tests import schedule_helpers as h
from tests.benchmarks.common import Row, migrated_engine
from tests.conftest import make_client, running
from tests.helpers import PASSWORD, make_user

SIGNING_IN = 40
MARKING = 10
PEOPLE = 20
BASELINE_MARKS = 10  # per marking tablet, with nobody signing in


async def run(engines: list[str]) -> list[Row]:
    rows = []
    for kind in engines:
        async with migrated_engine(kind) as (url, engine):
            site = await h.site("Pajatalo")
            for n in range(SIGNING_IN + MARKING):
                await make_user(Role.staff, f"staff{n}@example.org", site_ids=[site])
            session_id, people = await _session(site)
            with TemporaryDirectory() as data_dir:
                settings = Settings(
                    env="test",
                    data_dir=Path(data_dir),
                    database_url=url,
                    secret_key=secrets.token_urlsafe(48),
                    login_attempts_per_minute=10_000,
                )
                app = create_app(settings, engine=engine)
                async with running(app):
                    rows += await _shift_start(app, kind, session_id, people)
    return rows


async def _session(site: int) -> tuple[int, list[int]]:
    today = clock.today()
    activity = await h.activity(site, "Workshop", max_participants=PEOPLE)
    slot = await h.slot(
        activity,
        weekday=today.weekday(),
        start=time(0, 0),
        end=time(0, 30),
        valid_from=today - timedelta(days=7),
        today=today,
    )
    await Participant.insert(
        *[
            Participant(display_name=f"Person {n}", status=ParticipantStatus.active)
            for n in range(PEOPLE)
        ]
    )
    ids = [row["id"] for row in await Participant.select(Participant.id)]
    await Placement.insert(
        *[
            Placement(participant=pid, slot=slot, start_date=today - timedelta(days=7))
            for pid in ids
        ]
    )
    row = (
        await Session.select(Session.id)
        .where((Session.slot == slot) & (Session.date == today))
        .first()
    )
    assert row is not None
    return row["id"], ids


async def _sign_in(client: httpx.AsyncClient, number: int) -> None:
    answer = await client.post(
        "/api/v1/auth/login", json={"email": f"staff{number}@example.org", "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text


async def _tap(
    client: httpx.AsyncClient, session_id: int, people: Iterator[int], latencies: list[float]
) -> None:
    mark = {
        "uuid": str(uuid.uuid4()),
        "session_id": session_id,
        "participant_id": next(people),
        "status": "present",
        "marked_at": clock.utcnow().isoformat(),
    }
    started = stopwatch.perf_counter()
    answer = await client.post("/api/v1/attendance", json={"marks": [mark]})
    latencies.append(stopwatch.perf_counter() - started)
    assert answer.status_code == 200, answer.text


async def _shift_start(app, kind: str, session_id: int, people: list[int]) -> list[Row]:
    markers = [make_client(app) for _ in range(MARKING)]
    arriving = [make_client(app) for _ in range(SIGNING_IN)]
    for number, client in enumerate(markers):
        await _sign_in(client, SIGNING_IN + number)

    quiet: list[float] = []

    async def mark_alone(client: httpx.AsyncClient, offset: int) -> None:
        order = cycle(people[offset:] + people[:offset])
        for _ in range(BASELINE_MARKS):
            await _tap(client, session_id, order, quiet)

    await asyncio.gather(*(mark_alone(c, n) for n, c in enumerate(markers)))

    busy: list[float] = []
    signed_in = asyncio.Event()

    async def mark_meanwhile(client: httpx.AsyncClient, offset: int) -> None:
        order = cycle(people[offset:] + people[:offset])
        while not signed_in.is_set():
            await _tap(client, session_id, order, busy)

    async def everyone_signs_in() -> float:
        started = stopwatch.perf_counter()
        await asyncio.gather(*(_sign_in(c, n) for n, c in enumerate(arriving)))
        signed_in.set()
        return stopwatch.perf_counter() - started

    sign_in_seconds, *_ = await asyncio.gather(
        everyone_signs_in(), *(mark_meanwhile(c, n) for n, c in enumerate(markers))
    )
    for client in markers + arriving:
        await client.aclose()
    return [
        Row(
            "sign-in",
            f"{MARKING} tablets marking, nobody signing in",
            kind,
            _figures(quiet),
        ),
        Row(
            "sign-in",
            f"{MARKING} tablets marking while {SIGNING_IN} sign in at once",
            kind,
            {**_figures(busy), "sign_ins_s": round(sign_in_seconds, 2)},
        ),
    ]


def _figures(latencies: list[float]) -> dict[str, float | int | str]:
    latencies = sorted(latencies)
    return {
        "marks": len(latencies),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1),
    }
