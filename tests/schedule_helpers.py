"""Builders for catalogue and schedule tests."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import msgspec

from service.audit.services import Actor
from service.catalog import services as catalog
from service.catalog.schemas import ActivityIn, DomainStrength, RoomIn, SiteIn
from service.catalog.tables import ActivityKind
from service.schedule import services as schedule
from service.schedule.schemas import SlotIn

ACTOR = Actor.system("test")


async def site(name: str = "Pajatalo", **extra: Any) -> int:
    return (await catalog.save_site(ACTOR, SiteIn(name=name, **extra))).id


async def room(site_id: int, name: str = "Woodwork room") -> int:
    return (await catalog.add_room(ACTOR, site_id, RoomIn(name=name))).id


async def activity(site_id: int, title: str = "Woodwork", **extra: Any) -> int:
    extra.setdefault("kind", ActivityKind.workshop)
    extra.setdefault("domains", [DomainStrength(key="everyday_living", strength=2)])
    extra = msgspec.to_builtins(extra)  # then validated as the API would
    data = msgspec.convert({"title": title, "site_id": site_id, **extra}, ActivityIn)
    return (await catalog.save_activity(ACTOR, data)).id


async def slot(
    activity_id: int,
    weekday: int = 0,
    start: time = time(9),
    end: time = time(12),
    valid_from: date = date(2026, 1, 5),
    *,
    today: date,
    **extra: Any,
) -> int:
    data = SlotIn(
        activity_id=activity_id,
        weekday=weekday,
        start=start,
        end=end,
        valid_from=valid_from,
        **extra,
    )
    return (await schedule.save_slot(ACTOR, data, today=today)).id
