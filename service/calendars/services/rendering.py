"""Rendering, cached: a feed's sessions as the calendar apps see them (titles in the
owner's language, places, staff, numbers expected, "I can't come" links), kept in the
cache until the scope's version or the day changes."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

import msgspec
from litestar.stores.base import Store

from service import clock
from service.auth.tables import User
from service.calendars import render
from service.calendars.schemas import FeedRef, Rendered
from service.calendars.services.absence_links import absence_code
from service.calendars.tables import FeedKind
from service.catalog.services import activity_titles, title_in
from service.catalog.tables import Activity, Site
from service.errors import NotFound
from service.i18n import current_language, use_language
from service.i18n import gettext as _
from service.people.tables import Participant
from service.placements import queries
from service.placements import services as placements
from service.placements.queries import SessionDay
from service.placements.tables import AbsenceNotice
from service.schedule.services import HORIZON_WEEKS
from service.schedule.tables import Session, SessionStaff, SessionStatus
from service.staff.tables import AbsenceReason, StaffAbsence

#: The feed shows this far back; cancelled sessions stay this long after cancelling.
KEEP_PAST = timedelta(days=30)
#: A rendered feed is kept this long at most, so that edits no job hears of (an
#: activity's title, a site's address) show within it.
CACHE_SECONDS = 3600
REFRESH_MINUTES = 60


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
        if ref.kind == FeedKind.staff:
            events += await _absence_events(ref.owner_id, first, last)
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
    """The sessions the feed shows between `first` and `last`, with their place."""
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
    """The feed's events, in the current language: cancelled sessions only for a while,
    "I can't come" links in a participant's coming sessions."""
    keep_cancelled_from = clock.utcnow() - KEEP_PAST
    rows = [
        r
        for r in rows
        if r["status"] != SessionStatus.cancelled or r["updated_at"] >= keep_cancelled_from
    ]
    ids = [r["id"] for r in rows]
    staff = await _staff_first_names(ids)
    personal = ref.kind in (FeedKind.participant, FeedKind.support)
    expected = {} if personal else await _expected(rows)
    told = await _told(ref.owner_id, ids) if personal else set()
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


async def _absence_events(user_id: int, first: date, last: date) -> list[render.FeedEvent]:
    """A staff member's own absences, in their own feed (the reason category only)."""
    rows = await StaffAbsence.select().where(
        (StaffAbsence.user == user_id)
        & (StaffAbsence.start_date <= last)
        & (StaffAbsence.end_date >= first)
    )
    tz = clock.provider_time_zone()
    reasons = {
        AbsenceReason.sick.value: _("Sick"),
        AbsenceReason.leave.value: _("Leave"),
        AbsenceReason.training.value: _("Training"),
        AbsenceReason.other.value: _("Other"),
    }
    found = []
    for row in rows:
        if row["start_time"] is None:
            spans = [(row["start_date"], time(0), row["end_date"] + timedelta(days=1), time(0))]
        else:
            days = (row["end_date"] - row["start_date"]).days + 1
            spans = [
                (day, row["start_time"], day, row["end_time"])
                for day in (row["start_date"] + timedelta(days=n) for n in range(days))
            ]
        for n, (start_day, start, end_day, end) in enumerate(spans):
            found.append(
                render.FeedEvent(
                    uid=f"staff-absence-{row['id']}-{n}@tupa",
                    title=_("Away: %(reason)s", reason=reasons.get(row["reason"], row["reason"])),
                    starts_at=datetime.combine(start_day, start, tzinfo=tz),
                    ends_at=datetime.combine(end_day, end, tzinfo=tz),
                    sequence=0,
                    cancelled=False,
                    last_modified=row["created_at"],
                )
            )
    return found


async def _staff_first_names(ids: list[int]) -> dict[int, list[str]]:
    """The first names of each session's staff."""
    staff: dict[int, list[str]] = defaultdict(list)
    if ids:
        for link in await SessionStaff.select(
            SessionStaff.session, SessionStaff.user.display_name
        ).where(SessionStaff.session.is_in(ids)):
            staff[link["session"]].append(link["user.display_name"].split(" ")[0])
    return staff


async def _told(participant_id: int, ids: list[int]) -> set[int]:
    """The sessions among these that the participant said they can't come to."""
    if not ids:
        return set()
    return {
        n["session"]
        for n in await AbsenceNotice.select(AbsenceNotice.session).where(
            (AbsenceNotice.participant == participant_id) & AbsenceNotice.session.is_in(ids)
        )
    }


def _location(row: dict[str, Any]) -> str:
    """The event's place: the partner, the site and its address."""
    parts = [row["site.partner.name"] or "", row["site.name"], row["site.address"]]
    return ", ".join(p for p in parts if p)


def _description(
    row: dict[str, Any], staff: list[str], expected: int | None, absence_url: str, *, told: bool
) -> str:
    """The event's description: notice given, cancellation, numbers, what to bring,
    who leads it, the site's phone and the "I can't come" link."""
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
