"""Helpers that the service modules share."""

from __future__ import annotations

from typing import Any

from service.catalog.vocabulary import weekday_names
from service.i18n import gettext as _
from service.matching.words import clock_time


def slot_label(row: dict[str, Any], prefix: str = "slot.") -> str:
    """A weekly slot in words: its activity, weekday and times (`prefix` is where the
    slot's columns sit in the row)."""
    day = weekday_names()[row[f"{prefix}weekday"]]
    start, end = row[f"{prefix}start"], row[f"{prefix}end"]
    return _(
        "%(title)s, %(day)s %(start)s–%(end)s",
        title=row[f"{prefix}activity.title"],
        day=day,
        start=clock_time(start.hour * 60 + start.minute),
        end=clock_time(end.hour * 60 + end.minute),
    )
