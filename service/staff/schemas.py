"""Shapes of staff profiles."""

from __future__ import annotations

from datetime import time
from typing import Annotated

import msgspec

from service.bounds import Input, RowId
from service.catalog.schemas import MAX_LISTED, Skill


class WindowIn(Input):
    weekday: Annotated[int, msgspec.Meta(ge=0, le=6)]
    start: time
    end: time


class StaffProfileIn(Input):
    skills: Annotated[list[Skill], msgspec.Meta(max_length=MAX_LISTED)] = msgspec.field(
        default_factory=list
    )
    site_ids: Annotated[list[RowId], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )
    availability: Annotated[list[WindowIn], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )


class StaffProfileOut(msgspec.Struct):
    user_id: int
    name: str
    email: str
    site_ids: list[int]
    skills: list[str]
    availability: list[WindowIn]
