"""The planner's session forms: what was posted (`Form.values`) in the shape of the input
structs, with the page's own words for a date, time or choice it cannot read.

The structs could read dates and times themselves, but the dialog names the field and
gives an example ("Give a time such as 09:30."), as it always has; these functions do
that, and the struct then checks the rest as the API does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from service.errors import InvalidInput
from service.i18n import gettext as _

#: The longest note and cancellation reason the dialog keeps (the API refuses longer).
NOTE_LENGTH = 1000
REASON_LENGTH = 200


def optional_int(value: Any, field: str) -> int | None:
    """An id chosen from a list, or None when nothing was chosen."""
    text = "" if value is None else str(value)
    try:
        return int(text) if text.strip() else None
    except ValueError:
        raise InvalidInput(field, _("Choose from the list.")) from None


def session_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """A new session's posted values as `SessionIn` fields."""
    activity_id = optional_int(values.get("activity_id"), "activity_id")
    if activity_id is None:
        raise InvalidInput("activity_id", _("Choose an activity."))
    return {"activity_id": activity_id, **_when_where_who(values)}


def session_change_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """A changed session's posted values as `SessionChange` fields: no room chosen
    clears the room."""
    room_id = optional_int(values.get("room_id"), "room_id")
    return {**_when_where_who(values), "clear_room": room_id is None}


def cancel_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """A cancellation's posted values as `CancelIn` fields; a reason is needed."""
    reason = str(values.get("reason", "")).strip()
    if not reason:
        raise InvalidInput("reason", _("Say why the session is cancelled."))
    return {"reason": reason[:REASON_LENGTH]}


def _when_where_who(values: Mapping[str, Any]) -> dict[str, Any]:
    """Day, times, room, staff and note, checked in the order the dialog shows them."""
    return {
        "date": _date(values, "date"),
        "start": _time(values, "start"),
        "end": _time(values, "end"),
        "room_id": optional_int(values.get("room_id"), "room_id"),
        "staff_ids": _ids(values, "staff_ids"),
        "note": str(values.get("note", ""))[:NOTE_LENGTH],
    }


def _time(values: Mapping[str, Any], field: str) -> time:
    """The time in `field`, such as 09:30."""
    try:
        return time.fromisoformat(str(values.get(field, "")))
    except ValueError:
        raise InvalidInput(field, _("Give a time such as 09:30.")) from None


def _date(values: Mapping[str, Any], field: str) -> date:
    """The date in `field`, such as 2026-11-23."""
    try:
        return date.fromisoformat(str(values.get(field, "")))
    except ValueError:
        raise InvalidInput(field, _("Give a date such as 2026-11-23.")) from None


def _ids(values: Mapping[str, Any], field: str) -> list[int]:
    """The ids ticked in `field`."""
    try:
        return [int(value) for value in values.get(field, [])]
    except ValueError:
        raise InvalidInput(field, _("Choose from the list.")) from None
