"""Calendar feeds: tokens (create, rotate, revoke, with who may do what), the cached
rendering of a feed, the "I can't come" links in it, and the versions that the
invalidation job raises.

Tokens: the secret is HMAC-SHA256(SECRET_KEY, salt), 256 bits, base64url. The row
keeps the salt and SHA-256 of the secret: the database alone reveals no live URL, and
the app can still show the link again on the participant's page. After a change of
SECRET_KEY the old links still work (the lookup is by hash) but cannot be shown; the
pages offer a new link, and making it revokes the old one."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import msgspec
from litestar.stores.base import Store
from piccolo.columns import Column

from service import clock
from service.audit.services import Actor, record
from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.auth.tables import Role, User
from service.calendars import render
from service.calendars.tables import FeedKind, FeedToken, FeedVersion
from service.catalog.services import activity_titles, title_in
from service.catalog.tables import Activity, Site
from service.db import transaction
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.i18n import current_language, use_language
from service.i18n import gettext as _
from service.people import services as people
from service.people.tables import Participant
from service.placements import queries
from service.placements import services as placements
from service.placements.queries import SessionDay
from service.placements.tables import AbsenceNotice, Placement, PlacementStatus
from service.schedule.services import HORIZON_WEEKS
from service.schedule.tables import Session, SessionStaff, SessionStatus, SlotStaff, WeeklySlot
from service.settings import LANGUAGES

#: The feed shows this far back; cancelled sessions stay this long after cancelling.
KEEP_PAST = timedelta(days=30)
#: A rendered feed is kept this long at most, so that edits no job hears of (an
#: activity's title, a site's address) show within it.
CACHE_SECONDS = 3600
REFRESH_MINUTES = 60
log = logging.getLogger("tupa.calendars")
ALL = "all"


class FeedIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: FeedKind
    owner_id: int
    language: str = ""


class FeedOut(msgspec.Struct):
    id: int
    kind: FeedKind
    owner_id: int
    created_at: datetime
    token: str
    path: str


# --- tokens --------------------------------------------------------------------------


def _token(secret_key: str, salt: str) -> str:
    digest = hmac.new(secret_key.encode(), f"tupa-feed:{salt}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_path(token: str) -> str:
    return f"/feeds/{token}.ics"


def scope_of(kind: FeedKind, owner_id: int) -> str:
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
    await check_manager(user, data.kind, data.owner_id)
    if data.language and data.language not in LANGUAGES:
        raise InvalidInput("language", _("Choose one of the offered languages."))
    async with transaction():
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
        if live and replacing is None:
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
            await FeedToken.update(
                {FeedToken.revoked_at: clock.utcnow(), FeedToken.replaced_by: row.id}
            ).where(FeedToken.id == replacing)
        await record(
            actor,
            "feed.rotate" if replacing else "feed.create",
            entity="feed",
            entity_id=row.id,
            details={"kind": data.kind.value, "owner_id": data.owner_id, "replaces": replacing},
        )
    return await get_feed(row.id, secret_key)


async def _live_row(feed_id: int) -> dict[str, Any]:
    row = (
        await FeedToken.select()
        .where((FeedToken.id == feed_id) & FeedToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        raise NotFound(_("There is no feed %(id)s.", id=feed_id))
    return row


async def get_feed(feed_id: int, secret_key: str) -> FeedOut:
    return _feed_out(await _live_row(feed_id), secret_key)


def _feed_out(row: dict[str, Any], secret_key: str) -> FeedOut:
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


# --- finding a feed by its token -----------------------------------------------------


@dataclass(frozen=True)
class FeedRef:
    id: int
    kind: FeedKind
    owner_id: int
    language: str
    created_at: datetime
    version: int
    changed_at: datetime | None
    all_version: int
    all_changed_at: datetime | None

    @property
    def cache_key(self) -> str:
        return f"{self.id}:{self.version}:{self.all_version}"


async def resolve(token: str) -> FeedRef | None:
    """The live feed with this secret, with its scope's versions: one query."""
    if not 20 <= len(token) <= 64:
        return None
    rows = await FeedToken.raw(
        "SELECT t.id, t.kind, t.owner_id, t.language, t.created_at, "
        "v.version AS version, v.changed_at AS changed_at, "
        "a.version AS all_version, a.changed_at AS all_changed_at "
        "FROM feed_token t "
        "LEFT JOIN feed_version v ON v.scope = t.scope "
        "LEFT JOIN feed_version a ON a.scope = {} "
        "WHERE t.token_hash = {} AND t.revoked_at IS NULL",
        ALL,
        token_hash(token),
    )
    if not rows:
        return None
    row = rows[0]
    return FeedRef(
        id=row["id"],
        kind=FeedKind(row["kind"]),
        owner_id=row["owner_id"],
        language=row["language"],
        created_at=_aware(row["created_at"]),
        version=row["version"] or 0,
        changed_at=_aware(row["changed_at"]),
        all_version=row["all_version"] or 0,
        all_changed_at=_aware(row["all_changed_at"]),
    )


def _aware(value: Any) -> Any:
    """Raw queries on SQLite may give text or naive times; make them aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


# --- rendering, cached ---------------------------------------------------------------


class Rendered(msgspec.Struct, array_like=True):
    body: bytes
    etag: str
    last_modified: int  # unix seconds


async def rendered_feed(
    ref: FeedRef, *, store: Store, base_url: str, secret_key: str, today: date, tz: Any
) -> Rendered:
    """The feed's bytes from the cache, rendered when its scope's version or the day
    has changed since."""
    # the host is in the key: the links in the feed are absolute
    key = f"{ref.cache_key}:{today.isoformat()}:{base_url}"
    cached = await store.get(key)
    if cached is not None:
        return msgspec.msgpack.decode(cached, type=Rendered)
    body = await render_feed(ref, base_url=base_url, secret_key=secret_key, today=today)
    day_start = datetime.combine(today, time(0), tzinfo=tz)
    moments = [ref.created_at, day_start, ref.changed_at, ref.all_changed_at]
    last_modified = int(max(m for m in moments if m is not None).timestamp())
    result = Rendered(
        body=body,
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        last_modified=last_modified,
    )
    await store.set(key, msgspec.msgpack.encode(result), expires_in=CACHE_SECONDS)
    return result


async def render_feed(ref: FeedRef, *, base_url: str, secret_key: str, today: date) -> bytes:
    """The feed, rendered now; NotFound when its owner is gone (erased, deactivated,
    deleted), so that the link stops working with them."""
    first, last = today - KEEP_PAST, today + timedelta(weeks=HORIZON_WEEKS)
    language, name, where = await _owner(ref, first, last)
    with use_language(language):
        rows = await _session_rows(where, first, last)
        events = await _events(ref, rows, base_url, secret_key, today)
        return render.render(
            render.FeedCalendar(name=name, events=events, refresh_minutes=REFRESH_MINUTES)
        )


async def _owner(ref: FeedRef, first: date, last: date) -> tuple[str, str, Any]:
    """The feed's language, its calendar name and which sessions it shows."""
    if ref.kind in (FeedKind.participant, FeedKind.support):
        person = (
            await Participant.select(Participant.display_name, Participant.preferred_language)
            .where((Participant.id == ref.owner_id) & Participant.erased_at.is_null())
            .first()
        )
        if person is None:
            raise NotFound(_("There is no such calendar."))
        language = ref.language or person["preferred_language"]
        ids = [s.id for s in await placements.my_sessions(ref.owner_id, first, last)]
        with use_language(language):
            if ref.kind == FeedKind.support:
                first_name = person["display_name"].split(" ")[0]
                name = _("Tupa: %(name)s's activities", name=first_name)
            else:
                name = _("Tupa: my activities")
        return language, name, Session.id.is_in(ids or [-1])
    if ref.kind == FeedKind.staff:
        user = (
            await User.select(User.language, User.is_active).where(User.id == ref.owner_id).first()
        )
        if user is None or not user["is_active"]:
            raise NotFound(_("There is no such calendar."))
        language = ref.language or user["language"] or "en"
        staffed = await SessionStaff.select(SessionStaff.session).where(
            (SessionStaff.user == ref.owner_id)
            & (SessionStaff.session._.date >= first)
            & (SessionStaff.session._.date <= last)
        )
        with use_language(language):
            name = _("Tupa: my sessions")
        return language, name, Session.id.is_in([r["session"] for r in staffed] or [-1])
    language = ref.language or "en"
    column = Session.site if ref.kind == FeedKind.site else Session.activity
    name = f"Tupa: {await owner_name(FeedKind(ref.kind), ref.owner_id)}"
    return language, name, column == ref.owner_id


async def owner_name(kind: FeedKind, owner_id: int) -> str:
    """The name of a site or the title of an activity whose feed this is; 404 if none."""
    table, label = (Site, Site.name) if kind == FeedKind.site else (Activity, Activity.title)
    row = await table.select(label).where(table.id == owner_id).first()
    if row is None:
        raise NotFound(_("There is no such calendar."))
    return row[label._meta.name]


async def _session_rows(where: Any, first: date, last: date) -> list[dict[str, Any]]:
    return await Session.select(
        Session.id,
        Session.slot,
        Session.date,
        Session.starts_at,
        Session.ends_at,
        Session.status,
        Session.sequence,
        Session.cancel_reason,
        Session.updated_at,
        Session.activity.id,
        Session.activity.title,
        Session.activity.what_to_bring,
        Session.site.name,
        Session.site.address,
        Session.site.phone,
        Session.site._.partner._.name,
    ).where(where & (Session.date >= first) & (Session.date <= last))


async def _events(
    ref: FeedRef, rows: list[dict[str, Any]], base_url: str, secret_key: str, today: date
) -> list[render.FeedEvent]:
    keep_cancelled_from = clock.utcnow() - KEEP_PAST
    rows = [
        r
        for r in rows
        if r["status"] != SessionStatus.cancelled or r["updated_at"] >= keep_cancelled_from
    ]
    ids = [r["id"] for r in rows]
    staff: dict[int, list[str]] = defaultdict(list)
    if ids:
        for link in await SessionStaff.select(
            SessionStaff.session, SessionStaff.user.display_name
        ).where(SessionStaff.session.is_in(ids)):
            staff[link["session"]].append(link["user.display_name"].split(" ")[0])
    personal = ref.kind in (FeedKind.participant, FeedKind.support)
    expected = {} if personal else await _expected(rows)
    told: set[int] = set()
    if personal and ids:
        told = {
            n["session"]
            for n in await AbsenceNotice.select(AbsenceNotice.session).where(
                (AbsenceNotice.participant == ref.owner_id) & AbsenceNotice.session.is_in(ids)
            )
        }
    titles = await activity_titles(sorted({r["activity.id"] for r in rows}))
    language = current_language()  # the feed owner's, set by the caller
    events = []
    for row in rows:
        cancelled = row["status"] == SessionStatus.cancelled
        absence_url = ""
        if personal and not cancelled and row["date"] >= today and row["id"] not in told:
            absence_url = f"{base_url}/feeds/absence/{absence_code(secret_key, ref.id, row['id'])}"
        title = title_in(language, row["activity.title"], titles[row["activity.id"]])
        if cancelled:
            title = _("Cancelled: %(title)s", title=title)
        events.append(
            render.FeedEvent(
                uid=f"session-{row['id']}@tupa",
                title=title,
                starts_at=row["starts_at"],
                ends_at=row["ends_at"],
                sequence=row["sequence"],
                cancelled=cancelled,
                last_modified=row["updated_at"],
                location=_location(row),
                description=_description(
                    row,
                    sorted(staff[row["id"]]),
                    expected.get(row["id"]),
                    absence_url,
                    told=row["id"] in told,
                ),
                url=absence_url,
            )
        )
    return events


def _location(row: dict[str, Any]) -> str:
    parts = [row["site.partner.name"] or "", row["site.name"], row["site.address"]]
    return ", ".join(p for p in parts if p)


def _description(
    row: dict[str, Any], staff: list[str], expected: int | None, absence_url: str, *, told: bool
) -> str:
    lines = []
    if told:
        lines.append(_("You told us you can't come."))
    if row["status"] == SessionStatus.cancelled:
        reason = row["cancel_reason"]
        lines.append(_("Cancelled: %(reason)s", reason=reason) if reason else _("Cancelled"))
    if expected is not None:
        lines.append(_("Participants expected: %(n)s", n=expected))
    if row["activity.what_to_bring"]:
        lines.append(_("Bring: %(what)s", what=row["activity.what_to_bring"]))
    if staff:
        lines.append(_("Instructor: %(names)s", names=", ".join(staff)))
    if row["site.phone"]:
        lines.append(_("Phone: %(phone)s", phone=row["site.phone"]))
    if absence_url:
        lines.append(_("I can't come: %(url)s", url=absence_url))
    return "\n".join(lines)


async def _expected(rows: list[dict[str, Any]]) -> dict[int, int]:
    """How many are expected at each session: placed, less those who said they can't
    come. Only the numbers: no names."""
    return await queries.expected_counts(SessionDay(r["id"], r["slot"], r["date"]) for r in rows)


# --- "I can't come" links ------------------------------------------------------------


def absence_code(secret_key: str, feed_id: int, session_id: int) -> str:
    """A per-session secret for the feed's "I can't come" link: HMAC of the feed and the
    session, so it needs no table and stops working when the feed is rotated."""
    mac = hmac.new(
        secret_key.encode(), f"tupa-absence:{feed_id}:{session_id}".encode(), hashlib.sha256
    )
    return f"{feed_id}.{session_id}.{base64.urlsafe_b64encode(mac.digest()[:18]).decode()}"


@dataclass(frozen=True)
class AbsenceLink:
    feed_id: int
    participant_id: int
    session_id: int


async def absence_link(secret_key: str, code: str) -> AbsenceLink | None:
    """The participant and session of a live link; None for anything else."""
    try:
        feed_part, session_part, _mac = code.split(".")
        feed_id, session_id = int(feed_part), int(session_part)
    except ValueError:
        return None
    if not hmac.compare_digest(code, absence_code(secret_key, feed_id, session_id)):
        return None
    row = (
        await FeedToken.select(FeedToken.kind, FeedToken.owner_id)
        .where((FeedToken.id == feed_id) & FeedToken.revoked_at.is_null())
        .first()
    )
    if row is None or row["kind"] not in (FeedKind.participant, FeedKind.support):
        return None
    if not await Participant.exists().where(
        (Participant.id == row["owner_id"]) & Participant.erased_at.is_null()
    ):
        return None
    return AbsenceLink(feed_id=feed_id, participant_id=row["owner_id"], session_id=session_id)


async def absence_session(link: AbsenceLink) -> placements.MySession | None:
    """The session as its participant sees it, if it is still in their schedule."""
    session = await Session.select(Session.date).where(Session.id == link.session_id).first()
    if session is None:
        return None
    for item in await placements.my_sessions(link.participant_id, session["date"], session["date"]):
        if item.id == link.session_id:
            return item
    return None


async def give_absence(actor: Actor, link: AbsenceLink, note: str) -> placements.AbsenceOut:
    """Record the absence through the placements service, as the participant."""
    return await placements.record_absence(
        actor,
        link.participant_id,
        placements.AbsenceIn(session_id=link.session_id, note=note),
        given_by=None,
    )


# --- invalidation --------------------------------------------------------------------


async def refresh_feeds(
    *,
    session_ids: Iterable[int] = (),
    slot_ids: Iterable[int] = (),
    participant_ids: Iterable[int] = (),
    staff_ids: Iterable[int] = (),
    site_ids: Iterable[int] = (),
    activity_ids: Iterable[int] = (),
    everything: bool = False,
) -> list[str]:
    """Raise the versions of every scope the changed sessions, slots, participants,
    staff, sites and activities touch (only scopes that have a feed). Returns the
    scopes raised."""
    if everything:
        await _bump(ALL)
        return [ALL]
    scopes = {f"participant:{p}" for p in participant_ids} | {f"staff:{s}" for s in staff_ids}
    session_ids, slot_ids = list(session_ids), set(slot_ids)
    catalogue_sessions, catalogue_slots = await _held_at(set(site_ids), set(activity_ids))
    session_ids += catalogue_sessions
    slot_ids |= catalogue_slots
    scopes |= {f"site:{site}" for site in site_ids}
    scopes |= {f"activity:{activity}" for activity in activity_ids}
    if session_ids:
        rows = await Session.select(
            Session.id, Session.slot, Session.date, Session.site, Session.activity
        ).where(Session.id.is_in(session_ids))
        for row in rows:
            scopes |= {f"site:{row['site']}", f"activity:{row['activity']}"}
        for link in await SessionStaff.select(SessionStaff.user).where(
            SessionStaff.session.is_in(session_ids)
        ):
            scopes.add(f"staff:{link['user']}")
        slot_ids |= {row["slot"] for row in rows if row["slot"] is not None}
    if slot_ids:
        slots = list(slot_ids)
        for slot in await WeeklySlot.select(WeeklySlot.activity, WeeklySlot.activity.site).where(
            WeeklySlot.id.is_in(slots)
        ):
            scopes |= {f"activity:{slot['activity']}", f"site:{slot['activity.site']}"}
        for placed in await Placement.select(Placement.participant).where(
            Placement.slot.is_in(slots) & (Placement.status != PlacementStatus.proposed.value)
        ):
            scopes.add(f"participant:{placed['participant']}")
        for link in await SlotStaff.select(SlotStaff.user).where(SlotStaff.slot.is_in(slots)):
            scopes.add(f"staff:{link['user']}")
        for link in await SessionStaff.select(SessionStaff.user).where(
            SessionStaff.session.slot.is_in(slots)
        ):
            scopes.add(f"staff:{link['user']}")
    if not scopes:
        return []
    with_feeds = {
        r["scope"]
        for r in await FeedToken.select(FeedToken.scope).where(
            FeedToken.scope.is_in(sorted(scopes))
        )
    }
    for scope in sorted(with_feeds):
        await _bump(scope)
    return sorted(with_feeds)


async def _held_at(site_ids: set[int], activity_ids: set[int]) -> tuple[list[int], set[int]]:
    """The sessions and weekly slots whose feed entries show these sites or activities
    (their place, title, description or what to bring)."""
    sessions: list[dict[str, Any]] = []
    slots: set[int] = set()
    if site_ids:
        sites = sorted(site_ids)
        sessions += await Session.select(Session.id, Session.slot).where(Session.site.is_in(sites))
        slots |= await _slot_ids(WeeklySlot.activity.site.is_in(sites))
    if activity_ids:
        activities = sorted(activity_ids)
        sessions += await Session.select(Session.id, Session.slot).where(
            Session.activity.is_in(activities)
        )
        slots |= await _slot_ids(WeeklySlot.activity.is_in(activities))
    slots |= {row["slot"] for row in sessions if row["slot"] is not None}
    return [row["id"] for row in sessions], slots


async def _slot_ids(where: Any) -> set[int]:
    return {row["id"] for row in await WeeklySlot.select(WeeklySlot.id).where(where)}


async def staffed_by(user_id: int) -> tuple[list[int], list[int]]:
    """The sessions and weekly slots a staff member runs (their name is in those feeds)."""
    sessions = await SessionStaff.select(SessionStaff.session).where(SessionStaff.user == user_id)
    slots = await SlotStaff.select(SlotStaff.slot).where(SlotStaff.user == user_id)
    return [row["session"] for row in sessions], [row["slot"] for row in slots]


async def _bump(scope: str) -> None:
    now = clock.utcnow()
    values: dict[Column | str, Any] = {
        FeedVersion.version: FeedVersion.version + 1,
        FeedVersion.changed_at: now,
    }
    for _attempt in range(3):
        done = (
            await FeedVersion.update(values)
            .where(FeedVersion.scope == scope)
            .returning(FeedVersion.id)
        )
        if done:
            return
        try:
            await FeedVersion.insert(FeedVersion(scope=scope, version=1, changed_at=now))
            return
        except Exception:  # another job inserted the row first: update it instead
            log.info("feed version %s was inserted meanwhile; updating it", scope)
