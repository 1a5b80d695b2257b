"""Shapes of catalogue data for services, pages and the JSON API."""

from __future__ import annotations

from typing import Annotated

import msgspec

from service.catalog.tables import ActivityKind, PartnerKind

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
Short = Annotated[str, msgspec.Meta(max_length=240)]
Skill = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{2,40}$")]


class RoomIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    capacity: Annotated[int, msgspec.Meta(ge=1, le=500)] | None = None


class RoomOut(msgspec.Struct):
    id: int
    site_id: int
    name: str
    capacity: int | None


class SiteIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    time_zone: str = "Europe/Helsinki"
    country: Annotated[str, msgspec.Meta(min_length=2, max_length=2)] = "FI"
    address: Short = ""
    phone: Annotated[str, msgspec.Meta(max_length=40)] = ""
    partner_id: int | None = None
    features: list[str] = msgspec.field(default_factory=list)


class SiteOut(msgspec.Struct):
    id: int
    name: str
    time_zone: str
    country: str
    address: str
    phone: str
    partner_id: int | None
    features: list[str]
    rooms: list[RoomOut]


class PartnerIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    kind: PartnerKind
    contact_name: Annotated[str, msgspec.Meta(max_length=120)] = ""
    phone: Annotated[str, msgspec.Meta(max_length=40)] = ""
    email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    notes: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class PartnerOut(msgspec.Struct):
    id: int
    name: str
    kind: PartnerKind
    contact_name: str
    phone: str
    email: str
    notes: str
    site_ids: list[int]


class DomainStrength(msgspec.Struct, forbid_unknown_fields=True):
    key: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    strength: Annotated[int, msgspec.Meta(ge=1, le=3)] = 1


class GoalDomainIn(msgspec.Struct, forbid_unknown_fields=True):
    key: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{2,40}$")]
    label: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    is_active: bool = True


class GoalDomainOut(msgspec.Struct):
    id: int
    key: str
    label: str
    is_active: bool


class ActivityIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Name
    kind: ActivityKind
    site_id: int
    description: Annotated[str, msgspec.Meta(max_length=4000)] = ""
    demand_level: Annotated[int, msgspec.Meta(ge=1, le=5)] = 2
    min_participants: Annotated[int, msgspec.Meta(ge=0, le=200)] = 1
    max_participants: Annotated[int, msgspec.Meta(ge=1, le=200)] = 8
    participants_per_staff: Annotated[int, msgspec.Meta(ge=1, le=50)] = 6
    animal_contact: bool = False
    what_to_bring: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    domains: list[DomainStrength] = msgspec.field(default_factory=list)
    required_skills: list[Skill] = msgspec.field(default_factory=list)
    features: list[str] = msgspec.field(default_factory=list)
    is_active: bool = True
    titles: dict[str, Name] = msgspec.field(default_factory=dict)  # by language code


class ActivityOut(msgspec.Struct):
    id: int
    title: str
    kind: ActivityKind
    site_id: int
    description: str
    demand_level: int
    min_participants: int
    max_participants: int
    participants_per_staff: int
    animal_contact: bool
    what_to_bring: str
    domains: list[DomainStrength]
    required_skills: list[str]
    features: list[str]
    is_active: bool
    titles: dict[str, str]
