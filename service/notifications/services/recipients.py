"""Who receives a message, where, in which language, and whether they agreed to it.

A participant receives messages only over the channels they consented to (their
`NotificationPreference`); their support person receives reminders and changes only if
the participant agreed. Staff receive email unless they turned it off."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from typing import Any

from service.auth.tables import User
from service.notifications.schemas import Recipient
from service.notifications.tables import Channel, NotificationPreference
from service.people.tables import Participant


def looks_like_email(address: str) -> bool:
    return "@" in address and " " not in address.strip()


async def preferences_of_participants(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await NotificationPreference.select().where(
        NotificationPreference.participant.is_in(wanted)
    )
    return {row["participant"]: row for row in rows}


async def participant_recipients(
    participant_ids: Iterable[int], *, with_support: bool = True
) -> dict[int, list[Recipient]]:
    """Each participant's consented addresses (and their support person's, if agreed)."""
    wanted = list(set(participant_ids))
    if not wanted:
        return {}
    people = await Participant.select(
        Participant.id,
        Participant.preferred_language,
        Participant.contact,
        Participant.support_contact,
        Participant.user.email,
        Participant.erased_at,
    ).where(Participant.id.is_in(wanted))
    preferences = await preferences_of_participants(wanted)
    found: dict[int, list[Recipient]] = {}
    for person in people:
        preference = preferences.get(person["id"])
        if preference is None or person["erased_at"] is not None:
            continue
        found[person["id"]] = _addresses(person, preference, with_support=with_support)
    return found


def _addresses(
    person: dict[str, Any], preference: dict[str, Any], *, with_support: bool
) -> list[Recipient]:
    pid, language = person["id"], person["preferred_language"] or "fi"
    quiet = {"quiet_from": preference["quiet_from"], "quiet_until": preference["quiet_until"]}
    found = []
    email = person["contact"] if looks_like_email(person["contact"]) else person["user.email"]
    if preference["email"] and email and looks_like_email(email):
        found.append(
            Recipient(
                who=f"person-{pid}",
                channel=Channel.email.value,
                address=email.strip(),
                language=language,
                participant_id=pid,
            )
        )
    if preference["sms"] and preference["phone"]:
        found.append(
            Recipient(
                who=f"person-{pid}",
                channel=Channel.sms.value,
                address=preference["phone"],
                language=language,
                participant_id=pid,
                **quiet,
            )
        )
    support = person["support_contact"]
    if with_support and preference["support_person_reminders"] and looks_like_email(support):
        found.append(
            Recipient(
                who=f"support-{pid}",
                channel=Channel.email.value,
                address=support.strip(),
                language=language,
                participant_id=pid,
            )
        )
    return found


async def staff_recipients(user_ids: Iterable[int], default_language: str) -> list[Recipient]:
    """Active staff accounts' email, unless they turned email off."""
    wanted = list({uid for uid in user_ids if uid is not None})
    if not wanted:
        return []
    users = await User.select(User.id, User.email, User.language).where(
        User.id.is_in(wanted) & (User.is_active == True)  # noqa: E712 (Piccolo's operator)
    )
    refusing = {
        row["user"]
        for row in await NotificationPreference.select(NotificationPreference.user).where(
            NotificationPreference.user.is_in(wanted) & (NotificationPreference.email == False)  # noqa: E712
        )
    }
    return [
        Recipient(
            who=f"user-{user['id']}",
            channel=Channel.email.value,
            address=user["email"],
            language=user["language"] or default_language,
            user_id=user["id"],
        )
        for user in sorted(users, key=lambda u: u["id"])
        if user["id"] not in refusing and looks_like_email(user["email"])
    ]


def quiet_hours(recipient: Recipient) -> tuple[time, time] | None:
    if recipient.quiet_from is None or recipient.quiet_until is None:
        return None
    return recipient.quiet_from, recipient.quiet_until
