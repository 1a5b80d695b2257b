"""Reviewing a finished run: accept or set aside its changes, pin, place someone by
hand under the same hard rules, then publish into placements (or discard).

Every check is made against the database as it is now: the placements held today,
minus the removals accepted, plus the new placements accepted. Keeping things as they
are is never refused; a change that gives someone a place is refused, naming each hard
rule it would break."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import asdict, replace
from datetime import date, timedelta
from typing import Any

import msgspec

from service import clock, events
from service.audit.services import Actor, record
from service.db import lock, named, row_lock, transaction
from service.errors import Conflict, InvalidInput, NotFound, RuleBroken
from service.i18n import gettext as _
from service.matching.explain import explain_placement
from service.matching.model import Assignment, Problem
from service.matching.schemas import (
    Loss,
    ProposalAdd,
    ProposalChange,
    ProposalOut,
    PublishCounts,
    Published,
    RunOut,
    SlotFill,
)
from service.matching.services import (
    get_run,
    inputs_for,
    proposals,
    slot_labels,
    status_label,
)
from service.matching.tables import (
    Change,
    MatchingProposal,
    MatchingRun,
    MatchingUnplaced,
    RunStatus,
)
from service.matching.validate import Violation, validate
from service.matching.words import refusal_words
from service.people.tables import Participant
from service.placements.tables import Placement, PlacementSource, PlacementStatus
from service.schedule.tables import WeeklySlot
from service.settings import Settings

# --- the plan as publishing would leave it ------------------------------------------------


def _published_plan(problem: Problem, rows: list[dict[str, Any]]) -> list[Assignment]:
    """What is held now (in the problem), with the run's accepted changes applied."""
    held = {(p.id, s) for p in problem.people for s in p.current}
    for r in rows:
        pair = (r["participant"], r["slot"])
        gives = r["change"] == Change.new and r["accepted"]
        takes = (r["change"] == Change.removed and r["accepted"]) or (
            r["change"] == Change.kept and not r["accepted"]
        )
        if gives:
            held.add(pair)
        elif takes:
            held.discard(pair)
    return [Assignment(p, s) for p, s in sorted(held)]


def _holds_after(row: Mapping[str, Any]) -> bool:
    """Whether the proposal's place is held once the review as it stands is published."""
    if row["change"] == Change.removed:
        return not row["accepted"]
    return bool(row["accepted"])


def _gives_up(row: Mapping[str, Any]) -> bool:
    """Whether publishing ends a place held now (an accepted ending, or a kept place
    set aside)."""
    if row["change"] == Change.new:
        return False
    return not _holds_after(row)


def publish_counts(rows: Iterable[Mapping[str, Any]], unplaced: Iterable[int]) -> PublishCounts:
    """What publishing the review as it stands would change (see `PublishCounts`):
    `rows` are the run's proposals (participant, change, accepted), `unplaced` the
    people the run found no place for."""
    rows = list(rows)
    gaining = {r["participant"] for r in rows if r["change"] == Change.new and r["accepted"]}
    giving_up = {r["participant"] for r in rows if _gives_up(r)}
    holding = {r["participant"] for r in rows if _holds_after(r)}
    counts = PublishCounts()
    for r in rows:
        if r["change"] == Change.new and r["accepted"]:
            if r["participant"] in giving_up:
                counts.moved += 1
            else:
                counts.new += 1
        elif _gives_up(r) and r["participant"] not in gaining:
            counts.ending += 1
    everyone = {r["participant"] for r in rows} | set(unplaced)
    counts.without_place = len(everyone - holding)
    return counts


def losses(proposals: Iterable[ProposalOut]) -> list[Loss]:
    """Those the proposal would take a place from (an ending, or a kept place set
    aside), by name; `ends_with_none` when nothing they would hold is left."""
    mine: dict[int, list[ProposalOut]] = {}
    for p in proposals:
        mine.setdefault(p.participant_id, []).append(p)
    flagged = []
    for participant_id, items in mine.items():
        ending = [
            p
            for p in items
            if p.change == Change.removed or (p.change == Change.kept and not p.accepted)
        ]
        if not ending:
            continue
        flagged.append(
            Loss(
                participant_id=participant_id,
                name=items[0].participant_name,
                ending=[p.slot_label for p in ending],
                # a kept place set aside is an ending the coordinator chose
                accepted=any(p.change == Change.kept or p.accepted for p in ending),
                ends_with_none=not any(
                    p.change == Change.new or (p.change == Change.kept and p.accepted)
                    for p in items
                ),
            )
        )
    return sorted(flagged, key=lambda loss: (not loss.ends_with_none, loss.name.casefold()))


def slot_fills(rows: Iterable[Mapping[str, Any]]) -> dict[int, tuple[int, int]]:
    """Per weekly slot, how many hold a place in it now and after publishing."""
    fills: dict[int, tuple[int, int]] = {}
    for r in rows:
        before, after = fills.get(r["slot"], (0, 0))
        fills[r["slot"]] = (
            before + (r["change"] != Change.new),
            after + _holds_after(r),
        )
    return fills


def _with_review_pins(problem: Problem, rows: list[dict[str, Any]]) -> Problem:
    """Pins on placements that exist are the coordinator's word and stay exempt from the
    rules for one slot; a new placement pinned during review is held to every rule."""
    unpinned = {(r["participant"], r["slot"]) for r in rows if not r["pinned"]}
    people = tuple(
        replace(p, pinned=frozenset(s for s in p.pinned if (p.id, s) not in unpinned))
        for p in problem.people
    )
    return replace(problem, people=people)


async def _problem_now(run: RunOut, settings: Settings) -> Problem:
    return (await inputs_for(run.first_day, run.last_day, settings)).problem


async def _refuse_broken_rules(
    problem: Problem, rows: list[dict[str, Any]], gaining: list[tuple[int, int]]
) -> None:
    """Refuse (409) if the plan breaks a rule for anyone who gains a place, or in a slot
    that gains someone."""
    gained = set(gaining)
    people = {p for p, _s in gaining}
    slots = {s for _p, s in gaining}

    def concerns_the_change(v: Violation) -> bool:
        if v.person_id is None:
            return v.slot_id in slots
        if v.person_id not in people:
            return False
        if v.rule in ("hours", "per_day"):
            return True  # one more place makes either worse
        return (v.person_id, v.slot_id) in gained or (v.person_id, v.other_slot_id) in gained

    plan = _published_plan(problem, rows)
    violations = [
        v for v in validate(_with_review_pins(problem, rows), plan) if concerns_the_change(v)
    ]
    if violations:
        labels = await slot_labels(sorted({v.other_slot_id for v in violations if v.other_slot_id}))
        raise RuleBroken(
            _("This change would break a rule."),
            [(v.rule, _violation_words(v, labels)) for v in violations],
        )


def _violation_words(violation: Violation, labels: dict[int, str]) -> str:
    words = refusal_words(violation.rule)
    other = violation.other_slot_id
    if other and other != violation.slot_id and other in labels:
        return _("%(reason)s (with %(slot)s)", reason=words, slot=labels[other])
    return words


# --- changing the proposal ------------------------------------------------------------


async def _reviewable(run_id: int) -> RunOut:
    run = await get_run(run_id)
    if run.status != RunStatus.done:
        raise Conflict(
            _(
                "This run is %(status)s; only a run ready to review can be changed.",
                status=status_label(run.status),
            )
        )
    return run


@asynccontextmanager
async def _reviewing(run_id: int) -> AsyncIterator[RunOut]:
    """A transaction holding the run's row: changes to its proposal take turns with
    each other and with publishing, and each finds the run still ready for review."""
    async with transaction(row_lock(MatchingRun, run_id)):
        yield await _reviewable(run_id)


async def _rows_of(run_id: int) -> list[dict[str, Any]]:
    return await MatchingProposal.select().where(MatchingProposal.run == run_id)


async def change_proposal(
    actor: Actor, settings: Settings, run_id: int, proposal_id: int, data: ProposalChange
) -> ProposalOut:
    """Accept or set aside one change, or pin it."""
    if data.accepted is None and data.pinned is None:
        raise InvalidInput("accepted", _("Say whether to accept it, pin it, or both."))
    async with _reviewing(run_id) as run:
        rows = await _rows_of(run_id)
        row = next((r for r in rows if r["id"] == proposal_id), None)
        if row is None:
            raise NotFound(_("There is no proposal %(id)s in this run.", id=proposal_id))
        if data.pinned is not None:
            if row["change"] == Change.removed and data.pinned:
                raise InvalidInput("pinned", _("A placement that ends cannot be pinned."))
            row["pinned"] = data.pinned
        if data.accepted is not None:
            dropping = (row["change"] != Change.removed) and not data.accepted
            if dropping and row["pinned"]:
                raise RuleBroken(
                    _("This placement is pinned; unpin it first."),
                    [("pinned", refusal_words("pinned"))],
                )
            row["accepted"] = data.accepted
        if row["change"] == Change.new and row["accepted"]:
            problem = await _problem_now(run, settings)
            await _refuse_broken_rules(problem, rows, [(row["participant"], row["slot"])])
        await MatchingProposal.update(
            {MatchingProposal.accepted: row["accepted"], MatchingProposal.pinned: row["pinned"]}
        ).where(MatchingProposal.id == proposal_id)
        await record(
            actor,
            "matching.proposal.change",
            entity="matching_proposal",
            entity_id=proposal_id,
            details={
                "accepted": row["accepted"],
                "pinned": row["pinned"],
                "participant_id": row["participant"],
            },
        )
    return await _one_proposal(run_id, row["participant"], proposal_id)


async def set_all_accepted(actor: Actor, run_id: int, accepted: bool) -> int:
    """Accept, or set aside, every new placement and every ending at once (pinned ones
    stay as they are). Publishing checks the result."""
    async with _reviewing(run_id):
        changed = (
            await MatchingProposal.update({MatchingProposal.accepted: accepted})
            .where(
                (MatchingProposal.run == run_id)
                & (MatchingProposal.change != Change.kept.value)
                & (MatchingProposal.pinned == False)  # noqa: E712 (a Piccolo expression)
            )
            .returning(MatchingProposal.id)
        )
        await record(
            actor,
            "matching.accept_all",
            entity="matching_run",
            entity_id=run_id,
            details={"accepted": accepted, "changed": len(changed)},
        )
    return len(changed)


async def add_proposal(
    actor: Actor, settings: Settings, run_id: int, data: ProposalAdd
) -> ProposalOut:
    """Give someone a place by hand, checked against the same hard rules."""
    async with _reviewing(run_id) as run:
        return await _add_proposal(actor, settings, run, data)


async def _add_proposal(
    actor: Actor, settings: Settings, run: RunOut, data: ProposalAdd
) -> ProposalOut:
    """`add_proposal` inside its transaction, which holds the run."""
    run_id = run.id
    problem = await _problem_now(run, settings)
    person = next((p for p in problem.people if p.id == data.participant_id), None)
    slots = {s.id: s for s in problem.slots}
    if person is None:
        raise InvalidInput(
            "participant_id",
            _(
                "Participant %(id)s is not active or waiting, so cannot be placed.",
                id=data.participant_id,
            ),
        )
    if data.slot_id not in slots:
        raise InvalidInput(
            "slot_id", _("There is no weekly slot %(id)s in these weeks.", id=data.slot_id)
        )
    rows = await _rows_of(run_id)
    pair = (data.participant_id, data.slot_id)
    if pair in {(a.person_id, a.slot_id) for a in _published_plan(problem, rows)}:
        raise Conflict(_("The participant already has this slot in the plan."))
    same = next((r for r in rows if (r["participant"], r["slot"]) == pair), None)
    if same is not None:  # an ending or a set-aside change: take it back
        same["accepted"] = same["change"] != Change.removed
        if same["change"] == Change.new:
            await _refuse_broken_rules(problem, rows, [pair])
        await MatchingProposal.update({MatchingProposal.accepted: same["accepted"]}).where(
            MatchingProposal.id == same["id"]
        )
        proposal_id = same["id"]
    else:
        rows.append(
            {
                "participant": pair[0],
                "slot": pair[1],
                "change": Change.new,
                "accepted": True,
                "pinned": False,
            }
        )
        await _refuse_broken_rules(problem, rows, [pair])
        mine = [slots[a.slot_id] for a in _published_plan(problem, rows) if a.person_id == pair[0]]
        proposal = MatchingProposal(
            run=run_id,
            participant=pair[0],
            slot=pair[1],
            change=Change.new,
            source=PlacementSource.manual.value,
            reason=json.dumps(asdict(explain_placement(person, slots[pair[1]], mine))),
        )
        await proposal.save()
        proposal_id = proposal.id
    await record(
        actor,
        "matching.proposal.add",
        entity="matching_proposal",
        entity_id=proposal_id,
        details={"participant_id": pair[0], "slot_id": pair[1]},
    )
    return await _one_proposal(run_id, pair[0], proposal_id)


async def _one_proposal(run_id: int, participant_id: int, proposal_id: int) -> ProposalOut:
    """One proposal as the review shows it (its participant's others say if it moved)."""
    return next(p for p in await proposals(run_id, participant_id) if p.id == proposal_id)


# --- publishing or discarding --------------------------------------------------------


async def _claim(run_id: int, status: RunStatus, **values: Any) -> None:
    """Move a run ready for review to `status`, once: a second submit finds it gone."""
    claimed = (
        await MatchingRun.update(
            {MatchingRun.status: status, **{getattr(MatchingRun, k): v for k, v in values.items()}}
        )
        .where((MatchingRun.id == run_id) & (MatchingRun.status == RunStatus.done.value))
        .returning(MatchingRun.id)
    )
    if not claimed:
        await _reviewable(run_id)  # 404, or 409 naming the state it is in
        raise Conflict(_("Someone else changed this run at the same moment; reload the page."))


async def publish(actor: Actor, settings: Settings, run_id: int) -> Published:
    """Make the reviewed plan real: accepted new placements are confirmed from the first
    day (so they fill the session rosters), accepted endings end the day before, and
    pins are set as the proposal says."""
    run = await _reviewable(run_id)
    # One publish at a time (the check for a newer plan below must see the other's),
    # and the participants and slots it changes held against placements made by hand.
    async with transaction(named("matching.publish"), row_lock(MatchingRun, run_id)):
        await _claim(
            run_id, RunStatus.published, published_at=clock.utcnow(), published_by=actor.user_id
        )
        newer = await MatchingRun.exists().where(
            (MatchingRun.id != run_id)
            & (MatchingRun.status == RunStatus.published.value)
            & (MatchingRun.published_at > run.created_at)
        )
        if newer:
            raise Conflict(
                _("Another plan was published after this run was made; start a new run.")
            )
        rows = await _rows_of(run_id)
        await lock(
            row_lock(Participant, *(r["participant"] for r in rows)),
            row_lock(WeeklySlot, *(r["slot"] for r in rows)),
        )
        gaining = [
            (r["participant"], r["slot"])
            for r in rows
            if r["change"] == Change.new and r["accepted"]
        ]
        await _refuse_broken_rules(await _problem_now(run, settings), rows, gaining)
        summary = publish_counts(rows, await _unplaced_ids(run_id))
        counts = {"created": 0, "ended": 0, "pinned": 0}
        for r in rows:
            await _apply(actor, run.first_day, r, counts)
        await record(
            actor,
            "matching.publish",
            entity="matching_run",
            entity_id=run_id,
            details={**counts, **msgspec.structs.asdict(summary)},
        )
        changed = [r for r in rows if r["change"] != Change.kept or not r["accepted"]]
        await events.publish(  # those whose week changed (feeds hear it after the commit)
            events.PlacementsChanged(
                participant_ids=tuple(r["participant"] for r in changed),
                slot_ids=tuple(r["slot"] for r in changed),
            )
        )
    return Published(run_id=run_id, counts=summary, **counts)


async def _unplaced_ids(run_id: int) -> list[int]:
    rows = await MatchingUnplaced.select(MatchingUnplaced.participant).where(
        MatchingUnplaced.run == run_id
    )
    return [r["participant"] for r in rows]


async def publish_preview(run_id: int) -> PublishCounts:
    """What publishing the run's review as it stands now would change."""
    await _reviewable(run_id)
    return publish_counts(await _rows_of(run_id), await _unplaced_ids(run_id))


async def fill_by_slot(run_id: int) -> dict[int, SlotFill]:
    """Each weekly slot of the run's proposal with its places and its fill before and
    after publishing."""
    fills = slot_fills(await _rows_of(run_id))
    if not fills:
        return {}
    places = await WeeklySlot.select(
        WeeklySlot.id,
        WeeklySlot.activity.min_participants,
        WeeklySlot.activity.max_participants,
    ).where(WeeklySlot.id.is_in(sorted(fills)))
    return {
        r["id"]: SlotFill(
            slot_id=r["id"],
            min_participants=r["activity.min_participants"],
            max_participants=r["activity.max_participants"],
            before=fills[r["id"]][0],
            after=fills[r["id"]][1],
        )
        for r in places
    }


async def _apply(
    actor: Actor, first_day: date, row: dict[str, Any], counts: dict[str, int]
) -> None:
    if row["change"] == Change.new and row["accepted"]:
        await Placement.insert(
            Placement(
                participant=row["participant"],
                slot=row["slot"],
                start_date=first_day,
                status=PlacementStatus.confirmed,
                source=PlacementSource(row["source"]),
                pinned=row["pinned"],
                created_by=actor.user_id,
                reason=row["reason"],
            )
        )
        counts["created"] += 1
        counts["pinned"] += bool(row["pinned"])
        return
    ending = (row["change"] == Change.removed and row["accepted"]) or (
        row["change"] == Change.kept and not row["accepted"]
    )
    if ending and row["placement"]:
        await _end_before(row["placement"], first_day)
        counts["ended"] += 1
    elif row["change"] == Change.kept and row["placement"]:
        await Placement.update(
            {Placement.pinned: row["pinned"], Placement.reason: row["reason"]}
        ).where(Placement.id == row["placement"])
        counts["pinned"] += bool(row["pinned"])


async def _end_before(placement_id: int, first_day: date) -> None:
    """End on the day before `first_day`; one that had not started yet is ended outright."""
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
    async with transaction():
        await _claim(run_id, RunStatus.discarded)
        await record(actor, "matching.discard", entity="matching_run", entity_id=run_id)
    return await get_run(run_id)
