"""Labels and choices for the review pages."""

from __future__ import annotations

from service.i18n import gettext as _
from service.matching.inputs import PLANNED_STATUSES
from service.matching.schemas import RunOut
from service.matching.services._shared import slot_label
from service.matching.tables import RunStatus
from service.people.tables import Participant
from service.schedule.tables import WeeklySlot


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
    return {r["id"]: slot_label(r, prefix="") for r in rows}


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
