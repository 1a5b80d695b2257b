"""A seeded synthetic week for the matcher: sites in regions, slots of every kind,
people with goals, windows, limits and needs. Used by the benchmark and the tests."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta

from service.matching.model import Goal, Person, Problem, Slot, Weights, Window

DOMAINS = ("work", "social", "daily", "health", "learning", "nature", "creative", "civic")
FEATURES = ("step_free", "accessible_toilet", "quiet_room", "hearing_loop", "seated_work")
KINDS = ("workshop", "day_activity", "green_care", "supported_employment")
STARTS = (8 * 60, 9 * 60, 9 * 60 + 30, 10 * 60, 12 * 60, 13 * 60)


def synthetic_problem(
    people: int, slots: int, seed: int = 1, *, time_limit: float = 30.0, gap: float = 0.0001
) -> Problem:
    rng = random.Random(seed)
    sites = max(3, slots // 10)
    regions = max(1, sites // 4)
    region_of = {site: site % regions for site in range(1, sites + 1)}
    return Problem(
        people=tuple(_person(rng, n, sites, region_of) for n in range(1, people + 1)),
        slots=tuple(_slot(rng, n, sites) for n in range(1, slots + 1)),
        weights=Weights(),
        time_limit=time_limit,
        gap=gap,
    )


def _slot(rng: random.Random, n: int, sites: int) -> Slot:
    start = rng.choice(STARTS)
    kind = rng.choice(KINDS)
    capacity = rng.randint(5, 12)
    return Slot(
        id=n,
        activity_id=1000 + n // 2,
        site_id=rng.randint(1, sites),
        weekday=rng.randint(0, 4),
        start=start,
        end=start + rng.choice((120, 150, 180, 240)),
        capacity=capacity,
        minimum=rng.randint(2, 4),
        demand=rng.randint(1, 4),
        animals=kind == "green_care" and rng.random() < 0.7,
        kind=kind,
        domains={d: rng.randint(1, 3) for d in rng.sample(DOMAINS, rng.randint(1, 3))},
        features=frozenset(rng.sample(FEATURES, rng.randint(1, 4))),
        staff=rng.randint(1, 2),
        per_staff=rng.randint(4, 8),
    )


def _person(
    rng: random.Random, n: int, sites: int, region_of: dict[int, int], *, far: bool = True
) -> Person:
    """A person who reaches the sites of their region and, with `far`, one site
    anywhere (drawn either way, so that the rest of the week stays the same)."""
    region = rng.choice(sorted(set(region_of.values())))
    near = [s for s, r in region_of.items() if r == region]
    anywhere = rng.randint(1, sites)
    reachable = set(near) | ({anywhere} if far else set())
    days = sorted(rng.sample(range(5), rng.randint(2, 5)))
    mornings_only = rng.random() < 0.3
    windows = tuple(Window(d, 8 * 60, 12 * 60 + 30 if mornings_only else 16 * 60) for d in days)
    blocked = (Window(rng.choice(days), 10 * 60, 12 * 60),) if rng.random() < 0.2 else ()
    goals = tuple(
        Goal(n * 10 + g, rng.randint(1, 3), frozenset(rng.sample(DOMAINS, rng.randint(1, 2))))
        for g in range(rng.randint(1, 3))
    )
    return Person(
        id=n,
        weekly_minutes=rng.choice((4, 6, 8, 10, 12, 16, 20)) * 60,
        max_per_day=1 if rng.random() < 0.7 else 2,
        demand_tolerance=rng.randint(2, 5),
        animals_ok=rng.random() < 0.85,
        windows=windows,
        blocked=blocked,
        sites=frozenset(reachable),
        needs=frozenset(rng.sample(FEATURES, 1)) if rng.random() < 0.2 else frozenset(),
        goals=goals,
        wants_kinds=frozenset({rng.choice(KINDS)}) if rng.random() < 0.5 else frozenset(),
        refuses_kinds=frozenset({rng.choice(KINDS)}) if rng.random() < 0.1 else frozenset(),
        referral=date(2026, 1, 1) + timedelta(days=rng.randint(0, 300)),
    )


def crowded_week(
    people: int, slots: int, seed: int = 1, *, time_limit: float = 30.0, far: bool = True
) -> Problem:
    """A harder week, as a municipality's: at most one seat per person, a third of the
    slots back to back (09-12 and 12-15) at sites closer than the travel buffer,
    minimum group sizes up to 8, groups already running with people outside the run,
    people holding placements (a few of them pinned), and availability on some days.

    With `far` (as by default) each person also reaches one site anywhere, and a few
    such people join every region into one part; without it people stay in their
    region (five sites each) and the week falls into one part per region."""
    rng = random.Random(seed)
    sites = max(3, slots // 8)
    regions = max(1, sites // 5)
    region_of = {site: site % regions for site in range(1, sites + 1)}
    week = [_crowded_slot(rng, n, sites) for n in range(1, slots + 1)]
    seats = sum(s.capacity for s in week)
    scale = min(1.0, people / max(1, seats))  # at most one seat per person
    week = [dataclasses.replace(s, capacity=max(1, round(s.capacity * scale))) for s in week]
    at_site: dict[int, list[Slot]] = {}
    for slot in week:
        at_site.setdefault(slot.site_id, []).append(slot)
    pinned_in: dict[int, int] = {}
    crowd = []
    for n in range(1, people + 1):
        person = _person(rng, n, sites, region_of, far=far)
        near = [s for site in sorted(person.sites) for s in at_site.get(site, [])]
        current = frozenset(s.id for s in rng.sample(near, min(len(near), rng.randint(1, 2))))
        if near and rng.random() < 0.3:
            person = dataclasses.replace(person, current=current)
            pin = min(current)
            slot = next(s for s in near if s.id == pin)
            if rng.random() < 0.1 and pinned_in.get(pin, 0) < slot.capacity:
                pinned_in[pin] = pinned_in.get(pin, 0) + 1
                person = dataclasses.replace(person, pinned=frozenset({pin}))
        crowd.append(person)
    return Problem(
        people=tuple(crowd), slots=tuple(week), weights=Weights(), time_limit=time_limit, gap=0.01
    )


def _crowded_slot(rng: random.Random, n: int, sites: int) -> Slot:
    slot = _slot(rng, n, sites)
    capacity = rng.randint(3, 12)
    others = rng.randint(1, 4) if rng.random() < 0.25 else 0
    changes: dict[str, object] = {
        "capacity": max(0, capacity - others),
        "minimum": rng.randint(1, min(8, capacity)),
        "others": others,
    }
    if rng.random() < 1 / 3:  # back to back: 09-12 or 12-15
        start = rng.choice((9 * 60, 12 * 60))
        changes.update(start=start, end=start + 180)
    return dataclasses.replace(slot, **changes)  # type: ignore[arg-type]


def back_to_back_week(sites: int, people: int = 20) -> Problem:
    """09-12 and 12-15 on Monday at each of `sites` sites closer than the travel buffer,
    one place each, and people who can reach every site and come twice a day: 2^sites
    maximal groups of clashing slots."""
    slots = tuple(
        Slot(
            id=2 * n + half + 1,
            activity_id=2 * n + half + 1,
            site_id=n + 1,
            weekday=0,
            start=(9 + 3 * half) * 60,
            end=(12 + 3 * half) * 60,
            capacity=1,
        )
        for n in range(sites)
        for half in (0, 1)
    )
    reach = frozenset(range(1, sites + 1))
    crowd = tuple(
        Person(
            id=p,
            weekly_minutes=20 * 60,
            max_per_day=2,
            windows=tuple(Window(d, 8 * 60, 17 * 60) for d in range(5)),
            sites=reach,
        )
        for p in range(1, people + 1)
    )
    return Problem(people=crowd, slots=slots, weights=Weights(), travel_buffer=30, time_limit=10)
