"""Matching runs: start one, run it as a job, review its proposal, change it by hand
under the same hard rules, publish it as placements, and the waitlist it leaves."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta
from typing import Any

import msgspec

from service.audit.services import Actor, record
from service.catalog.vocabulary import weekday_names
from service.clock import utcnow
from service.db import transaction
from service.errors import Conflict, InvalidInput, NotFound, RuleBroken
from service.i18n import gettext as _
from service.jobs import JobQueue
from service.matching.explain import explain_placement
from service.matching.inputs import Held, Inputs, load_inputs, with_continuity
from service.matching.model import Assignment, Plan, Problem
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
from service.matching.validate import Violation, validate
from service.matching.words import blocker_lines, clock, placement_lines, rule_words
from service.people.tables import Goal, Participant
from service.placements.tables import Placement, PlacementSource, PlacementStatus
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
    bound: float
    gap: float
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


class ProposalChange(msgspec.Struct, forbid_unknown_fields=True):
    accepted: bool | None = None
    pinned: bool | None = None


class ProposalAdd(msgspec.Struct, forbid_unknown_fields=True):
    participant_id: int
    slot_id: int


class Published(msgspec.Struct):
    run_id: int
    created: int
    ended: int
    pinned: int


# --- starting and running ------------------------------------------------------------


async def start_run(actor: Actor, settings: Settings, queue: JobQueue, data: RunIn) -> RunOut:
    """Queue a run for the weeks asked; one run at a time."""
    last_day = data.last_day or data.first_day + timedelta(days=6)
    if last_day < data.first_day:
        raise InvalidInput("last_day", _("The last day must be on or after the first day."))
    if (last_day - data.first_day).days >= MAX_DAYS:
        raise InvalidInput("last_day", _("Plan at most 12 weeks at a time."))
    if data.replan_for is not None and not await Participant.exists().where(
        (Participant.id == data.replan_for) & Participant.erased_at.is_null()
    ):
        raise InvalidInput("replan_for", _("There is no participant %(id)s.", id=data.replan_for))
    async with transaction():
        await _fail_abandoned_runs()
        if await MatchingRun.exists().where(MatchingRun.status.is_in(list(OPEN))):
            raise Conflict(_("A matching run is already under way; wait for it to finish."))
        run = MatchingRun(
            first_day=data.first_day,
            last_day=last_day,
            mode=RunMode.replan if data.replan_for else RunMode.full,
            replan_for=data.replan_for,
            time_limit=float(settings.match_time_limit),
            created_by=actor.user_id,
        )
        await run.save()
        await record(actor, "matching.start", entity="matching_run", entity_id=run.id)
    await queue.enqueue("run_matching", job_id=f"matching:{run.id}", run_id=run.id)
    return await get_run(run.id)


async def _fail_abandoned_runs() -> None:
    """A run still open long after its time limit lost its worker (a crash or a
    restart); mark it failed so that it does not block the next one."""
    cutoff = utcnow() - timedelta(seconds=MAX_TIME_LIMIT + ABANDONED_AFTER)
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
        inputs = await _inputs_for(run, settings)
        await _stage(run_id, "solving", solving_since=utcnow())
        plan = await asyncio.to_thread(solve, inputs.problem)
        greedy_objective = await asyncio.to_thread(
            lambda: objective_of(inputs.problem, greedy(inputs.problem))
        )
        await _stage(run_id, "explaining")
        await _store_plan(run_id, inputs, plan, greedy_objective)
    except Exception as error:
        log.exception("matching run %s failed", run_id)
        await MatchingRun.update(
            {
                MatchingRun.status: RunStatus.failed,
                MatchingRun.stage: "failed",
                MatchingRun.error: type(error).__name__,
                MatchingRun.finished_at: utcnow(),
            }
        ).where(MatchingRun.id == run_id)
        raise
    return "done"


async def _inputs_for(run: dict[str, Any], settings: Settings) -> Inputs:
    inputs = await load_inputs(
        run["first_day"],
        run["last_day"],
        weights=settings.match_weights,
        travel_buffer=settings.match_travel_buffer,
        time_limit=run["time_limit"],
    )
    if run["mode"] == RunMode.replan:
        problem = with_continuity(inputs.problem, settings.match_replan_continuity)
        return replace(inputs, problem=problem)
    return inputs


async def _stage(run_id: int, stage: str, **values: Any) -> None:
    update = {MatchingRun.stage: stage}
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
                MatchingRun.finished_at: utcnow(),
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
        elapsed = ((now or utcnow()) - row["solving_since"]).total_seconds()
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
        bound=row["bound"],
        gap=row["gap"],
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
    rows = await MatchingProposal.select(
        MatchingProposal.all_columns(),
        MatchingProposal.participant.display_name,
        MatchingProposal.slot.weekday,
        MatchingProposal.slot.start,
        MatchingProposal.slot.end,
        MatchingProposal.slot.activity.title,
        MatchingProposal.slot.activity.site.name,
    ).where(MatchingProposal.run == run_id)
    goal_texts = await _goal_texts({r["participant"] for r in rows})
    changes: dict[int, set[str]] = defaultdict(set)
    for r in rows:
        changes[r["participant"]].add(r["change"])
    proposals = sorted(
        (_proposal_out(r, goal_texts, changes[r["participant"]]) for r in rows),
        key=lambda p: (p.participant_name.casefold(), p.participant_id, p.weekday, p.slot_label),
    )
    return RunDetail(run=run, proposals=proposals, unplaced=await _unplaced(run_id))


def _slot_label(row: dict[str, Any], prefix: str = "slot.") -> str:
    day = weekday_names()[row[f"{prefix}weekday"]]
    start, end = row[f"{prefix}start"], row[f"{prefix}end"]
    return _(
        "%(title)s, %(day)s %(start)s–%(end)s",
        title=row[f"{prefix}activity.title"],
        day=day,
        start=clock(start.hour * 60 + start.minute),
        end=clock(end.hour * 60 + end.minute),
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
    placed_now = {
        r["participant"]
        for r in await Placement.select(Placement.participant).where(
            (Placement.status == PlacementStatus.confirmed.value)
            & (Placement.start_date <= run.last_day)
            & (Placement.end_date.is_null() | (Placement.end_date >= run.first_day))
        )
    }
    still = {
        r["id"]
        for r in await Participant.select(Participant.id).where(
            Participant.erased_at.is_null() & Participant.status.is_in(["active", "waiting"])
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
        Placement.slot.activity.title,
        Placement.slot.activity.site.name,
    ).where(
        (Placement.participant == participant_id)
        & (Placement.status == PlacementStatus.confirmed.value)
        & (Placement.end_date.is_null() | (Placement.end_date >= day))
    )
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


# --- reviewing -----------------------------------------------------------------------


async def _reviewable(run_id: int) -> RunOut:
    run = await get_run(run_id)
    if run.status != RunStatus.done:
        raise Conflict(
            _("This run is %(status)s; only a finished run can be changed.", status=run.status)
        )
    return run


def _final_plan(rows: list[dict[str, Any]]) -> list[Assignment]:
    """What publishing would leave: accepted new and kept, and removals not accepted."""
    return [
        Assignment(r["participant"], r["slot"])
        for r in rows
        if (r["change"] != Change.removed) == bool(r["accepted"])
    ]


async def _current_problem(run: RunOut, settings: Settings) -> Problem:
    inputs = await load_inputs(
        run.first_day,
        run.last_day,
        weights=settings.match_weights,
        travel_buffer=settings.match_travel_buffer,
        time_limit=float(settings.match_time_limit),
    )
    return inputs.problem


async def _check_rules(
    run: RunOut,
    rows: list[dict[str, Any]],
    settings: Settings,
    participant_id: int | None = None,
    slot_id: int | None = None,
) -> None:
    """Validate the plan that publishing would leave, against today's data; refuse with
    the rules broken that concern this participant or this slot. Without them, those
    that concern anyone who gains a placement: keeping things as they are never is."""
    problem = _with_proposal_pins(await _current_problem(run, settings), rows)
    if participant_id is None:
        gaining = [r for r in rows if r["change"] == Change.new and r["accepted"]]
        people = {r["participant"] for r in gaining}
        slot_ids = {r["slot"] for r in gaining}
    else:
        people, slot_ids = {participant_id}, {slot_id}
    violations = [
        v
        for v in validate(problem, _final_plan(rows))
        if v.person_id in people or (v.person_id is None and v.slot_id in slot_ids)
    ]
    if violations:
        raise RuleBroken(
            _("This change would break a rule."),
            [(v.rule, await _violation_words(v)) for v in violations],
        )


def _with_proposal_pins(problem: Problem, rows: list[dict[str, Any]]) -> Problem:
    """Pins are what the proposal says they are (a coordinator may pin while reviewing)."""
    pinned: dict[int, set[int]] = defaultdict(set)
    for r in rows:
        if r["pinned"] and r["change"] != Change.removed:
            pinned[r["participant"]].add(r["slot"])
    people = tuple(replace(p, pinned=frozenset(pinned[p.id])) for p in problem.people)
    return replace(problem, people=people)


async def _violation_words(violation: Violation) -> str:
    words = rule_words(violation.rule)
    if violation.other_slot_id and violation.other_slot_id != violation.slot_id:
        other = await _slot_labels([violation.other_slot_id])
        return _("%(reason)s (with %(slot)s)", reason=words, slot=other[violation.other_slot_id])
    return words


async def slot_choices(run: RunOut) -> list[tuple[int, str]]:
    """The weekly slots in force during the run, labelled, for a manual placement."""
    rows = await WeeklySlot.select(WeeklySlot.id).where(
        (WeeklySlot.valid_from <= run.last_day)
        & (WeeklySlot.valid_until.is_null() | (WeeklySlot.valid_until >= run.first_day))
    )
    labels = await _slot_labels([r["id"] for r in rows])
    return sorted(labels.items(), key=lambda item: item[1])


async def _slot_labels(slot_ids: list[int]) -> dict[int, str]:
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


async def _proposal_rows_of(run_id: int) -> list[dict[str, Any]]:
    return await MatchingProposal.select().where(MatchingProposal.run == run_id)


async def change_proposal(
    actor: Actor, settings: Settings, run_id: int, proposal_id: int, data: ProposalChange
) -> ProposalOut:
    """Accept or reject one proposal, or pin it; the result must keep the hard rules."""
    run = await _reviewable(run_id)
    async with transaction():
        rows = await _proposal_rows_of(run_id)
        row = next((r for r in rows if r["id"] == proposal_id), None)
        if row is None:
            raise NotFound(_("There is no proposal %(id)s in this run.", id=proposal_id))
        if data.accepted is not None:
            if row["pinned"] and row["change"] == Change.kept and not data.accepted:
                raise RuleBroken(
                    _("This placement is pinned; unpin it first."),
                    [("pinned", rule_words("pinned"))],
                )
            row["accepted"] = data.accepted
        if data.pinned is not None:
            if row["change"] == Change.removed and data.pinned:
                raise InvalidInput("pinned", _("A placement that ends cannot be pinned."))
            row["pinned"] = data.pinned
        if row["change"] == Change.new and row["accepted"]:  # keeping things never breaks
            await _check_rules(run, rows, settings, row["participant"], row["slot"])
        await MatchingProposal.update(
            {MatchingProposal.accepted: row["accepted"], MatchingProposal.pinned: row["pinned"]}
        ).where(MatchingProposal.id == proposal_id)
        await record(
            actor,
            "matching.proposal.change",
            entity="matching_proposal",
            entity_id=proposal_id,
            details={"accepted": row["accepted"], "pinned": row["pinned"]},
        )
    return await _one_proposal(run_id, proposal_id)


async def set_all_accepted(actor: Actor, run_id: int, accepted: bool) -> int:
    """Accept (or reject) every new placement and every removal at once."""
    await _reviewable(run_id)
    result = (
        await MatchingProposal.update({MatchingProposal.accepted: accepted})
        .where((MatchingProposal.run == run_id) & (MatchingProposal.change != Change.kept.value))
        .returning(MatchingProposal.id)
    )
    await record(
        actor,
        "matching.accept_all",
        entity="matching_run",
        entity_id=run_id,
        details={"accepted": accepted},
    )
    return len(result)


async def add_proposal(
    actor: Actor, settings: Settings, run_id: int, data: ProposalAdd
) -> ProposalOut:
    """Place someone by hand in the proposal, checked against the same hard rules."""
    run = await _reviewable(run_id)
    if not await Participant.exists().where(
        (Participant.id == data.participant_id) & Participant.erased_at.is_null()
    ):
        raise InvalidInput(
            "participant_id", _("There is no participant %(id)s.", id=data.participant_id)
        )
    if not await WeeklySlot.exists().where(WeeklySlot.id == data.slot_id):
        raise InvalidInput("slot_id", _("There is no weekly slot %(id)s.", id=data.slot_id))
    async with transaction():
        rows = await _proposal_rows_of(run_id)
        same = [
            r for r in rows if r["participant"] == data.participant_id and r["slot"] == data.slot_id
        ]
        if any(r["change"] != Change.removed and r["accepted"] for r in same):
            raise Conflict(_("The participant is already in this slot in the plan."))
        if same:  # a removal or a rejected proposal: turn it back
            row = same[0]
            row["accepted"] = row["change"] != Change.removed
            await _check_rules(run, rows, settings, data.participant_id, data.slot_id)
            await MatchingProposal.update({MatchingProposal.accepted: row["accepted"]}).where(
                MatchingProposal.id == row["id"]
            )
            proposal_id = row["id"]
        else:
            rows.append(
                {
                    "participant": data.participant_id,
                    "slot": data.slot_id,
                    "change": Change.new,
                    "accepted": True,
                    "pinned": False,
                }
            )
            await _check_rules(run, rows, settings, data.participant_id, data.slot_id)
            reason = await _reason_for(run, rows, settings, data.participant_id, data.slot_id)
            proposal = MatchingProposal(
                run=run_id,
                participant=data.participant_id,
                slot=data.slot_id,
                change=Change.new,
                source="manual",
                reason=json.dumps(reason),
            )
            await proposal.save()
            proposal_id = proposal.id
        await record(
            actor,
            "matching.proposal.add",
            entity="matching_proposal",
            entity_id=proposal_id,
            details={"participant_id": data.participant_id, "slot_id": data.slot_id},
        )
    return await _one_proposal(run_id, proposal_id)


async def _reason_for(
    run: RunOut,
    rows: list[dict[str, Any]],
    settings: Settings,
    participant_id: int,
    slot_id: int,
) -> dict[str, Any]:
    problem = await _current_problem(run, settings)
    person = next((p for p in problem.people if p.id == participant_id), None)
    slots = {s.id: s for s in problem.slots}
    if person is None or slot_id not in slots:
        return {}
    mine = [
        slots[a.slot_id]
        for a in _final_plan(rows)
        if a.person_id == participant_id and a.slot_id in slots
    ]
    return asdict(explain_placement(person, slots[slot_id], mine))


async def _one_proposal(run_id: int, proposal_id: int) -> ProposalOut:
    detail = await run_detail(run_id)
    return next(p for p in detail.proposals if p.id == proposal_id)


# --- publishing ----------------------------------------------------------------------


async def publish(actor: Actor, settings: Settings, run_id: int) -> Published:
    """Make the reviewed plan real: accepted new placements are confirmed from the first
    day (they fill the rosters of the sessions), accepted removals end the day before,
    and pins are set as the proposal says."""
    run = await _reviewable(run_id)
    async with transaction():
        newer = await MatchingRun.exists().where(
            (MatchingRun.status == RunStatus.published.value)
            & (MatchingRun.published_at > run.created_at)
        )
        if newer:
            raise Conflict(
                _("Another plan was published after this run was made; start a new run.")
            )
        rows = await _proposal_rows_of(run_id)
        await _check_rules(run, rows, settings)
        created = ended = pinned = 0
        for r in rows:
            if r["change"] == Change.new and r["accepted"]:
                await Placement.insert(
                    Placement(
                        participant=r["participant"],
                        slot=r["slot"],
                        start_date=run.first_day,
                        status=PlacementStatus.confirmed,
                        source=PlacementSource(r["source"]),
                        pinned=r["pinned"],
                        created_by=actor.user_id,
                        reason=r["reason"],
                    )
                )
                created += 1
                pinned += bool(r["pinned"])
            elif r["change"] == Change.removed and r["accepted"] and r["placement"]:
                await _end_before(r["placement"], run.first_day)
                ended += 1
            elif r["change"] == Change.kept and r["placement"]:
                await Placement.update(
                    {Placement.pinned: r["pinned"], Placement.reason: r["reason"]}
                ).where(Placement.id == r["placement"])
                pinned += bool(r["pinned"])
        await MatchingRun.update(
            {
                MatchingRun.status: RunStatus.published,
                MatchingRun.published_at: utcnow(),
                MatchingRun.published_by: actor.user_id,
            }
        ).where(MatchingRun.id == run_id)
        await record(
            actor,
            "matching.publish",
            entity="matching_run",
            entity_id=run_id,
            details={"created": created, "ended": ended, "pinned": pinned},
        )
    return Published(run_id=run_id, created=created, ended=ended, pinned=pinned)


async def _end_before(placement_id: int, first_day: date) -> None:
    row = await Placement.select().where(Placement.id == placement_id).first()
    if row is None or row["status"] != PlacementStatus.confirmed:
        return
    if row["start_date"] >= first_day:
        await Placement.update({Placement.status: PlacementStatus.ended}).where(
            Placement.id == placement_id
        )
    else:
        await Placement.update({Placement.end_date: first_day - timedelta(days=1)}).where(
            Placement.id == placement_id
        )


async def discard(actor: Actor, run_id: int) -> RunOut:
    await _reviewable(run_id)
    await MatchingRun.update({MatchingRun.status: RunStatus.discarded}).where(
        MatchingRun.id == run_id
    )
    await record(actor, "matching.discard", entity="matching_run", entity_id=run_id)
    return await get_run(run_id)
