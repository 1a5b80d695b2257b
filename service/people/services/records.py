"""Participant records: list, view, save, link a sign-in account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from service import clock, events
from service.audit.services import Actor, record
from service.auth.schemas import CurrentUser
from service.auth.tables import Role, User
from service.db import contains_text, save_row, transaction
from service.errors import Conflict, InvalidInput
from service.i18n import gettext as _
from service.people.schemas import (
    ParticipantIn,
    ParticipantOut,
)
from service.people.services._shared import REVIEW_INTERVAL, existing_row, participant_out
from service.people.services.visibility import visible_row
from service.people.tables import (
    Participant,
    ParticipantStatus,
    ReachableSite,
)
from service.placements.queries import visible_participants
from service.settings import LANGUAGES


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
        query = query.where(contains_text(Participant.display_name, search))
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
    return [participant_out(row, user) for row in rows]


#: What a list of participants may be sorted by: a column, then the id (unique), so that
#: a page ends at a row and the next page starts after it (keyset paging: rows added or
#: removed meanwhile never make a row appear twice or be left out).
PARTICIPANT_SORTS = {"name": Participant.display_name, "id": Participant.id}
MAX_PAGE = 500


@dataclass(frozen=True)
class ParticipantPage:
    items: list[ParticipantOut]
    total: int  # of every page, with the same filters
    next_after: int | None  # the id to ask for the next page after; None on the last page


async def page_participants(
    actor: Actor,
    user: CurrentUser,
    *,
    search: str = "",
    status: ParticipantStatus | None = None,
    site_id: int | None = None,
    review_due: bool = False,
    sort: str = "name",
    limit: int = 100,
    after: int | None = None,
    today: date | None = None,
) -> ParticipantPage:
    """One page of the participants `user` may see, sorted by `sort` then id, starting
    after the participant `after` (the last one of the previous page)."""
    today = today or clock.today()
    column = PARTICIPANT_SORTS.get(sort)
    if column is None:
        raise InvalidInput(
            "sort", _("Sort by one of: %(choices)s.", choices=", ".join(PARTICIPANT_SORTS))
        )
    filters = [await visible_participants(user, today)]
    if search:
        filters.append(Participant.display_name.ilike(f"%{search}%"))
    if status:
        filters.append(Participant.status == status.value)
    if review_due:
        filters.append(Participant.next_review <= today)
    if site_id is not None:
        reach = await ReachableSite.select(ReachableSite.participant).where(
            ReachableSite.site == site_id
        )
        filters.append(Participant.id.is_in([r["participant"] for r in reach] or [-1]))
    total = await Participant.count().where(*filters)
    query = Participant.select().where(*filters)
    if after is not None:
        query = query.where(await _after(column, after))
    query = query.order_by(column).order_by(Participant.id).limit(min(limit, MAX_PAGE) + 1)
    rows = await query
    more = len(rows) > min(limit, MAX_PAGE)
    rows = rows[: min(limit, MAX_PAGE)]
    await record(actor, "participant.list", entity="participant", details={"count": len(rows)})
    return ParticipantPage(
        items=[participant_out(row, user) for row in rows],
        total=total,
        next_after=rows[-1]["id"] if more and rows else None,
    )


async def _after(column: Any, after: int) -> Any:
    """The rows that come after participant `after` in the order of `column`, then id."""
    if column is Participant.id:
        return Participant.id > after
    row = await Participant.select(column.as_alias("key")).where(Participant.id == after).first()
    if row is None:
        raise InvalidInput(
            "after", _("There is no participant %(id)s to continue after.", id=after)
        )
    key = row["key"]
    return (column > key) | ((column == key) & (Participant.id > after))


async def get_participant(actor: Actor, user: CurrentUser, participant_id: int) -> ParticipantOut:
    row = await visible_row(user, participant_id)
    await record(actor, "participant.view", entity="participant", entity_id=participant_id)
    return participant_out(row, user)


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
            await existing_row(participant_id)
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
    return participant_out(await existing_row(participant_id), actor.user)


async def link_account(actor: Actor, participant_id: int, user_id: int | None) -> None:
    """Connect the participant's own sign-in account (role participant)."""
    if user_id is not None:
        user = await User.select(User.role).where(User.id == user_id).first()
        if user is None or user["role"] != Role.participant.value:
            raise InvalidInput("user_id", _("Choose an account with the participant role."))
    async with transaction():
        if user_id is not None and await Participant.exists().where(
            (Participant.user == user_id) & (Participant.id != participant_id)
        ):
            raise Conflict(_("This account belongs to another participant."))
        await Participant.update({Participant.user: user_id}).where(
            Participant.id == participant_id
        )
        await record(
            actor, "participant.link_account", entity="participant", entity_id=participant_id
        )
        await events.publish(events.ParticipantChanged(participant_id=participant_id))


async def _check_record(data: ParticipantIn) -> None:
    if data.preferred_language and data.preferred_language not in LANGUAGES:
        raise InvalidInput(
            "preferred_language", _("Choose one of: %(choices)s.", choices=", ".join(LANGUAGES))
        )
    if data.plan_start and data.plan_end and data.plan_end < data.plan_start:
        raise InvalidInput("plan_end", _("The plan must end on or after its start."))
    if data.contact_staff_id is not None:
        staff = await User.select(User.role).where(User.id == data.contact_staff_id).first()
        if staff is None or staff["role"] not in (Role.staff.value, Role.coordinator.value):
            raise InvalidInput("contact_staff_id", _("Choose a staff member or a coordinator."))
