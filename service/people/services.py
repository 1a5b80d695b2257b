"""Participants and their individual plans: records, capacity, goals in their own
words, reviews, interests; who may see them; export and erasure. Every view and every
change is written to the audit log, without the personal data itself."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from service import clock, events
from service.audit.services import Actor, record
from service.audit.tables import AuditEvent
from service.auth.schemas import CurrentUser
from service.auth.tables import Role, User
from service.catalog.services import check_features, exists
from service.catalog.tables import Activity, GoalDomain, Site
from service.db import save_row, transaction
from service.errors import InvalidInput, NotFound
from service.i18n import gettext as _
from service.people.schemas import (
    BlockedIn,
    CapacityIn,
    CapacityOut,
    DueReview,
    GoalIn,
    GoalOut,
    InterestsIn,
    InterestsOut,
    ParticipantIn,
    ParticipantOut,
    ReviewIn,
    ReviewOut,
    WindowIn,
)
from service.people.tables import (
    AccessibilityNeed,
    AvailabilityWindow,
    BlockedTime,
    Goal,
    GoalDomainLink,
    Interest,
    LoginCard,
    Participant,
    ParticipantStatus,
    ReachableSite,
    Review,
    Strength,
)
from service.placements.queries import visible_participants
from service.placements.tables import Placement, PlacementStatus
from service.settings import LANGUAGES

REVIEW_INTERVAL = relativedelta(months=3)
ERASED_NAME = "—"

# --- who sees whom -------------------------------------------------------------------


async def visible_row(user: CurrentUser, participant_id: int) -> dict[str, Any]:
    """The participant's row if this user may see it; 404 otherwise, so that another
    person's id reveals nothing."""
    visible = await visible_participants(user, clock.today())
    row = await Participant.select().where((Participant.id == participant_id) & visible).first()
    if row is None:
        raise NotFound(_("There is no participant %(id)s.", id=participant_id))
    return row


# --- records -------------------------------------------------------------------------


async def list_participants(
    actor: Actor,
    user: CurrentUser,
    *,
    search: str = "",
    status: ParticipantStatus | None = None,
    site_id: int | None = None,
    review_due: bool = False,
    today: date | None = None,
) -> list[ParticipantOut]:
    today = today or clock.today()
    query = (
        Participant.select()
        .where(await visible_participants(user, today))
        .order_by(Participant.display_name)
    )
    if search:
        query = query.where(Participant.display_name.ilike(f"%{search}%"))
    if status:
        query = query.where(Participant.status == status.value)
    if review_due:
        query = query.where(Participant.next_review <= today)
    if site_id is not None:
        reach = await ReachableSite.select(ReachableSite.participant).where(
            ReachableSite.site == site_id
        )
        query = query.where(Participant.id.is_in([r["participant"] for r in reach] or [-1]))
    rows = await query
    await record(actor, "participant.list", entity="participant", details={"count": len(rows)})
    return [_participant_out(row) for row in rows]


async def get_participant(actor: Actor, user: CurrentUser, participant_id: int) -> ParticipantOut:
    row = await visible_row(user, participant_id)
    await record(actor, "participant.view", entity="participant", entity_id=participant_id)
    return _participant_out(row)


async def own_participant_id(user: CurrentUser) -> int | None:
    row = (
        await Participant.select(Participant.id)
        .where((Participant.user == user.id) & Participant.erased_at.is_null())
        .first()
    )
    return row["id"] if row else None


async def save_participant(
    actor: Actor,
    data: ParticipantIn,
    participant_id: int | None = None,
    *,
    today: date | None = None,
) -> ParticipantOut:
    await _check_record(data)
    values = {
        Participant.display_name: data.display_name.strip(),
        Participant.preferred_language: data.preferred_language,
        Participant.contact: data.contact.strip(),
        Participant.support_person: data.support_person.strip(),
        Participant.support_contact: data.support_contact.strip(),
        Participant.consent_calendar: data.consent_calendar,
        Participant.consent_notifications: data.consent_notifications,
        Participant.referral_date: data.referral_date,
        Participant.plan_start: data.plan_start,
        Participant.plan_end: data.plan_end,
        Participant.status: data.status.value,
        Participant.contact_staff: data.contact_staff_id,
        Participant.next_review: data.next_review,
        Participant.updated_at: clock.utcnow(),
    }
    async with transaction():
        if participant_id is None and data.next_review is None:
            start = data.plan_start or today or clock.today()
            values[Participant.next_review] = start + REVIEW_INTERVAL
        if participant_id is not None:
            await _existing(participant_id)
        participant_id, verb = await save_row(Participant, values, participant_id)
        # The log names what was done, never the personal values.
        await record(
            actor,
            f"participant.{verb}",
            entity="participant",
            entity_id=participant_id,
            details={"status": data.status.value},
        )
        await events.publish(events.ParticipantChanged(participant_id=participant_id))
    return _participant_out(await _existing(participant_id))


async def link_account(actor: Actor, participant_id: int, user_id: int | None) -> None:
    """Connect the participant's own sign-in account (role participant)."""
    if user_id is not None:
        user = await User.select(User.role).where(User.id == user_id).first()
        if user is None or user["role"] != Role.participant.value:
            raise InvalidInput("user_id", _("Choose an account with the participant role."))
    async with transaction():
        await Participant.update({Participant.user: user_id}).where(
            Participant.id == participant_id
        )
        await record(
            actor, "participant.link_account", entity="participant", entity_id=participant_id
        )
        await events.publish(events.ParticipantChanged(participant_id=participant_id))


async def _check_record(data: ParticipantIn) -> None:
    if data.preferred_language not in LANGUAGES:
        raise InvalidInput(
            "preferred_language", _("Choose one of: %(choices)s.", choices=", ".join(LANGUAGES))
        )
    if data.plan_start and data.plan_end and data.plan_end < data.plan_start:
        raise InvalidInput("plan_end", _("The plan must end on or after its start."))
    if data.contact_staff_id is not None:
        staff = await User.select(User.role).where(User.id == data.contact_staff_id).first()
        if staff is None or staff["role"] not in (Role.staff.value, Role.coordinator.value):
            raise InvalidInput("contact_staff_id", _("Choose a staff member or a coordinator."))


async def _existing(participant_id: int) -> dict[str, Any]:
    row = (
        await Participant.select()
        .where((Participant.id == participant_id) & Participant.erased_at.is_null())
        .first()
    )
    if row is None:
        raise NotFound(_("There is no participant %(id)s.", id=participant_id))
    return row


def _participant_out(row: dict[str, Any]) -> ParticipantOut:
    return ParticipantOut(
        id=row["id"],
        display_name=row["display_name"],
        preferred_language=row["preferred_language"],
        contact=row["contact"],
        support_person=row["support_person"],
        support_contact=row["support_contact"],
        consent_calendar=row["consent_calendar"],
        consent_notifications=row["consent_notifications"],
        referral_date=row["referral_date"],
        plan_start=row["plan_start"],
        plan_end=row["plan_end"],
        status=ParticipantStatus(row["status"]),
        contact_staff_id=row["contact_staff"],
        next_review=row["next_review"],
        user_id=row["user"],
        created_at=row["created_at"],
    )


# --- capacity ------------------------------------------------------------------------


async def get_capacity(actor: Actor, user: CurrentUser, participant_id: int) -> CapacityOut:
    row = await visible_row(user, participant_id)
    await record(actor, "participant.view_capacity", entity="participant", entity_id=participant_id)
    return await _capacity(row)


async def save_capacity(actor: Actor, participant_id: int, data: CapacityIn) -> CapacityOut:
    await _existing(participant_id)
    _check_windows(data.windows)
    _check_blocked(data.blocked)
    needs = check_features(data.accessibility_needs) if data.accessibility_needs else []
    sites = sorted(set(data.reachable_site_ids))
    for site_id in sites:
        if not await exists(Site, site_id):
            raise InvalidInput("reachable_site_ids", _("There is no site %(id)s.", id=site_id))
    async with transaction():
        await Participant.update(
            {
                Participant.weekly_hours: data.weekly_hours,
                Participant.max_sessions_per_day: data.max_sessions_per_day,
                Participant.demand_tolerance: data.demand_tolerance,
                Participant.animal_contact_allowed: data.animal_contact_allowed,
                Participant.updated_at: clock.utcnow(),
            }
        ).where(Participant.id == participant_id)
        for table in (AvailabilityWindow, BlockedTime, ReachableSite, AccessibilityNeed):
            await table.delete().where(table.participant == participant_id)
        if data.windows:
            await AvailabilityWindow.insert(
                *[
                    AvailabilityWindow(
                        participant=participant_id, weekday=w.weekday, start=w.start, end=w.end
                    )
                    for w in data.windows
                ]
            )
        if data.blocked:
            await BlockedTime.insert(
                *[
                    BlockedTime(
                        participant=participant_id,
                        weekday=b.weekday,
                        on_date=b.on_date,
                        start=b.start,
                        end=b.end,
                        note=b.note.strip(),
                    )
                    for b in data.blocked
                ]
            )
        if sites:
            await ReachableSite.insert(
                *[ReachableSite(participant=participant_id, site=s) for s in sites]
            )
        if needs:
            await AccessibilityNeed.insert(
                *[AccessibilityNeed(participant=participant_id, feature=f) for f in needs]
            )
        await record(actor, "participant.capacity", entity="participant", entity_id=participant_id)
    return await _capacity(await _existing(participant_id))


def _check_windows(windows: list[WindowIn]) -> None:
    for index, window in enumerate(windows):
        if window.end <= window.start:
            raise InvalidInput(f"windows[{index}].end", _("The end must be after the start."))


def _check_blocked(blocked: list[BlockedIn]) -> None:
    for index, item in enumerate(blocked):
        if (item.weekday is None) == (item.on_date is None):
            raise InvalidInput(
                f"blocked[{index}].weekday",
                _("Give either a weekday (every week) or a date (once)."),
            )
        if item.end <= item.start:
            raise InvalidInput(f"blocked[{index}].end", _("The end must be after the start."))


async def _capacity(row: dict[str, Any]) -> CapacityOut:
    participant_id = row["id"]
    windows = (
        await AvailabilityWindow.select()
        .where(AvailabilityWindow.participant == participant_id)
        .order_by(AvailabilityWindow.weekday)
        .order_by(AvailabilityWindow.start)
    )
    blocked = await BlockedTime.select().where(BlockedTime.participant == participant_id)
    sites = await ReachableSite.select(ReachableSite.site).where(
        ReachableSite.participant == participant_id
    )
    needs = await AccessibilityNeed.select(AccessibilityNeed.feature).where(
        AccessibilityNeed.participant == participant_id
    )
    return CapacityOut(
        participant_id=participant_id,
        weekly_hours=row["weekly_hours"],
        max_sessions_per_day=row["max_sessions_per_day"],
        demand_tolerance=row["demand_tolerance"],
        animal_contact_allowed=row["animal_contact_allowed"],
        windows=[WindowIn(weekday=w["weekday"], start=w["start"], end=w["end"]) for w in windows],
        blocked=[
            BlockedIn(
                start=b["start"],
                end=b["end"],
                weekday=b["weekday"],
                on_date=b["on_date"],
                note=b["note"],
            )
            for b in blocked
        ],
        reachable_site_ids=sorted(s["site"] for s in sites),
        accessibility_needs=sorted(n["feature"] for n in needs),
    )


# --- goals and reviews ---------------------------------------------------------------


async def list_goals(actor: Actor, user: CurrentUser, participant_id: int) -> list[GoalOut]:
    await visible_row(user, participant_id)
    await record(actor, "participant.view_goals", entity="participant", entity_id=participant_id)
    return await _goals(participant_id)


async def save_goal(
    actor: Actor,
    user: CurrentUser,
    participant_id: int,
    data: GoalIn,
    goal_id: int | None = None,
) -> GoalOut:
    """Coordinators and staff write goals with the participant; a participant may add a
    wish of their own (a new goal, in their own words)."""
    await visible_row(user, participant_id)
    domain_ids = await _domain_ids(data.domains)
    async with transaction():
        if goal_id is None:
            goal = Goal(
                participant=participant_id,
                text=data.text.strip(),
                priority=data.priority,
                status=data.status.value,
            )
            await goal.save()
            goal_id = goal.id
            action = "goal.create"
        else:
            await _goal_of(participant_id, goal_id)
            await Goal.update(
                {
                    Goal.text: data.text.strip(),
                    Goal.priority: data.priority,
                    Goal.status: data.status.value,
                }
            ).where(Goal.id == goal_id)
            action = "goal.update"
        await GoalDomainLink.delete().where(GoalDomainLink.goal == goal_id)
        if domain_ids:
            await GoalDomainLink.insert(
                *[GoalDomainLink(goal=goal_id, domain=d) for d in domain_ids]
            )
        await record(
            actor,
            action,
            entity="participant",
            entity_id=participant_id,
            details={"goal_id": goal_id},
        )
    return next(g for g in await _goals(participant_id) if g.id == goal_id)


async def _domain_ids(keys: list[str]) -> list[int]:
    if not keys:
        return []
    rows = await GoalDomain.select(GoalDomain.id, GoalDomain.key).where(
        GoalDomain.key.is_in(sorted(set(keys)))
    )
    found = {row["key"]: row["id"] for row in rows}
    if missing := sorted(set(keys) - set(found)):
        raise InvalidInput("domains", _("Unknown goal domains: %(keys)s.", keys=", ".join(missing)))
    return sorted(found.values())


async def _goal_of(participant_id: int, goal_id: int) -> dict[str, Any]:
    row = (
        await Goal.select()
        .where((Goal.id == goal_id) & (Goal.participant == participant_id))
        .first()
    )
    if row is None:
        raise NotFound(_("There is no goal %(id)s.", id=goal_id))
    return row


async def _goals(participant_id: int) -> list[GoalOut]:
    rows = (
        await Goal.select()
        .where(Goal.participant == participant_id)
        .order_by(Goal.priority)
        .order_by(Goal.id)
    )
    links = await GoalDomainLink.select(GoalDomainLink.goal, GoalDomainLink.domain.key).where(
        GoalDomainLink.goal.is_in([r["id"] for r in rows] or [-1])
    )
    domains: dict[int, list[str]] = defaultdict(list)
    for link in links:
        domains[link["goal"]].append(link["domain.key"])
    return [
        GoalOut(
            id=r["id"],
            participant_id=participant_id,
            text=r["text"],
            domains=sorted(domains[r["id"]]),
            priority=r["priority"],
            status=r["status"],
            created_at=r["created_at"],
            reviewed_at=r["reviewed_at"],
        )
        for r in rows
    ]


async def add_review(
    actor: Actor,
    user: CurrentUser,
    participant_id: int,
    data: ReviewIn,
    *,
    today: date | None = None,
) -> ReviewOut:
    """A dated follow-up of one goal; it moves the participant's next review on."""
    await visible_row(user, participant_id)
    try:
        await _goal_of(participant_id, data.goal_id)
    except NotFound:
        raise InvalidInput("goal_id", _("The goal is not this participant's.")) from None
    on_date = data.on_date or today or clock.today()
    next_review = data.next_review or on_date + REVIEW_INTERVAL
    if next_review <= on_date:
        raise InvalidInput("next_review", _("The next review must come after this one."))
    async with transaction():
        review = Review(
            goal=data.goal_id,
            on_date=on_date,
            rating=data.rating,
            note=data.note.strip(),
            reviewer=user.id,
        )
        await review.save()
        await Goal.update({Goal.reviewed_at: on_date}).where(Goal.id == data.goal_id)
        await Participant.update({Participant.next_review: next_review}).where(
            Participant.id == participant_id
        )
        await record(
            actor,
            "goal.review",
            entity="participant",
            entity_id=participant_id,
            details={"goal_id": data.goal_id, "rating": data.rating},
        )
    return ReviewOut(
        id=review.id,
        goal_id=data.goal_id,
        on_date=on_date,
        rating=data.rating,
        note=review.note,
        reviewer_id=user.id,
    )


async def list_reviews(actor: Actor, user: CurrentUser, participant_id: int) -> list[ReviewOut]:
    await visible_row(user, participant_id)
    await record(actor, "participant.view_reviews", entity="participant", entity_id=participant_id)
    rows = (
        await Review.select()
        .where(Review.goal.participant == participant_id)
        .order_by(Review.on_date, ascending=False)
    )
    return [
        ReviewOut(
            id=r["id"],
            goal_id=r["goal"],
            on_date=r["on_date"],
            rating=r["rating"],
            note=r["note"],
            reviewer_id=r["reviewer"],
        )
        for r in rows
    ]


async def due_reviews(
    user: CurrentUser, *, within_days: int = 14, today: date | None = None
) -> list[DueReview]:
    """Reviews due within `within_days` (and overdue ones) of active or paused plans."""
    today = today or clock.today()
    limit = today + relativedelta(days=within_days)
    query = (
        Participant.select(
            Participant.id,
            Participant.display_name,
            Participant.next_review,
            Participant.contact_staff,
        )
        .where(
            await visible_participants(user, today)
            & Participant.next_review.is_not_null()
            & (Participant.next_review <= limit)
            & Participant.status.is_in(
                [ParticipantStatus.active.value, ParticipantStatus.paused.value]
            )
        )
        .order_by(Participant.next_review)
    )
    return [
        DueReview(
            participant_id=r["id"],
            display_name=r["display_name"],
            next_review=r["next_review"],
            contact_staff_id=r["contact_staff"],
        )
        for r in await query
    ]


# --- interests and strengths ---------------------------------------------------------


async def get_interests(actor: Actor, user: CurrentUser, participant_id: int) -> InterestsOut:
    await visible_row(user, participant_id)
    await record(
        actor, "participant.view_interests", entity="participant", entity_id=participant_id
    )
    return await _interests(participant_id)


async def save_interests(
    actor: Actor, user: CurrentUser, participant_id: int, data: InterestsIn
) -> InterestsOut:
    await visible_row(user, participant_id)
    wanted, unwanted = set(data.wanted_activity_ids), set(data.unwanted_activity_ids)
    if both := sorted(wanted & unwanted):
        raise InvalidInput(
            "unwanted_activity_ids",
            _("Activities both wanted and not wanted: %(ids)s.", ids=", ".join(map(str, both))),
        )
    if both_kinds := sorted(set(data.wanted_kinds) & set(data.unwanted_kinds)):
        raise InvalidInput(
            "unwanted_kinds",
            _("Kinds both wanted and not wanted: %(ids)s.", ids=", ".join(both_kinds)),
        )
    for field, ids in (("wanted_activity_ids", wanted), ("unwanted_activity_ids", unwanted)):
        for activity_id in sorted(ids):
            if not await exists(Activity, activity_id):
                raise InvalidInput(field, _("There is no activity %(id)s.", id=activity_id))
    async with transaction():
        await Interest.delete().where(Interest.participant == participant_id)
        await Strength.delete().where(Strength.participant == participant_id)
        rows = [Interest(participant=participant_id, activity=a, wants=True) for a in wanted]
        rows += [Interest(participant=participant_id, activity=a, wants=False) for a in unwanted]
        rows += [
            Interest(participant=participant_id, kind=k.value, wants=True)
            for k in set(data.wanted_kinds)
        ]
        rows += [
            Interest(participant=participant_id, kind=k.value, wants=False)
            for k in set(data.unwanted_kinds)
        ]
        if rows:
            await Interest.insert(*rows)
        tags = sorted({tag.strip() for tag in data.strengths if tag.strip()})
        if tags:
            await Strength.insert(*[Strength(participant=participant_id, tag=t) for t in tags])
        await record(actor, "participant.interests", entity="participant", entity_id=participant_id)
    return await _interests(participant_id)


async def _interests(participant_id: int) -> InterestsOut:
    rows = await Interest.select().where(Interest.participant == participant_id)
    strengths = await Strength.select(Strength.tag).where(Strength.participant == participant_id)
    return InterestsOut(
        participant_id=participant_id,
        wanted_activity_ids=sorted(r["activity"] for r in rows if r["activity"] and r["wants"]),
        unwanted_activity_ids=sorted(
            r["activity"] for r in rows if r["activity"] and not r["wants"]
        ),
        wanted_kinds=sorted(r["kind"] for r in rows if r["kind"] and r["wants"]),
        unwanted_kinds=sorted(r["kind"] for r in rows if r["kind"] and not r["wants"]),
        strengths=sorted(s["tag"] for s in strengths),
    )


# --- data protection -----------------------------------------------------------------


async def export(actor: Actor, participant_id: int) -> dict[str, Any]:
    """Everything Tupa holds about one participant, for a subject access request."""
    row = await _existing(participant_id)
    await record(actor, "participant.export", entity="participant", entity_id=participant_id)
    goals = await _goals(participant_id)
    reviews = await Review.select().where(Review.goal.participant == participant_id)
    return {
        "participant": _participant_out(row),
        "capacity": await _capacity(row),
        "goals": goals,
        "reviews": [
            {
                "goal_id": r["goal"],
                "on_date": r["on_date"],
                "rating": r["rating"],
                "note": r["note"],
            }
            for r in reviews
        ],
        "interests": await _interests(participant_id),
        "exported_at": clock.utcnow(),
    }


async def erase(actor: Actor, participant_id: int, *, today: date | None = None) -> None:
    """Remove the participant's personal data everywhere. What stays is an anonymous
    row (so that counts of participants and, later, attendance still add up). Their
    placements end on the day of the erasure, so that their places are free."""
    today = today or clock.today()
    row = await _existing(participant_id)
    traces = [
        value
        for value in (
            row["display_name"],
            row["contact"],
            row["support_person"],
            row["support_contact"],
        )
        if value
    ]
    account = None
    if row["user"] is not None:
        account = (
            await User.select(User.id, User.email, User.display_name)
            .where(User.id == row["user"])
            .first()
        )
        if account:
            traces += [v for v in (account["email"], account["display_name"]) if v]
    async with transaction():
        for table in (
            Goal,
            AvailabilityWindow,
            BlockedTime,
            ReachableSite,
            AccessibilityNeed,
            Strength,
            Interest,
            LoginCard,
        ):
            await table.delete().where(table.participant == participant_id)
        await Participant.update(
            {
                Participant.display_name: ERASED_NAME,
                Participant.contact: "",
                Participant.support_person: "",
                Participant.support_contact: "",
                Participant.user: None,
                Participant.contact_staff: None,
                Participant.status: ParticipantStatus.ended.value,
                Participant.next_review: None,
                Participant.erased_at: clock.utcnow(),
                Participant.updated_at: clock.utcnow(),
            }
        ).where(Participant.id == participant_id)
        if account:
            await User.delete().where(User.id == account["id"])
        slot_ids = await _end_placements(actor, participant_id, today)
        await _scrub_audit_log(traces)
        await record(actor, "participant.erase", entity="participant", entity_id=participant_id)
        # Their feeds stop; the sessions of their slots expect one fewer.
        await events.publish(events.ParticipantChanged(participant_id=participant_id, erased=True))
        await events.publish(
            events.PlacementsChanged(participant_ids=(participant_id,), slot_ids=tuple(slot_ids))
        )


async def _end_placements(actor: Actor, participant_id: int, day: date) -> list[int]:
    """End every placement of the participant that has not ended: on `day` (or on its
    own earlier end), and outright if it starts later. Returns the slots they were in."""
    rows = await Placement.select(
        Placement.id, Placement.slot, Placement.start_date, Placement.end_date
    ).where(
        (Placement.participant == participant_id)
        & (Placement.status != PlacementStatus.ended.value)
    )
    for row in rows:
        end = _ended_on(row["start_date"], row["end_date"], day)
        await Placement.update(
            {Placement.status: PlacementStatus.ended.value, Placement.end_date: end}
        ).where(Placement.id == row["id"])
        await record(
            actor,
            "placement.end",
            entity="placement",
            entity_id=row["id"],
            details={"end_date": end.isoformat() if end else None, "reason": "erasure"},
        )
    return sorted({row["slot"] for row in rows})


def _ended_on(start: date, end: date | None, day: date) -> date | None:
    """The end date of a placement ended on `day`: `day`, unless it ends earlier or
    has not started by then (then its dates stay as they were)."""
    if start > day or (end is not None and end < day):
        return end
    return day


async def _scrub_audit_log(traces: list[str]) -> None:
    """The log keeps what happened, not to whom: names and addresses are blanked."""
    for trace in traces:
        await AuditEvent.update({AuditEvent.actor_label: "erased"}).where(
            AuditEvent.actor_label == trace
        )
        # CAST: PostgreSQL cannot match LIKE against a json column directly.
        await AuditEvent.raw(
            "UPDATE audit_event SET details = {} WHERE CAST(details AS TEXT) LIKE {}",
            "{}",
            f"%{trace}%",
        )
