"""Attendance: batches of marks from tablets (idempotent by the tablet's UUID), the
roster with its marks, today's sessions, and follow-up items.

One module per part: who may mark what (`who_may_mark`), the marks (`marks`), the
follow-ups (`follow_ups`) and what the pages show (`pages_data`); the structs they take
and give are in `service.attendance.schemas`."""

from service.attendance.schemas import MAX_BATCH, UUID_PATTERN
from service.attendance.services.daily import lunch_list, transport_csv, transport_list
from service.attendance.services.follow_ups import close_follow_up, open_follow_ups
from service.attendance.services.marks import (
    attended_activity_ids,
    current_marks,
    mark_history,
    record_marks,
)
from service.attendance.services.morning import morning_sheet
from service.attendance.services.pages_data import check_day, day_sessions, sheet
from service.attendance.services.who_may_mark import visible_session

__all__ = [
    "MAX_BATCH",
    "UUID_PATTERN",
    "attended_activity_ids",
    "check_day",
    "close_follow_up",
    "current_marks",
    "day_sessions",
    "lunch_list",
    "mark_history",
    "morning_sheet",
    "open_follow_ups",
    "record_marks",
    "sheet",
    "transport_csv",
    "transport_list",
    "visible_session",
]
