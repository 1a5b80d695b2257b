"""Login cards: many participants have no email, so staff print a card with a one-time
code and a QR code that signs the participant in without a password. Issuing a new card
revokes the old one; a card can also be revoked alone."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from service import clock
from service.audit.services import Actor, record
from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.auth.services import load_current_user
from service.auth.tables import Role, User
from service.db import row_lock, transaction
from service.errors import Forbidden
from service.i18n import gettext as _
from service.people.services import visible_row
from service.people.tables import LoginCard, Participant

#: A card not used within this time stops working.
CARD_LIFETIME = timedelta(days=30)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def _hash(code: str) -> str:
    return hashlib.sha256(normalize(code).encode()).hexdigest()


def normalize(code: str) -> str:
    """What people type: any case, with or without dashes and spaces."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))  # about 60 bits
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


@dataclass(frozen=True)
class IssuedCard:
    """A card made for the participant, as the participant's own page tells of it."""

    created_at: datetime
    created_by: str


async def issue(actor: Actor, user: CurrentUser, participant_id: int) -> str:
    """A new card for the participant (an account is made if they have none); older
    cards stop working. Returns the code, which is stored only as a hash. A card for a
    participant who signs in with a password lets its holder in as them: only
    coordinators make one (`login_cards.replace_password`), and the participant's own
    page tells them of it (`recent_cards`)."""
    row = await visible_row(user, participant_id)
    has_password = await _has_password(row["user"])
    if has_password and not may(user, "login_cards.replace_password"):
        raise Forbidden(
            _("This participant signs in with a password: ask a coordinator for a login card.")
        )
    code = _new_code()
    # The participant's row is locked: two cards issued at once make one account, and
    # the second revokes the first.
    async with transaction(row_lock(Participant, participant_id)):
        row = await visible_row(user, participant_id)
        account = row["user"] or await _make_account(participant_id, row["display_name"])
        await LoginCard.update({LoginCard.revoked_at: clock.utcnow()}).where(
            (LoginCard.participant == participant_id)
            & LoginCard.revoked_at.is_null()
            & LoginCard.used_at.is_null()
        )
        await LoginCard.insert(
            LoginCard(participant=participant_id, code_hash=_hash(code), created_by=user.id)
        )
        await record(
            actor,
            "login_card.issue",
            entity="participant",
            entity_id=participant_id,
            details={"account": account, "has_password": has_password},
        )
    return code


async def _has_password(account: int | None) -> bool:
    if account is None:
        return False
    row = await User.select(User.password_hash).where(User.id == account).first()
    return bool(row and row["password_hash"])


async def recent_cards(participant_id: int) -> list[IssuedCard]:
    """The cards made for the participant within a card's lifetime, newest first: the
    participant's page tells of them, so that a card they did not ask for is noticed."""
    rows = (
        await LoginCard.select(LoginCard.created_at, LoginCard.created_by.display_name)
        .where(
            (LoginCard.participant == participant_id)
            & (LoginCard.created_at >= clock.utcnow() - CARD_LIFETIME)
        )
        .order_by(LoginCard.created_at, ascending=False)
    )
    return [
        IssuedCard(created_at=r["created_at"], created_by=r["created_by.display_name"] or "")
        for r in rows
    ]


async def revoke(actor: Actor, user: CurrentUser, participant_id: int) -> int:
    await visible_row(user, participant_id)
    async with transaction():
        revoked = (
            await LoginCard.update({LoginCard.revoked_at: clock.utcnow()})
            .where(
                (LoginCard.participant == participant_id)
                & LoginCard.revoked_at.is_null()
                & LoginCard.used_at.is_null()
            )
            .returning(LoginCard.id)
        )
        await record(
            actor,
            "login_card.revoke",
            entity="participant",
            entity_id=participant_id,
            details={"cards": len(revoked)},
        )
    return len(revoked)


async def redeem(actor: Actor, code: str) -> CurrentUser | None:
    """Use the card once: the participant's account, or None for an unknown, used,
    revoked or expired code. A conditional update makes a second use fail even when two
    devices try at the same moment."""
    card = await _live_card(code)
    if card is None:
        return None
    used = (
        await LoginCard.update({LoginCard.used_at: clock.utcnow()})
        .where(
            (LoginCard.id == card["id"])
            & LoginCard.used_at.is_null()
            & LoginCard.revoked_at.is_null()
        )
        .returning(LoginCard.id)
    )
    if not used or card["participant.user"] is None:
        return None
    await record(actor, "login_card.use", entity="participant", entity_id=card["participant"])
    return await load_current_user(card["participant.user"])


async def _live_card(code: str) -> dict | None:
    if len(normalize(code)) != 12:
        return None
    card = (
        await LoginCard.select(
            LoginCard.id,
            LoginCard.participant,
            LoginCard.created_at,
            LoginCard.used_at,
            LoginCard.revoked_at,
            LoginCard.participant.user,
            LoginCard.participant.erased_at,
        )
        .where(LoginCard.code_hash == _hash(code))
        .first()
    )
    if card is None or card["used_at"] or card["revoked_at"] or card["participant.erased_at"]:
        return None
    if card["created_at"] < clock.utcnow() - CARD_LIFETIME:
        return None
    return card


async def _make_account(participant_id: int, display_name: str) -> int:
    """An account for a participant without email: its address is internal only."""
    user = User(
        email=f"participant-{participant_id}-{secrets.token_hex(4)}@card.tupa.invalid",
        role=Role.participant.value,
        display_name=display_name,
    )
    await user.save()
    await Participant.update({Participant.user: user.id}).where(Participant.id == participant_id)
    return user.id
