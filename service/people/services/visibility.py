"""Who sees whom: a participant's row only for those who may see it."""

from __future__ import annotations

from typing import Any

from service import clock
from service.auth.schemas import CurrentUser
from service.errors import NotFound
from service.i18n import gettext as _
from service.people.tables import (
    Participant,
)
from service.placements.queries import visible_participants


async def visible_row(user: CurrentUser, participant_id: int) -> dict[str, Any]:
    """The participant's row if this user may see it; 404 otherwise, so that another
    person's id reveals nothing."""
    visible = await visible_participants(user, clock.today())
    row = await Participant.select().where((Participant.id == participant_id) & visible).first()
    if row is None:
        raise NotFound(_("There is no participant %(id)s.", id=participant_id))
    return row
