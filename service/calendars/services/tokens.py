"""Feed tokens: create, rotate and revoke, with who may do what.

The secret is HMAC-SHA256(SECRET_KEY, salt), 256 bits, base64url. The row keeps the
salt and SHA-256 of the secret: the database alone reveals no live URL, and the app can
still show the link again on the participant's page. After a change of SECRET_KEY the
old links still work (the lookup is by hash) but cannot be shown; the pages offer a new
link, and making it revokes the old one."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
from typing import Any

from service import clock
from service.audit.services import Actor, record
from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.auth.tables import Role, User
from service.calendars.schemas import FeedIn, FeedOut
from service.calendars.tables import FeedKind, FeedToken
from service.catalog.tables import Activity, Site
from service.db import transaction
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.i18n import gettext as _
from service.people import services as people
from service.settings import LANGUAGES

#: The scope whose version every feed shows (raised when everything changes).
ALL = "all"


def _token(secret_key: str, salt: str) -> str:
    """The feed's secret, made from the salt its row keeps."""
    digest = hmac.new(secret_key.encode(), f"tupa-feed:{salt}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """What the row keeps of the secret, and what a request is looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def feed_path(token: str) -> str:
    """The feed's path on this server."""
    return f"/feeds/{token}.ics"


def scope_of(kind: FeedKind, owner_id: int) -> str:
    """The scope whose version the feed follows (a support person's feed follows
    the participant's)."""
    base = FeedKind.participant if kind == FeedKind.support else kind
    return f"{base.value}:{owner_id}"


async def check_manager(user: CurrentUser, kind: FeedKind, owner_id: int) -> None:
    """Coordinators and administrators manage any feed; a participant their own and
    their support person's (others' are 404, as elsewhere); staff their own staff feed
    and the feeds of the participants they follow; site and activity feeds planners."""
    planner = may(user, "feeds.all")
    if kind in (FeedKind.participant, FeedKind.support):
        if not may(user, "feeds.manage"):
            raise Forbidden(_("Your role does not give access to this."))
        try:
            await people.visible_row(user, owner_id)
        except NotFound:
            if planner:
                raise InvalidInput(
                    "owner_id", _("There is no participant %(id)s.", id=owner_id)
                ) from None
            raise
        return
    if kind == FeedKind.staff:
        if not may(user, "feeds.staff", owner_id):
            raise Forbidden(_("Staff members manage only their own feed."))
        row = await User.select(User.role).where(User.id == owner_id).first()
        if row is None or row["role"] not in (Role.admin, Role.coordinator, Role.staff):
            raise InvalidInput("owner_id", _("There is no staff member %(id)s.", id=owner_id))
        return
    if not planner:
        raise Forbidden(_("Only coordinators manage site and activity feeds."))
    table = Site if kind == FeedKind.site else Activity
    if not await table.exists().where(table.id == owner_id):
        raise InvalidInput("owner_id", _("There is nothing with the id %(id)s.", id=owner_id))


async def create_feed(
    actor: Actor, user: CurrentUser, data: FeedIn, secret_key: str, *, replacing: int | None = None
) -> FeedOut:
    """A new feed for a calendar (409 when it has a live one), or, `replacing` one,
    its new secret; a feed made under another SECRET_KEY is revoked on the way."""
    await check_manager(user, data.kind, data.owner_id)
    if data.language and data.language not in LANGUAGES:
        raise InvalidInput("language", _("Choose one of the offered languages."))
    async with transaction():
        # The old secret is revoked first, and only if it is still live: of two
        # rotations at once one wins; the index feed_token_one_live keeps one live feed.
        if replacing is not None and not await _revoke_live(replacing):
            raise Conflict(_("The feed was rotated or revoked meanwhile; reload the page."))
        rows = await FeedToken.select(FeedToken.id, FeedToken.salt, FeedToken.token_hash).where(
            (FeedToken.kind == data.kind.value)
            & (FeedToken.owner_id == data.owner_id)
            & FeedToken.revoked_at.is_null()
        )
        stale = [r["id"] for r in rows if not _current(r, secret_key)]
        if stale:  # made under another SECRET_KEY: their links no longer work anyway
            await FeedToken.update({FeedToken.revoked_at: clock.utcnow()}).where(
                FeedToken.id.is_in(stale)
            )
        live = len(rows) > len(stale)
        if live:
            raise Conflict(_("This calendar already has a feed; rotate it for a new link."))
        salt = secrets.token_hex(16)
        token = _token(secret_key, salt)
        row = FeedToken(
            kind=data.kind.value,
            owner_id=data.owner_id,
            scope=scope_of(data.kind, data.owner_id),
            salt=salt,
            token_hash=token_hash(token),
            language=data.language,
            created_by=user.id,
        )
        await row.save()
        if replacing is not None:
            await FeedToken.update({FeedToken.replaced_by: row.id}).where(FeedToken.id == replacing)
        await record(
            actor,
            "feed.rotate" if replacing else "feed.create",
            entity="feed",
            entity_id=row.id,
            details={"kind": data.kind.value, "owner_id": data.owner_id, "replaces": replacing},
        )
    return await get_feed(row.id, secret_key)


async def _revoke_live(feed_id: int) -> bool:
    """Revoke the feed if it is live; whether it was."""
    revoked = (
        await FeedToken.update({FeedToken.revoked_at: clock.utcnow()})
        .where((FeedToken.id == feed_id) & FeedToken.revoked_at.is_null())
        .returning(FeedToken.id)
    )
    return bool(revoked)


async def _live_row(feed_id: int) -> dict[str, Any]:
    """The feed's row, unless it is revoked (then 404)."""
    row = (
        await FeedToken.select()
        .where((FeedToken.id == feed_id) & FeedToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        raise NotFound(_("There is no feed %(id)s.", id=feed_id))
    return row


async def get_feed(feed_id: int, secret_key: str) -> FeedOut:
    """A live feed, with its link."""
    return _feed_out(await _live_row(feed_id), secret_key)


def _feed_out(row: dict[str, Any], secret_key: str) -> FeedOut:
    """A feed's row as its manager sees it, with its link."""
    token = _token(secret_key, row["salt"])
    return FeedOut(
        id=row["id"],
        kind=FeedKind(row["kind"]),
        owner_id=row["owner_id"],
        created_at=row["created_at"],
        token=token,
        path=feed_path(token),
    )


async def _managed_row(user: CurrentUser, feed_id: int) -> dict[str, Any]:
    """A live feed's row, if this user may manage it."""
    row = await _live_row(feed_id)
    # InvalidInput: its owner is gone; whoever may manage it still rotates or revokes
    with contextlib.suppress(InvalidInput):
        await check_manager(user, FeedKind(row["kind"]), row["owner_id"])
    return row


async def rotate_feed(actor: Actor, user: CurrentUser, feed_id: int, secret_key: str) -> FeedOut:
    """A new secret for the same calendar; the old link stops working at once."""
    row = await _managed_row(user, feed_id)
    data = FeedIn(kind=FeedKind(row["kind"]), owner_id=row["owner_id"], language=row["language"])
    return await create_feed(actor, user, data, secret_key, replacing=feed_id)


async def revoke_feed(actor: Actor, user: CurrentUser, feed_id: int) -> None:
    """Stop the feed: its link gives 404 from now on."""
    row = await _managed_row(user, feed_id)
    async with transaction():
        await FeedToken.update({FeedToken.revoked_at: clock.utcnow()}).where(
            FeedToken.id == feed_id
        )
        await record(
            actor,
            "feed.revoke",
            entity="feed",
            entity_id=feed_id,
            details={"kind": row["kind"], "owner_id": row["owner_id"]},
        )


async def list_feeds(
    user: CurrentUser, secret_key: str, *, kind: FeedKind | None = None, owner_id: int | None = None
) -> list[FeedOut]:
    """The live feeds this user may manage, optionally of one kind and owner."""
    query = FeedToken.select().where(FeedToken.revoked_at.is_null()).order_by(FeedToken.id)
    if kind is not None:
        query = query.where(FeedToken.kind == kind.value)
    if owner_id is not None:
        query = query.where(FeedToken.owner_id == owner_id)
    feeds = []
    for row in await query:
        if not _current(row, secret_key):
            continue
        try:
            await check_manager(user, FeedKind(row["kind"]), row["owner_id"])
        except (Forbidden, NotFound, InvalidInput):
            continue
        feeds.append(_feed_out(row, secret_key))
    return feeds


async def live_feeds_of(participant_id: int, secret_key: str) -> dict[FeedKind, FeedOut]:
    """The participant's own and support person's live feeds (for their pages; the
    caller has checked who may see them)."""
    rows = await FeedToken.select().where(
        (FeedToken.scope == scope_of(FeedKind.participant, participant_id))
        & FeedToken.revoked_at.is_null()
    )
    return {FeedKind(r["kind"]): _feed_out(r, secret_key) for r in rows if _current(r, secret_key)}


def _current(row: dict[str, Any], secret_key: str) -> bool:
    """Whether the row's secret comes from this SECRET_KEY (its link works)."""
    return hmac.compare_digest(token_hash(_token(secret_key, row["salt"])), row["token_hash"])
