"""The evening reminders of 1,000 participants: queued by the hourly job, then delivered
by one worker's delivery job to a local SMTP server (aiosmtpd in this process). Prints
messages per second, duplicates and lost messages (by the id each email carries), and
the peak memory Python allocated meanwhile. The target (issue #16): 1,000 emails in
30 s on this machine, 0 duplicates, 0 lost.

The clock is put at noon (it ticks from there), so that the reminders are queued
whatever the hour; they are queued for the evening, and the benchmark then makes them
due now."""

from __future__ import annotations

import os
import secrets
import time
import tracemalloc
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from tempfile import TemporaryDirectory

import time_machine

from service import clock
from service.catalog.tables import Activity, Site
from service.notifications import services
from service.notifications.channels import senders_from
from service.notifications.tables import Notification, NotificationPreference
from service.people.tables import Participant
from service.placements.tables import Placement
from service.schedule.tables import Session
from service.settings import Settings
from tests import schedule_helpers as h
from tests.benchmarks.common import Row, migrated_engine
from tests.smtp_server import smtp_server

PEOPLE = int(os.environ.get("TUPA_BENCH_NOTIFY_PEOPLE") or 1_000)
PER_SLOT = 20


async def world(today) -> None:
    """Fifty woodwork groups tomorrow at Pajatalo, twenty people in each, every one
    agreeing to email."""
    site = await h.site("Pajatalo", address="Verstaskatu 1")
    activity = await h.activity(site, max_participants=PER_SLOT, what_to_bring="Work shoes")
    tomorrow = today + timedelta(days=1)
    slots = [
        await h.slot(
            activity,
            weekday=tomorrow.weekday(),
            start=clock_time(8 + n % 10),
            end=clock_time(9 + n % 10),
            valid_from=today,
            today=today,
        )
        for n in range(PEOPLE // PER_SLOT)
    ]
    await Participant.insert(
        *(
            Participant(display_name=f"P{n}", contact=f"p{n}@example.org", status="active")
            for n in range(PEOPLE)
        )
    )
    ids = [row["id"] for row in await Participant.select(Participant.id).order_by(Participant.id)]
    await NotificationPreference.insert(
        *(NotificationPreference(participant=pid, email=True) for pid in ids)
    )
    await Placement.insert(
        *(
            Placement(participant=pid, slot=slots[n // PER_SLOT], start_date=today)
            for n, pid in enumerate(ids)
        )
    )
    assert await Site.count() == 1 and await Activity.count() == 1


async def measure(kind: str, settings: Settings) -> Row:
    today = clock.today()
    await world(today)
    tomorrow_sessions = await Session.count().where(Session.date == today + timedelta(days=1))
    with smtp_server() as (mailbox, port):
        mail = replace(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        tracemalloc.start()
        started = time.perf_counter()
        queued = await services.queue_reminders(settings.reminder_evening_hour)
        queue_seconds = time.perf_counter() - started
        await Notification.update({Notification.due_at: clock.utcnow()}).where(
            Notification.kind == "reminder"
        )
        started = time.perf_counter()
        delivered = await services.deliver_due(mail, senders_from(mail), batch=50)
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        counts = Counter(mailbox.notification_keys())
    expected = {row["dedup_key"] for row in await Notification.select(Notification.dedup_key)}
    return Row(
        "notifications",
        f"{PEOPLE} evening reminders ({tomorrow_sessions} sessions) to local SMTP",
        kind,
        {
            "queued": queued,
            "queue_s": round(queue_seconds, 2),
            "delivered": delivered,
            "deliver_s": round(seconds, 2),
            "messages_per_s": round(delivered / seconds, 1) if seconds else 0,
            "duplicates": sum(n - 1 for n in counts.values() if n > 1),
            "lost": len(expected - set(counts)),
            "peak_mb": round(peak / 1e6, 1),
        },
    )


async def run(engines: list[str]) -> list[Row]:
    noon = datetime.combine(clock.today(), clock_time(12), tzinfo=clock.provider_time_zone())
    with time_machine.travel(noon, tick=True):
        return await _run(engines)


async def _run(engines: list[str]) -> list[Row]:
    rows = []
    for kind in engines:
        async with migrated_engine(kind) as (url, _engine):
            with TemporaryDirectory() as data_dir:
                settings = Settings(
                    env="test",
                    data_dir=Path(data_dir),
                    database_url=url,
                    secret_key=secrets.token_urlsafe(48),
                )
                rows.append(await measure(kind, settings))
    return rows
