"""The one place where the areas are put together: which functions are jobs, which
run nightly, and who hears which domain event. The app, the worker, the command line
and the tests call `wire()` before they start; no area imports this module."""

from __future__ import annotations

from service.calendars import subscribers as calendar_subscribers
from service.calendars.jobs import refresh_feeds
from service.jobs import CronEntry, register_jobs
from service.matching.jobs import fail_lost_matching_runs, run_matching, solve_matching_part
from service.notifications import subscribers as notification_subscribers
from service.notifications.jobs import deliver_notifications, queue_reminders, queue_reviews_due
from service.schedule.jobs import generate_sessions
from service.system.jobs import prune_job_runs, purge_expired_tokens

JOBS = (
    refresh_feeds,
    run_matching,
    solve_matching_part,
    fail_lost_matching_runs,
    generate_sessions,
    prune_job_runs,
    purge_expired_tokens,
    deliver_notifications,
    queue_reminders,
    queue_reviews_due,
)

#: Every night in the provider's time zone: the session horizon rolls forward first.
#: Every minute: matching runs whose worker stopped are failed, so none blocks the next,
#: and the notification outbox is delivered. Every hour: the coming reminders are queued.
NIGHTLY = (
    CronEntry("fail_lost_matching_runs", hour=None, minute=None),
    CronEntry("generate_sessions", hour=2, minute=30),
    CronEntry("prune_job_runs", hour=3, minute=10),
    CronEntry("purge_expired_tokens", hour=3, minute=20),
    CronEntry("deliver_notifications", hour=None, minute=None),
    CronEntry("queue_reminders", hour=None, minute=5),
    CronEntry("queue_reviews_due", hour=7, minute=0),
)


def wire() -> None:
    """Register the jobs and the event handlers (idempotent)."""
    register_jobs(JOBS, NIGHTLY, solo=(solve_matching_part,))
    calendar_subscribers.register()
    notification_subscribers.register()
