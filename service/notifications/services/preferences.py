"""Reading and saving what a person wants to receive. A phone number is stored in
E.164 (`phonenumbers`), checked where it is entered with the field named."""

from __future__ import annotations

from typing import Any

import phonenumbers

from service import clock
from service.audit.services import Actor, record
from service.db import transaction
from service.errors import InvalidInput
from service.i18n import _
from service.notifications.schemas import PreferencesIn, PreferencesOut
from service.notifications.tables import NotificationPreference
from service.people.tables import Participant

#: The region a number written without a country code is read in.
DEFAULT_REGION = "FI"


def e164(number: str, region: str = DEFAULT_REGION) -> str:
    """`number` in E.164, or InvalidInput naming the field `phone`."""
    if not number.strip():
        return ""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput("phone", _("This is not a phone number.")) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput("phone", _("This is not a valid phone number.")) from None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _owner(participant_id: int | None, user_id: int | None) -> Any:
    if participant_id is not None:
        return NotificationPreference.participant == participant_id
    return NotificationPreference.user == user_id


async def preferences(
    *, participant_id: int | None = None, user_id: int | None = None
) -> PreferencesOut:
    row = await NotificationPreference.select().where(_owner(participant_id, user_id)).first()
    if row is None:  # a participant has agreed to nothing; staff get email
        defaults = NotificationPreference(email=participant_id is None)
        row = {
            column._meta.name: getattr(defaults, column._meta.name)
            for column in NotificationPreference._meta.columns
        }
    return PreferencesOut(
        email=row["email"],
        sms=row["sms"],
        phone=row["phone"],
        evening_reminder=row["evening_reminder"],
        minutes_before=row["minutes_before"],
        quiet_from=row["quiet_from"],
        quiet_until=row["quiet_until"],
        support_person_reminders=row["support_person_reminders"],
        week_ahead=row["week_ahead"],
    )


async def save_preferences(
    actor: Actor,
    data: PreferencesIn,
    *,
    participant_id: int | None = None,
    user_id: int | None = None,
) -> PreferencesOut:
    """Replace the person's preferences (one row each, made on first save)."""
    phone = e164(data.phone)
    values: dict[Any, Any] = {
        NotificationPreference.email: data.email,
        NotificationPreference.sms: data.sms,
        NotificationPreference.phone: phone,
        NotificationPreference.evening_reminder: data.evening_reminder,
        NotificationPreference.minutes_before: data.minutes_before,
        NotificationPreference.quiet_from: data.quiet_from,
        NotificationPreference.quiet_until: data.quiet_until,
        NotificationPreference.support_person_reminders: data.support_person_reminders,
        NotificationPreference.week_ahead: data.week_ahead,
        NotificationPreference.updated_at: clock.utcnow(),
    }
    async with transaction():
        target = (
            NotificationPreference.participant if participant_id else NotificationPreference.user
        )
        await NotificationPreference.insert(
            NotificationPreference(participant=participant_id, user=user_id)
        ).on_conflict(target=target, action="DO NOTHING")
        await NotificationPreference.update(values).where(_owner(participant_id, user_id))
        await record(
            actor,
            "notifications.preferences",
            entity="participant" if participant_id else "user",
            entity_id=participant_id or user_id,
            details={"email": data.email, "sms": data.sms},
        )
    return await preferences(participant_id=participant_id, user_id=user_id)


async def turn_off(holder: str, channel: str) -> bool:
    """The one-click unsubscribe: `holder` (`participant-7`, `user-3`) no longer gets
    `channel`. False when the holder is unknown."""
    kind, _dash, number = holder.partition("-")
    if (
        not number.isdigit()
        or kind not in {"participant", "user"}
        or channel not in {"email", "sms"}
    ):
        return False
    owner = {"participant_id": int(number)} if kind == "participant" else {"user_id": int(number)}
    current = await preferences(**owner)
    changed = PreferencesIn(
        email=current.email and channel != "email",
        sms=current.sms and channel != "sms",
        phone=current.phone,
        evening_reminder=current.evening_reminder,
        minutes_before=current.minutes_before,
        quiet_from=current.quiet_from,
        quiet_until=current.quiet_until,
        support_person_reminders=current.support_person_reminders,
        week_ahead=current.week_ahead,
    )
    await save_preferences(Actor.system("one-click unsubscribe"), changed, **owner)
    return True


async def adopt_record_consent(participant_id: int) -> None:
    """A participant record without preferences takes its consent to notifications
    (the record's one flag) as consent to email and SMS, as the migration did for the
    records that existed then. Preferences once made are the participant's own."""
    row = (
        await Participant.select(Participant.consent_notifications)
        .where(Participant.id == participant_id)
        .first()
    )
    if row is None or not row["consent_notifications"]:
        return
    await NotificationPreference.insert(
        NotificationPreference(participant=participant_id, email=True, sms=True)
    ).on_conflict(target=NotificationPreference.participant, action="DO NOTHING")
