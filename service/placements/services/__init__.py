"""Placements (manual for now; the matcher will propose them too), the sessions a
participant is placed in, absence notices and the roster of a session.

One module per part: `placements`, `sessions` (the participant's sessions), `absences`
and `roster`. The structs live in `service.placements.schemas`; the ones other areas
import from here are re-exported.
"""

from service.placements.schemas import AbsenceIn, AbsenceOut, MySession, PlacementIn
from service.placements.services.absences import (
    give_absence,
    list_absences,
    record_absence,
    take_back_absence,
)
from service.placements.services.placements import (
    end_placement,
    get_placement,
    list_placements,
    place,
)
from service.placements.services.roster import roster
from service.placements.services.sessions import my_sessions, overlapping

__all__ = [
    "AbsenceIn",
    "AbsenceOut",
    "MySession",
    "PlacementIn",
    "end_placement",
    "get_placement",
    "give_absence",
    "list_absences",
    "list_placements",
    "my_sessions",
    "overlapping",
    "place",
    "record_absence",
    "roster",
    "take_back_absence",
]
