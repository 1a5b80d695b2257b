"""The staff area's rules: profiles (skills, sites, availability, contract hours),
absences, cover for the sessions an absence leaves without enough staff, and the week.

One module per part: `profiles`, `absences`, `cover` and `rota` (the staff week).
Callers import from here (`from service.staff import services`)."""

from service.staff.services.absences import delete_absence, list_absences, record_absence
from service.staff.services.cover import assign_cover, cancel_uncovered, cover_day
from service.staff.services.profiles import get_staff, list_staff, save_staff
from service.staff.services.rota import week_rota

__all__ = [
    "assign_cover",
    "cancel_uncovered",
    "cover_day",
    "delete_absence",
    "get_staff",
    "list_absences",
    "list_staff",
    "record_absence",
    "save_staff",
    "week_rota",
]
