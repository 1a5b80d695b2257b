"""Attendance under a flaky network: 50 tablets at once, each sending 20 marks one tap
at a time and then all 20 again in one batch (as a tablet does when it never heard
back). Five tablets share each session, so the same people are marked from several
tablets. Prints throughput, p50 and p99 latency, and the marks lost and duplicated
(both must be 0)."""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time as stopwatch
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from service import clock
from service.app import create_app
from service.attendance.tables import AttendanceMark
from service.auth.tables import Role
from service.people.tables import Participant, ParticipantStatus
from service.placements.tables import Placement
from service.schedule.tables import Session
from service.settings import Settings
from tests import schedule_helpers as h
from tests.benchmarks.common import Row, migrated_engine, timed
from tests.conftest import make_client, running
from tests.helpers import PASSWORD, make_user

TABLETS = 50
MARKS = 20
TABLETS_PER_SESSION = 5
STATUSES = ["present", "late", "left_early", "absent_notice", "absent_no_notice", "excused"]


async def run(engines: list[str]) -> list[Row]:
    rows = []
    today = clock.today()
    for kind in engines:
        async with migrated_engine(kind) as (url, engine):
            site = await h.site("Pajatalo")
            await make_user(Role.staff, "olli@example.org", site_ids=[site])
            sessions = await _sessions(site, today)
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
                    rows.append(await _one_tablet(app, kind, sessions))
                    await AttendanceMark.delete(force=True)
                    rows.extend(await _storm(app, kind, sessions))
    return rows


async def _sessions(site: int, today: date) -> dict[int, list[int]]:
    """TABLETS / TABLETS_PER_SESSION sessions today, each with MARKS people placed."""
    count = TABLETS // TABLETS_PER_SESSION
    people = [
        Participant(display_name=f"Person {n}", status=ParticipantStatus.active)
        for n in range(count * MARKS)
    ]
    await Participant.insert(*people)
    ids = [row["id"] for row in await Participant.select(Participant.id).order_by(Participant.id)]
    sessions: dict[int, list[int]] = {}
    for n in range(count):
        activity = await h.activity(site, f"Workshop {n}", max_participants=MARKS)
        slot = await h.slot(
            activity,
            weekday=today.weekday(),
            start=time(0, 0),
            end=time(0, 30),
            valid_from=today - timedelta(days=7),
            today=today,
        )
        placed = ids[n * MARKS : (n + 1) * MARKS]
        await Placement.insert(
            *[
                Placement(participant=pid, slot=slot, start_date=today - timedelta(days=7))
                for pid in placed
            ]
        )
        row = (
            await Session.select(Session.id)
            .where((Session.slot == slot) & (Session.date == today))
            .first()
        )
        assert row is not None
        sessions[row["id"]] = placed
    return sessions


async def _one_tablet(app, kind: str, sessions: dict[int, list[int]]) -> Row:
    """A quiet moment: one tablet, one tap after the other."""
    session = min(sessions)
    people = iter(sessions[session] * 3)
    async with make_client(app) as client:
        answer = await client.post(
            "/api/v1/auth/login", json={"email": "olli@example.org", "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text

        async def tap() -> None:
            mark = {
                "uuid": str(uuid.uuid4()),
                "session_id": session,
                "participant_id": next(people),
                "status": "present",
                "marked_at": datetime.now(UTC).isoformat(),
            }
            answer = await client.post("/api/v1/attendance", json={"marks": [mark]})
            assert answer.status_code == 200, answer.text

        figures = await timed(tap, 40)
    return Row("attendance", "one tablet, one tap at a time", kind, figures)


async def _storm(app, kind: str, sessions: dict[int, list[int]]) -> list[Row]:
    session_ids = sorted(sessions)
    clients = []
    for _ in range(TABLETS):
        client = make_client(app)
        answer = await client.post(
            "/api/v1/auth/login", json={"email": "olli@example.org", "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        clients.append(client)
    sent: list[str] = []
    latencies: list[float] = []
    outcomes: dict[str, int] = {}

    async def post(client, marks: list[dict]) -> None:
        started = stopwatch.perf_counter()
        answer = await client.post("/api/v1/attendance", json={"marks": marks})
        latencies.append(stopwatch.perf_counter() - started)
        assert answer.status_code == 200, answer.text
        for result in answer.json()["results"]:
            outcomes[result["result"]] = outcomes.get(result["result"], 0) + 1

    async def tablet(number: int, client) -> None:
        session = session_ids[number // TABLETS_PER_SESSION]
        marks = [
            {
                "uuid": str(uuid.uuid4()),
                "session_id": session,
                "participant_id": pid,
                "status": STATUSES[(number + i) % len(STATUSES)],
                "marked_at": datetime.now(UTC).isoformat(),
            }
            for i, pid in enumerate(sessions[session])
        ]
        sent.extend(m["uuid"] for m in marks)
        for mark in marks:  # one tap, one request
            await post(client, [mark])
        await post(client, marks)  # the flaky network: everything again

    started = stopwatch.perf_counter()
    await asyncio.gather(*(tablet(n, c) for n, c in enumerate(clients)))
    elapsed = stopwatch.perf_counter() - started
    for client in clients:
        await client.aclose()
    stored = await AttendanceMark.select(AttendanceMark.client_uuid)
    uuids = [row["client_uuid"] for row in stored]
    lost = len(set(sent) - set(uuids))
    duplicated = len(uuids) - len(set(uuids))
    latencies.sort()
    marks_sent = TABLETS * MARKS * 2
    return [
        Row(
            "attendance",
            f"{TABLETS} tablets x {MARKS} marks, each sent twice",
            kind,
            {
                "requests": len(latencies),
                "marks_per_s": round(marks_sent / elapsed, 1),
                "p50_ms": round(statistics.median(latencies) * 1000, 1),
                "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1),
                "stored": outcomes.get("stored", 0),
                "duplicate_answers": outcomes.get("duplicate", 0),
                "lost": lost,
                "duplicated": duplicated,
            },
        )
    ]
