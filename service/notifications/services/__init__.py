"""The notifications area's services; callers import them from here."""

from service.notifications.services.delivery import deliver_due
from service.notifications.services.messages import (
    on_absence,
    on_sessions_changed,
    queue_reminders,
)
from service.notifications.services.outbox import claim_due, retry
from service.notifications.services.preferences import (
    e164,
    preferences,
    save_preferences,
    turn_off,
)

__all__ = [
    "claim_due",
    "deliver_due",
    "e164",
    "on_absence",
    "on_sessions_changed",
    "preferences",
    "queue_reminders",
    "retry",
    "save_preferences",
    "turn_off",
]
