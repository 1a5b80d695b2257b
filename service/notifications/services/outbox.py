"""The outbox itself: queue a message with the change that causes it, claim due rows
for one worker, record what the provider answered.

A row goes queued -> sending (claimed, with a claim token and time) -> sent, or back
to queued with a later due time after a failure that may pass, or failed (refused, or
too many attempts). A claim is an atomic conditional update (under `FOR UPDATE SKIP
LOCKED` on PostgreSQL, inside SQLite's single-writer transaction there), so no two
workers hold one row; a claim older than `LEASE` is taken to belong to a worker that
died before sending, and the row is claimed again."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from piccolo.columns.combination import Where
from piccolo.custom_types import Combinable

from service import clock
from service.audit.services import Actor
from service.audit.services import record as audit
from service.db import is_sqlite, transaction
from service.notifications.channels import Answer
from service.notifications.schemas import Draft
from service.notifications.tables import FailingAddress, Notification, NotificationState

#: How long a worker may hold a claimed row before another may take it over.
LEASE = timedelta(minutes=10)
#: Attempts before giving up on a message whose failures seemed passing.
MAX_ATTEMPTS = 6
#: The wait before the second attempt; each later wait doubles, up to `LONGEST_WAIT`.
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=2)

Q, S = NotificationState.queued.value, NotificationState.sending.value


async def queue(drafts: Iterable[Draft]) -> None:
    """Write these messages to the outbox (inside the caller's transaction); one whose
    dedup key is there already is left as it is."""
    rows = [
        Notification(
            dedup_key=d.dedup_key,
            kind=d.kind,
            channel=d.channel,
            address=d.address,
            language=d.language,
            payload=d.payload,
            due_at=d.due_at,
            recipient_user=d.recipient_user,
            recipient_participant=d.recipient_participant,
            session=d.session_id,
        )
        for d in drafts
    ]
    if rows:
        await Notification.insert(*rows).on_conflict(
            target=Notification.dedup_key, action="DO NOTHING"
        )


async def cancel_queued(session_ids: Iterable[int], kinds: Iterable[str]) -> None:
    """Queued messages of these kinds about these sessions are no longer true."""
    ids, wanted = list(session_ids), list(kinds)
    if ids and wanted:
        await Notification.update({Notification.state: NotificationState.cancelled.value}).where(
            Notification.session.is_in(ids)
            & Notification.kind.is_in(wanted)
            & (Notification.state == Q)
        )


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, 8 ... minutes."""
    return min(FIRST_WAIT * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _claimable(now: datetime) -> Combinable:
    return ((Notification.state == Q) & (Notification.due_at <= now)) | (
        (Notification.state == S) & (Notification.claimed_at < now - LEASE)
    )


async def claim_due(batch: int) -> tuple[str, list[dict[str, Any]]]:
    """Claim up to `batch` due rows for this worker: its claim token and the rows."""
    now, token = clock.utcnow(), uuid.uuid4().hex
    async with transaction():
        query = (
            Notification.select(Notification.id)
            .where(_claimable(now))
            .order_by(Notification.due_at, Notification.id)
            .limit(batch)
        )
        if not is_sqlite():
            query = query.lock_rows("UPDATE", skip_locked=True)
        ids = [row["id"] for row in await query]
        if not ids:
            return token, []
        await Notification.update(
            {
                Notification.state: S,
                Notification.claim: token,
                Notification.claimed_at: now,
                Notification.attempts: Notification.attempts + 1,
            }
        ).where(Notification.id.is_in(ids) & _claimable(now))
    rows = await Notification.select().where(Notification.claim == token).order_by(Notification.id)
    return token, rows


def _held(row_id: int, token: str) -> Where | Combinable:
    """The row, if this worker still holds it (its lease was not taken over)."""
    return (Notification.id == row_id) & (Notification.claim == token) & (Notification.state == S)


async def record(row: dict[str, Any], token: str, answer: Answer, subject: str, body: str) -> str:
    """Store the provider's answer; the row's new state."""
    now = clock.utcnow()
    values: dict[Any, Any] = {
        Notification.last_answer: answer.detail[:500],
        Notification.subject: subject[:300],
        Notification.body: body,
    }
    if answer.delivered:
        state = NotificationState.sent.value
        values[Notification.sent_at] = now
    elif answer.permanent or row["attempts"] >= MAX_ATTEMPTS:
        state = NotificationState.failed.value
    else:
        state = Q
        values[Notification.due_at] = now + backoff(row["attempts"])
    values[Notification.state] = state
    async with transaction():
        await Notification.update(values).where(_held(row["id"], token))
        if answer.bad_address:
            await mark_failing(row["address"], answer.detail)
    return state


async def drop(row: dict[str, Any], token: str, why: str) -> None:
    """A claimed message that is no longer true (its session was cancelled)."""
    await Notification.update(
        {Notification.state: NotificationState.cancelled.value, Notification.last_answer: why}
    ).where(_held(row["id"], token))


async def mark_failing(address: str, reason: str) -> None:
    await FailingAddress.insert(
        FailingAddress(address=address, reason=reason[:500], failed_at=clock.utcnow())
    ).on_conflict(
        target=FailingAddress.address,
        action="DO UPDATE",
        values=[
            (FailingAddress.reason, reason[:500]),
            (FailingAddress.failed_at, clock.utcnow()),
            (FailingAddress.cleared, False),
        ],
    )


async def retry(actor: Actor, notification_id: int) -> bool:
    """Send a failed (or waiting) message again now, with a fresh count of attempts.
    False when it is neither (sent, cancelled, or being sent)."""
    async with transaction():
        changed = (
            await Notification.update(
                {
                    Notification.state: Q,
                    Notification.due_at: clock.utcnow(),
                    Notification.attempts: 0,
                }
            )
            .where(
                (Notification.id == notification_id)
                & Notification.state.is_in([NotificationState.failed.value, Q])
            )
            .returning(Notification.id)
        )
        if changed:
            await audit(
                actor, "notification.retry", entity="notification", entity_id=notification_id
            )
    return bool(changed)
