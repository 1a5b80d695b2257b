"""Everything a provider holds in Tupa, as the rows of the workbook's sheets.

Erased participants are left out (what is left of them is a name-less shell kept for
the statistics), and so are secrets: password hashes, tokens, login cards and feed
links never leave. An export is recorded in the audit log with the number of rows of
each kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from service import db
from service.audit.services import Actor, record
from service.auth.tables import Role, User, UserSite
from service.catalog.tables import (
    Activity,
    ActivityDomain,
    ActivityFeature,
    ActivityKind,
    ActivitySkill,
    GoalDomain,
    Partner,
    PartnerKind,
    Site,
    SiteFeature,
)
from service.catalog.vocabulary import ACCESSIBILITY_FEATURES
from service.people.tables import (
    AccessibilityNeed,
    AvailabilityWindow,
    Goal,
    GoalDomainLink,
    GoalStatus,
    Participant,
    ParticipantStatus,
    ReachableSite,
    Strength,
)
from service.placements.tables import Placement, PlacementStatus
from service.schedule.tables import SlotStaff, WeeklySlot
from service.settings import LANGUAGES
from service.transfer.sheets import SHEETS_BY_KIND, as_row

Rows = list[dict[str, Any]]


async def export_everything(actor: Actor) -> dict[str, Rows]:
    """Every sheet's rows, read in one transaction so that they agree with each other."""
    async with db.transaction():
        records = {
            "partners": await partner_rows(),
            "sites": await site_rows(),
            "staff": await _staff(),
            "activities": await activity_rows(),
            "slots": await _slots(),
            "participants": await participant_rows(),
            "goals": await goal_rows(),
            "placements": await _placements(),
        }
        await record(
            actor,
            "provider.export",
            entity="provider",
            details={kind: len(rows) for kind, rows in records.items()},
        )
    return {
        kind: [as_row(SHEETS_BY_KIND[kind], row) for row in rows] for kind, rows in records.items()
    }


def _grouped(rows: Iterable[dict[str, Any]], key: str, value: str) -> dict[Any, list[Any]]:
    """`value` of each row, listed under the row's `key`, sorted."""
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row[value])
    return {owner: sorted(values, key=str) for owner, values in grouped.items()}


async def partner_rows() -> Rows:
    return await Partner.select(
        Partner.id,
        Partner.name,
        Partner.kind,
        Partner.contact_name,
        Partner.phone,
        Partner.email,
        Partner.notes,
    ).order_by(Partner.id)


async def site_rows() -> Rows:
    rows = await Site.select(
        Site.id,
        Site.name,
        Site.partner.name.as_alias("partner"),
        Site.address,
        Site.phone,
        Site.country,
        Site.time_zone,
    ).order_by(Site.id)
    features = _grouped(
        await SiteFeature.select(SiteFeature.site, SiteFeature.feature), "site", "feature"
    )
    return [{**row, "features": features.get(row["id"], [])} for row in rows]


async def _staff() -> Rows:
    rows = await (
        User.select(
            User.id,
            User.display_name.as_alias("name"),
            User.email,
            User.role,
            User.language,
            User.is_active.as_alias("active"),
        )
        .where(User.role != Role.participant)  # staff, coordinators, admins, partners
        .order_by(User.id)
    )
    sites = _grouped(
        await UserSite.select(UserSite.user, UserSite.site.name.as_alias("site")), "user", "site"
    )
    return [{**row, "sites": sites.get(row["id"], [])} for row in rows]


async def activity_rows() -> Rows:
    rows = await Activity.select(
        Activity.id,
        Activity.title,
        Activity.kind,
        Activity.site.name.as_alias("site"),
        Activity.description,
        Activity.demand_level,
        Activity.min_participants,
        Activity.max_participants,
        Activity.participants_per_staff,
        Activity.animal_contact,
        Activity.what_to_bring,
        Activity.is_active.as_alias("active"),
    ).order_by(Activity.id)
    domain_rows = await ActivityDomain.select(
        ActivityDomain.activity, ActivityDomain.domain.key.as_alias("key"), ActivityDomain.strength
    )
    domains = _grouped(
        ({"activity": r["activity"], "domain": f"{r['key']}:{r['strength']}"} for r in domain_rows),
        "activity",
        "domain",
    )
    skills = _grouped(
        await ActivitySkill.select(ActivitySkill.activity, ActivitySkill.skill), "activity", "skill"
    )
    features = _grouped(
        await ActivityFeature.select(ActivityFeature.activity, ActivityFeature.feature),
        "activity",
        "feature",
    )
    return [
        {
            **row,
            "domains": domains.get(row["id"], []),
            "skills": skills.get(row["id"], []),
            "features": features.get(row["id"], []),
        }
        for row in rows
    ]


async def _slots() -> Rows:
    rows = await WeeklySlot.select(
        WeeklySlot.id,
        WeeklySlot.activity.title.as_alias("activity"),
        WeeklySlot.activity._.site._.name.as_alias("site"),
        WeeklySlot.weekday,
        WeeklySlot.start,
        WeeklySlot.end,
        WeeklySlot.valid_from,
        WeeklySlot.valid_until,
        WeeklySlot.room._.name.as_alias("room"),
    ).order_by(WeeklySlot.id)
    staff = _grouped(
        await SlotStaff.select(SlotStaff.slot, SlotStaff.user.email.as_alias("email")),
        "slot",
        "email",
    )
    return [
        {**row, "weekday": row["weekday"] + 1, "staff": staff.get(row["id"], [])} for row in rows
    ]


async def participant_rows() -> Rows:
    rows = await (
        Participant.select(
            Participant.id,
            Participant.external_id,
            Participant.display_name.as_alias("name"),
            Participant.preferred_language.as_alias("language"),
            Participant.contact,
            Participant.support_person,
            Participant.support_contact,
            Participant.referral_date,
            Participant.plan_start,
            Participant.plan_end,
            Participant.status,
            Participant.contact_staff.email.as_alias("contact_staff"),
            Participant.weekly_hours,
            Participant.max_sessions_per_day,
            Participant.demand_tolerance,
            Participant.animal_contact_allowed,
        )
        .where(Participant.erased_at.is_null())
        .order_by(Participant.id)
    )
    windows = await AvailabilityWindow.select(
        AvailabilityWindow.participant,
        AvailabilityWindow.weekday,
        AvailabilityWindow.start,
        AvailabilityWindow.end,
    ).order_by(AvailabilityWindow.weekday)
    available = _grouped(
        (
            {
                "participant": w["participant"],
                "window": f"{w['weekday'] + 1} {w['start']:%H:%M}-{w['end']:%H:%M}",
            }
            for w in windows
        ),
        "participant",
        "window",
    )
    sites = _grouped(
        await ReachableSite.select(
            ReachableSite.participant, ReachableSite.site.name.as_alias("site")
        ),
        "participant",
        "site",
    )
    needs = _grouped(
        await AccessibilityNeed.select(AccessibilityNeed.participant, AccessibilityNeed.feature),
        "participant",
        "feature",
    )
    strengths = _grouped(
        await Strength.select(Strength.participant, Strength.tag), "participant", "tag"
    )
    return [
        {
            **row,
            "available": available.get(row["id"], []),
            "sites": sites.get(row["id"], []),
            "needs": needs.get(row["id"], []),
            "strengths": strengths.get(row["id"], []),
        }
        for row in rows
    ]


async def goal_rows() -> Rows:
    rows = await (
        Goal.select(
            Goal.id,
            Goal.participant.as_alias("participant_id"),
            Goal.participant.external_id.as_alias("participant_number"),
            Goal.participant.display_name.as_alias("participant"),
            Goal.text,
            Goal.priority,
            Goal.status,
        )
        .where(Goal.participant.erased_at.is_null())
        .order_by(Goal.id)
    )
    domains = _grouped(
        await GoalDomainLink.select(GoalDomainLink.goal, GoalDomainLink.domain.key.as_alias("key")),
        "goal",
        "key",
    )
    return [{**row, "domains": domains.get(row["id"], [])} for row in rows]


async def _placements() -> Rows:
    rows = await (
        Placement.select(
            Placement.id,
            Placement.participant.as_alias("participant_id"),
            Placement.participant.display_name.as_alias("participant"),
            Placement.slot.as_alias("slot_id"),
            Placement.slot._.activity._.title.as_alias("activity"),
            Placement.slot.weekday.as_alias("weekday"),
            Placement.slot.start.as_alias("start"),
            Placement.start_date,
            Placement.end_date,
            Placement.status,
            Placement.pinned,
        )
        .where(Placement.participant.erased_at.is_null())
        .order_by(Placement.id)
    )
    return [{**row, "weekday": row["weekday"] + 1} for row in rows]


async def template_choices() -> dict[str, list[str]]:
    """The closed choices a template's drop-down lists offer."""
    return {
        "partner_kinds": [kind.value for kind in PartnerKind],
        "activity_kinds": [kind.value for kind in ActivityKind],
        "roles": [role.value for role in Role if role != Role.participant],
        "languages": list(LANGUAGES),
        "participant_statuses": [status.value for status in ParticipantStatus],
        "goal_statuses": [status.value for status in GoalStatus],
        "placement_statuses": [status.value for status in PlacementStatus],
        "weekdays": [str(day) for day in range(1, 8)],
        "sites": [r["name"] for r in await Site.select(Site.name).order_by(Site.name)],
        "partners": [r["name"] for r in await Partner.select(Partner.name).order_by(Partner.name)],
        "activities": [
            r["title"] for r in await Activity.select(Activity.title).order_by(Activity.title)
        ],
        "staff_emails": await staff_emails(),
        "features": list(ACCESSIBILITY_FEATURES),
        "domains": [
            r["key"]
            for r in await GoalDomain.select(GoalDomain.key)
            .where(GoalDomain.is_active.eq(True))
            .order_by(GoalDomain.key)
        ],
    }


async def staff_emails() -> list[str]:
    """Who can be a participant's contact: the staff members and coordinators."""
    rows = await (
        User.select(User.email)
        .where(User.role.is_in([Role.staff.value, Role.coordinator.value]))
        .order_by(User.email)
    )
    return [row["email"] for row in rows]
