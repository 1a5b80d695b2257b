"""Matching runs: start one, run it as a job, review its proposal, change it by hand
under the same hard rules, publish it as placements, and the waitlist it leaves."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections import defaultdict
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta
from typing import Any

import msgspec
from piccolo.columns import Column
from piccolo.columns.combination import Combinable

from service import clock
from service.audit.services import Actor, record
from service.catalog.vocabulary import weekday_names
from service.db import is_unique_violation, transaction
from service.errors import Conflict, InvalidInput, NotFound
from service.i18n import gettext as _
from service.jobs import JobQueue
from service.matching.explain import explain_placement
from service.matching.inputs import PLANNED_STATUSES, Held, Inputs, load_inputs, with_continuity
from service.matching.model import Plan
from service.matching.rules import first_broken_rule
from service.matching.scoring import objective_of
from service.matching.solver import greedy, solve
from service.matching.tables import (
    Change,
    MatchingProposal,
    MatchingRun,
    MatchingUnplaced,
    RunMode,
    RunStatus,
)
from service.matching.words import blocker_lines, clock_time, placement_lines
from service.people.tables import Goal, Participant
from service.placements import queries
from service.placements.tables import Placement
from service.schedule.tables import WeeklySlot
from service.settings import Settings

log = logging.getLogger(__name__)
MAX_DAYS = 12 * 7
MAX_TIME_LIMIT = 600  # the most TUPA_MATCH_TIME_LIMIT allows
ABANDONED_AFTER = 15 * 60
OPEN = (RunStatus.queued.value, RunStatus.running.value)


class RunIn(msgspec.Struct, forbid_unknown_fields=True):
    first_day: date
    last_day: date | None = None
    replan_for: int | None = None


class RunOut(msgspec.Struct):
    id: int
    first_day: date
    last_day: date
    mode: RunMode
    replan_for: int | None
    status: RunStatus
    stage: str
    progress: int
    solver_status: str
    objective: float
    bound: float | None
    gap: float | None
    seconds: float
    greedy_share: float | None
    participants: int
    slots: int
    warnings: list[str]
    error: str
    created_at: datetime
    published_at: datetime | None


class ProposalOut(msgspec.Struct):
    id: int
    participant_id: int
    participant_name: str
    slot_id: int
    slot_label: str
    site_name: str
    weekday: int
    change: Change
    moved: bool
    accepted: bool
    pinned: bool
    source: str
    reason: dict[str, Any]
    reason_text: list[str]


class UnplacedOut(msgspec.Struct):
    participant_id: int
    participant_name: str
    referral_date: date | None
    blockers: list[dict[str, Any]]
    reason_text: list[str]


class RunDetail(msgspec.Struct):
    run: RunOut
    proposals: list[ProposalOut]
    unplaced: list[UnplacedOut]


# --- starting and running ------------------------------------------------------------


async def start_run(actor: Actor, settings: Settings, queue: JobQueue, data: RunIn) -> RunOut:
    """Queue a run for the weeks asked; one run at a time."""
    last_day = data.last_day or data.first_day + timedelta(days=6)
    if data.first_day < clock.today():
        raise InvalidInput("first_day", _("Plan from today on; the past stays as it was."))
    if last_day < data.first_day:
        raise InvalidInput("last_day", _("The last day must be on or after the first day."))
    if (last_day - data.first_day).days >= MAX_DAYS:
        raise InvalidInput("last_day", _("Plan at most 12 weeks at a time."))
    if data.replan_for is not None and not await Participant.exists().where(
        (Participant.id == data.replan_for) & Participant.erased_at.is_null()
    ):
        raise InvalidInput("replan_for", _("There is no participant %(id)s.", id=data.replan_for))
    busy = Conflict(_("A matching run is already under way; wait for it to finish."))
    async with transaction():
        await _fail_abandoned_runs()
        if await MatchingRun.exists().where(MatchingRun.status.is_in(list(OPEN))):
            raise busy
        run = MatchingRun(
            first_day=data.first_day,
            last_day=last_day,
            mode=RunMode.replan if data.replan_for else RunMode.full,
            replan_for=data.replan_for,
            time_limit=float(settings.match_time_limit),
            created_by=actor.user_id,
        )
        try:  # the index matching_run_one_open refuses a second open run
            await run.save()
        except Exception as error:
            if is_unique_violation(error):
                raise busy from None
            raise
        await record(actor, "matching.start", entity="matching_run", entity_id=run.id)
    try:
        await queue.enqueue("run_matching", job_id=f"matching:{run.id}", run_id=run.id)
    except Exception:
        await _mark_failed(run.id, "not queued")
        raise
    return await get_run(run.id)


async def _mark_failed(run_id: int, error: str) -> None:
    await MatchingRun.update(
        {
            MatchingRun.status: RunStatus.failed,
            MatchingRun.stage: "failed",
            MatchingRun.error: error,
            MatchingRun.finished_at: clock.utcnow(),
        }
    ).where(MatchingRun.id == run_id)


async def _fail_abandoned_runs() -> None:
    """A run still open long after its time limit lost its worker (a crash or a
    restart); mark it failed so that it does not block the next one."""
    cutoff = clock.utcnow() - timedelta(seconds=MAX_TIME_LIMIT + ABANDONED_AFTER)
    await MatchingRun.update(
        {
            MatchingRun.status: RunStatus.failed,
            MatchingRun.stage: "failed",
            MatchingRun.error: "abandoned",
        }
    ).where(MatchingRun.status.is_in(list(OPEN)) & (MatchingRun.created_at < cutoff))


async def execute_run(run_id: int, settings: Settings) -> str:
    """The job's work. Claims the run (a second delivery finds it taken and stops),
    solves in a worker thread so the event loop stays free, stores the proposal."""
    claimed = (
        await MatchingRun.update(
            {MatchingRun.status: RunStatus.running, MatchingRun.stage: "loading"}
        )
        .where((MatchingRun.id == run_id) & (MatchingRun.status == RunStatus.queued.value))
        .returning(MatchingRun.id)
    )
    if not claimed:
        return "skipped"
    try:
        run = await MatchingRun.select().where(MatchingRun.id == run_id).first()
        assert run is not None, "claimed above"
        inputs = await _inputs_for(run, settings)
        await _stage(run_id, "solving", solving_since=clock.utcnow())
        plan = await asyncio.to_thread(solve, inputs.problem)
        greedy_objective = await asyncio.to_thread(
            lambda: objective_of(inputs.problem, greedy(inputs.problem))
        )
        await _stage(run_id, "explaining")
        await _store_plan(run_id, inputs, plan, greedy_objective)
    except (Exception, asyncio.CancelledError) as error:  # cancelled: the job timed out
        log.exception("matching run %s failed", run_id)
        await _mark_failed(run_id, type(error).__name__)
        raise
    return "done"


async def inputs_for(
    first_day: date, last_day: date, settings: Settings, *, time_limit: float | None = None
) -> Inputs:
    """The problem for these days, with the weights and travel buffer in the settings."""
    return await load_inputs(
        first_day,
        last_day,
        weights=settings.match_weights,
        travel_buffer=settings.match_travel_buffer,
        time_limit=float(settings.match_time_limit if time_limit is None else time_limit),
    )


async def _inputs_for(run: dict[str, Any], settings: Settings) -> Inputs:
    inputs = await inputs_for(
        run["first_day"], run["last_day"], settings, time_limit=run["time_limit"]
    )
    if run["mode"] == RunMode.replan:
        problem = with_continuity(inputs.problem, settings.match_replan_continuity)
        return replace(inputs, problem=problem)
    return inputs


async def _stage(run_id: int, stage: str, **values: Any) -> None:
    update: dict[Column | str, Any] = {MatchingRun.stage: stage}
    update.update({getattr(MatchingRun, k): v for k, v in values.items()})
    await MatchingRun.update(update).where(MatchingRun.id == run_id)


async def _store_plan(run_id: int, inputs: Inputs, plan: Plan, greedy_objective: float) -> None:
    rows = _proposal_rows(run_id, inputs, plan)
    unplaced = [
        MatchingUnplaced(
            run=run_id,
            participant=person_id,
            blockers=json.dumps([asdict(b) for b in blockers]),
        )
        for person_id, blockers in plan.unplaced.items()
    ]
    async with transaction():
        await MatchingProposal.delete().where(MatchingProposal.run == run_id)
        await MatchingUnplaced.delete().where(MatchingUnplaced.run == run_id)
        if rows:
            await MatchingProposal.insert(*rows)
        if unplaced:
            await MatchingUnplaced.insert(*unplaced)
        await MatchingRun.update(
            {
                MatchingRun.status: RunStatus.done,
                MatchingRun.stage: "done",
                MatchingRun.finished_at: clock.utcnow(),
                MatchingRun.solver_status: plan.status,
                MatchingRun.objective: plan.objective,
                MatchingRun.bound: plan.bound,
                MatchingRun.gap: plan.gap,
                MatchingRun.seconds: plan.seconds,
                MatchingRun.greedy_objective: greedy_objective,
                MatchingRun.participants: len(inputs.problem.people),
                MatchingRun.slots: len(inputs.problem.slots),
                MatchingRun.warnings: json.dumps(list(plan.warnings)),
            }
        ).where(MatchingRun.id == run_id)


def _proposal_rows(run_id: int, inputs: Inputs, plan: Plan) -> list[MatchingProposal]:
    """New, kept and removed, per person, each with its reason."""
    problem = inputs.problem
    slots = {s.id: s for s in problem.slots}
    held: dict[int, dict[int, Held]] = defaultdict(dict)
    for h in inputs.held:
        if h.slot_id in slots:
            held[h.participant_id][h.slot_id] = h
    chosen: dict[int, list[int]] = defaultdict(list)
    for a in plan.assignments:
        chosen[a.person_id].append(a.slot_id)
    rows = []
    for person in sorted(problem.people, key=lambda p: p.id):
        mine = chosen.get(person.id, [])
        mine_slots = [slots[s] for s in mine]
        for slot_id in sorted(mine):
            kept = held[person.id].get(slot_id)
            reason = asdict(explain_placement(person, slots[slot_id], mine_slots))
            rows.append(
                MatchingProposal(
                    run=run_id,
                    participant=person.id,
                    slot=slot_id,
                    change=Change.kept if kept else Change.new,
                    placement=kept.placement_id if kept else None,
                    pinned=bool(kept and kept.pinned),
                    reason=json.dumps(reason),
                )
            )
        for slot_id, h in sorted(held[person.id].items()):
            if slot_id not in mine:
                rule = first_broken_rule(person, slots[slot_id]) or "not_chosen"
                rows.append(
                    MatchingProposal(
                        run=run_id,
                        participant=person.id,
                        slot=slot_id,
                        change=Change.removed,
                        placement=h.placement_id,
                        reason=json.dumps({"rule": rule}),
                    )
                )
    return rows


# --- reading -------------------------------------------------------------------------


async def list_runs(limit: int = 20) -> list[RunOut]:
    rows = await MatchingRun.select().order_by(MatchingRun.id, ascending=False).limit(limit)
    return [_run_out(r) for r in rows]


async def get_run(run_id: int) -> RunOut:
    row = await MatchingRun.select().where(MatchingRun.id == run_id).first()
    if row is None:
        raise NotFound(_("There is no matching run %(id)s.", id=run_id))
    return _run_out(row)


def progress_of(row: dict[str, Any], now: datetime | None = None) -> int:
    """0-100 for the progress bar: loading, then solving against the time limit."""
    stage = row["stage"]
    if row["status"] in (RunStatus.done, RunStatus.published, RunStatus.failed):
        return 100
    if stage == "solving" and row["solving_since"]:
        elapsed = ((now or clock.utcnow()) - row["solving_since"]).total_seconds()
        return 20 + int(70 * min(1.0, elapsed / max(row["time_limit"], 1.0)))
    return {"queued": 0, "loading": 10, "explaining": 95}.get(stage, 0)


def _run_out(row: dict[str, Any]) -> RunOut:
    greedy_share = (
        round(row["greedy_objective"] / row["objective"], 3) if row["objective"] > 0 else None
    )
    return RunOut(
        id=row["id"],
        first_day=row["first_day"],
        last_day=row["last_day"],
        mode=RunMode(row["mode"]),
        replan_for=row["replan_for"],
        status=RunStatus(row["status"]),
        stage=row["stage"],
        progress=progress_of(row),
        solver_status=row["solver_status"],
        objective=row["objective"],
        bound=row["bound"] if math.isfinite(row["bound"]) else None,
        gap=row["gap"] if math.isfinite(row["gap"]) else None,
        seconds=row["seconds"],
        greedy_share=greedy_share,
        participants=row["participants"],
        slots=row["slots"],
        warnings=json.loads(row["warnings"] or "[]"),
        error=row["error"],
        created_at=row["created_at"],
        published_at=row["published_at"],
    )


async def run_detail(run_id: int) -> RunDetail:
    run = await get_run(run_id)
    return RunDetail(run=run, proposals=await proposals(run_id), unplaced=await _unplaced(run_id))


async def proposals(run_id: int, participant_id: int | None = None) -> list[ProposalOut]:
    """The run's proposals (or one participant's), with their reasons in words."""
    where: Combinable = MatchingProposal.run == run_id
    if participant_id is not None:
        where &= MatchingProposal.participant == participant_id
    rows = await MatchingProposal.select(
        *MatchingProposal.all_columns(),
        MatchingProposal.participant.display_name,
        MatchingProposal.slot.weekday,
        MatchingProposal.slot.start,
        MatchingProposal.slot.end,
        MatchingProposal.slot._.activity._.title,
        MatchingProposal.slot._.activity._.site._.name,
    ).where(where)
    goal_texts = await _goal_texts({r["participant"] for r in rows})
    changes: dict[int, set[str]] = defaultdict(set)
    for r in rows:
        changes[r["participant"]].add(r["change"])
    return sorted(
        (_proposal_out(r, goal_texts, changes[r["participant"]]) for r in rows),
        key=lambda p: (p.participant_name.casefold(), p.participant_id, p.weekday, p.slot_label),
    )


def _slot_label(row: dict[str, Any], prefix: str = "slot.") -> str:
    day = weekday_names()[row[f"{prefix}weekday"]]
    start, end = row[f"{prefix}start"], row[f"{prefix}end"]
    return _(
        "%(title)s, %(day)s %(start)s–%(end)s",
        title=row[f"{prefix}activity.title"],
        day=day,
        start=clock_time(start.hour * 60 + start.minute),
        end=clock_time(end.hour * 60 + end.minute),
    )


def _proposal_out(
    row: dict[str, Any], goal_texts: dict[int, str], changes: set[str]
) -> ProposalOut:
    reason = json.loads(row["reason"] or "{}")
    return ProposalOut(
        id=row["id"],
        participant_id=row["participant"],
        participant_name=row["participant.display_name"],
        slot_id=row["slot"],
        slot_label=_slot_label(row),
        site_name=row["slot.activity.site.name"],
        weekday=row["slot.weekday"],
        change=Change(row["change"]),
        moved={Change.new.value, Change.removed.value} <= changes,
        accepted=row["accepted"],
        pinned=row["pinned"],
        source=row["source"],
        reason=reason,
        reason_text=placement_lines(reason, goal_texts),
    )


async def _goal_texts(participant_ids: set[int]) -> dict[int, str]:
    if not participant_ids:
        return {}
    rows = await Goal.select(Goal.id, Goal.text).where(
        Goal.participant.is_in(sorted(participant_ids))
    )
    return {r["id"]: r["text"] for r in rows}


async def _unplaced(run_id: int) -> list[UnplacedOut]:
    rows = await MatchingUnplaced.select(
        MatchingUnplaced.participant,
        MatchingUnplaced.blockers,
        MatchingUnplaced.participant.display_name,
        MatchingUnplaced.participant.referral_date,
    ).where(MatchingUnplaced.run == run_id)
    out = [
        UnplacedOut(
            participant_id=r["participant"],
            participant_name=r["participant.display_name"],
            referral_date=r["participant.referral_date"],
            blockers=(blockers := json.loads(r["blockers"])),
            reason_text=blocker_lines(blockers),
        )
        for r in rows
    ]
    return sorted(out, key=lambda u: (u.referral_date is None, u.referral_date, u.participant_id))


async def waitlist() -> tuple[RunOut | None, list[UnplacedOut]]:
    """Those the latest finished run could not place and who are still waiting for a
    place, oldest referral first."""
    row = (
        await MatchingRun.select()
        .where(MatchingRun.status.is_in([RunStatus.done.value, RunStatus.published.value]))
        .order_by(MatchingRun.id, ascending=False)
        .first()
    )
    if row is None:
        return None, []
    run = _run_out(row)
    placed_now = {h.participant_id for h in await queries.held(run.first_day, run.last_day)}
    still = {
        r["id"]
        for r in await Participant.select(Participant.id).where(
            Participant.erased_at.is_null() & Participant.status.is_in(list(PLANNED_STATUSES))
        )
    }
    entries = [u for u in await _unplaced(run.id) if u.participant_id in still - placed_now]
    return run, entries


class MyPlace(msgspec.Struct):
    """One of the participant's weekly places, with why it was chosen, in simple words."""

    title: str
    weekday: int
    start: str
    end: str
    site_name: str
    reasons: list[str]


async def my_places(participant_id: int, day: date) -> list[MyPlace]:
    rows = await Placement.select(
        Placement.reason,
        Placement.slot.weekday,
        Placement.slot.start,
        Placement.slot.end,
        Placement.slot._.activity._.title,
        Placement.slot._.activity._.site._.name,
    ).where(queries.holding(day) & (Placement.participant == participant_id))
    goal_texts = await _goal_texts({participant_id})
    places = [
        MyPlace(
            title=r["slot.activity.title"],
            weekday=r["slot.weekday"],
            start=r["slot.start"].strftime("%H:%M"),
            end=r["slot.end"].strftime("%H:%M"),
            site_name=r["slot.activity.site.name"],
            reasons=placement_lines(json.loads(r["reason"] or "{}"), goal_texts, simple=True),
        )
        for r in rows
    ]
    return sorted(places, key=lambda p: (p.weekday, p.start))


async def my_waiting_reason(participant_id: int) -> list[str]:
    """For the participant: why no place was found yet, in simple words."""
    _run, entries = await waitlist()
    for entry in entries:
        if entry.participant_id == participant_id:
            return blocker_lines(entry.blockers, simple=True)
    return []


# --- labels and choices for the review pages -------------------------------------------


def status_label(status: RunStatus | str) -> str:
    return {
        RunStatus.queued: _("waiting to start"),
        RunStatus.running: _("working"),
        RunStatus.done: _("ready to review"),
        RunStatus.failed: _("failed"),
        RunStatus.published: _("published"),
        RunStatus.discarded: _("set aside"),
    }.get(RunStatus(status), str(status))


async def slot_labels(slot_ids: list[int]) -> dict[int, str]:
    if not slot_ids:
        return {}
    rows = (
        await WeeklySlot.select(
            WeeklySlot.id,
            WeeklySlot.weekday,
            WeeklySlot.start,
            WeeklySlot.end,
            WeeklySlot.activity.title,
        )
        .where(WeeklySlot.id.is_in(slot_ids))
        .order_by(WeeklySlot.weekday)
        .order_by(WeeklySlot.start)
    )
    return {r["id"]: _slot_label(r, prefix="") for r in rows}


async def review_choices(run: RunOut) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Who may be placed by hand (active or waiting) and in which slots (of active
    activities, in force during the run), by name and label."""
    people = (
        await Participant.select(Participant.id, Participant.display_name)
        .where(Participant.status.is_in(list(PLANNED_STATUSES)) & Participant.erased_at.is_null())
        .order_by(Participant.display_name)
    )
    slots = await WeeklySlot.select(WeeklySlot.id).where(
        (WeeklySlot.valid_from <= run.last_day)
        & (WeeklySlot.valid_until.is_null() | (WeeklySlot.valid_until >= run.first_day))
        & (WeeklySlot.activity.is_active == True)  # noqa: E712 (a Piccolo expression)
    )
    labels = await slot_labels([r["id"] for r in slots])
    return (
        [(r["id"], r["display_name"]) for r in people],
        list(labels.items()),
    )


async def warning_lines(warnings: list[str]) -> list[str]:
    """The solver's warnings about pins, in words, naming the person or the slot."""
    people_ids = [int(w.split(":")[1]) for w in warnings if not w.startswith("pins_over")]
    slot_ids = [int(w.split(":")[1]) for w in warnings if w.startswith("pins_over")]
    names = {
        r["id"]: r["display_name"]
        for r in await Participant.select(Participant.id, Participant.display_name).where(
            Participant.id.is_in(people_ids or [0])
        )
    }
    labels = await slot_labels(slot_ids)
    lines = []
    for warning in warnings:
        code, _sep, raw = warning.partition(":")
        key = int(raw)
        if code == "pins_break_rules":
            lines.append(
                _(
                    "%(name)s's pinned placements break a rule together; they keep only those.",
                    name=names.get(key, key),
                )
            )
        elif code == "pins_over_capacity":
            lines.append(
                _("More are pinned in %(slot)s than it has places.", slot=labels.get(key, key))
            )
        elif code == "pinned_slot_missing":
            lines.append(
                _(
                    "%(name)s has a pinned place in a slot not in force in these weeks.",
                    name=names.get(key, key),
                )
            )
    return lines
