"""The notifications area's services; callers import them from here."""

from service.notifications.services.delivery import deliver_due
from service.notifications.services.listing import (
    delivery_problems,
    failing_addresses,
    list_notifications,
    notification_owner,
    outbox_page,
)
from service.notifications.services.messages import (
    on_absence,
    on_placements_changed,
    on_sessions_changed,
    queue_reminders,
)
from service.notifications.services.outbox import claim_due, retry
from service.notifications.services.preferences import (
    adopt_record_consent,
    e164,
    preferences,
    save_preferences,
    turn_off,
)
from service.notifications.services.weekly import queue_reviews_due

__all__ = [
    "adopt_record_consent",
    "claim_due",
    "deliver_due",
    "delivery_problems",
    "e164",
    "failing_addresses",
    "list_notifications",
    "notification_owner",
    "on_absence",
    "on_placements_changed",
    "on_sessions_changed",
    "outbox_page",
    "preferences",
    "queue_reminders",
    "queue_reviews_due",
    "retry",
    "save_preferences",
    "turn_off",
]
