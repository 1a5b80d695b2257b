"""The hard rules, each a small named function. A unary rule judges one person and
one slot; the rules between slots (overlap, travel, hours, per day, capacity) are
judged on a whole plan by `validate` and kept by the solver's rows."""

from __future__ import annotations

from collections.abc import Callable

from service.matching.model import Person, Slot


def outside_availability(person: Person, slot: Slot) -> bool:
    """The slot is not inside any of the person's availability windows."""
    return not any(w.holds(slot.weekday, slot.start, slot.end) for w in person.windows)


def during_blocked_time(person: Person, slot: Slot) -> bool:
    """The slot overlaps time the person has blocked (work, study, treatment)."""
    return any(b.touches(slot.weekday, slot.start, slot.end) for b in person.blocked)


def too_demanding(person: Person, slot: Slot) -> bool:
    return slot.demand > person.demand_tolerance


def site_unreachable(person: Person, slot: Slot) -> bool:
    return slot.site_id not in person.sites


def needs_unmet(person: Person, slot: Slot) -> bool:
    """The place lacks an accessibility feature the person needs."""
    return not person.needs <= slot.features


def animal_contact_not_allowed(person: Person, slot: Slot) -> bool:
    return slot.animals and not person.animals_ok


def not_wanted(person: Person, slot: Slot) -> bool:
    """The person said they do not want this activity or this kind of activity."""
    return slot.activity_id in person.refuses_activities or slot.kind in person.refuses_kinds


def longer_than_budget(person: Person, slot: Slot) -> bool:
    return slot.minutes > person.weekly_minutes


UnaryRule = Callable[[Person, Slot], bool]

# In the order they are reported: the first that fails names why a slot was out.
UNARY_RULES: tuple[tuple[str, UnaryRule], ...] = (
    ("not_wanted", not_wanted),
    ("site", site_unreachable),
    ("window", outside_availability),
    ("blocked", during_blocked_time),
    ("hours", longer_than_budget),
    ("demand", too_demanding),
    ("access", needs_unmet),
    ("animals", animal_contact_not_allowed),
)

# Every hard rule by its code, for explanations and for naming what a change breaks.
RULES: tuple[str, ...] = (
    *(name for name, _ in UNARY_RULES),
    "capacity",
    "overlap",
    "travel",
    "per_day",
    "pinned",
)


def first_broken_rule(person: Person, slot: Slot) -> str | None:
    """The code of the first unary rule the pair breaks, or None if the slot may be chosen."""
    for name, broken in UNARY_RULES:
        if broken(person, slot):
            return name
    return None


def clash(a: Slot, b: Slot, travel_buffer: int) -> str | None:
    """`overlap` if one person cannot be in both because they overlap, `travel` if they
    are at different sites with less than the travel buffer between them."""
    if a.weekday != b.weekday:
        return None
    if a.start < b.end and b.start < a.end:
        return "overlap"
    if a.site_id != b.site_id:
        gap = max(a.start, b.start) - min(a.end, b.end)
        if gap < travel_buffer:
            return "travel"
    return None
