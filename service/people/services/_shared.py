"""What the modules of participant services share: the record's row as stored, as
shown, and the review interval."""

from __future__ import annotations

from typing import Any

from dateutil.relativedelta import relativedelta

from service.auth.permissions import note_for
from service.auth.schemas import CurrentUser
from service.errors import NotFound
from service.i18n import gettext as _
from service.people.schemas import (
    ParticipantOut,
)
from service.people.tables import (
    Destination,
    Participant,
    ParticipantStatus,
)

REVIEW_INTERVAL = relativedelta(months=3)


async def existing_row(participant_id: int) -> dict[str, Any]:
    """The participant's row, unless erased; 404 otherwise."""
    row = (
        await Participant.select()
        .where((Participant.id == participant_id) & Participant.erased_at.is_null())
        .first()
    )
    if row is None:
        raise NotFound(_("There is no participant %(id)s.", id=participant_id))
    return row


def participant_out(row: dict[str, Any], viewer: CurrentUser | None) -> ParticipantOut:
    """A participant's row as the services show it to `viewer`: support persons under
    the rule of notes (`note_for`)."""
    return ParticipantOut(
        id=row["id"],
        display_name=row["display_name"],
        preferred_language=row["preferred_language"],
        contact=row["contact"],
        support_person=note_for(viewer, row["support_person"], row["user"]),
        support_contact=note_for(viewer, row["support_contact"], row["user"]),
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
        birth_year=row["birth_year"],
        municipality_ref=row["municipality_ref"],
        ended_on=row["ended_on"],
        destination=Destination(row["destination"]) if row["destination"] else None,
        end_reason=note_for(viewer, row["end_reason"], row["user"]),
    )
