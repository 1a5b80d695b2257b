"""The planner: server time to render a week of 200 sessions (cards, staff, warnings),
and to generate 12 weeks of sessions from 150 weekly slots, cold and again (no-op)."""

from __future__ import annotations

import secrets
import time as stopwatch
from datetime import date, time, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from service import clock
from service.app import create_app
from service.auth.tables import Role
from service.schedule import services as schedule
from service.schedule.tables import Session, SessionStaff, SlotStaff, WeeklySlot
from service.settings import Settings
from tests import schedule_helpers as h
from tests.benchmarks.common import Row, migrated_engine, timed
from tests.benchmarks.foundation import succeeding
from tests.conftest import make_client, running
from tests.helpers import PASSWORD, make_user

SLOTS = 150
EXTRA_ONE_OFFS = 50
SITES = 10
STAFF = 30


async def run(engines: list[str]) -> list[Row]:
    rows = []
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    for kind in engines:
        async with migrated_engine(kind) as (url, engine):
            staff = [(await make_user(Role.staff, f"s{n}@example.org")).id for n in range(STAFF)]
            await make_user(Role.coordinator, "kaisa@example.org")
            await _slots(staff, monday)
            started = stopwatch.perf_counter()
            result = await schedule.generate_sessions(today=monday)
            cold = stopwatch.perf_counter() - started
            rows.append(
                Row(
                    "planner",
                    f"generate 12 weeks, {SLOTS} slots (cold)",
                    kind,
                    {"n": 1, "median_ms": round(cold * 1000, 1), "sessions": result.created},
                )
            )
            again = await timed(lambda: schedule.generate_sessions(today=monday), 5)
            rows.append(Row("planner", f"generate again, {SLOTS} slots (no-op)", kind, again))
            await _one_offs(staff, monday)
            shown = await Session.count().where(
                (Session.date >= monday) & (Session.date <= monday + timedelta(days=6))
            )
            with TemporaryDirectory() as data_dir:
                settings = Settings(
                    env="test",
                    data_dir=Path(data_dir),
                    database_url=url,
                    secret_key=secrets.token_urlsafe(48),
                )
                app = create_app(settings, engine=engine)
                async with running(app), make_client(app) as client:
                    await client.post(
                        "/api/v1/auth/login",
                        json={"email": "kaisa@example.org", "password": PASSWORD},
                    )
                    page = await timed(
                        succeeding(
                            lambda: client.get("/planner", params={"week": monday.isoformat()})
                        ),
                        30,
                    )
                    rows.append(Row("planner", f"GET /planner week ({shown} sessions)", kind, page))
                    api = await timed(
                        succeeding(
                            lambda: client.get(
                                "/api/v1/sessions",
                                params={
                                    "start": monday.isoformat(),
                                    "end": (monday + timedelta(6)).isoformat(),
                                },
                            )
                        ),
                        30,
                    )
                    rows.append(Row("planner", f"GET /api/v1/sessions week ({shown})", kind, api))
    return rows


async def _slots(staff: list[int], monday: date) -> None:
    sites = [await h.site(f"Site {n}") for n in range(SITES)]
    activities = [
        await h.activity(sites[n % SITES], f"Activity {n}", min_participants=0) for n in range(30)
    ]
    slots = [
        WeeklySlot(
            activity=activities[n % len(activities)],
            weekday=n % 5,
            start=time(8 + (n % 4) * 2),
            end=time(9 + (n % 4) * 2, 30),
            valid_from=monday - timedelta(weeks=4),
        )
        for n in range(SLOTS)
    ]
    await WeeklySlot.insert(*slots)
    stored = await WeeklySlot.select(WeeklySlot.id).order_by(WeeklySlot.id)
    await SlotStaff.insert(
        *[SlotStaff(slot=row["id"], user=staff[i % len(staff)]) for i, row in enumerate(stored)]
    )


async def _one_offs(staff: list[int], monday: date) -> None:
    site = await h.site("Extra")
    activity = await h.activity(site, "Extra", min_participants=0)
    for n in range(EXTRA_ONE_OFFS):
        session = Session(
            activity=activity,
            site=site,
            date=monday + timedelta(days=n % 5),
            start=time(13),
            end=time(15),
            starts_at=schedule.recurrence.local_to_utc(
                monday + timedelta(days=n % 5), time(13), "Europe/Helsinki"
            ),
            ends_at=schedule.recurrence.local_to_utc(
                monday + timedelta(days=n % 5), time(15), "Europe/Helsinki"
            ),
        )
        await session.save()
        await SessionStaff.insert(SessionStaff(session=session.id, user=staff[n % len(staff)]))
