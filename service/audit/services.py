"""The one function every write path calls: `record`."""

from __future__ import annotations

from typing import Any

import msgspec

# Actor and AuditFilter stay importable from here: every area's services (and the tests)
# import them from `service.audit.services`.
from service.audit.schemas import Actor, AuditEntry, AuditFilter
from service.audit.tables import AuditEvent

__all__ = ["Actor", "AuditEntry", "AuditFilter", "list_events", "record"]


async def record(
    actor: Actor,
    action: str,
    *,
    entity: str = "",
    entity_id: object = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Write one audit event. Call it inside the transaction of the change it records,
    so that the change and its record are kept or lost together."""
    await AuditEvent.insert(
        AuditEvent(
            actor=actor.user_id,
            actor_label=actor.label[:254],
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            ip=actor.ip[:64],
            user_agent=actor.user_agent[:200],
            details=msgspec.json.encode(details or {}).decode(),
        )
    )


async def list_events(
    filters: AuditFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEntry], int]:
    """Newest first, with the total count for paging."""
    where = []
    if filters.action:
        where.append(AuditEvent.action.like(f"{filters.action}%"))
    if filters.actor:
        where.append(AuditEvent.actor_label.ilike(f"%{filters.actor}%"))
    if filters.entity:
        where.append(AuditEvent.entity == filters.entity)
    if filters.entity_id:
        where.append(AuditEvent.entity_id == filters.entity_id)
    query = AuditEvent.select().order_by(AuditEvent.id, ascending=False).limit(limit).offset(offset)
    count = AuditEvent.count()
    if where:
        query = query.where(*where)
        count = count.where(*where)
    rows = await query
    return [_entry(row) for row in rows], await count


def _entry(row: dict[str, Any]) -> AuditEntry:
    details = row["details"]
    return AuditEntry(
        id=row["id"],
        at=row["at"],
        actor_id=row["actor"],
        actor_label=row["actor_label"],
        action=row["action"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        ip=row["ip"],
        user_agent=row["user_agent"],
        details=msgspec.json.decode(details) if isinstance(details, str) else details,
    )
