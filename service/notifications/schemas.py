"""Structs in and out of the notifications services."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

import msgspec

from service.bounds import Input, RowId, text


class Draft(msgspec.Struct, frozen=True, kw_only=True):
    """A message to queue: who gets what, over which channel, from when."""

    dedup_key: str
    kind: str
    channel: str
    address: str
    language: str
    due_at: datetime
    payload: dict[str, Any]
    recipient_user: int | None = None
    recipient_participant: int | None = None
    session_id: int | None = None


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """One address of one person, and whose it is (`who` goes into dedup keys)."""

    who: str
    channel: str
    address: str
    language: str
    user_id: int | None = None
    participant_id: int | None = None
    quiet_from: time | None = None
    quiet_until: time | None = None


class NotificationOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    channel: str
    address: str
    state: str
    due_at: datetime
    attempts: int
    last_answer: str
    sent_at: datetime | None
    subject: str
    recipient_user_id: int | None
    recipient_participant_id: int | None


class PreferencesOut(msgspec.Struct, kw_only=True):
    email: bool
    sms: bool
    phone: str
    evening_reminder: bool
    minutes_before: int | None
    quiet_from: time
    quiet_until: time
    support_person_reminders: bool
    week_ahead: bool


MinutesBefore = Annotated[int, msgspec.Meta(ge=15, le=24 * 60)]


class PreferencesIn(Input, kw_only=True):
    email: bool = False
    sms: bool = False
    #: A mobile number in any common writing; stored as E.164 (`+358401234567`).
    phone: Annotated[str, text(30)] = ""
    evening_reminder: bool = True
    minutes_before: MinutesBefore | None = None
    quiet_from: time = time(21, 0)
    quiet_until: time = time(8, 0)
    support_person_reminders: bool = False
    week_ahead: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.sms and not self.phone.strip():
            raise ValueError("Invalid `phone`: give a mobile number to receive SMS")


__all__ = ["Draft", "NotificationOut", "PreferencesIn", "PreferencesOut", "Recipient", "RowId"]
