"""Cover for a bad morning (issue #20): a provider with 60 staff and 200 weekly slots
where 5 staff are absent on one day; the time to find every gap and suggest cover for
each (server side, from the database), and the pure core's share of it."""

from __future__ import annotations

import random
import time as stopwatch
from datetime import UTC, date, datetime, time, timedelta

from service import clock
from service.auth.tables import Role
from service.schedule import services as schedule
from service.schedule.tables import Session, SessionStatus
from service.staff import cover
from service.staff import services as staff
from service.staff.schemas import AbsenceIn, StaffProfileIn
from service.staff.tables import AbsenceReason
from tests import schedule_helpers as h
from tests.benchmarks.common import Row, migrated_engine, timed
from tests.helpers import make_user

STAFF = 60
SLOTS = 200
SITES = 8
ABSENT = 5
SKILLS = ("animal_handling", "kitchen_hygiene", "job_coaching", "first_aid")
STARTS = (time(8), time(9), time(10), time(12), time(13), time(14))


async def run(engines: list[str]) -> list[Row]:
    rows = []
    for kind in engines:
        async with migrated_engine(kind):
            day, absent = await _provider()
            for user_id in absent:
                await staff.record_absence(
                    h.ACTOR, AbsenceIn(user_id=user_id, start_date=day, reason=AbsenceReason.sick)
                )
            plan = await staff.cover_day(day)
            gaps = len(plan.gaps)
            proposed = sum(any(s.proposed for s in gap.suggestions) for gap in plan.gaps)
            figures = await timed(lambda day=day: staff.cover_day(day), 5)
            rows.append(
                Row(
                    "cover",
                    f"{STAFF} staff, {SLOTS} slots, {ABSENT} absent: every gap",
                    kind,
                    {**figures, "gaps": gaps, "proposed": proposed},
                )
            )
    rows.append(_core_only())
    return rows


async def _provider() -> tuple[date, list[int]]:
    """Sites, activities, 60 staff with skills and two sites each, 200 weekly slots on
    weekdays each run by one of them; the day is a coming Wednesday with sessions."""
    pick = random.Random(20)
    today = clock.today()
    sites = [await h.site(f"Site {n}") for n in range(SITES)]
    activities = [
        await h.activity(
            site,
            f"Activity {n}",
            required_skills=[SKILLS[n % len(SKILLS)]] if n % 3 == 0 else [],
        )
        for n, site in enumerate(sites * 3)
    ]
    site_of = {a: sites[n % SITES] for n, a in enumerate(activities)}
    people = []
    for n in range(STAFF):
        user = await make_user(Role.staff, f"s{n}@example.org", display_name=f"Staff {n:02d}")
        home = pick.sample(sites, 2)
        await staff.save_staff(
            h.ACTOR,
            user.id,
            StaffProfileIn(
                skills=pick.sample(SKILLS, 2), site_ids=home, contract_hours=pick.choice([30, 37.5])
            ),
        )
        people.append((user.id, home))
    for n in range(SLOTS):
        activity = activities[n % len(activities)]
        runners = [u for u, home in people if site_of[activity] in home] or [people[0][0]]
        start = STARTS[n % len(STARTS)]
        await h.slot(
            activity,
            weekday=n % 5,
            start=start,
            end=time(start.hour + 2),
            valid_from=today,
            today=today,
            staff_ids=[pick.choice(runners)],
        )
    day = clock.next_monday() + timedelta(days=2)
    busy = await Session.select(Session.id).where(
        (Session.date == day) & (Session.status == SessionStatus.planned.value)
    )
    sessions = [await schedule.get_session(row["id"]) for row in busy]
    runners = sorted({s.staff[0].id for s in sessions if s.staff})
    return day, pick.sample(runners, ABSENT)


def _core_only() -> Row:
    """The pure core alone on a synthetic day: 5 absent staff with five sessions each."""
    day = date(2026, 3, 4)
    pick = random.Random(4)

    def at(hour: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)

    needs = [
        cover.SessionNeed(
            session_id=n,
            activity_id=n % 24,
            title=f"S{n}",
            site_id=n % SITES,
            date=day,
            start=time(8 + n % 6),
            end=time(10 + n % 6),
            starts_at=at(8 + n % 6),
            ends_at=at(10 + n % 6),
            staff_ids=frozenset({n % 8}),  # staff 0-7 run five sessions each
            required_skills=frozenset({SKILLS[n % 4]}) if n % 3 == 0 else frozenset(),
            placed=5,
            participants_per_staff=6,
        )
        for n in range(40)
    ]
    absent = [cover.Absence(u, at(0), at(23)) for u in range(ABSENT)]
    members = [
        cover.StaffMember(
            user_id=u,
            name=f"Staff {u}",
            skills=frozenset(pick.sample(SKILLS, 2)),
            site_ids=frozenset(pick.sample(range(SITES), 2)),
            windows=(),
            bookings=tuple(
                cover.Booking(n.session_id, n.site_id, n.starts_at, n.ends_at)
                for n in needs
                if u in n.staff_ids
            ),
            absences=tuple(a for a in absent if a.user_id == u),
            planned_minutes=pick.randrange(0, 2000),
            contract_minutes=2250,
            activities_run=frozenset(pick.sample(range(24), 3)),
        )
        for u in range(STAFF)
    ]
    gaps = cover.find_gaps(needs, absent)
    started = stopwatch.perf_counter()
    for _ in range(20):
        cover.plan_cover(gaps, members)
    elapsed = (stopwatch.perf_counter() - started) / 20
    return Row(
        "cover",
        f"core only: {len(gaps)} gaps, {STAFF} staff",
        "-",
        {"n": 20, "median_ms": round(elapsed * 1000, 2)},
    )
