"""Turning the catalogue's page forms into the shapes of their input structs, where a
field cannot go into the struct as typed: comma-separated skills, a goal domain's
strength per domain, titles per language, weekday time windows, checkboxes."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import FormMultiDict

from service.catalog.schemas import ActivityOut
from service.forms import form_to, posted_fields
from service.staff.schemas import StaffProfileOut, WindowIn

WEEKDAYS = range(7)
_ACTIVITY_FIELDS = (
    "title",
    "kind",
    "site_id",
    "description",
    "demand_level",
    "min_participants",
    "max_participants",
    "participants_per_staff",
    "animal_contact",
    "what_to_bring",
    "features",
    "is_active",
)


def skill_list(text: str) -> list[str]:
    """Comma-separated skills as the struct's keys: trimmed, lower case, `_` for spaces."""
    return [s.strip().lower().replace(" ", "_") for s in text.split(",") if s.strip()]


def activity_fields(form: FormMultiDict) -> dict[str, Any]:
    """A posted activity form in `ActivityIn`'s shape: checkboxes as booleans, skills
    as a list, `domain_<key>` strengths as domains, `title_<language>` as titles."""
    data = posted_fields(form, lists=("features",))
    data["animal_contact"] = form.get("animal_contact") == "on"
    data["is_active"] = form.get("is_active", "on") == "on"
    data["required_skills"] = skill_list(str(form.get("required_skills", "")))
    data["domains"] = [
        {"key": key.removeprefix("domain_"), "strength": value}
        for key in form
        if key.startswith("domain_")
        if (value := str(form.get(key))) not in ("", "0")
    ]
    data["titles"] = {
        key.removeprefix("title_"): value
        for key in form
        if key.startswith("title_") and (value := str(form.get(key)).strip())
    }
    return {
        key: value
        for key, value in data.items()
        if not key.startswith("domain_") and not key.startswith("title_")
    }


def activity_shown(fields: dict[str, Any]) -> dict[str, Any]:
    """`activity_fields` as the form shows them again: titles per field, skills as
    text, strengths by domain."""
    return {
        **fields,
        **{f"title_{language}": title for language, title in fields["titles"].items()},
        "required_skills": ", ".join(fields["required_skills"]),
        "domains": {
            d["key"]: int(d["strength"]) for d in fields["domains"] if str(d["strength"]).isdigit()
        },
    }


def activity_values(activity: ActivityOut) -> dict[str, Any]:
    """An activity as its form shows it."""
    values = {key: getattr(activity, key) for key in _ACTIVITY_FIELDS}
    values["required_skills"] = ", ".join(activity.required_skills)
    values["domains"] = {d.key: d.strength for d in activity.domains}
    values.update({f"title_{language}": title for language, title in activity.titles.items()})
    return values


def slot_fields(form: FormMultiDict, activity_id: int) -> dict[str, Any]:
    """A posted weekly slot in `SlotIn`'s shape: the browser's HH:MM as HH:MM:SS."""
    data = {**posted_fields(form, lists=("staff_ids",)), "activity_id": activity_id}
    for key in ("start", "end"):
        if len(str(data.get(key, ""))) == 5:  # the browser sends HH:MM
            data[key] = f"{data[key]}:00"
    return data


def domain_fields(form: FormMultiDict) -> dict[str, Any]:
    """A posted goal domain in `GoalDomainIn`'s shape (empty fields kept, so that the
    struct names what is wrong with them)."""
    return {
        "key": str(form.get("key", "")).strip(),
        "label": str(form.get("label", "")).strip(),
        "is_active": form.get("is_active") == "on",
    }


def staff_shown(form: FormMultiDict) -> dict[str, Any]:
    """A posted staff profile as the form shows it: skills as typed, the chosen sites,
    and a (start, end) window per weekday."""
    return {
        "skills": str(form.get("skills", "")),
        "windows": {
            day: (str(form.get(f"start_{day}", "")), str(form.get(f"end_{day}", "")))
            for day in WEEKDAYS
        },
        "site_ids": [int(v) for v in form.getall("site_ids", []) if v.isdigit()],
        "contract_hours": str(form.get("contract_hours", "")).strip(),
    }


def staff_values(member: StaffProfileOut) -> dict[str, Any]:
    """A staff profile as its form shows it."""
    windows = {
        w.weekday: (w.start.strftime("%H:%M"), w.end.strftime("%H:%M")) for w in member.availability
    }
    hours = member.contract_hours
    return {
        "skills": ", ".join(member.skills),
        "site_ids": member.site_ids,
        "windows": windows,
        "contract_hours": "" if hours is None else f"{hours:g}",
    }


def staff_profile_fields(shown: dict[str, Any]) -> dict[str, Any]:
    """`staff_shown` in `StaffProfileIn`'s shape; a day with a start or an end is a
    window, checked as `WindowIn` (raises `InvalidInput` naming the bad field)."""
    availability = [
        form_to(WindowIn, {"weekday": day, "start": f"{start}:00", "end": f"{end}:00"})
        for day, (start, end) in shown["windows"].items()
        if start or end
    ]
    hours = shown.get("contract_hours", "")
    return {
        "skills": skill_list(shown["skills"]),
        "site_ids": shown["site_ids"],
        # a decimal comma is as good as a point; empty: not recorded
        "contract_hours": hours.replace(",", ".") if hours else None,
        "availability": [
            {"weekday": w.weekday, "start": w.start.isoformat(), "end": w.end.isoformat()}
            for w in availability
        ],
    }
