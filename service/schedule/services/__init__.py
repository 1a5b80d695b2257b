"""The schedule's rules: weekly slots, sessions generated from them, one-off sessions,
moves and cancellations, closures, and the conflicts between them.

One module per part: `checks` (shared checks), `slots` (weekly slots), `generation`,
`sessions` (with `session_rows` for reading them) and `closures`. Callers import from
here (`from service.schedule import services`)."""

from service.schedule.services._shared import replace_staff
from service.schedule.services.checks import activity_row, check_room, check_staff, check_times
from service.schedule.services.closures import add_closure, list_closures, remove_closure
from service.schedule.services.generation import HORIZON_WEEKS, generate_sessions
from service.schedule.services.session_rows import session_rows
from service.schedule.services.sessions import (
    cancel_session,
    change_session,
    create_session,
    get_session,
    list_sessions,
    restore_session,
)
from service.schedule.services.slots import end_slot, get_slot, list_slots, save_slot

__all__ = [
    "HORIZON_WEEKS",
    "activity_row",
    "add_closure",
    "cancel_session",
    "change_session",
    "check_room",
    "check_staff",
    "check_times",
    "create_session",
    "end_slot",
    "generate_sessions",
    "get_session",
    "get_slot",
    "list_closures",
    "list_sessions",
    "list_slots",
    "remove_closure",
    "replace_staff",
    "restore_session",
    "save_slot",
    "session_rows",
]
