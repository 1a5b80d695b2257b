"""Shapes of staff profiles."""

from __future__ import annotations

from datetime import time
from typing import Annotated

import msgspec

from service.catalog.schemas import Skill


class WindowIn(msgspec.Struct, forbid_unknown_fields=True):
    weekday: Annotated[int, msgspec.Meta(ge=0, le=6)]
    start: time
    end: time


class StaffProfileIn(msgspec.Struct, forbid_unknown_fields=True):
    skills: list[Skill] = msgspec.field(default_factory=list)
    site_ids: list[int] = msgspec.field(default_factory=list)
    availability: list[WindowIn] = msgspec.field(default_factory=list)


class StaffProfileOut(msgspec.Struct):
    user_id: int
    name: str
    email: str
    site_ids: list[int]
    skills: list[str]
    availability: list[WindowIn]
