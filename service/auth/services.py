"""Accounts: sign-in, users, password resets and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from service import clock, events
from service.audit.services import Actor, record
from service.auth import passwords
from service.auth.permissions import may
from service.auth.schemas import (
    CurrentUser,
    TokenCreated,
    TokenOut,
    UserCreate,
    UserOut,
    UserUpdate,
)
from service.auth.tables import ApiToken, Role, User, UserSite
from service.catalog.tables import Site
from service.db import contains_text, row_lock, transaction
from service.errors import Conflict, InvalidInput, NotFound
from service.i18n import gettext as _
from service.people.tables import Participant
from service.settings import LANGUAGES

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_PREFIX = "tupa_"  # noqa: S105 (a marker, not a secret)
SITE_ROLES = {Role.staff, Role.partner}
# last_used_at is written at most this often, so that a busy client costs no writes.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def password_stamp(password_hash: str | None, signed_out_at: datetime | None = None) -> str:
    """Changes whenever the password does and whenever the user is signed out everywhere:
    sessions made before a password change, a reset or a deactivation stop working (also
    after the account is made active again)."""
    revoked = signed_out_at.isoformat() if signed_out_at else ""
    return hashlib.sha256(f"{password_hash or ''}|{revoked}".encode()).hexdigest()[:16]


# --- signing in -------------------------------------------------------------------


async def authenticate(email: str, password: str) -> CurrentUser | None:
    """The active user with this email and password, or None. Takes as long for an
    unknown email as for a wrong password."""
    row = await User.select().where(User.email == normalize_email(email)).first()
    if not await passwords.verify_password(row["password_hash"] if row else None, password):
        return None
    if row is None or not row["is_active"]:
        return None
    changes: dict[Any, Any] = {User.last_login_at: clock.utcnow()}
    if passwords.needs_rehash(row["password_hash"]):
        changes[User.password_hash] = await passwords.hash_password(password)
    await User.update(changes).where(User.id == row["id"])
    return await load_current_user(row["id"])


async def user_id_for_email(email: str) -> int | None:
    """The id of the account with this email, if any: what a failed sign-in is about,
    so that erasing that person finds the event by reference."""
    row = await User.select(User.id).where(User.email == normalize_email(email)).first()
    return row["id"] if row else None


async def load_current_user(user_id: int) -> CurrentUser | None:
    row = await User.select().where((User.id == user_id) & (User.is_active == True)).first()  # noqa: E712
    if row is None:
        return None
    return CurrentUser(
        id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        language=row["language"] or await _profile_language(row["id"], row["role"]),
        site_ids=tuple(await _site_ids(row["id"])) if row["role"] in SITE_ROLES else (),
        must_change_password=row["must_change_password"],
        password_stamp=password_stamp(row["password_hash"], row["signed_out_at"]),
    )


async def _profile_language(user_id: int, role: str) -> str:
    """A participant who chose no language reads the one of their profile (the
    coordinator records it with them); others have none and the browser decides."""
    if role != Role.participant.value:
        return ""
    row = (
        await Participant.select(Participant.preferred_language)
        .where(Participant.user == user_id)
        .first()
    )
    return row["preferred_language"] if row else ""


async def _site_ids(user_id: int) -> list[int]:
    rows = await UserSite.select(UserSite.site).where(UserSite.user == user_id)
    return sorted(row["site"] for row in rows)


# --- users ------------------------------------------------------------------------


async def list_users(*, role: Role | None = None, search: str = "") -> list[UserOut]:
    query = User.select().order_by(User.role).order_by(User.email)
    if role:
        query = query.where(User.role == role.value)
    if search:
        query = query.where(
            contains_text(User.email, search) | contains_text(User.display_name, search)
        )
    rows = await query
    links = await UserSite.select(UserSite.user, UserSite.site)
    sites_by_user: dict[int, list[int]] = {}
    for link in links:
        sites_by_user.setdefault(link["user"], []).append(link["site"])
    return [_user_out(row, sorted(sites_by_user.get(row["id"], []))) for row in rows]


async def get_user(user_id: int) -> UserOut:
    row = await User.select().where(User.id == user_id).first()
    if row is None:
        raise NotFound(_("There is no user %(id)s.", id=user_id))
    return _user_out(row, await _site_ids(user_id))


async def create_user(actor: Actor, data: UserCreate) -> UserOut:
    email = normalize_email(data.email)
    _check_email(email)
    check_language(data.language)
    if data.password is not None:
        _check_password(data.password)
    # Hashed before the transaction, which would otherwise wait on it with its lock held.
    password_hash = await passwords.hash_password(data.password) if data.password else None
    async with transaction():
        await _check_sites_exist(_unique(data.site_ids))
        site_ids = _unique(data.site_ids) if data.role in SITE_ROLES else []
        if await User.exists().where(User.email == email):
            raise Conflict(_("A user with the email %(email)s already exists.", email=email))
        user = User(
            email=email,
            role=data.role.value,
            display_name=data.display_name.strip(),
            language=data.language,
            password_hash=password_hash,
            must_change_password=data.must_change_password,
        )
        await user.save()
        await _set_sites(user.id, site_ids)
        await record(
            actor,
            "user.create",
            entity="user",
            entity_id=user.id,
            details={"email": email, "role": data.role.value, "site_ids": site_ids},
        )
    return await get_user(user.id)


async def update_user(actor: Actor, user_id: int, data: UserUpdate) -> UserOut:
    current = await get_user(user_id)
    changes: dict[Any, Any] = {}
    if data.display_name is not None:
        changes[User.display_name] = data.display_name.strip()
    if data.role is not None:
        changes[User.role] = data.role.value
    if data.language is not None:
        check_language(data.language)
        changes[User.language] = data.language
    if data.is_active is not None:
        if actor.user_id == user_id and not data.is_active:
            raise InvalidInput("is_active", _("You cannot deactivate your own account."))
        changes[User.is_active] = data.is_active
    role = data.role or current.role
    requested = None if data.site_ids is None else _unique(data.site_ids)
    site_ids = current.site_ids if requested is None else requested
    if role not in SITE_ROLES:
        site_ids = []
    async with transaction(row_lock(User, user_id)):  # site lists replaced one after the other
        await _check_sites_exist(requested or [])
        if changes:
            await User.update(changes).where(User.id == user_id)
        if data.is_active is False and current.is_active:
            await sign_out_everywhere(actor, user_id, reason="deactivated")
        if site_ids != current.site_ids:
            await _set_sites(user_id, site_ids)
        await record(
            actor,
            "user.update",
            entity="user",
            entity_id=user_id,
            details={
                **{column._meta.name: value for column, value in changes.items()},
                "site_ids": site_ids,
            },
        )
    await events.publish(events.UserChanged(user_id=user_id, deactivated=data.is_active is False))
    return await get_user(user_id)


async def reset_password(actor: Actor, user_id: int) -> str:
    """Give the user a temporary password that they must change at their next sign-in."""
    await get_user(user_id)
    temporary = passwords.temporary_password()
    password_hash = await passwords.hash_password(temporary)
    async with transaction():
        await User.update(
            {User.password_hash: password_hash, User.must_change_password: True}
        ).where(User.id == user_id)
        await record(actor, "user.password_reset", entity="user", entity_id=user_id)
        await sign_out_everywhere(actor, user_id, reason="password_reset")
    return temporary


async def change_password(actor: Actor, user: CurrentUser, current: str, new: str) -> None:
    row = await User.select(User.password_hash).where(User.id == user.id).first()
    if row is None or not await passwords.verify_password(row["password_hash"], current):
        raise InvalidInput("current_password", _("The current password is not right."))
    _check_password(new, field="new_password")
    if new == current:
        raise InvalidInput("new_password", _("The new password must differ from the current one."))
    password_hash = await passwords.hash_password(new)
    async with transaction():
        await User.update(
            {User.password_hash: password_hash, User.must_change_password: False}
        ).where(User.id == user.id)
        await record(actor, "user.password_change", entity="user", entity_id=user.id)
        await sign_out_everywhere(actor, user.id, reason="password_change")


async def sign_out_everywhere(actor: Actor, user_id: int, *, reason: str) -> None:
    """End every session of the user (their stamp changes) and revoke their API tokens;
    called inside the transaction of the change that asks for it."""
    now = clock.utcnow()
    await User.update({User.signed_out_at: now}).where(User.id == user_id)
    revoked = (
        await ApiToken.update({ApiToken.revoked_at: now})
        .where((ApiToken.user == user_id) & ApiToken.revoked_at.is_null())
        .returning(ApiToken.id)
    )
    await record(
        actor,
        "user.signed_out_everywhere",
        entity="user",
        entity_id=user_id,
        details={"reason": reason, "tokens_revoked": len(revoked)},
    )


async def set_language(actor: Actor, user_id: int, language: str) -> None:
    check_language(language)
    async with transaction():
        await User.update({User.language: language}).where(User.id == user_id)
        await record(
            actor, "user.language", entity="user", entity_id=user_id, details={"language": language}
        )


def _user_out(row: dict[str, Any], site_ids: list[int]) -> UserOut:
    return UserOut(
        id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        language=row["language"],
        is_active=row["is_active"],
        site_ids=site_ids,
        created_at=row["created_at"],
        last_login_at=row["last_login_at"],
    )


def _unique(ids: list[int]) -> list[int]:
    return sorted(set(ids))


def _check_email(email: str) -> None:
    if not EMAIL_PATTERN.match(email):
        raise InvalidInput("email", _("This is not an email address."))


def check_language(language: str, offered: Iterable[str] = LANGUAGES) -> None:
    """Refuse a language Tupa does not speak or this provider does not offer."""
    choices = tuple(offered)
    if language and language not in choices:
        raise InvalidInput("language", _("Choose one of: %(choices)s.", choices=", ".join(choices)))


def _check_password(password: str, field: str = "password") -> None:
    if len(password) < passwords.MIN_LENGTH:
        raise InvalidInput(field, _("Use at least %(n)s characters.", n=passwords.MIN_LENGTH))


async def _check_sites_exist(site_ids: list[int]) -> None:
    if not site_ids:
        return
    found = {row["id"] for row in await Site.select(Site.id).where(Site.id.is_in(site_ids))}
    if missing := sorted(set(site_ids) - found):
        raise InvalidInput(
            "site_ids", _("Unknown site ids: %(ids)s.", ids=", ".join(map(str, missing)))
        )


async def _set_sites(user_id: int, site_ids: list[int]) -> None:
    await UserSite.delete().where(UserSite.user == user_id)
    if site_ids:
        await UserSite.insert(*[UserSite(user=user_id, site=site) for site in site_ids])


# --- API tokens -------------------------------------------------------------------


def hash_token(secret: str) -> str:
    """Tokens carry 256 random bits, so a fast hash is enough to store them safely."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_expiry(now: datetime, expires_in_days: int | None, max_age: timedelta) -> datetime:
    """When a new token stops working: what was asked for, at most `max_age` from now."""
    asked = timedelta(days=expires_in_days) if expires_in_days else max_age
    return now + min(asked, max_age)


async def create_token(
    actor: Actor,
    user: CurrentUser,
    name: str,
    expires_in_days: int | None,
    *,
    max_age: timedelta,
) -> TokenCreated:
    """A new token for the user; it expires after `expires_in_days`, never later than
    `max_age` (the setting `TUPA_TOKEN_MAX_AGE_DAYS`)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = token_expiry(clock.utcnow(), expires_in_days, max_age)
    async with transaction():
        token = ApiToken(
            user=user.id,
            name=name.strip(),
            token_hash=hash_token(secret),
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            expires_at=expires_at,
        )
        await token.save()
        await record(
            actor,
            "token.create",
            entity="api_token",
            entity_id=token.id,
            details={"name": token.name},
        )
    return TokenCreated(token=secret, details=await get_token(token.id))


async def get_token(token_id: int) -> TokenOut:
    row = await ApiToken.select().where(ApiToken.id == token_id).first()
    if row is None:
        raise NotFound(_("There is no token %(id)s.", id=token_id))
    return _token_out(row)


async def list_tokens(user: CurrentUser) -> list[TokenOut]:
    """The user's own tokens; an administrator sees everyone's."""
    query = ApiToken.select().order_by(ApiToken.id, ascending=False)
    if not may(user, "users.manage"):
        query = query.where(ApiToken.user == user.id)
    return [_token_out(row) for row in await query]


async def revoke_token(actor: Actor, user: CurrentUser, token_id: int) -> TokenOut:
    token = await get_token(token_id)
    if token.user_id != user.id and not may(user, "users.manage"):
        raise NotFound(_("There is no token %(id)s.", id=token_id))
    if token.revoked_at is None:
        async with transaction():
            await ApiToken.update({ApiToken.revoked_at: clock.utcnow()}).where(
                ApiToken.id == token_id
            )
            await record(actor, "token.revoke", entity="api_token", entity_id=token_id)
    return await get_token(token_id)


def token_is_live(row: dict[str, Any], now: datetime, max_age: timedelta) -> bool:
    """Not revoked, not past its own expiry, and younger than the maximum lifetime in
    force now (so lowering the setting also ends older tokens)."""
    if row["revoked_at"] is not None:
        return False
    if row["expires_at"] is not None and row["expires_at"] <= now:
        return False
    return bool(row["created_at"] + max_age > now)


async def user_for_token(secret: str, max_age: timedelta) -> CurrentUser | None:
    """The user behind a live bearer token, or None for an unknown, revoked or expired one."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = await ApiToken.select().where(ApiToken.token_hash == hash_token(secret)).first()
    now = clock.utcnow()
    if row is None or not token_is_live(row, now, max_age):
        return None
    last_used: datetime | None = row["last_used_at"]
    if last_used is None or now - last_used > TOKEN_TOUCH_INTERVAL:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return await load_current_user(row["user"])


async def purge_dead_tokens(older_than: timedelta) -> int:
    cutoff = clock.utcnow() - older_than
    deleted = (
        await ApiToken.delete()
        .where((ApiToken.revoked_at < cutoff) | (ApiToken.expires_at < cutoff))
        .returning(ApiToken.id)
    )
    return len(deleted)


def _token_out(row: dict[str, Any]) -> TokenOut:
    return TokenOut(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        user_id=row["user"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )
