"""The notification jobs: deliver the outbox (every minute, and after a change that
queued messages) and queue the coming sessions' reminders (every hour)."""

from __future__ import annotations

from typing import Any

from service.notifications import services
from service.notifications.channels import senders_from
from service.settings import Settings


async def deliver_notifications(ctx: dict[str, Any], batch: int = 20) -> int:
    """Deliver every due message; several workers may run this at once."""
    settings: Settings = ctx["settings"]
    return await services.deliver_due(settings, senders_from(settings), batch=batch)


async def queue_reminders(ctx: dict[str, Any]) -> int:
    settings: Settings = ctx["settings"]
    return await services.queue_reminders(settings.reminder_evening_hour)


async def queue_reviews_due(ctx: dict[str, Any]) -> int:
    """Daily; on Mondays it queues the week's reviews to coordinators."""
    return await services.queue_reviews_due()
