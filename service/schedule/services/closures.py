"""Closures: days a site (or every site) is closed; the sessions they hit are cancelled,
and planned again when the closure is removed."""

from __future__ import annotations

from datetime import date
from typing import Any

from service import events
from service.audit.services import Actor, record
from service.catalog import services as catalog
from service.catalog.tables import Site
from service.db import transaction
from service.errors import InvalidInput, NotFound
from service.i18n import gettext as _
from service.schedule.schemas import ClosureIn, ClosureOut
from service.schedule.services.generation import generate_sessions
from service.schedule.tables import Closure, WeeklySlot


async def list_closures(*, upcoming_from: date | None = None) -> list[ClosureOut]:
    """The closures by first day; with `upcoming_from`, those not over by then."""
    query = Closure.select().order_by(Closure.start_date)
    if upcoming_from is not None:
        query = query.where(Closure.end_date >= upcoming_from)
    return [_closure_out(row) for row in await query]


async def add_closure(actor: Actor, data: ClosureIn, *, today: date | None = None) -> ClosureOut:
    """Close a site (or every site) for some days; the sessions it hits are cancelled."""
    if data.end_date < data.start_date:
        raise InvalidInput("end_date", _("The closure must end on or after its first day."))
    if data.site_id is not None and not await catalog.exists(Site, data.site_id):
        raise InvalidInput("site_id", _("There is no site %(id)s.", id=data.site_id))
    async with transaction():
        row = Closure(
            site=data.site_id,
            start_date=data.start_date,
            end_date=data.end_date,
            reason=data.reason.strip(),
        )
        await row.save()
        await record(
            actor,
            "closure.create",
            entity="closure",
            entity_id=row.id,
            details={
                "site_id": data.site_id,
                "start": data.start_date.isoformat(),
                "end": data.end_date.isoformat(),
                "reason": row.reason,
            },
        )
        slot_ids = await _slot_ids_at(data.site_id)
        generated = await generate_sessions(today=today, slot_ids=slot_ids)
    await events.publish(
        events.ClosureChanged(slot_ids=tuple(slot_ids or ()), everything=slot_ids is None)
    )
    added = _closure_out(await catalog.get_row(Closure, row.id, ""))
    added.cancelled = generated.cancelled
    return added


async def remove_closure(actor: Actor, closure_id: int, *, today: date | None = None) -> None:
    """Remove a closure; the sessions it cancelled are planned again."""
    row = await catalog.get_row(
        Closure, closure_id, _("There is no closure %(id)s.", id=closure_id)
    )
    async with transaction():
        removed = await Closure.delete().where(Closure.id == closure_id).returning(Closure.id)
        if not removed:  # removed by someone else at the same moment
            raise NotFound(_("There is no closure %(id)s.", id=closure_id))
        await record(
            actor,
            "closure.delete",
            entity="closure",
            entity_id=closure_id,
            details={"reason": row["reason"]},
        )
        slot_ids = await _slot_ids_at(row["site"])
        await generate_sessions(today=today, slot_ids=slot_ids)
    await events.publish(
        events.ClosureChanged(slot_ids=tuple(slot_ids or ()), everything=slot_ids is None)
    )


async def _slot_ids_at(site_id: int | None) -> list[int] | None:
    """The slots of a site, or None (every slot) for a closure of every site."""
    if site_id is None:
        return None
    rows = await WeeklySlot.select(WeeklySlot.id).where(WeeklySlot.activity.site == site_id)
    return [row["id"] for row in rows]


def _closure_out(row: dict[str, Any]) -> ClosureOut:
    """A closure row as the API shows it."""
    return ClosureOut(
        id=row["id"],
        site_id=row["site"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        reason=row["reason"],
    )
