"""Delivering the outbox: claim due rows, check each is still true, render it in its
recipient's language, send it over its channel and record the answer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import msgspec

from service.notifications.channels import Answer, Outgoing, Senders
from service.notifications.services import outbox
from service.notifications.services.render import render, unsubscribe_token
from service.schedule.tables import Session, SessionStatus
from service.settings import Settings

log = logging.getLogger("tupa.notifications")

#: Kinds that are about a session that must still take place.
SESSION_BOUND = frozenset({"reminder"})


async def deliver_due(settings: Settings, senders: Senders, *, batch: int = 20) -> int:
    """Deliver every due message, a batch at a time (sent side by side), until none is
    left; how many were delivered."""
    delivered = 0
    while True:
        token, rows = await outbox.claim_due(batch)
        if not rows:
            return delivered
        # The rows of a batch are independent: their sending overlaps.
        states = await asyncio.gather(*(deliver_one(row, token, settings, senders) for row in rows))
        delivered += states.count("sent")


async def deliver_one(row: dict[str, Any], token: str, settings: Settings, senders: Senders) -> str:
    if row["kind"] in SESSION_BOUND and not await _session_still_on(row["session"]):
        await outbox.drop(row, token, "the session was cancelled")
        return "cancelled"
    holder = (
        f"participant-{row['recipient_participant']}"
        if row["recipient_participant"]
        else f"user-{row['recipient_user']}"
    )
    token_ = unsubscribe_token(settings.secret_key, holder, row["channel"])
    link = f"{settings.public_url}/unsubscribe/{token_}"
    payload = row["payload"]
    if isinstance(payload, str | bytes):
        payload = msgspec.json.decode(payload or b"{}")
    try:
        rendered = render(
            row["kind"],
            row["language"] or settings.default_language,
            payload,
            unsubscribe_url=link,
            public_url=settings.public_url,
        )
    except Exception as error:  # a template's bug: this message fails, the batch goes on
        log.exception("could not render %s", row["dedup_key"])
        answer = Answer(False, f"could not render: {type(error).__name__}: {error}", permanent=True)
        return await outbox.record(row, token, answer, "", "")
    message = Outgoing(
        dedup_key=row["dedup_key"],
        address=row["address"],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        unsubscribe_url=link,
        short=rendered.short,
    )
    sender = senders.for_channel(row["channel"])
    try:
        answer = await sender.send(message)
    except Exception as error:  # a sender's bug must not stop the batch
        log.exception("sender %s failed on %s", sender.name, row["dedup_key"])
        answer = Answer(False, f"{type(error).__name__}: {error}")
    return await outbox.record(row, token, answer, rendered.subject, rendered.text)


async def _session_still_on(session_id: int | None) -> bool:
    if session_id is None:
        return False
    session = await Session.select(Session.status).where(Session.id == session_id).first()
    return session is not None and session["status"] != SessionStatus.cancelled.value
