"""Starting a run, stopping it, and running it as a job: load the problem, split it into
independent parts, solve them in a worker thread, explain, store the proposal.

The run's clock starts when a worker takes the run up and covers every step; a run
that reaches its limit, or that a coordinator stops, stores the best plan found so far.
While it works the run shows a sign of life (`heartbeat_at`); a run silent for a minute
lost its worker and is failed, so that the next one can start. A later delivery of the
same job (arq retries a job whose worker died) takes the run over as a new attempt;
every write of an attempt names it, so one that was overtaken changes nothing."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import msgspec
from piccolo.columns import Column
from piccolo.columns.combination import Combinable

from service import clock
from service.audit.services import Actor, record
from service.db import is_unique_violation, transaction
from service.errors import Conflict, InvalidInput
from service.i18n import gettext as _
from service.jobs import JobQueue
from service.matching.decompose import Part, join, share_of_pairs, share_of_time, split
from service.matching.explain import blockers_for_unplaced, explain_placement
from service.matching.inputs import Held, Inputs, load_inputs, with_continuity
from service.matching.model import Assignment, Blocker, Plan, Problem
from service.matching.rules import first_broken_rule
from service.matching.schemas import PartOut, RunIn, RunOut
from service.matching.scoring import objective_of
from service.matching.services.labels import status_label
from service.matching.services.reading import get_run
from service.matching.solver import greedy, solve
from service.matching.tables import (
    Change,
    MatchingPart,
    MatchingProposal,
    MatchingRun,
    MatchingUnplaced,
    RunMode,
    RunStatus,
)
from service.people.tables import Participant
from service.settings import Settings
from service.system import services as system

log = logging.getLogger(__name__)
MAX_DAYS = 12 * 7
MAX_TIME_LIMIT = 600  # the most TUPA_MATCH_TIME_LIMIT allows
OPEN = (RunStatus.queued.value, RunStatus.running.value)
#: How often a working run shows a sign of life (and looks for a request to stop).
HEARTBEAT_SECONDS = 2.0
#: A running run with no sign of life for this long lost its worker.
SILENT_AFTER = timedelta(minutes=1)
#: A queued run that no worker took up in this long never will (the queue lost it).
UNCLAIMED_AFTER = timedelta(minutes=5)
#: The share of the time limit kept for storing the plan after solving and explaining.
STORING_SHARE = 0.1

# Why a run failed, as codes (`reading.error_words` puts them into words).
WORKER_STOPPED = "worker_stopped"
NOT_STARTED = "not_started"
NOT_QUEUED = "not_queued"


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
    await fail_lost_runs()
    async with transaction():
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
        await _mark_failed(run.id, NOT_QUEUED)
        raise
    return await get_run(run.id)


async def request_stop(actor: Actor, run_id: int) -> RunOut:
    """Ask a queued or running run to stop and keep the best plan found so far. Asking
    again changes nothing; a run that has finished cannot be stopped (409)."""
    run = await get_run(run_id)  # 404 for a run that does not exist
    async with transaction():
        asked = (
            await MatchingRun.update({MatchingRun.stop_requested_at: clock.utcnow()})
            .where(
                (MatchingRun.id == run_id)
                & MatchingRun.status.is_in(list(OPEN))
                & MatchingRun.stop_requested_at.is_null()
            )
            .returning(MatchingRun.id)
        )
        if asked:
            await record(actor, "matching.stop", entity="matching_run", entity_id=run_id)
    if not asked:
        run = await get_run(run_id)
        if run.status.value not in OPEN:
            raise Conflict(
                _(
                    "This run is %(status)s; only a run under way can be stopped.",
                    status=status_label(run.status),
                )
            )
    return await get_run(run_id)


async def fail_lost_runs(now: datetime | None = None) -> list[int]:
    """Fail the runs that lost their worker, with the reason, so that they do not block
    the next one: running ones with no sign of life for `SILENT_AFTER`, queued ones
    that no worker took up in `UNCLAIMED_AFTER`. Returns their ids."""
    now = now or clock.utcnow()
    silent = now - SILENT_AFTER
    failed = await _fail_where(
        (MatchingRun.status == RunStatus.running.value)
        & (
            (MatchingRun.heartbeat_at < silent)
            | (MatchingRun.heartbeat_at.is_null() & (MatchingRun.created_at < silent))
        ),
        WORKER_STOPPED,
        now,
    )
    failed += await _fail_where(
        (MatchingRun.status == RunStatus.queued.value)
        & (MatchingRun.created_at < now - UNCLAIMED_AFTER),
        NOT_STARTED,
        now,
    )
    for run_id in failed:
        log.warning("matching run %s lost its worker and is failed", run_id)
    await _forget_parts(failed)
    return failed


async def _fail_where(where: Combinable, error: str, now: datetime) -> list[int]:
    rows = (
        await MatchingRun.update(
            {
                MatchingRun.status: RunStatus.failed,
                MatchingRun.stage: "failed",
                MatchingRun.error: error,
                MatchingRun.finished_at: now,
            }
        )
        .where(where)
        .returning(MatchingRun.id)
    )
    return [r["id"] for r in rows]


async def _mark_failed(run_id: int, error: str, attempt: int | None = None) -> None:
    where: Combinable = MatchingRun.id == run_id
    if attempt is not None:  # an attempt that was overtaken leaves the run alone
        where &= (MatchingRun.attempt == attempt) & (MatchingRun.status == RunStatus.running.value)
    failed = (
        await MatchingRun.update(
            {
                MatchingRun.status: RunStatus.failed,
                MatchingRun.stage: "failed",
                MatchingRun.error: error,
                MatchingRun.finished_at: clock.utcnow(),
            }
        )
        .where(where)
        .returning(MatchingRun.id)
    )
    if failed:
        await _forget_parts([run_id])


async def _forget_parts(run_ids: list[int]) -> None:
    """A finished run's parts hold copies of people's data: they go with the run's end."""
    if run_ids:
        await MatchingPart.delete().where(MatchingPart.run.is_in(run_ids))


# --- the job ----------------------------------------------------------------------


class RunTakenOver(Exception):
    """Another attempt took the run over, or it was failed as lost: stop working on it."""


@dataclass
class RunClock:
    """The run's time: it starts when the worker takes the run up. Solving and
    explaining end by `deadline()`, which keeps a share of the limit for storing."""

    limit: float
    now: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.now()

    @classmethod
    def with_seconds_left(cls, seconds: float) -> RunClock:
        """A clock whose deadline is `seconds` from now (for a part solved elsewhere)."""
        return cls(max(0.0, seconds) / (1 - STORING_SHARE))

    def deadline(self) -> float:
        return self.started + self.limit * (1 - STORING_SHARE)

    def out_of_time(self) -> bool:
        return self.now() >= self.deadline()


class Attempt:
    """One worker's attempt at a run: its stage changes, its sign of life, and whether
    it was asked to stop; every write names the attempt."""

    def __init__(self, run_id: int, number: int) -> None:
        self.run_id = run_id
        self.number = number
        self.stop_asked = threading.Event()  # read by the solver's thread
        self.lost = False

    def should_stop(self) -> bool:
        return self.stop_asked.is_set()

    def _mine(self) -> Combinable:
        return (
            (MatchingRun.id == self.run_id)
            & (MatchingRun.attempt == self.number)
            & (MatchingRun.status == RunStatus.running.value)
        )

    async def stage(self, stage: str, **values: Any) -> None:
        update: dict[Column | str, Any] = {
            MatchingRun.stage: stage,
            MatchingRun.heartbeat_at: clock.utcnow(),
        }
        update.update({getattr(MatchingRun, k): v for k, v in values.items()})
        if not await MatchingRun.update(update).where(self._mine()).returning(MatchingRun.id):
            raise RunTakenOver(self.run_id)

    async def beat(self) -> None:
        """Show a sign of life; notice a request to stop, or that the run was lost."""
        rows = (
            await MatchingRun.update({MatchingRun.heartbeat_at: clock.utcnow()})
            .where(self._mine())
            .returning(MatchingRun.stop_requested_at)
        )
        if not rows:
            self.lost = True
            self.stop_asked.set()  # nobody waits for this plan any more
        elif rows[0]["stop_requested_at"] is not None:
            self.stop_asked.set()

    async def look(self) -> None:
        """Notice a request to stop, or that the run was lost, without a sign of life
        (for a part solved by another job)."""
        rows = await MatchingRun.select(MatchingRun.stop_requested_at).where(self._mine())
        if not rows or rows[0]["stop_requested_at"] is not None:
            self.stop_asked.set()

    async def keep_alive(self, every: float = HEARTBEAT_SECONDS, *, beat: bool = True) -> None:
        while not self.lost and not (self.stop_asked.is_set() and not beat):
            try:
                await (self.beat() if beat else self.look())
            except Exception:  # a failed beat is retried; a long outage makes the run lost
                log.warning("matching run %s: no heartbeat written", self.run_id, exc_info=True)
            await asyncio.sleep(every)


async def _take_up(run_id: int, *, redelivered: bool) -> Attempt | None:
    """Take the run up as a new attempt: a queued run, or a running one whose worker
    went silent, or (for a job arq delivered again because its worker died) one still
    marked running. None when there is nothing to do."""
    now = clock.utcnow()
    silent = now - SILENT_AFTER
    running = MatchingRun.status == RunStatus.running.value
    takeable: Combinable = (MatchingRun.status == RunStatus.queued.value) | (
        running & (MatchingRun.heartbeat_at.is_null() | (MatchingRun.heartbeat_at < silent))
    )
    if redelivered:
        takeable = takeable | running
    rows = (
        await MatchingRun.update(
            {
                MatchingRun.status: RunStatus.running,
                MatchingRun.stage: "loading",
                MatchingRun.attempt: MatchingRun.attempt + 1,
                MatchingRun.started_at: now,
                MatchingRun.heartbeat_at: now,
                MatchingRun.solving_since: None,
                MatchingRun.error: "",
            }
        )
        .where((MatchingRun.id == run_id) & takeable)
        .returning(MatchingRun.attempt)
    )
    return Attempt(run_id, rows[0]["attempt"]) if rows else None


async def execute_run(
    run_id: int,
    settings: Settings,
    *,
    redelivered: bool = False,
    queue: JobQueue | None = None,
) -> str:
    """The job's work. Takes the run up (a second delivery finds it taken and stops),
    splits the problem into independent parts, solves them (as jobs of their own on
    `queue` when there are several, else in a worker thread, so the event loop stays
    free to show signs of life), and stores the best plan found within the time limit."""
    attempt = await _take_up(run_id, redelivered=redelivered)
    if attempt is None:
        return "skipped"
    if redelivered:
        log.warning("matching run %s: its job came again; attempt %s", run_id, attempt.number)
    await attempt.beat()  # a stop asked before the run started counts from the start
    alive = asyncio.create_task(attempt.keep_alive())
    try:
        run = await MatchingRun.select().where(MatchingRun.id == run_id).first()
        assert run is not None, "taken up above"
        run_clock = RunClock(run["time_limit"])
        inputs = await _inputs_for(run, settings)
        await attempt.stage("solving", solving_since=clock.utcnow())
        parts = await asyncio.to_thread(split, inputs.problem)
        if queue is not None and len(parts) > 1:
            solved = await _solve_as_jobs(attempt, parts, run_clock, queue)
        else:
            solved = await asyncio.to_thread(
                solve_in_parts, inputs.problem, run_clock, attempt.should_stop
            )
        await attempt.stage("explaining", parts=_parts_json(solved.parts))
        unplaced, explained = await asyncio.to_thread(
            _unplaced_within, inputs.problem, solved.plan, run_clock
        )
        rows = await asyncio.to_thread(_proposal_rows, run_id, inputs, solved.plan)
        await _store_plan(attempt, inputs, solved, rows, unplaced, explained)
    except RunTakenOver:
        log.warning("matching run %s: attempt %s was overtaken", run_id, attempt.number)
        return "overtaken"
    except (Exception, asyncio.CancelledError) as error:  # cancelled: the job timed out
        log.exception("matching run %s failed", run_id)
        await _mark_failed(run_id, type(error).__name__, attempt=attempt.number)
        raise
    finally:
        alive.cancel()
    return "done"


# --- the parts as jobs of their own -------------------------------------------------

#: How often the run looks whether its parts are solved.
PART_POLL_SECONDS = 0.2
#: How long past the deadline the run waits for a part before it takes the part's first
#: come, first served plan instead (a part job stores its plan just after the deadline).
PART_GRACE_SECONDS = 2.0


class _StoredPart(msgspec.Struct):
    """A part's solution as `MatchingPart.result` keeps it."""

    assignments: list[tuple[int, int]]
    objective: float
    bound: float | None
    gap: float | None
    status: str
    seconds: float
    warnings: list[str]
    greedy_objective: float | None
    greedy_kept: bool


def _encode_part(solved: PartSolved) -> str:
    plan = solved.plan
    stored = _StoredPart(
        assignments=[(a.person_id, a.slot_id) for a in plan.assignments],
        objective=plan.objective,
        bound=plan.bound if math.isfinite(plan.bound) else None,
        gap=plan.gap if math.isfinite(plan.gap) else None,
        status=plan.status,
        seconds=plan.seconds,
        warnings=list(plan.warnings),
        greedy_objective=solved.greedy_objective,
        greedy_kept=solved.greedy_kept,
    )
    return msgspec.json.encode(stored).decode()


def _decode_part(part: Part, text: str) -> PartSolved:
    stored = msgspec.json.decode(text, type=_StoredPart)
    plan = Plan(
        assignments=tuple(Assignment(p, s) for p, s in stored.assignments),
        objective=stored.objective,
        bound=math.inf if stored.bound is None else stored.bound,
        gap=math.inf if stored.gap is None else stored.gap,
        status=stored.status,
        seconds=stored.seconds,
        warnings=tuple(stored.warnings),
    )
    return PartSolved(part, plan, stored.greedy_objective, stored.greedy_kept)


async def _solve_as_jobs(
    attempt: Attempt, parts: tuple[Part, ...], run_clock: RunClock, queue: JobQueue
) -> Solved:
    """Store the parts, queue a job for each (any worker takes them up, several at a
    time), wait for their plans until the deadline, and join them. A part with no plan
    by then gets its first come, first served plan here."""
    run_id, number = attempt.run_id, attempt.number
    async with transaction():
        await MatchingPart.delete().where(MatchingPart.run == run_id)
        await MatchingPart.insert(
            *(
                MatchingPart(
                    run=run_id,
                    attempt=number,
                    position=part.index,
                    pairs=part.pairs,
                    problem=msgspec.json.encode(part.problem).decode(),
                )
                for part in parts
            )
        )
    for part in parts:
        await queue.enqueue(
            "solve_matching_part",
            job_id=part_job_id(run_id, number, part.index),
            run_id=run_id,
            attempt=number,
            position=part.index,
        )
    results = await _part_results(run_id, number)
    while len(results) < len(parts) and not attempt.lost:
        if run_clock.now() > run_clock.deadline() + PART_GRACE_SECONDS:
            break
        await asyncio.sleep(PART_POLL_SECONDS)
        results = await _part_results(run_id, number)
    if attempt.lost:
        raise RunTakenOver(run_id)
    solved = []
    for part in parts:
        if part.index in results:
            solved.append(_decode_part(part, results[part.index]))
        else:  # its worker did not finish in time: the quick plan, here
            log.warning("matching run %s: part %s had no plan in time", run_id, part.index)
            solved.append(
                await asyncio.to_thread(solve_part, part, 0.0, run_clock, attempt.should_stop)
            )
    return joined(solved, run_clock)


async def _part_results(run_id: int, attempt: int) -> dict[int, str]:
    rows = await MatchingPart.select(MatchingPart.position, MatchingPart.result).where(
        (MatchingPart.run == run_id)
        & (MatchingPart.attempt == attempt)
        & (MatchingPart.result != "")
    )
    return {r["position"]: r["result"] for r in rows}


async def solve_part_job(run_id: int, attempt: int, position: int) -> str:
    """One part's job: solve it within its share of the time left to the run's deadline
    among the parts not solved yet (a worker solves one part at a time), or until a stop;
    store its plan. Nothing to do when the part is solved already or its run attempt is
    over."""
    row = (
        await MatchingPart.select()
        .where(
            (MatchingPart.run == run_id)
            & (MatchingPart.attempt == attempt)
            & (MatchingPart.position == position)
        )
        .first()
    )
    run = await MatchingRun.select().where(MatchingRun.id == run_id).first()
    if row is None or row["result"] or run is None:
        return "skipped"
    if run["status"] != RunStatus.running or run["attempt"] != attempt or not run["started_at"]:
        return "skipped"
    deadline = run["started_at"] + timedelta(seconds=run["time_limit"] * (1 - STORING_SHARE))
    left = (deadline - clock.utcnow()).total_seconds()
    share = await _share_of_time(run_id, attempt, position, row["pairs"], left)
    watch = Attempt(run_id, attempt)
    await watch.look()
    looking = asyncio.create_task(watch.keep_alive(beat=False))
    try:
        part = Part(position, msgspec.json.decode(row["problem"], type=Problem), row["pairs"])
        solved = await asyncio.to_thread(
            solve_part, part, share, RunClock.with_seconds_left(left), watch.should_stop
        )
    finally:
        looking.cancel()
    await MatchingPart.update({MatchingPart.result: _encode_part(solved)}).where(
        MatchingPart.id == row["id"]
    )
    return "done"


async def _share_of_time(
    run_id: int, attempt: int, position: int, pairs: int, left: float
) -> float:
    """The part's share of the `left` seconds: the parts neither solved nor under way
    follow it, spread over the workers solving parts of the run now (itself among them)."""
    unsolved = await MatchingPart.select(MatchingPart.position, MatchingPart.pairs).where(
        (MatchingPart.run == run_id)
        & (MatchingPart.attempt == attempt)
        & (MatchingPart.result == "")
    )
    ids = {part_job_id(run_id, attempt, r["position"]): r["position"] for r in unsolved}
    under_way = {ids[j] for j in await system.running_jobs(sorted(ids))} | {position}
    waiting = [r["pairs"] for r in unsolved if r["position"] not in under_way]
    return share_of_pairs(left, pairs, waiting, workers=len(under_way))


def part_job_id(run_id: int, attempt: int, position: int) -> str:
    return f"matching:{run_id}:{attempt}:{position}"


# --- solving in parts (plain data, run in a worker thread) ---------------------------


@dataclass(frozen=True)
class Solved:
    """The plan of the whole, what first come, first served would reach (None when
    there was no time left to work it out), and a report per part."""

    plan: Plan
    greedy_objective: float | None
    parts: list[PartOut]


@dataclass(frozen=True)
class PartSolved:
    """A part's plan, what first come, first served reaches in it (None when there was
    no time left to work it out), and whether that plan was kept instead of the
    solver's (the solver had found nothing better by its time limit)."""

    part: Part
    plan: Plan
    greedy_objective: float | None
    greedy_kept: bool


def solve_in_parts(problem: Problem, run_clock: RunClock, stop: Callable[[], bool]) -> Solved:
    """Solve each independent part in turn within its share of the time left, and join."""
    parts = split(problem)
    solved = []
    for part in parts:
        left = run_clock.deadline() - run_clock.now()
        solved.append(solve_part(part, share_of_time(parts, part.index, left), run_clock, stop))
    return joined(solved, run_clock)


def joined(solved: list[PartSolved], run_clock: RunClock) -> Solved:
    """The plan of the whole from the parts' plans, with a report per part."""
    values = [s.greedy_objective for s in solved]
    greedy_total = None if None in values else sum(v for v in values if v is not None)
    plan = join([s.plan for s in solved], seconds=run_clock.now() - run_clock.started)
    return Solved(plan, greedy_total, [_part_report(s) for s in solved])


def solve_part(
    part: Part, seconds: float, run_clock: RunClock, stop: Callable[[], bool]
) -> PartSolved:
    """The part's plan within `seconds` (and the run's deadline). The first come, first
    served plan is kept where it is better than what the solver found by then, so a run
    that reaches its limit never stores less than that."""
    began = run_clock.now()
    plan: Plan | None = None
    if seconds > 0 and not run_clock.out_of_time() and not stop():
        deadline = min(began + seconds, run_clock.deadline())
        plan = solve(replace(part.problem, time_limit=seconds), deadline=deadline, stop=stop)
        if plan.assignments and (run_clock.out_of_time() or stop()):
            return PartSolved(part, plan, None, False)
    baseline = greedy(part.problem)
    value = objective_of(part.problem, baseline)
    if plan is not None and (plan.objective >= value or not baseline):
        return PartSolved(part, plan, value, False)
    bound = plan.bound if plan is not None else math.inf
    kept = Plan(
        assignments=tuple(baseline),
        objective=value,
        bound=max(bound, value),
        gap=(bound - value) / max(abs(value), 1e-9) if math.isfinite(bound) else math.inf,
        status="time_limit",
        seconds=run_clock.now() - began,
        warnings=plan.warnings if plan is not None else (),
    )
    return PartSolved(part, kept, value, True)


def _part_report(solved: PartSolved) -> PartOut:
    part, plan = solved.part, solved.plan
    return PartOut(
        index=part.index,
        people=len(part.problem.people),
        slots=len(part.problem.slots),
        pairs=part.pairs,
        status=plan.status,
        objective=plan.objective,
        gap=plan.gap if math.isfinite(plan.gap) else None,
        seconds=round(plan.seconds, 3),
        greedy_kept=solved.greedy_kept,
    )


def _parts_json(parts: list[PartOut]) -> str:
    return msgspec.json.encode(parts).decode()


def _unplaced_within(
    problem: Problem, plan: Plan, run_clock: RunClock
) -> tuple[dict[int, tuple[Blocker, ...]], bool]:
    """Why each person left out was left out, as far as the time allows; the second
    value is False when some were not reached (their reasons are marked not worked out)."""
    blockers = blockers_for_unplaced(
        problem, plan.assignments, deadline=run_clock.deadline(), now=run_clock.now
    )
    placed = {a.person_id for a in plan.assignments}
    left_out = {p.id for p in problem.people} - placed
    return dict(blockers), left_out <= set(blockers)


# --- loading and storing -------------------------------------------------------------


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


async def _store_plan(
    attempt: Attempt,
    inputs: Inputs,
    solved: Solved,
    rows: list[MatchingProposal],
    blockers: dict[int, tuple[Blocker, ...]],
    explained: bool,
) -> None:
    run_id, plan = attempt.run_id, solved.plan
    placed = {a.person_id for a in plan.assignments}
    unplaced = [
        MatchingUnplaced(
            run=run_id,
            participant=person.id,
            blockers=json.dumps([asdict(b) for b in blockers.get(person.id, ())]),
            explained=person.id in blockers,
        )
        for person in sorted(inputs.problem.people, key=lambda p: p.id)
        if person.id not in placed
    ]
    async with transaction():
        await attempt.stage("storing")  # raises if the run was taken over meanwhile
        await MatchingProposal.delete().where(MatchingProposal.run == run_id)
        await MatchingUnplaced.delete().where(MatchingUnplaced.run == run_id)
        await MatchingPart.delete().where(MatchingPart.run == run_id)  # copies of people's data
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
                MatchingRun.greedy_objective: solved.greedy_objective or 0.0,
                MatchingRun.participants: len(inputs.problem.people),
                MatchingRun.slots: len(inputs.problem.slots),
                MatchingRun.warnings: json.dumps(list(plan.warnings)),
                MatchingRun.parts: _parts_json(solved.parts),
            }
        ).where(MatchingRun.id == run_id)
    if not explained:
        log.warning("matching run %s: time ran out before every reason was found", run_id)


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
        # Losing a place is the coordinator's call: an ending starts set aside, and so
        # do the new places of someone who would give one up (a move), since holding
        # both could break their rules.
        loses = any(slot_id not in mine for slot_id in held[person.id])
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
                    accepted=bool(kept) or not loses,
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
                        accepted=False,
                        reason=json.dumps({"rule": rule}),
                    )
                )
    return rows
