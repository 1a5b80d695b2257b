"""A synthetic matching `Problem` (tests/matching_synthetic.py) stored as the rows a
provider would have, through the services a coordinator's pages use: sites, one activity
per slot, weekly slots with their staff, participants with capacity, goals, interests,
and the placements they hold (some pinned).

What the rows cannot say the same way, and how it is stored instead:
- an activity has one site, so each synthetic slot gets an activity of its own (the
  synthetic activity ids only matter for wanted activities, which it has none of);
- the synthetic vocabulary of domains and features is mapped onto the provider's;
- people outside the run who hold places (`others`) are not stored: the slot has the
  places left (`capacity`), and a minimum above them is lowered to them;
- a held placement that the slot has no place for any more is left out (place() says
  409), as a coordinator could not have made it either.
The loaded problem is therefore close to, not equal to, the synthetic one: read it back
with `load_inputs` to know what was solved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from service.auth.schemas import CurrentUser
from service.auth.tables import Role
from service.catalog.schemas import DomainStrength
from service.catalog.tables import ActivityKind
from service.errors import Conflict
from service.matching.model import Person, Problem, Slot
from service.people.schemas import (
    BlockedIn,
    CapacityIn,
    GoalIn,
    InterestsIn,
    ParticipantIn,
    WindowIn,
)
from service.people.services import save_capacity, save_goal, save_interests, save_participant
from service.people.tables import ParticipantStatus
from service.placements.schemas import PlacementIn
from service.placements.services import place
from tests import schedule_helpers as h
from tests.helpers import make_user

DOMAINS = {
    "work": "work_and_study",
    "social": "interaction",
    "daily": "everyday_living",
    "health": "stress_management",
    "learning": "decision_making",
    "nature": "stress_management",
    "creative": "self_confidence",
    "civic": "social_networks",
}
FEATURES = {"quiet_room": "quiet_space"}
LOADER = CurrentUser(id=0, email="system@tupa.invalid", display_name="Tupa", role=Role.admin)


@dataclass(frozen=True)
class Loaded:
    """Row ids by synthetic id, and how many held placements had no place left."""

    sites: dict[int, int]
    slots: dict[int, int]
    people: dict[int, int]
    placements_left_out: int


async def load_problem(problem: Problem, *, today: date) -> Loaded:
    """Store `problem` as rows in force from `today` on."""
    staff = [(await make_user(Role.staff, f"staff{n}@example.org")).id for n in (1, 2)]
    sites = {}
    for site_id in sorted({s.site_id for s in problem.slots} | _reachable(problem)):
        sites[site_id] = await h.site(f"Site {site_id}")
    slots = {}
    for slot in sorted(problem.slots, key=lambda s: s.id):
        slots[slot.id] = await _slot(slot, sites[slot.site_id], staff, today)
    people = {}
    left_out = 0
    for person in sorted(problem.people, key=lambda p: p.id):
        people[person.id] = await _person(person, sites)
        for slot_id in sorted(person.current):
            try:
                await place(
                    h.ACTOR,
                    PlacementIn(
                        participant_id=people[person.id],
                        slot_id=slots[slot_id],
                        start_date=today,
                        pinned=slot_id in person.pinned,
                    ),
                )
            except Conflict:
                left_out += 1
    return Loaded(sites, slots, people, left_out)


def _reachable(problem: Problem) -> set[int]:
    return {site for person in problem.people for site in person.sites}


async def _slot(slot: Slot, site_id: int, staff: list[int], today: date) -> int:
    places = max(1, slot.capacity)
    domains: dict[str, int] = {}
    for key, strength in slot.domains.items():
        mapped = DOMAINS[key]
        domains[mapped] = max(strength, domains.get(mapped, 0))
    activity = await h.activity(
        site_id,
        f"Activity {slot.id}",
        kind=ActivityKind(slot.kind),
        demand_level=slot.demand,
        min_participants=min(slot.minimum, places),
        max_participants=places,
        participants_per_staff=slot.per_staff,
        animal_contact=slot.animals,
        domains=[DomainStrength(key=k, strength=v) for k, v in sorted(domains.items())],
        features=sorted(FEATURES.get(f, f) for f in slot.features),
    )
    return await h.slot(
        activity,
        slot.weekday,
        _time(slot.start),
        _time(slot.end),
        valid_from=today,
        today=today,
        staff_ids=staff[: slot.staff],
    )


async def _person(person: Person, sites: dict[int, int]) -> int:
    row = await save_participant(
        h.ACTOR,
        ParticipantIn(
            display_name=f"Participant {person.id}",
            status=ParticipantStatus.active if person.current else ParticipantStatus.waiting,
            referral_date=person.referral,
        ),
    )
    await save_capacity(
        h.ACTOR,
        row.id,
        CapacityIn(
            weekly_hours=person.weekly_minutes / 60,
            max_sessions_per_day=person.max_per_day,
            demand_tolerance=person.demand_tolerance,
            animal_contact_allowed=person.animals_ok,
            windows=[WindowIn(w.weekday, _time(w.start), _time(w.end)) for w in person.windows],
            blocked=[
                BlockedIn(start=_time(b.start), end=_time(b.end), weekday=b.weekday)
                for b in person.blocked
            ],
            reachable_site_ids=sorted(sites[s] for s in person.sites),
            accessibility_needs=sorted(FEATURES.get(f, f) for f in person.needs),
        ),
    )
    for goal in person.goals:
        await save_goal(
            h.ACTOR,
            LOADER,
            row.id,
            GoalIn(
                text=f"Goal {goal.id}",
                domains=sorted({DOMAINS[d] for d in goal.domains}),
                priority=goal.priority,
            ),
        )
    if person.wants_kinds or person.refuses_kinds:
        await save_interests(
            h.ACTOR,
            LOADER,
            row.id,
            InterestsIn(
                wanted_kinds=sorted(ActivityKind(k) for k in person.wants_kinds),
                unwanted_kinds=sorted(
                    ActivityKind(k) for k in person.refuses_kinds - person.wants_kinds
                ),
            ),
        )
    return row.id


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)
