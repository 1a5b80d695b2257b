"""The catalogue's rules: sites and rooms, partners, goal domains and activities."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from piccolo.table import Table

from service import clock, events
from service.audit.services import Actor, record
from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.catalog.schemas import (
    ActivityIn,
    ActivityOut,
    DomainStrength,
    GoalDomainIn,
    GoalDomainOut,
    PartnerIn,
    PartnerOut,
    RoomIn,
    RoomOut,
    SiteIn,
    SiteOut,
)
from service.catalog.tables import (
    Activity,
    ActivityDomain,
    ActivityFeature,
    ActivityKind,
    ActivitySkill,
    ActivityTitle,
    GoalDomain,
    Partner,
    PartnerKind,
    Room,
    Site,
    SiteFeature,
)
from service.catalog.vocabulary import ACCESSIBILITY_FEATURES, DEFAULT_DOMAINS
from service.db import save_row, transaction
from service.errors import Conflict, InvalidInput, NotFound
from service.i18n import gettext as _
from service.schedule.tables import Session
from service.settings import LANGUAGES

# --- who sees what -------------------------------------------------------------------


def site_scope(user: CurrentUser) -> frozenset[int] | None:
    """The sites a user may read: None means all (administrators and coordinators)."""
    if may(user, "sites.all"):
        return None
    return frozenset(user.site_ids)


def check_site_visible(user: CurrentUser, site_id: int) -> None:
    scope = site_scope(user)
    if scope is not None and site_id not in scope:
        raise NotFound(_("There is no site %(id)s.", id=site_id))


# --- checks --------------------------------------------------------------------------


def check_time_zone(name: str, field: str = "time_zone") -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(field, _("%(name)s is not a known time zone.", name=name)) from None


def check_country(code: str) -> None:
    if code.upper() not in holidays.list_supported_countries():
        raise InvalidInput("country", _("%(code)s is not a supported country code.", code=code))


def check_features(features: list[str]) -> list[str]:
    unknown = sorted(set(features) - set(ACCESSIBILITY_FEATURES))
    if unknown:
        raise InvalidInput(
            "features",
            _(
                "Unknown features: %(names)s. Known: %(known)s.",
                names=", ".join(unknown),
                known=", ".join(ACCESSIBILITY_FEATURES),
            ),
        )
    return sorted(set(features))


async def exists(table: type[Table], row_id: int | None) -> bool:
    return row_id is not None and await table.exists().where(table._meta.primary_key == row_id)


async def get_row(table: type[Table], row_id: int, message: str) -> dict[str, Any]:
    row = await table.select().where(table._meta.primary_key == row_id).first()
    if row is None:
        raise NotFound(message)
    return row


# --- partners ------------------------------------------------------------------------


async def list_partners() -> list[PartnerOut]:
    rows = await Partner.select().order_by(Partner.name)
    sites = await Site.select(Site.id, Site.partner).where(Site.partner.is_not_null())
    by_partner: dict[int, list[int]] = defaultdict(list)
    for site in sites:
        by_partner[site["partner"]].append(site["id"])
    return [_partner_out(row, by_partner[row["id"]]) for row in rows]


async def get_partner(partner_id: int) -> PartnerOut:
    row = await get_row(Partner, partner_id, _("There is no partner %(id)s.", id=partner_id))
    sites = await Site.select(Site.id).where(Site.partner == partner_id).order_by(Site.id)
    return _partner_out(row, [site["id"] for site in sites])


async def save_partner(actor: Actor, data: PartnerIn, partner_id: int | None = None) -> PartnerOut:
    values = {
        Partner.name: data.name.strip(),
        Partner.kind: data.kind.value,
        Partner.contact_name: data.contact_name.strip(),
        Partner.phone: data.phone.strip(),
        Partner.email: data.email.strip(),
        Partner.notes: data.notes,
    }
    async with transaction():
        if partner_id is not None:
            await get_partner(partner_id)
        partner_id, verb = await save_row(Partner, values, partner_id)
        action = f"partner.{verb}"
        await record(
            actor,
            action,
            entity="partner",
            entity_id=partner_id,
            details={"name": data.name, "kind": data.kind.value},
        )
        await events.publish(events.PartnerChanged(partner_id=partner_id))
    return await get_partner(partner_id)


async def delete_partner(actor: Actor, partner_id: int) -> None:
    partner = await get_partner(partner_id)
    if partner.site_ids:
        raise Conflict(_("The partner still has sites; remove or reassign them first."))
    async with transaction():
        await Partner.delete().where(Partner.id == partner_id)
        await record(
            actor,
            "partner.delete",
            entity="partner",
            entity_id=partner_id,
            details={"name": partner.name},
        )


def _partner_out(row: dict[str, Any], site_ids: list[int]) -> PartnerOut:
    return PartnerOut(
        id=row["id"],
        name=row["name"],
        kind=PartnerKind(row["kind"]),
        contact_name=row["contact_name"],
        phone=row["phone"],
        email=row["email"],
        notes=row["notes"],
        site_ids=site_ids,
    )


# --- sites and rooms -----------------------------------------------------------------


async def list_sites(user: CurrentUser | None = None) -> list[SiteOut]:
    query = Site.select().order_by(Site.name)
    scope = site_scope(user) if user else None
    if scope is not None:
        if not scope:
            return []
        query = query.where(Site.id.is_in(sorted(scope)))
    rows = await query
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    features: dict[int, list[str]] = defaultdict(list)
    for item in await SiteFeature.select().where(SiteFeature.site.is_in(ids)):
        features[item["site"]].append(item["feature"])
    rooms: dict[int, list[RoomOut]] = defaultdict(list)
    for room in await Room.select().where(Room.site.is_in(ids)).order_by(Room.name):
        rooms[room["site"]].append(_room_out(room))
    return [_site_out(row, sorted(features[row["id"]]), rooms[row["id"]]) for row in rows]


async def get_site(site_id: int, user: CurrentUser | None = None) -> SiteOut:
    if user is not None:
        check_site_visible(user, site_id)
    row = await get_row(Site, site_id, _("There is no site %(id)s.", id=site_id))
    features = await SiteFeature.select(SiteFeature.feature).where(SiteFeature.site == site_id)
    rooms = await Room.select().where(Room.site == site_id).order_by(Room.name)
    return _site_out(row, sorted(f["feature"] for f in features), [_room_out(r) for r in rooms])


async def save_site(actor: Actor, data: SiteIn, site_id: int | None = None) -> SiteOut:
    check_time_zone(data.time_zone)
    check_country(data.country)
    features = check_features(data.features)
    if data.partner_id is not None and not await exists(Partner, data.partner_id):
        raise InvalidInput("partner_id", _("There is no partner %(id)s.", id=data.partner_id))
    values = {
        Site.name: data.name.strip(),
        Site.time_zone: data.time_zone,
        Site.country: data.country.upper(),
        Site.address: data.address.strip(),
        Site.phone: data.phone.strip(),
        Site.partner: data.partner_id,
    }
    async with transaction():
        if site_id is not None:
            await get_site(site_id)
        site_id, verb = await save_row(Site, values, site_id)
        action = f"site.{verb}"
        await SiteFeature.delete().where(SiteFeature.site == site_id)
        if features:
            await SiteFeature.insert(*[SiteFeature(site=site_id, feature=f) for f in features])
        await record(
            actor,
            action,
            entity="site",
            entity_id=site_id,
            details={"name": data.name, "features": features},
        )
        await events.publish(events.SiteChanged(site_id=site_id))
    return await get_site(site_id)


async def delete_site(actor: Actor, site_id: int) -> None:
    site = await get_site(site_id)
    if await Activity.exists().where(Activity.site == site_id):
        raise Conflict(_("Activities are held at this site; move or delete them first."))
    async with transaction():
        await Site.delete().where(Site.id == site_id)
        await record(
            actor, "site.delete", entity="site", entity_id=site_id, details={"name": site.name}
        )


async def add_room(actor: Actor, site_id: int, data: RoomIn) -> RoomOut:
    site = await get_site(site_id)
    if any(room.name.lower() == data.name.strip().lower() for room in site.rooms):
        raise Conflict(_("The site already has a room called %(name)s.", name=data.name))
    async with transaction():
        room = Room(site=site_id, name=data.name.strip(), capacity=data.capacity)
        await room.save()
        await record(
            actor,
            "room.create",
            entity="room",
            entity_id=room.id,
            details={"site_id": site_id, "name": room.name},
        )
        await events.publish(events.SiteChanged(site_id=site_id))
    return RoomOut(id=room.id, site_id=site_id, name=room.name, capacity=room.capacity)


async def delete_room(actor: Actor, room_id: int) -> None:
    room = await get_row(Room, room_id, _("There is no room %(id)s.", id=room_id))
    async with transaction():
        await Room.delete().where(Room.id == room_id)
        await record(
            actor, "room.delete", entity="room", entity_id=room_id, details={"name": room["name"]}
        )
        await events.publish(events.SiteChanged(site_id=room["site"]))


def _room_out(row: dict[str, Any]) -> RoomOut:
    return RoomOut(id=row["id"], site_id=row["site"], name=row["name"], capacity=row["capacity"])


def _site_out(row: dict[str, Any], features: list[str], rooms: list[RoomOut]) -> SiteOut:
    return SiteOut(
        id=row["id"],
        name=row["name"],
        time_zone=row["time_zone"],
        country=row["country"],
        address=row["address"],
        phone=row["phone"],
        partner_id=row["partner"],
        features=features,
        rooms=rooms,
    )


# --- goal domains --------------------------------------------------------------------


async def ensure_default_domains() -> None:
    """The default vocabulary, for a database that lost it (the migration seeds it)."""
    for key, label in DEFAULT_DOMAINS.items():
        await GoalDomain.insert(GoalDomain(key=key, label=label)).on_conflict(
            target=GoalDomain.key, action="DO NOTHING"
        )


async def list_domains(*, active_only: bool = False) -> list[GoalDomainOut]:
    query = GoalDomain.select().order_by(GoalDomain.id)
    if active_only:
        query = query.where(GoalDomain.is_active == True)  # noqa: E712
    return [
        GoalDomainOut(id=r["id"], key=r["key"], label=r["label"], is_active=r["is_active"])
        for r in await query
    ]


async def save_domain(actor: Actor, data: GoalDomainIn) -> GoalDomainOut:
    """Create a domain, or relabel or (de)activate the one with this key."""
    async with transaction():
        existing = await GoalDomain.select().where(GoalDomain.key == data.key).first()
        if existing:
            await GoalDomain.update(
                {GoalDomain.label: data.label.strip(), GoalDomain.is_active: data.is_active}
            ).where(GoalDomain.key == data.key)
        else:
            await GoalDomain.insert(
                GoalDomain(key=data.key, label=data.label.strip(), is_active=data.is_active)
            )
        await record(
            actor,
            "goal_domain.save",
            entity="goal_domain",
            entity_id=data.key,
            details={"label": data.label, "is_active": data.is_active},
        )
    row = await GoalDomain.select().where(GoalDomain.key == data.key).first()
    assert row is not None
    return GoalDomainOut(
        id=row["id"], key=row["key"], label=row["label"], is_active=row["is_active"]
    )


# --- activities ----------------------------------------------------------------------


async def list_activities(
    user: CurrentUser | None = None, *, site_id: int | None = None, kind: ActivityKind | None = None
) -> list[ActivityOut]:
    query = Activity.select().order_by(Activity.title)
    scope = site_scope(user) if user else None
    if scope is not None:
        query = query.where(Activity.site.is_in(sorted(scope) or [-1]))
    if site_id is not None:
        query = query.where(Activity.site == site_id)
    if kind is not None:
        query = query.where(Activity.kind == kind.value)
    rows = await query
    return await _activities_out(rows)


async def get_activity(activity_id: int, user: CurrentUser | None = None) -> ActivityOut:
    row = await get_row(Activity, activity_id, _("There is no activity %(id)s.", id=activity_id))
    if user is not None:
        scope = site_scope(user)
        if scope is not None and row["site"] not in scope:
            raise NotFound(_("There is no activity %(id)s.", id=activity_id))
    return (await _activities_out([row]))[0]


async def save_activity(
    actor: Actor, data: ActivityIn, activity_id: int | None = None
) -> ActivityOut:
    if data.max_participants < data.min_participants:
        raise InvalidInput(
            "max_participants",
            _("The maximum cannot be below the minimum (%(n)s).", n=data.min_participants),
        )
    if not await exists(Site, data.site_id):
        raise InvalidInput("site_id", _("There is no site %(id)s.", id=data.site_id))
    features = check_features(data.features)
    _check_titles(data.titles)
    domain_ids = await _domain_ids(data.domains)
    values = {
        Activity.title: data.title.strip(),
        Activity.kind: data.kind.value,
        Activity.site: data.site_id,
        Activity.description: data.description.strip(),
        Activity.demand_level: data.demand_level,
        Activity.min_participants: data.min_participants,
        Activity.max_participants: data.max_participants,
        Activity.participants_per_staff: data.participants_per_staff,
        Activity.animal_contact: data.animal_contact,
        Activity.what_to_bring: data.what_to_bring.strip(),
        Activity.is_active: data.is_active,
        Activity.updated_at: clock.utcnow(),
    }
    async with transaction():
        if activity_id is not None:
            await get_activity(activity_id)
        activity_id, verb = await save_row(Activity, values, activity_id)
        action = f"activity.{verb}"
        await _replace_children(activity_id, data, domain_ids, features)
        await record(
            actor,
            action,
            entity="activity",
            entity_id=activity_id,
            details={"title": data.title, "kind": data.kind.value},
        )
        await events.publish(events.ActivityChanged(activity_id=activity_id))
    return await get_activity(activity_id)


async def delete_activity(actor: Actor, activity_id: int) -> None:
    """Remove an activity that never had a session; otherwise it can only be retired."""
    activity = await get_activity(activity_id)
    if await Session.exists().where(Session.activity == activity_id):
        raise Conflict(_("The activity has sessions; mark it inactive instead."))
    async with transaction():
        await Activity.delete().where(Activity.id == activity_id)
        await record(
            actor,
            "activity.delete",
            entity="activity",
            entity_id=activity_id,
            details={"title": activity.title},
        )


async def _domain_ids(domains: list[DomainStrength]) -> dict[str, int]:
    keys = [domain.key for domain in domains]
    if len(set(keys)) != len(keys):
        raise InvalidInput("domains", _("Each goal domain may appear once."))
    if not keys:
        return {}
    rows = await GoalDomain.select(GoalDomain.id, GoalDomain.key).where(GoalDomain.key.is_in(keys))
    found = {row["key"]: row["id"] for row in rows}
    if missing := sorted(set(keys) - set(found)):
        raise InvalidInput("domains", _("Unknown goal domains: %(keys)s.", keys=", ".join(missing)))
    return found


async def activity_titles(activity_ids: list[int]) -> dict[int, dict[str, str]]:
    """The activities' titles in other languages: {activity id: {language: title}}."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    if activity_ids:
        rows = await ActivityTitle.select().where(ActivityTitle.activity.is_in(activity_ids))
        for row in rows:
            found[row["activity"]][row["language"]] = row["title"]
    return found


def title_in(language: str, title: str, titles: dict[str, str]) -> str:
    """The title in `language` where there is one, else the activity's own title."""
    return titles.get(language) or title


def _check_titles(titles: dict[str, str]) -> dict[str, str]:
    for language in titles:
        if language not in LANGUAGES:
            raise InvalidInput(
                f"titles.{language}",
                _("Titles can be given in %(languages)s.", languages=", ".join(LANGUAGES)),
            )
    return {language: title.strip() for language, title in titles.items() if title.strip()}


async def _replace_children(
    activity_id: int, data: ActivityIn, domain_ids: dict[str, int], features: list[str]
) -> None:
    await ActivityTitle.delete().where(ActivityTitle.activity == activity_id)
    titles = _check_titles(data.titles)
    if titles:
        await ActivityTitle.insert(
            *[ActivityTitle(activity=activity_id, language=k, title=v) for k, v in titles.items()]
        )
    for table in (ActivityDomain, ActivitySkill, ActivityFeature):
        await table.delete().where(table.activity == activity_id)
    if data.domains:
        await ActivityDomain.insert(
            *[
                ActivityDomain(activity=activity_id, domain=domain_ids[d.key], strength=d.strength)
                for d in data.domains
            ]
        )
    if data.required_skills:
        await ActivitySkill.insert(
            *[
                ActivitySkill(activity=activity_id, skill=skill)
                for skill in sorted(set(data.required_skills))
            ]
        )
    if features:
        await ActivityFeature.insert(
            *[ActivityFeature(activity=activity_id, feature=feature) for feature in features]
        )


async def _activities_out(rows: list[dict[str, Any]]) -> list[ActivityOut]:
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    domains: dict[int, list[DomainStrength]] = defaultdict(list)
    domain_rows = await ActivityDomain.select(
        ActivityDomain.activity, ActivityDomain.domain.key, ActivityDomain.strength
    ).where(ActivityDomain.activity.is_in(ids))
    for item in domain_rows:
        domains[item["activity"]].append(
            DomainStrength(key=item["domain.key"], strength=item["strength"])
        )
    skills: dict[int, list[str]] = defaultdict(list)
    for item in await ActivitySkill.select().where(ActivitySkill.activity.is_in(ids)):
        skills[item["activity"]].append(item["skill"])
    features: dict[int, list[str]] = defaultdict(list)
    for item in await ActivityFeature.select().where(ActivityFeature.activity.is_in(ids)):
        features[item["activity"]].append(item["feature"])
    titles = await activity_titles(ids)
    return [
        ActivityOut(
            id=row["id"],
            title=row["title"],
            kind=ActivityKind(row["kind"]),
            site_id=row["site"],
            description=row["description"],
            demand_level=row["demand_level"],
            min_participants=row["min_participants"],
            max_participants=row["max_participants"],
            participants_per_staff=row["participants_per_staff"],
            animal_contact=row["animal_contact"],
            what_to_bring=row["what_to_bring"],
            domains=sorted(domains[row["id"]], key=lambda d: d.key),
            required_skills=sorted(skills[row["id"]]),
            features=sorted(features[row["id"]]),
            is_active=row["is_active"],
            titles=titles.get(row["id"], {}),
        )
        for row in rows
    ]
