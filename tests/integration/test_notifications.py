"""The notification outbox: queued with its cause, delivered once to a real SMTP server
(aiosmtpd in this process), through real Redis and burst workers; cancellations,
absences, failures and back-off, the one-click unsubscribe."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest
from arq.worker import Worker

from service import clock, events
from service.auth.tables import Role
from service.db import bind_engine, transaction
from service.jobs import ArqQueue
from service.notifications import services
from service.notifications.channels import Answer, Outgoing, Senders, senders_from
from service.notifications.schemas import Draft, PreferencesIn
from service.notifications.services import outbox
from service.notifications.services.messages import evening_before
from service.notifications.tables import FailingAddress, Notification
from service.people.schemas import ParticipantIn
from service.people.services import save_participant
from service.people.tables import Participant, ParticipantStatus
from service.placements.schemas import AbsenceIn
from service.placements.services import PlacementIn, end_placement, place, record_absence
from service.schedule.services import cancel_session
from service.schedule.tables import Session, SessionStaff
from service.worker import worker_settings
from tests import frozen_time
from tests import schedule_helpers as h
from tests.helpers import make_user
from tests.smtp_server import smtp_server, text_of

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture
def mailbox():
    with smtp_server() as (box, port):
        box.port = port
        yield box


@pytest.fixture
def mail_settings(settings, mailbox):
    return replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        smtp_starttls=False,
        smtp_timeout=5,
        public_url="https://tupa.example.org",
    )


@pytest.fixture
def at():
    """Move the tests' clock; it goes back to the usual moment afterwards."""
    yield lambda moment: frozen_time.move_to(moment)
    frozen_time.move_to(frozen_time.test_now())


async def participant(name: str, email: str, contact_staff: int | None = None, **prefs) -> int:
    data = ParticipantIn(
        display_name=name,
        status=ParticipantStatus.active,
        contact=email,
        contact_staff_id=contact_staff,
        preferred_language=prefs.pop("language", "fi"),
    )
    pid = (await save_participant(h.ACTOR, data)).id
    await services.save_preferences(h.ACTOR, PreferencesIn(email=True, **prefs), participant_id=pid)
    return pid


@pytest.fixture
async def week(db):
    """Woodwork at Pajatalo every weekday from 9 to 12, Aino (Finnish) and Eero
    (English) placed; Olli is Aino's contact staff member and Ilona runs the sessions."""
    today = clock.today()
    since = today - timedelta(days=7)
    site = await h.site("Pajatalo", address="Verstaskatu 1")
    activity = await h.activity(site, what_to_bring="Work shoes")
    olli = await make_user(Role.staff, "olli@example.org", language="en")
    ilona = await make_user(Role.staff, "ilona@example.org")
    slots = [
        await h.slot(
            activity, weekday=day, start=time(9), end=time(12), valid_from=since, today=since
        )
        for day in range(7)
    ]
    aino = await participant("Aino", "aino@example.org", contact_staff=olli.id)
    eero = await participant("Eero", "eero@example.org", language="en")
    for pid in (aino, eero):
        for slot in slots:
            await place(h.ACTOR, PlacementIn(participant_id=pid, slot_id=slot, start_date=since))
    for row in await Session.select(Session.id):
        await SessionStaff(session=row["id"], user=ilona.id).save()
    return {"aino": aino, "eero": eero, "olli": olli, "ilona": ilona, "today": today}


async def session_on(day) -> dict:
    row = await Session.select().where(Session.date == day).first()
    assert row is not None
    return row


async def rows(**where) -> list[dict]:
    query = Notification.select().order_by(Notification.id)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return await query


def noon_before(day) -> datetime:
    return datetime.combine(day - timedelta(days=1), time(12), tzinfo=HELSINKI)


async def test_evening_reminder_is_queued_once_and_emailed_in_the_recipients_language(
    week, mail_settings, mailbox, at
):
    tomorrow = week["today"] + timedelta(days=1)
    at(noon_before(tomorrow))
    session = await session_on(tomorrow)
    assert await services.queue_reminders(18) >= 2
    await services.queue_reminders(18)  # the hourly run again: nothing new
    reminders = [r for r in await rows(kind="reminder") if r["session"] == session["id"]]
    assert sorted(r["address"] for r in reminders) == ["aino@example.org", "eero@example.org"]
    evening = evening_before(tomorrow, 18, HELSINKI)
    assert {r["due_at"] for r in reminders} == {evening}
    assert reminders[0]["dedup_key"].startswith(f"reminder:session-{session['id']}:")

    senders = senders_from(mail_settings)
    assert await services.deliver_due(mail_settings, senders) == 0  # not due before 18:00
    at(evening + timedelta(minutes=1))
    await services.deliver_due(mail_settings, senders)
    (to_eero,) = [m for m in mailbox.to("eero@example.org") if "Reminder" in m["Subject"]]
    body = text_of(to_eero)
    assert "Woodwork" in body and "Work shoes" in body and "Pajatalo, Verstaskatu 1" in body
    assert f"https://tupa.example.org/me/sessions/{session['id']}/absence" in body
    assert to_eero["List-Unsubscribe"].startswith("<https://tupa.example.org/unsubscribe/")
    assert to_eero["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (to_aino,) = [
        m for m in mailbox.to("aino@example.org") if m["X-Tupa-Notification"].startswith("reminder")
    ]
    assert str(to_aino["Subject"]).startswith("Muistutus: Woodwork")  # Aino reads Finnish
    assert "Mukaan: Work shoes" in text_of(to_aino)
    assert all(
        r["state"] == "sent" for r in await rows(kind="reminder") if r["session"] == session["id"]
    )


async def test_a_cancelled_session_sends_its_cancellation_and_not_its_reminder(
    week, mail_settings, mailbox, at
):
    tomorrow = week["today"] + timedelta(days=1)
    at(noon_before(tomorrow))
    session = await session_on(tomorrow)
    await services.queue_reminders(18)
    await cancel_session(h.ACTOR, session["id"], "The instructor is ill")
    states = {(r["kind"], r["state"]) for r in await rows() if r["session"] == session["id"]}
    assert states == {("reminder", "cancelled"), ("session_cancelled", "queued")}
    at(evening_before(tomorrow, 18, HELSINKI) + timedelta(minutes=5))
    await services.deliver_due(mail_settings, senders_from(mail_settings))
    about_it = [k for k in mailbox.notification_keys() if f"session-{session['id']}:" in k]
    assert sorted(k.split(":")[0] for k in about_it) == ["session_cancelled", "session_cancelled"]
    cancelled = [
        m for m in mailbox.to("eero@example.org") if "session_cancelled" in m["X-Tupa-Notification"]
    ]
    assert "The instructor is ill" in text_of(cancelled[0])


async def test_a_failed_transaction_queues_nothing(week):
    session = await session_on(week["today"] + timedelta(days=1))
    with pytest.raises(RuntimeError):
        async with transaction():
            await Session.update({Session.status: "cancelled"}).where(Session.id == session["id"])
            await events.publish(events.SessionsChanged(session_ids=(session["id"],)))
            assert await rows(kind="session_cancelled")  # written inside, with the change
            raise RuntimeError("the change fails")
    assert await rows(kind="session_cancelled") == []


async def test_i_cant_come_tells_the_contact_staff_member_and_the_instructor(
    week, mail_settings, mailbox
):
    session = await session_on(week["today"] + timedelta(days=2))
    await record_absence(
        h.ACTOR, week["aino"], AbsenceIn(session_id=session["id"], note="Doctor"), given_by=None
    )
    await services.deliver_due(mail_settings, senders_from(mail_settings))
    assert sorted(m["To"] for m in mailbox.messages) == ["ilona@example.org", "olli@example.org"]
    assert "Doctor" in text_of(mailbox.to("olli@example.org")[0])


ABSENCE = {
    "title": "Woodwork",
    "date": "2026-09-17",
    "start": "09:00",
    "end": "12:00",
    "name": "Aino",
    "note": "",
}


def drafts(count: int, address: str = "someone@example.org") -> list[Draft]:
    return [
        Draft(
            dedup_key=f"test:n-{n}",
            kind="absence",
            channel="email",
            address=address,
            language="en",
            due_at=clock.utcnow() - timedelta(seconds=1),
            payload=ABSENCE,
        )
        for n in range(count)
    ]


async def queue_plain(count: int, address: str = "someone@example.org") -> None:
    async with transaction():
        await outbox.queue(drafts(count, address))


async def run_burst_workers(settings, count: int) -> None:
    workers = [
        Worker(**worker_settings(settings, burst=True, poll_delay=0.05, handle_signals=False))
        for _ in range(count)
    ]
    try:
        await asyncio.gather(*(worker.main() for worker in workers))
    finally:
        for worker in workers:
            await worker.close()


async def test_two_workers_racing_deliver_each_message_exactly_once(
    db, mail_settings, mailbox, redis
):
    await queue_plain(40)
    settings = replace(mail_settings, redis_url=redis, queue_name="tupa:test-notify")
    queue = ArqQueue(settings)
    await queue.start()
    try:
        for n in range(6):
            await queue.enqueue("deliver_notifications", job_id=f"deliver-{n}", batch=3)
        await run_burst_workers(settings, 2)
    finally:
        await queue.stop()
        bind_engine(db.engine)
    keys = mailbox.notification_keys()
    assert sorted(keys) == sorted(f"test:n-{n}" for n in range(40))  # none twice, none lost
    assert {r["state"] for r in await rows()} == {"sent"}


class Stuck:
    """A sender that hangs in its first send, like a worker killed mid-batch."""

    name = "stuck"

    def __init__(self) -> None:
        self.started = asyncio.Event()

    async def send(self, message: Outgoing) -> Answer:
        self.started.set()
        await asyncio.Event().wait()
        raise AssertionError("never")


async def test_a_worker_killed_between_claim_and_send_loses_nothing_and_repeats_nothing(
    db, mail_settings, mailbox, redis, at
):
    await queue_plain(10)
    stuck = Stuck()
    killed = asyncio.create_task(
        services.deliver_due(mail_settings, Senders(email=stuck, sms=stuck), batch=4)
    )
    await stuck.started.wait()
    killed.cancel()  # the worker dies holding 4 claimed rows
    with pytest.raises(asyncio.CancelledError):
        await killed
    assert len(await rows(state="sending")) == 4
    settings = replace(mail_settings, redis_url=redis, queue_name="tupa:test-notify")
    queue = ArqQueue(settings)
    await queue.start()
    try:
        await queue.enqueue("deliver_notifications", job_id="after-the-crash")
        await run_burst_workers(settings, 1)
        assert len(mailbox.notification_keys()) == 6  # the dead worker's rows wait for its lease
        at(clock.utcnow() + outbox.LEASE + timedelta(seconds=5))
        await queue.enqueue("deliver_notifications", job_id="after-the-lease")
        await run_burst_workers(settings, 1)
    finally:
        await queue.stop()
        bind_engine(db.engine)
    assert sorted(mailbox.notification_keys()) == sorted(f"test:n-{n}" for n in range(10))


async def test_a_passing_failure_waits_longer_each_time_and_a_refusal_marks_the_address(
    db, mail_settings, mailbox, at
):
    mailbox.refuse["busy@example.org"] = "451 Try again later"
    mailbox.refuse["gone@example.org"] = "550 No such user"
    async with transaction():
        await outbox.queue(drafts(1, "busy@example.org"))
        await outbox.queue([replace_key(d, "gone") for d in drafts(1, "gone@example.org")])
    senders = senders_from(mail_settings)
    await services.deliver_due(mail_settings, senders)
    (busy,) = await rows(address="busy@example.org")
    (gone,) = await rows(address="gone@example.org")
    assert (gone["state"], gone["attempts"]) == ("failed", 1)
    assert "550" in gone["last_answer"]
    assert await FailingAddress.exists().where(FailingAddress.address == "gone@example.org")
    assert (busy["state"], busy["attempts"]) == ("queued", 1)
    waits = [busy["due_at"] - clock.utcnow()]
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        (busy,) = await rows(address="busy@example.org")
        at(busy["due_at"] + timedelta(seconds=1))
        await services.deliver_due(mail_settings, senders)
        (after,) = await rows(address="busy@example.org")
        if after["state"] == "queued":
            waits.append(after["due_at"] - clock.utcnow())
    assert all(later > earlier for earlier, later in itertools.pairwise(waits))
    assert (after["state"], after["attempts"]) == ("failed", outbox.MAX_ATTEMPTS)
    assert mailbox.messages == []
    assert await services.retry(h.ACTOR, after["id"])
    mailbox.refuse.clear()
    await services.deliver_due(mail_settings, senders)
    assert mailbox.notification_keys() == ["test:n-0"]


def replace_key(d: Draft, prefix: str) -> Draft:
    return msgspec.structs.replace(d, dedup_key=f"{prefix}:{d.dedup_key}")


async def test_a_new_place_and_an_ended_place_are_told_in_the_participants_words(
    week, mail_settings, mailbox
):
    starts = week["today"] + timedelta(days=3)
    (slot_id,) = [
        r["slot"] for r in await Session.select(Session.slot).where(Session.date == starts)
    ][:1]
    helmi = await participant("Helmi", "helmi@example.org", language="en")
    placement = await place(
        h.ACTOR, PlacementIn(participant_id=helmi, slot_id=slot_id, start_date=starts)
    )
    await end_placement(h.ACTOR, placement.id, starts + timedelta(days=14))
    await services.deliver_due(mail_settings, senders_from(mail_settings))
    new, ended = sorted(mailbox.to("helmi@example.org"), key=lambda m: m["X-Tupa-Notification"])[
        ::-1
    ]
    assert new["X-Tupa-Notification"].startswith("placement_new:")
    assert "you have a place" in text_of(new) and "Woodwork at Pajatalo" in text_of(new)
    assert ended["X-Tupa-Notification"].startswith("placement_ended:")
    assert "ends on" in text_of(ended)
    # Aino and Eero, placed long ago, heard nothing of this
    assert not [m for m in mailbox.messages if m["To"] != "helmi@example.org"]


async def test_coordinators_hear_of_the_weeks_reviews_once_on_monday(week, mail_settings, mailbox):
    monday = clock.next_monday()
    await make_user(Role.coordinator, "kaisa@example.org", language="en")
    await Participant.update({Participant.next_review: monday + timedelta(days=2)}).where(
        Participant.id == week["aino"]
    )
    await Participant.update({Participant.next_review: monday + timedelta(days=30)}).where(
        Participant.id == week["eero"]
    )
    assert await services.queue_reviews_due(monday + timedelta(days=1)) == 0  # a Tuesday
    assert await services.queue_reviews_due(monday) == 1
    assert await services.queue_reviews_due(monday) == 1  # the same week's: still one row
    await services.deliver_due(mail_settings, senders_from(mail_settings))
    (message,) = mailbox.to("kaisa@example.org")
    assert message["Subject"] == "1 goal review due this week"
    assert "Aino" in text_of(message) and "Eero" not in text_of(message)
