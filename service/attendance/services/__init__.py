"""Attendance services, about to be split along their banners (history follows the
biggest part, the marks)."""

from service.attendance.services.marks import (
    MAX_BATCH,
    UUID_PATTERN,
    AttendanceSheet,
    CurrentMark,
    FollowUpOut,
    MarkHistory,
    MarksIn,
    MarksOut,
    check_day,
    close_follow_up,
    current_marks,
    day_sessions,
    mark_history,
    open_follow_ups,
    record_marks,
    sheet,
    visible_session,
)

__all__ = [
    "MAX_BATCH",
    "UUID_PATTERN",
    "AttendanceSheet",
    "CurrentMark",
    "FollowUpOut",
    "MarkHistory",
    "MarksIn",
    "MarksOut",
    "check_day",
    "close_follow_up",
    "current_marks",
    "day_sessions",
    "mark_history",
    "open_follow_ups",
    "record_marks",
    "sheet",
    "visible_session",
]
