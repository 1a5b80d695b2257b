"""The absence form's fields in the API's shape."""

from __future__ import annotations

from typing import Any

TIME_FIELDS = ("start_time", "end_time")


def absence_fields(shown: dict[str, Any]) -> dict[str, Any]:
    """The posted absence as `AbsenceIn` reads it: a time input's `HH:MM` gets its
    seconds (the API reads `HH:MM:SS`)."""
    fields = dict(shown)
    for name in TIME_FIELDS:
        value = fields.get(name)
        if isinstance(value, str) and len(value) == 5:
            fields[name] = f"{value}:00"
    return fields
