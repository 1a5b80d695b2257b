"""Reading runs: their progress, proposals with reasons in words, the waitlist, and a
participant's own places."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import date, datetime
from typing import Any

import msgspec
from piccolo.columns.combination import Combinable

from service import clock
from service.errors import NotFound
from service.formats import format_clock
from service.i18n import gettext as _
from service.matching.inputs import PLANNED_STATUSES
from service.matching.schemas import (
    MyPlace,
    PartOut,
    ProposalOut,
    RunDetail,
    RunOut,
    UnplacedOut,
)
from service.matching.services._shared import slot_label
from service.matching.tables import (
    Change,
    MatchingProposal,
    MatchingRun,
    MatchingUnplaced,
    RunMode,
    RunStatus,
)
from service.matching.words import blocker_lines, placement_lines
from service.people.tables import Goal, Participant
from service.placements import queries
from service.placements.tables import Placement


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
    return {"queued": 0, "loading": 10, "explaining": 95, "storing": 98}.get(stage, 0)


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
        error_text=error_words(row["error"], row["heartbeat_at"]),
        created_at=row["created_at"],
        published_at=row["published_at"],
        started_at=row["started_at"],
        last_sign_of_life=row["heartbeat_at"],
        stop_requested=row["stop_requested_at"] is not None,
        parts=msgspec.json.decode(row["parts"] or "[]", type=list[PartOut]),
    )


def error_words(error: str, last_sign_of_life: datetime | None) -> str:
    """Why a run failed, in words ("" when it did not)."""
    if not error:
        return ""
    if error == "worker_stopped":
        if last_sign_of_life is None:
            return _("The worker stopped: it never showed a sign of life.")
        local = last_sign_of_life
        return _("The worker stopped: no sign of life since %(time)s.", time=format_clock(local))
    if error == "not_started":
        return _("No worker took the run up; start it again.")
    if error == "not_queued":
        return _("The run could not be queued; start it again.")
    return _("The run failed (%(error)s).", error=error)


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


def _proposal_out(
    row: dict[str, Any], goal_texts: dict[int, str], changes: set[str]
) -> ProposalOut:
    reason = json.loads(row["reason"] or "{}")
    return ProposalOut(
        id=row["id"],
        participant_id=row["participant"],
        participant_name=row["participant.display_name"],
        slot_id=row["slot"],
        slot_label=slot_label(row),
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
        MatchingUnplaced.explained,
        MatchingUnplaced.participant.display_name,
        MatchingUnplaced.participant.referral_date,
    ).where(MatchingUnplaced.run == run_id)
    out = [
        UnplacedOut(
            participant_id=r["participant"],
            participant_name=r["participant.display_name"],
            referral_date=r["participant.referral_date"],
            blockers=(blockers := json.loads(r["blockers"])),
            reason_text=blocker_lines(blockers)
            if r["explained"]
            else [_("the reasons were not worked out within the run's time limit")],
            explained=r["explained"],
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
