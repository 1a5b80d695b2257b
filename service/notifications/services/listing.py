"""Reading the outbox: a person's own messages, one recipient's for planners, the
whole outbox for administrators, and the addresses that are failing."""

from __future__ import annotations

from typing import Any

from service.notifications.schemas import NotificationOut
from service.notifications.tables import FailingAddress, Notification


def _out(row: dict[str, Any]) -> NotificationOut:
    return NotificationOut(
        id=row["id"],
        kind=row["kind"],
        channel=row["channel"],
        address=row["address"],
        state=row["state"],
        due_at=row["due_at"],
        attempts=row["attempts"],
        last_answer=row["last_answer"],
        sent_at=row["sent_at"],
        subject=row["subject"],
        recipient_user_id=row["recipient_user"],
        recipient_participant_id=row["recipient_participant"],
    )


async def list_notifications(
    *,
    user_id: int | None = None,
    participant_id: int | None = None,
    state: str | None = None,
    limit: int = 100,
) -> list[NotificationOut]:
    """Newest first; `user_id` and `participant_id` together mean either of them."""
    query = Notification.select().order_by(Notification.id, ascending=False).limit(limit)
    whose = []
    if user_id is not None:
        whose.append(Notification.recipient_user == user_id)
    if participant_id is not None:
        whose.append(Notification.recipient_participant == participant_id)
    if len(whose) == 2:
        query = query.where(whose[0] | whose[1])
    elif whose:
        query = query.where(whose[0])
    if state:
        query = query.where(Notification.state == state)
    return [_out(row) for row in await query]


async def outbox_page(limit: int = 200) -> list[dict[str, Any]]:
    """The latest rows with what was (or would have been) sent, for /admin/outbox."""
    return await (
        Notification.select(
            Notification.id,
            Notification.kind,
            Notification.channel,
            Notification.address,
            Notification.state,
            Notification.due_at,
            Notification.sent_at,
            Notification.attempts,
            Notification.last_answer,
            Notification.subject,
            Notification.body,
        )
        .order_by(Notification.id, ascending=False)
        .limit(limit)
    )


async def failing_addresses(addresses: list[str]) -> dict[str, str]:
    """Which of these addresses a provider refused, and why."""
    wanted = [a for a in addresses if a]
    if not wanted:
        return {}
    rows = await FailingAddress.select(FailingAddress.address, FailingAddress.reason).where(
        FailingAddress.address.is_in(wanted) & (FailingAddress.cleared == False)  # noqa: E712
    )
    return {row["address"]: row["reason"] for row in rows}


async def notification_owner(notification_id: int) -> dict[str, Any] | None:
    return (
        await Notification.select(
            Notification.id, Notification.recipient_user, Notification.recipient_participant
        )
        .where(Notification.id == notification_id)
        .first()
    )


async def delivery_problems(participant_id: int) -> dict[str, Any]:
    """What staff see on a participant's profile: messages that could not be delivered
    (given up) and the participant's addresses a provider refused."""
    failed = await list_notifications(participant_id=participant_id, state="failed", limit=10)
    addresses = {
        row["address"]
        for row in await Notification.select(Notification.address).where(
            Notification.recipient_participant == participant_id
        )
    }
    return {"failed": failed, "failing": await failing_addresses(sorted(addresses))}
