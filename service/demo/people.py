"""About 60 demo participants (names, languages and goals from the demo provider's
country) with goals in their own words, capacities and interests
varied enough that matching has real work to do, and a few placements by hand."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

import msgspec

from service.audit.services import Actor
from service.auth.schemas import CurrentUser
from service.auth.tables import Role
from service.catalog.services import list_activities
from service.catalog.tables import ActivityKind
from service.demo.providers import DemoProvider
from service.errors import DomainError
from service.people import services as people
from service.people.schemas import (
    BlockedIn,
    CapacityIn,
    GoalIn,
    InterestsIn,
    ParticipantIn,
    WindowIn,
)
from service.people.tables import ParticipantStatus
from service.placements.services import PlacementIn, place
from service.schedule.services import list_slots

NEEDS = ["step_free", "quiet_space", "hearing_loop", "seated_work"]


async def load_participants(
    actor: Actor,
    provider: DemoProvider,
    *,
    sites: dict[str, int],
    activities: dict[str, int],
    accounts: list[int],
    count: int = 60,
    today: date,
) -> int:
    """Create the demo participants; the first ones get the demo participant accounts."""
    rng = random.Random(2026)
    site_ids = list(sites.values())
    placed = 0
    slot_places = await _slot_places()
    for n in range(count):
        name = provider.name(n)
        status = (
            ParticipantStatus.active
            if n % 6 or n < len(accounts)
            else rng.choice([ParticipantStatus.waiting, ParticipantStatus.paused])
        )
        referral = today - timedelta(days=rng.randint(10, 400))
        record = await people.save_participant(
            actor,
            ParticipantIn(
                display_name=name,
                preferred_language=provider.language(n, has_account=n < len(accounts)),
                contact=f"{provider.phone_prefix} {rng.randint(1000000, 9999999)}",
                consent_calendar=rng.random() < 0.7,
                consent_notifications=rng.random() < 0.5,
                referral_date=referral,
                plan_start=referral + timedelta(days=rng.randint(5, 60)),
                status=status,
                next_review=today + timedelta(days=rng.randint(-10, 90)),
            ),
            today=today,
        )
        if n < len(accounts):
            await people.link_account(actor, record.id, accounts[n])
        capacity = _capacity(rng, site_ids)
        if n < len(accounts):  # the people one can sign in as have a full week to show
            capacity = msgspec.structs.replace(
                capacity,
                demand_tolerance=max(capacity.demand_tolerance, 3),
                windows=[WindowIn(weekday=d, start=time(8), end=time(16)) for d in range(5)],
                reachable_site_ids=sorted(site_ids),
            )
        await people.save_capacity(actor, record.id, capacity)
        for text, domains in rng.sample(provider.goals, rng.randint(1, 3)):
            await people.save_goal(
                actor,
                _demo_user(),
                record.id,
                GoalIn(text=text, domains=domains, priority=rng.randint(1, 3)),
            )
        await people.save_interests(
            actor,
            _demo_user(),
            record.id,
            InterestsIn(
                wanted_activity_ids=rng.sample(list(activities.values()), rng.randint(0, 2)),
                unwanted_kinds=[ActivityKind.green_care] if rng.random() < 0.15 else [],
                strengths=rng.sample(provider.strengths, rng.randint(0, 2)),
            ),
        )
        if status == ParticipantStatus.active and (n < len(accounts) or rng.random() < 0.45):
            placed += await _place_some(actor, rng, record.id, capacity, slot_places, today)
    return placed


def _capacity(rng: random.Random, site_ids: list[int]) -> CapacityIn:
    days = sorted(rng.sample(range(5), rng.randint(2, 5)))
    start = rng.choice([time(8), time(9), time(10)])
    end = rng.choice([time(13), time(15), time(16)])
    blocked = []
    if rng.random() < 0.3:
        blocked.append(
            BlockedIn(weekday=rng.choice(days), start=time(10), end=time(11), note="Appointment")
        )
    return CapacityIn(
        weekly_hours=float(rng.choice([3, 4, 6, 8, 10, 12, 15, 20])),
        max_sessions_per_day=rng.choice([1, 1, 1, 2]),
        demand_tolerance=rng.randint(1, 5),
        animal_contact_allowed=rng.random() < 0.8,
        windows=[WindowIn(weekday=d, start=start, end=end) for d in days],
        blocked=blocked,
        reachable_site_ids=sorted(rng.sample(site_ids, rng.randint(1, len(site_ids)))),
        accessibility_needs=[rng.choice(NEEDS)] if rng.random() < 0.2 else [],
    )


async def _slot_places() -> list[tuple[int, int, int, int]]:
    """(slot id, weekday, site id, demand level) of every weekly slot."""
    activities = {activity.id: activity for activity in await list_activities(None)}
    return [
        (
            slot.id,
            slot.weekday,
            activities[slot.activity_id].site_id,
            activities[slot.activity_id].demand_level,
        )
        for slot in await list_slots()
    ]


async def _place_some(
    actor: Actor,
    rng: random.Random,
    participant_id: int,
    capacity: CapacityIn,
    slot_places: list[tuple[int, int, int, int]],
    today: date,
) -> int:
    """Up to two placements, on different days, in slots the person can reach, on days
    they are free, and no more demanding than they can take."""
    days = {window.weekday for window in capacity.windows}
    fitting = [
        (slot, weekday)
        for slot, weekday, site, demand in slot_places
        if weekday in days
        and site in capacity.reachable_site_ids
        and demand <= capacity.demand_tolerance
    ]
    rng.shuffle(fitting)
    placed, used_days = 0, set()
    for slot_id, weekday in fitting:
        if placed == 2 or weekday in used_days:
            continue
        try:
            await place(
                actor,
                PlacementIn(
                    participant_id=participant_id,
                    slot_id=slot_id,
                    start_date=today - timedelta(days=today.weekday()),
                ),
            )
        except DomainError:
            continue  # full, or placed there already
        placed += 1
        used_days.add(weekday)
    return placed


def _demo_user() -> CurrentUser:
    """The demo loader acts as a coordinator would."""
    return CurrentUser(id=0, email="demo", display_name="demo", role=Role.coordinator)
