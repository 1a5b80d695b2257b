"""Reports over a synthetic year: a provider of 1,000 participants and 200 weekly slots
(about 10,000 sessions and 250,000 marks). Times a month's and a year's attendance
report by activity, and the year's funder workbook per participant-month with its peak
of Python memory (tracemalloc, in a run of its own). Targets on PostgreSQL: 300 ms,
2 s, and 5 s under 300 MB.

TUPA_BENCH_REPORTS_SCALE (default 1) shrinks the provider for a quick run: 0.05 gives
50 participants and 10 slots."""

from __future__ import annotations

import os
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from service.attendance.tables import AttendanceMark
from service.audit.services import Actor
from service.auth.schemas import CurrentUser
from service.auth.tables import Role
from service.catalog.tables import Activity, ActivityKind, Site
from service.people.tables import Participant, ParticipantStatus
from service.placements.tables import Placement, PlacementStatus
from service.reports import services
from service.reports.core import Grouping
from service.schedule.tables import Session, WeeklySlot
from service.transfer.workbook import tables_workbook
from tests.benchmarks.common import Row, migrated_engine

HELSINKI = ZoneInfo("Europe/Helsinki")
YEAR = 2025
SCALE = float(os.environ.get("TUPA_BENCH_REPORTS_SCALE", "1"))
PARTICIPANTS = max(10, int(1000 * SCALE))
SLOTS = max(2, int(200 * SCALE))
PLACES_PER_SLOT = 25
STATUSES = ["present"] * 7 + ["late", "left_early", "absent_notice", "absent_no_notice", "excused"]
ADMIN = CurrentUser(id=0, email="bench@example.org", display_name="Bench", role=Role.admin)
ACTOR = Actor.system("benchmark")
BATCH = 2_000


async def run(engines: list[str]) -> list[Row]:
    rows = []
    for kind in engines:
        async with migrated_engine(kind) as (_url, _engine):
            sessions, marks = await _synthetic_year()
            size = f"{PARTICIPANTS} people, {SLOTS} slots, {sessions} sessions, {marks} marks"
            month = services.checked_query(date(YEAR, 3, 1), date(YEAR, 3, 31), Grouping.activity)
            year = services.checked_query(date(YEAR, 1, 1), date(YEAR, 12, 31), Grouping.activity)
            for case, query, target in (
                ("a month's attendance by activity", month, 300),
                ("a year's attendance by activity", year, 2000),
            ):
                seconds = await _seconds(
                    lambda q=query: services.attendance_report(ACTOR, ADMIN, q)
                )
                rows.append(
                    Row("reports", case, kind, {"size": size, "ms": seconds, "target_ms": target})
                )
            seconds = await _seconds(_funder_workbook)
            tracemalloc.start()
            await _funder_workbook()
            _now, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rows.append(
                Row(
                    "reports",
                    "the year's funder XLSX per participant-month",
                    kind,
                    {
                        "size": size,
                        "ms": seconds,
                        "target_ms": 5000,
                        "peak_mb": round(peak / 2**20, 1),
                        "target_mb": 300,
                    },
                )
            )
    return rows


async def _seconds(work) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    await work()
    return round((time.perf_counter() - started) * 1000, 1)


async def _funder_workbook() -> bytes:
    detail, summary = await services.funder_tables(ACTOR, YEAR, hide_small=True, export="xlsx")
    return tables_workbook([summary, detail])


async def _synthetic_year() -> tuple[int, int]:
    """Sites, activities and weekly slots; participants placed in slots up to the
    places; a session a week per slot for the year; a mark for most of those placed."""
    sites = []
    for number in range(max(1, SLOTS // 20)):
        site = Site(name=f"Site {number}")
        await site.save()
        sites.append(site.id)
    kinds = list(ActivityKind)
    slots: list[tuple[int, int, int, int]] = []  # slot, activity, site, weekday
    for number in range(SLOTS):
        site = sites[number % len(sites)]
        activity = Activity(
            title=f"Activity {number}",
            kind=kinds[number % len(kinds)],
            site=site,
            max_participants=PLACES_PER_SLOT,
        )
        await activity.save()
        weekday = number % 5
        slot = WeeklySlot(
            activity=activity.id,
            weekday=weekday,
            start=clock_time(9 + number % 3 * 2),
            end=clock_time(11 + number % 3 * 2),
            valid_from=date(YEAR, 1, 1),
        )
        await slot.save()
        slots.append((slot.id, activity.id, site, weekday))
    people = [
        Participant(display_name=f"Person {n}", status=ParticipantStatus.active)
        for n in range(PARTICIPANTS)
    ]
    await Participant.insert(*people)
    person_ids = [
        r["id"] for r in await Participant.select(Participant.id).order_by(Participant.id)
    ]
    holders: dict[int, list[int]] = {}
    placements = []
    for index, (slot_id, _activity, _site, _weekday) in enumerate(slots):
        chosen = [person_ids[(index * 7 + k) % len(person_ids)] for k in range(PLACES_PER_SLOT)]
        holders[slot_id] = sorted(set(chosen))
        placements.extend(
            Placement(
                participant=pid,
                slot=slot_id,
                start_date=date(YEAR, 1, 1),
                status=PlacementStatus.confirmed,
            )
            for pid in holders[slot_id]
        )
    for start in range(0, len(placements), BATCH):
        await Placement.insert(*placements[start : start + BATCH])
    first_monday = date(YEAR, 1, 1) + timedelta(days=(7 - date(YEAR, 1, 1).weekday()) % 7)
    session_rows = []
    for slot_id, activity, site, weekday in slots:
        for week in range(52):
            day = first_monday + timedelta(days=7 * week + weekday)
            start = clock_time(9)
            session_rows.append(
                Session(
                    slot=slot_id,
                    origin_date=day,
                    activity=activity,
                    site=site,
                    date=day,
                    start=start,
                    end=clock_time(12),
                    starts_at=datetime.combine(day, start, HELSINKI).astimezone(UTC),
                    ends_at=datetime.combine(day, clock_time(12), HELSINKI).astimezone(UTC),
                )
            )
    for start in range(0, len(session_rows), BATCH):
        await Session.insert(*session_rows[start : start + BATCH])
    marked_at = datetime(YEAR, 6, 1, tzinfo=UTC)
    marks = 0
    batch: list[AttendanceMark] = []
    for row in await Session.select(Session.id, Session.slot):
        for index, pid in enumerate(holders[row["slot"]]):
            batch.append(
                AttendanceMark(
                    client_uuid=str(uuid.uuid4()),
                    session=row["id"],
                    participant=pid,
                    status=STATUSES[(row["id"] + index) % len(STATUSES)],
                    marked_at=marked_at,
                    received_at=marked_at,
                )
            )
            if len(batch) >= BATCH:
                await AttendanceMark.insert(*batch)
                marks += len(batch)
                batch = []
    if batch:
        await AttendanceMark.insert(*batch)
        marks += len(batch)
    return len(session_rows), marks
