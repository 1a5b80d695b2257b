"""A seeded synthetic week for the matcher: sites in regions, slots of every kind,
people with goals, windows, limits and needs. Used by the benchmark and the tests."""

from __future__ import annotations

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


def _person(rng: random.Random, n: int, sites: int, region_of: dict[int, int]) -> Person:
    region = rng.choice(sorted(set(region_of.values())))
    near = [s for s, r in region_of.items() if r == region]
    reachable = set(near) | {rng.randint(1, sites)}
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
