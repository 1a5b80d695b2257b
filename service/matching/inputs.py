"""Read the database into a matcher `Problem` for the days from `first_day` to
`last_day`: the weekly slots in force, and the participants who are active or waiting,
with their capacity, goals, interests and the placements they hold in those days.
Blocked times with a date (a one-off appointment) do not count: a weekly place is not
refused for one day; that day's session shows the clash instead."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, time
from typing import Any

from service.catalog.tables import ActivityDomain, ActivityFeature, SiteFeature
from service.matching.model import Goal, Person, Problem, Slot, Weights, Window
from service.people.tables import (
    AccessibilityNeed,
    AvailabilityWindow,
    BlockedTime,
    GoalDomainLink,
    GoalStatus,
    Interest,
    Participant,
    ParticipantStatus,
    ReachableSite,
)
from service.people.tables import Goal as GoalRow
from service.placements import queries
from service.schedule.tables import SlotStaff, WeeklySlot

PLANNED_STATUSES = (ParticipantStatus.active.value, ParticipantStatus.waiting.value)


@dataclass(frozen=True)
class Held:
    """A confirmed placement someone holds during the run."""

    placement_id: int
    participant_id: int
    slot_id: int
    pinned: bool


@dataclass(frozen=True)
class Inputs:
    problem: Problem
    held: tuple[Held, ...]


def minutes(value: time) -> int:
    return value.hour * 60 + value.minute


async def load_inputs(
    first_day: date,
    last_day: date,
    *,
    weights: Weights,
    travel_buffer: int,
    time_limit: float,
    gap: float = 0.0001,
    second_before_third: bool = False,
) -> Inputs:
    people_rows = await Participant.select(
        Participant.id,
        Participant.weekly_hours,
        Participant.max_sessions_per_day,
        Participant.demand_tolerance,
        Participant.animal_contact_allowed,
        Participant.referral_date,
    ).where(Participant.status.is_in(list(PLANNED_STATUSES)) & Participant.erased_at.is_null())
    planned = [row["id"] for row in people_rows]
    held = await _held_between(first_day, last_day)
    slots = await _slots(first_day, last_day, held, set(planned))
    people = await _people(people_rows, held)
    problem = Problem(
        people=tuple(people),
        slots=tuple(slots),
        weights=weights,
        travel_buffer=travel_buffer,
        time_limit=time_limit,
        gap=gap,
        second_before_third=second_before_third,
    )
    return Inputs(problem=problem, held=tuple(held))


async def _held_between(first_day: date, last_day: date) -> list[Held]:
    """Confirmed placements in force on any day of the run: those starting later in the
    range count too, since a published placement runs on with no end."""
    return [
        Held(h.id, h.participant_id, h.slot_id, h.pinned)
        for h in await queries.held(first_day, last_day)
    ]


async def _slots(
    first_day: date, last_day: date, held: list[Held], planned: set[int]
) -> list[Slot]:
    rows = await WeeklySlot.select(
        WeeklySlot.id,
        WeeklySlot.weekday,
        WeeklySlot.start,
        WeeklySlot.end,
        WeeklySlot.activity.id,
        WeeklySlot.activity.kind,
        WeeklySlot.activity.site,
        WeeklySlot.activity.demand_level,
        WeeklySlot.activity.min_participants,
        WeeklySlot.activity.max_participants,
        WeeklySlot.activity.participants_per_staff,
        WeeklySlot.activity.animal_contact,
    ).where(
        (WeeklySlot.valid_from <= last_day)
        & (WeeklySlot.valid_until.is_null() | (WeeklySlot.valid_until >= first_day))
        & (WeeklySlot.activity.is_active == True)  # noqa: E712 (a Piccolo expression)
    )
    if not rows:
        return []
    activity_ids = sorted({r["activity.id"] for r in rows})
    site_ids = sorted({r["activity.site"] for r in rows})
    domains = await _grouped(
        ActivityDomain.select(
            ActivityDomain.activity, ActivityDomain.domain.key, ActivityDomain.strength
        ).where(ActivityDomain.activity.is_in(activity_ids)),
        "activity",
    )
    activity_features = await _grouped(
        ActivityFeature.select().where(ActivityFeature.activity.is_in(activity_ids)), "activity"
    )
    site_features = await _grouped(
        SiteFeature.select().where(SiteFeature.site.is_in(site_ids)), "site"
    )
    staff = await _grouped(
        SlotStaff.select(SlotStaff.slot).where(SlotStaff.slot.is_in([r["id"] for r in rows])),
        "slot",
    )
    others: dict[int, int] = defaultdict(int)
    for h in held:
        if h.participant_id not in planned:
            others[h.slot_id] += 1
    return [
        Slot(
            id=r["id"],
            activity_id=r["activity.id"],
            site_id=r["activity.site"],
            weekday=r["weekday"],
            start=minutes(r["start"]),
            end=minutes(r["end"]),
            capacity=max(0, r["activity.max_participants"] - others[r["id"]]),
            minimum=r["activity.min_participants"],
            demand=r["activity.demand_level"],
            animals=r["activity.animal_contact"],
            kind=r["activity.kind"],
            domains={d["domain.key"]: d["strength"] for d in domains[r["activity.id"]]},
            features=frozenset(
                f["feature"]
                for f in (*activity_features[r["activity.id"]], *site_features[r["activity.site"]])
            ),
            staff=len(staff[r["id"]]),
            per_staff=r["activity.participants_per_staff"],
            others=others[r["id"]],
        )
        for r in rows
    ]


async def _people(rows: list[dict[str, Any]], held: list[Held]) -> list[Person]:
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    windows = await _grouped(
        AvailabilityWindow.select().where(AvailabilityWindow.participant.is_in(ids)), "participant"
    )
    blocked = await _grouped(
        BlockedTime.select().where(
            BlockedTime.participant.is_in(ids) & BlockedTime.weekday.is_not_null()
        ),
        "participant",
    )
    sites = await _grouped(
        ReachableSite.select().where(ReachableSite.participant.is_in(ids)), "participant"
    )
    needs = await _grouped(
        AccessibilityNeed.select().where(AccessibilityNeed.participant.is_in(ids)), "participant"
    )
    interests = await _grouped(
        Interest.select().where(Interest.participant.is_in(ids)), "participant"
    )
    goals = await _goals(ids)
    current: dict[int, set[int]] = defaultdict(set)
    pinned: dict[int, set[int]] = defaultdict(set)
    for h in held:
        current[h.participant_id].add(h.slot_id)
        if h.pinned:
            pinned[h.participant_id].add(h.slot_id)
    people = []
    for r in rows:
        pid = r["id"]
        wants = [i for i in interests[pid] if i["wants"]]
        refuses = [i for i in interests[pid] if not i["wants"]]
        people.append(
            Person(
                id=pid,
                weekly_minutes=round((r["weekly_hours"] or 0) * 60),
                max_per_day=r["max_sessions_per_day"],
                demand_tolerance=r["demand_tolerance"],
                animals_ok=r["animal_contact_allowed"],
                windows=tuple(
                    Window(w["weekday"], minutes(w["start"]), minutes(w["end"]))
                    for w in windows[pid]
                ),
                blocked=tuple(
                    Window(b["weekday"], minutes(b["start"]), minutes(b["end"]))
                    for b in blocked[pid]
                ),
                sites=frozenset(s["site"] for s in sites[pid]),
                needs=frozenset(n["feature"] for n in needs[pid]),
                goals=goals.get(pid, ()),
                wants_activities=frozenset(i["activity"] for i in wants if i["activity"]),
                wants_kinds=frozenset(i["kind"] for i in wants if i["kind"]),
                refuses_activities=frozenset(i["activity"] for i in refuses if i["activity"]),
                refuses_kinds=frozenset(i["kind"] for i in refuses if i["kind"]),
                current=frozenset(current[pid]),
                pinned=frozenset(pinned[pid]),
                referral=r["referral_date"],
            )
        )
    return people


async def _goals(ids: list[int]) -> dict[int, tuple[Goal, ...]]:
    rows = await GoalRow.select(GoalRow.id, GoalRow.participant, GoalRow.priority).where(
        GoalRow.participant.is_in(ids) & (GoalRow.status == GoalStatus.active.value)
    )
    if not rows:
        return {}
    links = await _grouped(
        GoalDomainLink.select(GoalDomainLink.goal, GoalDomainLink.domain.key).where(
            GoalDomainLink.goal.is_in([r["id"] for r in rows])
        ),
        "goal",
    )
    result: dict[int, list[Goal]] = defaultdict(list)
    for r in rows:
        domains = frozenset(link["domain.key"] for link in links[r["id"]])
        result[r["participant"]].append(Goal(r["id"], r["priority"], domains))
    return {pid: tuple(goals) for pid, goals in result.items()}


async def _grouped(query: Any, key: str) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in await query:
        grouped[row[key]].append(row)
    return grouped


def with_continuity(problem: Problem, continuity: float) -> Problem:
    """The same problem with continuity weighted for re-planning."""
    return replace(problem, weights=replace(problem.weights, continuity=continuity))
