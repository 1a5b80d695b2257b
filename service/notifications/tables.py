"""The outbox: one row per message to one recipient over one channel. A row is written
in the transaction of the change that causes it and delivered later by a job."""

from enum import StrEnum

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.time import TimeCustom
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.auth.tables import User
from service.people.tables import Participant
from service.schedule.tables import Session
from service.tables import Identified


class NotificationState(StrEnum):
    queued = "queued"  # waiting for its due time (or its next attempt)
    sending = "sending"  # claimed by a worker
    sent = "sent"
    failed = "failed"  # gave up: refused, or too many attempts
    cancelled = "cancelled"  # no longer true (a reminder of a cancelled session)


class Channel(StrEnum):
    email = "email"
    sms = "sms"


class Notification(Identified, Table, tablename="notification"):
    #: Says what the message is about, so the same message is never queued twice:
    #: `reminder:session-412:person-7:evening`.
    dedup_key = Varchar(length=200, unique=True, index=True)
    kind = Varchar(length=40)
    channel = Varchar(length=12, choices=Channel)
    recipient_user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=True, index=True)
    recipient_participant = ForeignKey(
        references=Participant, on_delete=OnDelete.cascade, null=True, index=True
    )
    address = Varchar(length=254)
    language = Varchar(length=8, default="en")
    payload = JSON(default="{}")
    session = ForeignKey(references=Session, on_delete=OnDelete.set_null, null=True, index=True)
    due_at = Timestamptz(index=True)
    state = Varchar(length=12, choices=NotificationState, default="queued", index=True)
    attempts = Integer(default=0)
    claim = Varchar(length=40, default="")
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    last_answer = Varchar(length=500, default="")
    subject = Varchar(length=300, default="")
    body = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class FailingAddress(Identified, Table, tablename="failing_address"):
    """An address a provider refused (a bounce): shown to staff until it is changed."""

    address = Varchar(length=254, unique=True, index=True)
    reason = Varchar(length=500, default="")
    failed_at = Timestamptz(default=TimestamptzNow())
    cleared = Boolean(default=False)


class NotificationPreference(Identified, Table, tablename="notification_preference"):
    """What one person (a participant, or a staff member's account) wants to receive,
    and over which channels they agreed to it. No row: nothing is sent to a participant;
    a staff member gets email."""

    participant = ForeignKey(
        references=Participant, on_delete=OnDelete.cascade, null=True, unique=True, index=True
    )
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=True, unique=True)
    #: Consent per channel.
    email = Boolean(default=False)
    sms = Boolean(default=False)
    phone = Varchar(length=20, default="")
    evening_reminder = Boolean(default=True)
    #: Also a reminder this many minutes before the start (None: not).
    minutes_before = Integer(null=True, default=None)
    #: No SMS at night: a message due between these local times waits until the end.
    quiet_from = Time(default=TimeCustom(hour=21, minute=0, second=0))
    quiet_until = Time(default=TimeCustom(hour=8, minute=0, second=0))
    #: The participant agrees that their support person gets the reminders too.
    support_person_reminders = Boolean(default=False)
    week_ahead = Boolean(default=False)
    updated_at = Timestamptz(default=TimestamptzNow())
