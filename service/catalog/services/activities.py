"""Activities: what is offered, where, for whom, and its titles in other languages."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from service import clock, events
from service.audit.services import Actor, record
from service.auth.schemas import CurrentUser
from service.catalog.schemas import ActivityIn, ActivityOut, DomainStrength
from service.catalog.services.checks import check_features, exists, get_row
from service.catalog.services.visibility import site_scope
from service.catalog.tables import (
    Activity,
    ActivityDomain,
    ActivityFeature,
    ActivityKind,
    ActivitySkill,
    ActivityTitle,
    GoalDomain,
    Site,
)
from service.db import row_lock, save_row, transaction
from service.errors import Conflict, InvalidInput, NotFound
from service.i18n import gettext as _
from service.schedule.tables import Session
from service.settings import LANGUAGES


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
    # Locked for deleting: a session made at the same moment waits, then fails.
    async with transaction(row_lock(Activity, activity_id, deleting=True)):
        if await Session.exists().where(Session.activity == activity_id):
            raise Conflict(_("The activity has sessions; mark it inactive instead."))
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
