"""The weekly messages: on Monday morning, the goal reviews due that week (and those
overdue) to each coordinator."""

from __future__ import annotations

from datetime import date

from service import clock
from service.auth.schemas import CurrentUser
from service.auth.tables import Role, User
from service.db import transaction
from service.notifications.services import outbox
from service.notifications.services.messages import draft
from service.notifications.services.recipients import staff_recipients
from service.people.services import due_reviews

#: Monday (date.weekday()).
REVIEW_DAY = 0


async def queue_reviews_due(today: date | None = None) -> int:
    """On Mondays: one message per coordinator with the reviews due within the week.
    Other days, and a week with none due, queue nothing. How many were queued."""
    today = today or clock.today()
    if today.weekday() != REVIEW_DAY:
        return 0
    year, week, _day = today.isocalendar()
    coordinators = await User.select(User.id, User.email, User.display_name).where(
        (User.role == Role.coordinator.value) & (User.is_active == True)  # noqa: E712
    )
    recipients = {r.user_id: r for r in await staff_recipients([c["id"] for c in coordinators], "")}
    drafts = []
    for coordinator in coordinators:
        recipient = recipients.get(coordinator["id"])
        if recipient is None:
            continue
        user = CurrentUser(
            id=coordinator["id"],
            email=coordinator["email"],
            display_name=coordinator["display_name"],
            role=Role.coordinator,
        )
        due = await due_reviews(user, within_days=6, today=today)
        if not due:
            continue
        payload = {
            "count": len(due),
            "reviews": [
                {"name": d.display_name, "date": d.next_review.isoformat(), "id": d.participant_id}
                for d in due
            ],
        }
        drafts.append(
            draft(
                "reviews_due",
                f"week-{year}-{week:02d}",
                recipient,
                payload,
                clock.utcnow(),
                clock.provider_time_zone(),
            )
        )
    if drafts:
        async with transaction():
            await outbox.queue(drafts)
    return len(drafts)
