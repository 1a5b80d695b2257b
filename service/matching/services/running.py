"""Starting a run and running it as a job: load the problem, solve it in a worker
thread, store the proposal with its reasons."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from dataclasses import asdict, replace
from datetime import date, timedelta
from typing import Any

from piccolo.columns import Column

from service import clock
from service.audit.services import Actor, record
from service.db import is_unique_violation, transaction
from service.errors import Conflict, InvalidInput
from service.i18n import gettext as _
from service.jobs import JobQueue
from service.matching.explain import explain_placement
from service.matching.inputs import Held, Inputs, load_inputs, with_continuity
from service.matching.model import Plan
from service.matching.rules import first_broken_rule
from service.matching.schemas import RunIn, RunOut
from service.matching.scoring import objective_of
from service.matching.services.reading import get_run
from service.matching.solver import greedy, solve
from service.matching.tables import (
    Change,
    MatchingProposal,
    MatchingRun,
    MatchingUnplaced,
    RunMode,
    RunStatus,
)
from service.people.tables import Participant
from service.settings import Settings

log = logging.getLogger(__name__)
MAX_DAYS = 12 * 7
MAX_TIME_LIMIT = 600  # the most TUPA_MATCH_TIME_LIMIT allows
ABANDONED_AFTER = 15 * 60
OPEN = (RunStatus.queued.value, RunStatus.running.value)


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
        second_before_third=settings.match_second_before_third,
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
