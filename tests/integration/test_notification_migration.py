"""The notifications migration carries the old single consent over to a consent per
channel: whoever had agreed to notifications has agreed to email and SMS."""

from __future__ import annotations

import importlib.util

from service.notifications.tables import NotificationPreference
from service.paths import MIGRATIONS_DIR
from service.people.schemas import ParticipantIn
from service.people.services import save_participant
from tests import schedule_helpers as h


async def test_the_old_consent_becomes_consent_per_channel(db):
    agreed = await save_participant(
        h.ACTOR, ParticipantIn(display_name="Aino", consent_notifications=True)
    )
    refused = await save_participant(
        h.ACTOR, ParticipantIn(display_name="Eero", consent_notifications=False)
    )
    # records saved today adopt their flag at once; the migration met older ones bare
    await NotificationPreference.delete(force=True)
    (path,) = sorted((MIGRATIONS_DIR / "notifications").glob("notifications_*.py"))[:1]
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    manager = await migration.forwards()
    carry_over = next(s for s in manager.raw_after if s.__name__ == "consent_per_channel")
    await carry_over()  # as it ran on a database that had these participants
    rows = await NotificationPreference.select(
        NotificationPreference.participant,
        NotificationPreference.email,
        NotificationPreference.sms,
        NotificationPreference.evening_reminder,
    ).order_by(NotificationPreference.participant)
    assert rows == [
        {"participant": agreed.id, "email": True, "sms": True, "evening_reminder": True},
        {"participant": refused.id, "email": False, "sms": False, "evening_reminder": True},
    ]


async def test_a_new_record_with_consent_gets_email_and_sms_and_keeps_later_choices(db):
    aino = await save_participant(
        h.ACTOR, ParticipantIn(display_name="Aino", consent_notifications=True)
    )
    eero = await save_participant(h.ACTOR, ParticipantIn(display_name="Eero"))
    prefs = await NotificationPreference.select(
        NotificationPreference.participant, NotificationPreference.email, NotificationPreference.sms
    )
    assert prefs == [{"participant": aino.id, "email": True, "sms": True}]
    await NotificationPreference.update({NotificationPreference.sms: False}).where(
        NotificationPreference.participant == aino.id
    )
    await save_participant(  # saving the record again does not undo her choice
        h.ACTOR, ParticipantIn(display_name="Aino A.", consent_notifications=True), aino.id
    )
    (row,) = await NotificationPreference.select(NotificationPreference.sms)
    assert row["sms"] is False and eero.id != aino.id
