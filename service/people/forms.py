"""The participant forms of the staff pages, on the shared `Form` layer.

Most fields go straight into their input struct. These functions do what the struct
cannot: the record's consents are ticks, the capacity form has a row of times per
weekday and numbered rows of blocked times, the goal form names the goal it changes, and
strengths are written as one comma-separated line.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.datastructures import FormMultiDict

from service.forms import Form, posted_fields
from service.people.schemas import CapacityIn, CapacityOut, GoalIn, InterestsIn, ParticipantIn

#: The record's fields typed in as text (the consents are ticks).
RECORD_FIELDS = (
    "display_name",
    "preferred_language",
    "contact",
    "support_person",
    "support_contact",
    "referral_date",
    "plan_start",
    "plan_end",
    "status",
    "contact_staff_id",
    "next_review",
)
CONSENTS = ("consent_calendar", "consent_notifications")
#: How many rows of blocked times the capacity form shows.
BLOCKED_ROWS = 4
BLOCKED_KEYS = ("weekday", "on_date", "start", "end", "note")
INTEREST_LISTS = ("wanted_activity_ids", "unwanted_activity_ids", "wanted_kinds", "unwanted_kinds")


def fields_of(schema: type[msgspec.Struct], values: dict[str, Any]) -> dict[str, Any]:
    """Only the struct's own fields: other posted fields are left aside, not refused."""
    return {name: value for name, value in values.items() if name in schema.__struct_fields__}


def record_form(posted: FormMultiDict) -> Form[ParticipantIn]:
    """The participant record as posted: its text fields, and the consents as ticks."""
    values = {name: value for name, value in posted_fields(posted).items() if name in RECORD_FIELDS}
    for name in CONSENTS:
        values[name] = posted.get(name) == "on"
    return Form(ParticipantIn, values)


def capacity_shown(capacity: CapacityOut) -> Form[CapacityIn]:
    """The saved capacity as the form shows it: a (from, to) pair of HH:MM per weekday,
    and the blocked times as rows of text."""
    windows = {
        w.weekday: (w.start.strftime("%H:%M"), w.end.strftime("%H:%M")) for w in capacity.windows
    }
    blocked = [
        {
            "weekday": b.weekday,
            "on_date": b.on_date.isoformat() if b.on_date else "",
            "start": b.start.strftime("%H:%M"),
            "end": b.end.strftime("%H:%M"),
            "note": b.note,
        }
        for b in capacity.blocked
    ]
    return Form.of(CapacityIn, capacity, windows=windows, blocked=blocked)


def capacity_form(posted: FormMultiDict) -> Form[CapacityIn]:
    """The capacity as posted, in the shape the form shows (see `capacity_shown`);
    blocked rows with neither a start nor an end are left out."""
    values = posted_fields(posted, lists=("reachable_site_ids", "accessibility_needs"))
    rows = [
        {key: str(values.get(f"blocked_{n}_{key}", "")) for key in BLOCKED_KEYS}
        for n in range(BLOCKED_ROWS)
    ]
    return Form(
        CapacityIn,
        {
            "weekly_hours": values.get("weekly_hours", ""),
            "max_sessions_per_day": values.get("max_sessions_per_day", ""),
            "demand_tolerance": values.get("demand_tolerance", ""),
            "animal_contact_allowed": posted.get("animal_contact_allowed") == "on",
            "windows": {
                day: (values.get(f"start_{day}", ""), values.get(f"end_{day}", ""))
                for day in range(7)
            },
            "blocked": [row for row in rows if row["start"] or row["end"]],
            "reachable_site_ids": values["reachable_site_ids"],
            "accessibility_needs": values["accessibility_needs"],
        },
    )


def capacity_in(values: dict[str, Any]) -> dict[str, Any]:
    """The capacity form's values in the shape of `CapacityIn`: one window per weekday
    that has a time, blocked rows with empty fields unset, times as HH:MM:SS."""
    return {
        "weekly_hours": values["weekly_hours"] or 0,
        "max_sessions_per_day": values["max_sessions_per_day"] or 1,
        "demand_tolerance": values["demand_tolerance"] or 3,
        "animal_contact_allowed": values["animal_contact_allowed"],
        "windows": [
            {"weekday": day, "start": with_seconds(start), "end": with_seconds(end)}
            for day, (start, end) in values["windows"].items()
            if start or end
        ],
        "blocked": [
            {
                "weekday": row["weekday"] or None,
                "on_date": row["on_date"] or None,
                "start": with_seconds(row["start"]),
                "end": with_seconds(row["end"]),
                "note": row["note"],
            }
            for row in values["blocked"]
        ],
        "reachable_site_ids": values["reachable_site_ids"],
        "accessibility_needs": values["accessibility_needs"],
    }


def with_seconds(value: str) -> str:
    """The browser sends HH:MM; the API's times are HH:MM:SS."""
    return f"{value}:00" if len(value) == 5 else value


def goal_form(posted: FormMultiDict) -> tuple[Form[GoalIn], int | None]:
    """A new goal or a change to one: the goal's fields, and the id of the goal it
    changes (none for a new one). An empty text is kept, for the struct to refuse."""
    values = posted_fields(posted, lists=("domains",))
    goal_id = values.get("goal_id", "")
    goal = {"text": "", **fields_of(GoalIn, values)}
    return Form(GoalIn, goal), int(goal_id) if goal_id.isdigit() else None


def interests_form(posted: FormMultiDict) -> Form[InterestsIn]:
    """Interests as posted: the ticked activities and kinds, and strengths written
    as one comma-separated line."""
    values = posted_fields(posted, lists=INTEREST_LISTS)
    values["strengths"] = strengths_of(values.get("strengths", ""))
    return Form(InterestsIn, fields_of(InterestsIn, values))


def strengths_of(text: str) -> list[str]:
    """Strengths written as one line, "patient, funny": the tags, trimmed, empty ones
    left out."""
    return [tag.strip() for tag in text.split(",") if tag.strip()]
