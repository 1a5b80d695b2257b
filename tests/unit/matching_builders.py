"""Small matcher instances for the unit tests: a person who can come any weekday from
08:00 to 17:00 to site 1, and slots on Monday morning at site 1, unless told otherwise."""

from __future__ import annotations

from typing import Any

from service.matching.model import Goal, Person, Problem, Slot, Weights, Window

ANY_TIME = tuple(Window(day, 8 * 60, 17 * 60) for day in range(5))


def person(id: int = 1, **changes: Any) -> Person:
    values: dict[str, Any] = {
        "id": id,
        "weekly_minutes": 20 * 60,
        "max_per_day": 2,
        "windows": ANY_TIME,
        "sites": frozenset({1, 2}),
    }
    values.update(changes)
    return Person(**values)


def slot(id: int, **changes: Any) -> Slot:
    values: dict[str, Any] = {
        "id": id,
        "activity_id": 100 + id,
        "site_id": 1,
        "weekday": 0,
        "start": 9 * 60,
        "end": 11 * 60,
        "capacity": 5,
    }
    values.update(changes)
    return Slot(**values)


def goal(id: int, *domains: str, priority: int = 1) -> Goal:
    return Goal(id, priority, frozenset(domains))


def problem(people: list[Person], slots: list[Slot], **changes: Any) -> Problem:
    values: dict[str, Any] = {"weights": Weights(), "time_limit": 10.0}
    values.update(changes)
    return Problem(people=tuple(people), slots=tuple(slots), **values)


def placed(plan: Any) -> set[tuple[int, int]]:
    return {(a.person_id, a.slot_id) for a in plan.assignments}
