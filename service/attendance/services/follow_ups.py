"""Follow-ups: two absences in a row without notice make an item for the
participant's contact staff member; staff see and close the items that are theirs."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from service import clock
from service.attendance import rules
from service.attendance.rules import MarkStatus
from service.attendance.schemas import FollowUpOut, MarkIn, Stored
from service.attendance.services._shared import mark_fact
from service.attendance.tables import AttendanceMark, FollowUp
from service.audit.services import Actor, record
from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.db import transaction
from service.errors import Forbidden, NotFound
from service.i18n import gettext as _
from service.people.tables import Participant
from service.placements.queries import visible_participants


async def follow_up(outcome: Stored, marks: list[MarkIn]) -> None:
    """Two absences in a row without notice make a follow-up item for the
    participant's contact staff member (once per triggering session)."""
    stored = {r.uuid for r in outcome.results if r.result == "stored"}
    who = {
        m.participant_id
        for m in marks
        if m.uuid in stored and m.status == MarkStatus.absent_no_notice
    }
    for participant_id in sorted(who):
        rows = await AttendanceMark.select(
            AttendanceMark.id,
            AttendanceMark.participant,
            AttendanceMark.session,
            AttendanceMark.status,
            AttendanceMark.marked_at,
            AttendanceMark.received_at,
            AttendanceMark.session.starts_at,
        ).where(AttendanceMark.participant == participant_id)
        by_session: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_session[row["session"]].append(row)
        ordered = sorted(by_session.items(), key=lambda item: item[1][0]["session.starts_at"])
        statuses = [
            rules.current_marks(mark_fact(row) for row in session_rows)[participant_id].status
            for _sid, session_rows in ordered
        ]
        if not rules.needs_follow_up(statuses):
            continue
        latest_session = ordered[-1][0]
        contact = (
            await Participant.select(Participant.contact_staff)
            .where(Participant.id == participant_id)
            .first()
        )
        await FollowUp.insert(
            FollowUp(
                participant=participant_id,
                session=latest_session,
                staff=contact["contact_staff"] if contact else None,
            )
        ).on_conflict(action="DO NOTHING")


async def open_follow_ups(user: CurrentUser) -> list[FollowUpOut]:
    """Staff see the items of the participants they are contact person of;
    coordinators and administrators see every open item."""
    if not may(user, "follow_ups.view"):
        return []
    query = (
        FollowUp.select(
            *FollowUp.all_columns(),
            FollowUp.participant.display_name,
            FollowUp.session.date,
            FollowUp.session._.activity._.title,
        )
        .where(FollowUp.done_at.is_null())
        .order_by(FollowUp.created_at)
    )
    if not may(user, "follow_ups.all"):
        visible = await visible_participants(user, clock.today())
        ids = [row["id"] for row in await Participant.select(Participant.id).where(visible)]
        query = query.where((FollowUp.staff == user.id) & FollowUp.participant.is_in(ids or [-1]))
    return [
        FollowUpOut(
            id=row["id"],
            participant_id=row["participant"],
            participant_name=row["participant.display_name"],
            session_id=row["session"],
            session_title=row["session.activity.title"],
            session_date=row["session.date"],
            reason=row["reason"],
            created_at=row["created_at"],
            staff_id=row["staff"],
        )
        for row in await query
    ]


async def close_follow_up(actor: Actor, user: CurrentUser, follow_up_id: int) -> None:
    """Mark an open item done (404 for an item this user does not see)."""
    row = await FollowUp.select().where(FollowUp.id == follow_up_id).first()
    if row is None:
        raise NotFound(_("There is no follow-up item %(id)s.", id=follow_up_id))
    if not may(user, "follow_ups.view"):
        raise Forbidden(_("Your role does not give access to this."))
    if not may(user, "follow_ups.view", row["staff"]):
        raise NotFound(_("There is no follow-up item %(id)s.", id=follow_up_id))
    async with transaction():
        await FollowUp.update({FollowUp.done_at: clock.utcnow(), FollowUp.done_by: user.id}).where(
            (FollowUp.id == follow_up_id) & FollowUp.done_at.is_null()
        )
        await record(
            actor,
            "follow_up.done",
            entity="follow_up",
            entity_id=follow_up_id,
            details={"participant_id": row["participant"]},
        )
