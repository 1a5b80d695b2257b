"""The matcher's reasons in words, in the reader's language: fuller for coordinators,
simpler for the participant. The core gives codes; only this module makes sentences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import time
from typing import Any

from service.catalog.vocabulary import weekday_names
from service.formats import format_clock, format_number
from service.i18n import gettext as _
from service.i18n import ngettext


def hours(minutes: int) -> str:
    """Hours in the reader's language: 5, 2,5 in Finnish, 2.5 in English."""
    return format_number(round(minutes / 60, 1), "#,##0.#")


def clock_time(minutes: int) -> str:
    """Minutes after midnight as the reader writes the time: 09:30, 9.30."""
    return format_clock(time(minutes // 60, minutes % 60))


def blocker_words(rule: str) -> str:
    """What was wrong with the slots that a rule kept someone out of, to follow a count
    ("15 slots outside the times they can come")."""
    return {
        "not_wanted": _("of activities they do not want"),
        "site": _("at sites they cannot reach"),
        "window": _("outside the times they can come"),
        "blocked": _("in time they have blocked"),
        "hours": _("longer than their weekly hours"),
        "demand": _("more demanding than they can take on now"),
        "access": _("missing an accessibility feature they need"),
        "animals": _("with animal contact, which is not right for them"),
        "capacity": _("full"),
        "overlap": _("overlapping a pinned session"),
        "travel": _("too close to a pinned session at another site"),
        "per_day": _("on a day already full for them"),
        "too_small": _("that would start below their minimum group size"),
        "not_chosen": _("better given to others"),
    }.get(rule, rule)


def refusal_words(rule: str) -> str:
    """Why one change is refused: the rule it would break for this person and slot."""
    return {
        "not_wanted": _("they said they do not want this activity"),
        "site": _("they cannot reach this site"),
        "window": _("it is outside the times they can come"),
        "blocked": _("it falls in time they have blocked"),
        "hours": _("it would take more than their weekly hours"),
        "demand": _("it asks more than they can take on now"),
        "access": _("the place lacks an accessibility feature they need"),
        "animals": _("it has animal contact, which is not right for them"),
        "capacity": _("the slot would be over its number of places"),
        "overlap": _("it overlaps another of their sessions"),
        "travel": _("there is too little time to travel between the sites"),
        "per_day": _("it would be more sessions in one day than they want"),
        "pinned": _("a pinned placement would be lost"),
        "not_chosen": _("other placements serve the goals better"),
    }.get(rule, rule)


def simple_rule_words(rule: str) -> str:
    """A hard rule, as the participant reads it about themselves."""
    return {
        "not_wanted": _("the groups that fit are ones you said you do not want"),
        "site": _("the groups that fit are at places you cannot get to"),
        "window": _("no group meets at the times you can come"),
        "blocked": _("the groups meet when you have other things"),
        "hours": _("the groups are longer than the hours you want"),
        "demand": _("the groups that fit would be too much just now"),
        "access": _("the places do not yet have what you need to get around"),
        "animals": _("the groups that fit work with animals"),
        "capacity": _("the groups that fit you are full just now"),
        "no_slots": _("there are no groups in these weeks yet"),
        "no_hours": _("we have not agreed your hours yet"),
    }.get(rule, _("we are still looking for a group that fits you"))


def blocker_lines(blockers: Sequence[Mapping[str, Any]], *, simple: bool = False) -> list[str]:
    """Why someone was left out, most slots first."""
    if simple:
        return [simple_rule_words(blockers[0]["rule"])] if blockers else []
    lines = []
    for blocker in blockers:
        if blocker["rule"] == "no_slots":
            lines.append(_("there are no weekly slots in these weeks"))
        elif blocker["rule"] == "no_hours":
            lines.append(_("no weekly hours are set for them"))
        else:
            lines.append(
                ngettext(
                    "%(num)s slot %(reason)s",
                    "%(num)s slots %(reason)s",
                    blocker["slots"],
                    reason=blocker_words(blocker["rule"]),
                )
            )
    return lines


def placement_lines(
    reason: Mapping[str, Any], goal_texts: Mapping[int, str], *, simple: bool = False
) -> list[str]:
    """Why a placement: the goals it serves, why the time fits, the hours it uses."""
    lines: list[str] = []
    goals = [goal_texts[g] for g in reason.get("goal_ids", []) if g in goal_texts]
    if goals:
        quoted = "; ".join(f"“{text}”" for text in goals)
        lines.append(
            _("It helps with your goal: %(goals)s", goals=quoted)
            if simple
            else _("Serves goals: %(goals)s", goals=quoted)
        )
    if reason.get("interest"):
        lines.append(
            _("You said you are interested in this.")
            if simple
            else _("They said they are interested in it.")
        )
    if reason.get("kept"):
        lines.append(
            _("You keep your place here.") if simple else _("Kept from their current plan.")
        )
    if reason.get("pinned"):
        lines.append(
            _("Pinned by a coordinator.") if not simple else _("This place is kept for you.")
        )
    window = reason.get("window")
    if window:
        day = weekday_names()[window["weekday"]]
        lines.append(
            _(
                "It is on %(day)s, when you said you can come.",
                day=day,
            )
            if simple
            else _(
                "Inside their time on %(day)s, %(start)s–%(end)s.",
                day=day,
                start=clock_time(window["start"]),
                end=clock_time(window["end"]),
            )
        )
    used, budget = reason.get("minutes_used", 0), reason.get("minutes_budget", 0)
    if budget:
        lines.append(
            _(
                "Your week: %(used)s of the %(budget)s hours you want.",
                used=hours(used),
                budget=hours(budget),
            )
            if simple
            else _(
                "Uses %(used)s of %(budget)s weekly hours.",
                used=hours(used),
                budget=hours(budget),
            )
        )
    if reason.get("rule"):
        lines.append(
            _("Would end because %(reason)s.", reason=refusal_words(reason["rule"]))
            if not simple
            else simple_rule_words(reason["rule"])
        )
    return lines
