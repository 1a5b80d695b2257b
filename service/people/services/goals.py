"""Goals in the participant's own words, their reviews, and reviews coming due."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from service import clock
from service.audit.services import Actor, record
from service.auth.permissions import may, note_for
from service.auth.schemas import CurrentUser
from service.catalog.tables import GoalDomain
from service.db import transaction
from service.errors import Forbidden, InvalidInput, NotFound
from service.i18n import gettext as _
from service.people.schemas import (
    DueReview,
    GoalIn,
    GoalOut,
    ReviewIn,
    ReviewOut,
)
from service.people.services._shared import REVIEW_INTERVAL
from service.people.services.visibility import visible_row
from service.people.tables import (
    Goal,
    GoalDomainLink,
    Participant,
    ParticipantStatus,
    Review,
)
from service.placements.queries import visible_participants


async def list_goals(actor: Actor, user: CurrentUser, participant_id: int) -> list[GoalOut]:
    await visible_row(user, participant_id)
    await record(actor, "participant.view_goals", entity="participant", entity_id=participant_id)
    return await goals_of(participant_id)


async def save_goal(
    actor: Actor,
    user: CurrentUser,
    participant_id: int,
    data: GoalIn,
    goal_id: int | None = None,
) -> GoalOut:
    """Coordinators and staff write goals with the participant; a participant may add a
    wish of their own (a new goal, in their own words), as `/me/goals` allows: no
    priority, domains or status of their choosing (403 naming what they set)."""
    await visible_row(user, participant_id)
    _check_wish(user, data, goal_id)
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
    return next(g for g in await goals_of(participant_id) if g.id == goal_id)


def _check_wish(user: CurrentUser, data: GoalIn, goal_id: int | None) -> None:
    """Without `goals.plan` (a participant) only a new wish: text, nothing else."""
    if may(user, "goals.plan"):
        return
    wish = GoalIn(text=data.text)
    chosen = [
        name
        for name in ("domains", "priority", "status")
        if getattr(data, name) != getattr(wish, name)
    ]
    if goal_id is not None or chosen:
        raise Forbidden(
            _(
                "You can add a wish in your own words; %(fields)s are set with your instructor.",
                fields=", ".join(chosen) or "changes",
            )
        )


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


async def goals_of(participant_id: int) -> list[GoalOut]:
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
    person = await visible_row(user, participant_id)
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
            note=note_for(user, r["note"], person["user"]),
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
