"""The one function every write path calls, `record`; the log as administrators read
it; and `forget_subject`, what erasure does to the log."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import msgspec
from piccolo.columns.combination import Combinable

# Actor and AuditFilter stay importable from here: every area's services (and the tests)
# import them from `service.audit.services`.
from service.audit.schemas import Actor, AuditEntry, AuditFilter
from service.audit.tables import AuditEvent
from service.db import contains_text, starts_with_text

__all__ = [
    "Actor",
    "AuditEntry",
    "AuditFilter",
    "Entry",
    "RequestRecords",
    "Subject",
    "forget_subject",
    "list_events",
    "record",
    "record_many",
    "watch_request",
]

#: The tables whose rows are people: an event about one of them names it as subject.
PEOPLE_TABLES = ("participant", "user")
#: The label an erased person's events keep instead of their name or address.
ERASED_LABEL = "erased"


@dataclass(frozen=True)
class Subject:
    """The person an event is about: a row of `participant` or `user`."""

    table: str
    id: int

    @classmethod
    def participant(cls, participant_id: int) -> Subject:
        return cls("participant", participant_id)

    @classmethod
    def user(cls, user_id: int) -> Subject:
        return cls("user", user_id)


@dataclass
class RequestRecords:
    """How many events one request has written (the read audit writes one only for a
    request that wrote none)."""

    count: int = 0


_request_records: ContextVar[RequestRecords | None] = ContextVar("audit_records", default=None)


def watch_request() -> RequestRecords:
    """Start counting the events this request (this task) writes."""
    records = RequestRecords()
    _request_records.set(records)
    return records


def subject_of(
    entity: str, entity_id: object, details: dict[str, Any] | None, subject: Subject | None
) -> Subject | None:
    """Whom the event is about: the given subject; else a participant or user that is the
    entity itself; else the participant the details name (`participant_id`)."""
    if subject is not None:
        return subject
    if entity in PEOPLE_TABLES and _is_id(entity_id):
        return Subject(entity, int(str(entity_id)))
    named = (details or {}).get("participant_id")
    if _is_id(named):
        return Subject.participant(int(str(named)))
    return None


def _is_id(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isdigit()
    )


async def record(
    actor: Actor,
    action: str,
    *,
    entity: str = "",
    entity_id: object = "",
    details: dict[str, Any] | None = None,
    subject: Subject | None = None,
) -> None:
    """Write one audit event. Call it inside the transaction of the change it records,
    so that the change and its record are kept or lost together. The event names its
    subject (see `subject_of`), by which erasure finds it."""
    about = subject_of(entity, entity_id, details, subject)
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
            subject_table=about.table if about else "",
            subject_id=about.id if about else None,
        )
    )
    records = _request_records.get()
    if records is not None:
        records.count += 1


@dataclass(frozen=True)
class Entry:
    """One event of `record_many`: what `record` takes besides the actor."""

    action: str
    entity: str = ""
    entity_id: object = ""
    details: dict[str, Any] | None = None


async def record_many(actor: Actor, entries: list[Entry], *, chunk: int = 500) -> None:
    """Write many audit events of one actor in a few statements (an import of
    thousands of records); each is the event `record` would write."""
    rows = []
    for entry in entries:
        about = subject_of(entry.entity, entry.entity_id, entry.details, None)
        rows.append(
            AuditEvent(
                actor=actor.user_id,
                actor_label=actor.label[:254],
                action=entry.action,
                entity=entry.entity,
                entity_id=str(entry.entity_id),
                ip=actor.ip[:64],
                user_agent=actor.user_agent[:200],
                details=msgspec.json.encode(entry.details or {}).decode(),
                subject_table=about.table if about else "",
                subject_id=about.id if about else None,
            )
        )
    for start in range(0, len(rows), chunk):
        await AuditEvent.insert(*rows[start : start + chunk])
    records = _request_records.get()
    if records is not None:
        records.count += len(rows)


async def forget_subject(subjects: list[Subject]) -> None:
    """Erasure in the log: the events about these people keep what happened and when,
    not their details; the events they made as users lose their label. Found by
    reference only (subject, or actor for a user), never by searching text."""
    for subject in subjects:
        await AuditEvent.update({AuditEvent.details: "{}"}).where(
            (AuditEvent.subject_table == subject.table) & (AuditEvent.subject_id == subject.id)
        )
        if subject.table == "user":
            await AuditEvent.update({AuditEvent.actor_label: ERASED_LABEL}).where(
                AuditEvent.actor == subject.id
            )


async def list_events(
    filters: AuditFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEntry], int]:
    """Newest first, with the total count for paging."""
    where: list[Combinable] = []
    if filters.action:
        where.append(starts_with_text(AuditEvent.action, filters.action))
    if filters.actor:
        where.append(contains_text(AuditEvent.actor_label, filters.actor))
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
