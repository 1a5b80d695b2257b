"""What is sent, and when: each function turns a change (or the time of day) into
outbox rows. The event handlers run inside the transaction of the change, so a message
is queued exactly when its cause commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from service import clock
from service.db import transaction
from service.notifications.quiet import after_quiet_hours
from service.notifications.schemas import Draft, Recipient
from service.notifications.services import outbox
from service.notifications.services.recipients import (
    participant_recipients,
    preferences_of_participants,
    quiet_hours,
    staff_recipients,
)
from service.placements.queries import expected_at
from service.placements.tables import AbsenceNotice, Placement, PlacementStatus
from service.schedule.tables import Session, SessionStaff, SessionStatus

#: Changes to sessions further ahead than this are left to the calendar feeds: a
#: closure cancelling a month of sessions must not send a month of messages.
NOTICE_HORIZON = timedelta(days=14)
#: An evening reminder that could not go out within this long after its hour is dropped.
REMINDER_GRACE = timedelta(hours=3)


async def session_facts(session_ids: Iterable[int]) -> list[dict[str, Any]]:
    """What a message about a session says: when, where, what, and what to bring."""
    ids = list(session_ids)
    if not ids:
        return []
    return await Session.select(
        Session.id,
        Session.date,
        Session.start,
        Session.end,
        Session.starts_at,
        Session.status,
        Session.sequence,
        Session.cancel_reason,
        Session.activity.title,
        Session.activity.what_to_bring,
        Session.site.name,
        Session.site.address,
        Session.site.time_zone,
    ).where(Session.id.is_in(ids))


def session_payload(facts: dict[str, Any], public_url: str = "") -> dict[str, Any]:
    return {
        "session_id": facts["id"],
        "title": facts["activity.title"],
        "date": facts["date"].isoformat(),
        "start": facts["start"].isoformat(timespec="minutes"),
        "end": facts["end"].isoformat(timespec="minutes"),
        "place": facts["site.name"],
        "address": facts["site.address"],
        "what_to_bring": facts["activity.what_to_bring"],
        "reason": facts["cancel_reason"],
        "absence_path": f"/me/sessions/{facts['id']}/absence",
    }


def draft(
    kind: str,
    key: str,
    recipient: Recipient,
    payload: dict[str, Any],
    due_at: datetime,
    tz: ZoneInfo,
    session_id: int | None = None,
) -> Draft:
    """A message to one recipient; `key` says what it is about (the dedup key is the
    kind, the key, the recipient and the channel)."""
    quiet = quiet_hours(recipient)
    if quiet is not None:
        due_at = after_quiet_hours(due_at, tz, *quiet)
    return Draft(
        dedup_key=f"{kind}:{key}:{recipient.who}:{recipient.channel}",
        kind=kind,
        channel=recipient.channel,
        address=recipient.address,
        language=recipient.language,
        due_at=due_at,
        payload=payload,
        recipient_user=recipient.user_id,
        recipient_participant=recipient.participant_id,
        session_id=session_id,
    )


# --- sessions cancelled or moved --------------------------------------------------------


async def on_sessions_changed(session_ids: Iterable[int]) -> None:
    """A cancelled or moved session, soon enough to matter, is told to those expected
    there; its queued reminders are withdrawn (a moved one gets new ones)."""
    now = clock.utcnow()
    changed = [
        facts
        for facts in await session_facts(session_ids)
        if facts["status"] in (SessionStatus.cancelled.value, SessionStatus.moved.value)
    ]
    if not changed:
        return
    await outbox.cancel_queued([facts["id"] for facts in changed], ["reminder"])
    drafts: list[Draft] = []
    for facts in changed:
        if not now < facts["starts_at"] < now + NOTICE_HORIZON:
            continue
        expected = [e.participant_id for e in await expected_at(facts["id"])]
        cancelled = facts["status"] == SessionStatus.cancelled.value
        kind = "session_cancelled" if cancelled else "session_moved"
        # A second cancellation after a restore is news again; so is every new time.
        about = (
            f"session-{facts['id']}:seq-{facts['sequence']}"
            if cancelled
            else f"session-{facts['id']}:{facts['starts_at'].isoformat()}"
        )
        tz = ZoneInfo(facts["site.time_zone"])
        for recipients in (await participant_recipients(expected)).values():
            drafts.extend(
                draft(kind, about, r, session_payload(facts), now, tz, facts["id"])
                for r in recipients
            )
    await outbox.queue(drafts)


# --- "I can't come" -----------------------------------------------------------------------


async def on_absence(session_id: int, participant_id: int) -> None:
    """Tell the participant's contact staff member and the session's instructors."""
    notice = (
        await AbsenceNotice.select(
            AbsenceNotice.note,
            AbsenceNotice.participant.display_name,
            AbsenceNotice.participant.contact_staff,
        )
        .where(
            (AbsenceNotice.session == session_id) & (AbsenceNotice.participant == participant_id)
        )
        .first()
    )
    found = await session_facts([session_id])
    facts = found[0] if found else None
    if notice is None or facts is None or facts["starts_at"] <= clock.utcnow():
        return
    staff = [
        row["user"]
        for row in await SessionStaff.select(SessionStaff.user).where(
            SessionStaff.session == session_id
        )
    ]
    payload = {
        **session_payload(facts),
        "name": notice["participant.display_name"],
        "note": notice["note"],
    }
    tz = ZoneInfo(facts["site.time_zone"])
    recipients = await staff_recipients([notice["participant.contact_staff"], *staff], "")
    await outbox.queue(
        draft(
            "absence",
            f"session-{session_id}:person-{participant_id}",
            r,
            payload,
            clock.utcnow(),
            tz,
            session_id,
        )
        for r in recipients
    )


# --- reminders ----------------------------------------------------------------------------


def evening_before(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """The reminder hour on the evening before `day`, local to the site, as UTC."""
    local = datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return local.replace(hour=hour).astimezone(ZoneInfo("UTC"))


async def queue_reminders(evening_hour: int, *, ahead: timedelta = timedelta(hours=40)) -> int:
    """Queue the reminders of the sessions starting within `ahead`: the evening before
    (at `evening_hour`, site time) and, for who asked, a chosen time before the start.
    Run every hour; a reminder already queued is not queued again. How many drafts."""
    now = clock.utcnow()
    sessions = await Session.select(Session.id).where(
        (Session.starts_at > now)
        & (Session.starts_at <= now + ahead)
        & (Session.status != SessionStatus.cancelled.value)
    )
    count = 0
    for facts in await session_facts(row["id"] for row in sessions):
        drafts = await _reminders_of(facts, evening_hour, now)
        if drafts:
            async with transaction():
                await outbox.queue(drafts)
        count += len(drafts)
    return count


async def _reminders_of(facts: dict[str, Any], evening_hour: int, now: datetime) -> list[Draft]:
    expected = [e for e in await expected_at(facts["id"]) if e.absence_given_at is None]
    if not expected:
        return []
    recipients = await participant_recipients(e.participant_id for e in expected)
    preferences = await preferences_of_participants(list(recipients))
    tz = ZoneInfo(facts["site.time_zone"])
    about = f"session-{facts['id']}:{facts['starts_at'].isoformat()}"
    payload = session_payload(facts)
    drafts: list[Draft] = []
    for participant_id, addresses in recipients.items():
        preference = preferences[participant_id]
        moments = []
        evening = evening_before(facts["date"], evening_hour, tz)
        if preference["evening_reminder"] and now <= evening + REMINDER_GRACE:
            moments.append(("evening", max(evening, now)))
        if preference["minutes_before"]:
            before = facts["starts_at"] - timedelta(minutes=preference["minutes_before"])
            moments.append((f"before-{preference['minutes_before']}", max(before, now)))
        for name, due in moments:
            drafts.extend(
                draft("reminder", f"{about}:{name}", r, payload, due, tz, facts["id"])
                for r in addresses
            )
    return drafts


# --- a new or ended place ------------------------------------------------------------------


async def on_placements_changed(participant_ids: Iterable[int], slot_ids: Iterable[int]) -> None:
    """A place from today on (a published plan, or one made by hand) or a place that
    ends is told to the participant: "From 12 January you have a place: ..."."""
    people, slots = list(set(participant_ids)), list(set(slot_ids))
    if not people or not slots:
        return
    today = clock.today()
    rows = await Placement.select(
        Placement.id,
        Placement.participant,
        Placement.start_date,
        Placement.end_date,
        Placement.status,
        Placement.slot.weekday,
        Placement.slot.start,
        Placement.slot.end,
        Placement.slot._.activity._.title,
        Placement.slot._.activity._.site._.name,
        Placement.slot._.activity._.site._.time_zone,
    ).where(
        Placement.participant.is_in(people)
        & Placement.slot.is_in(slots)
        & (
            (
                (Placement.status == PlacementStatus.confirmed.value)
                & (Placement.start_date >= today)
            )
            | ((Placement.status == PlacementStatus.ended.value) & (Placement.end_date >= today))
        )
    )
    if not rows:
        return
    recipients = await participant_recipients(row["participant"] for row in rows)
    now = clock.utcnow()
    drafts: list[Draft] = []
    for row in rows:
        ended = row["status"] == PlacementStatus.ended.value
        kind = "placement_ended" if ended else "placement_new"
        day = row["end_date"] if ended else row["start_date"]
        payload = {
            "title": row["slot.activity.title"],
            "place": row["slot.activity.site.name"],
            "weekday": row["slot.weekday"],
            "start": row["slot.start"].isoformat(timespec="minutes"),
            "end": row["slot.end"].isoformat(timespec="minutes"),
            "date": day.isoformat(),
        }
        tz = ZoneInfo(row["slot.activity.site.time_zone"])
        about = f"placement-{row['id']}:{day.isoformat()}"
        for recipient in recipients.get(row["participant"], []):
            if recipient.who.startswith("person-"):  # the support person gets reminders only
                drafts.append(draft(kind, about, recipient, payload, now, tz))
    await outbox.queue(drafts)
