"""Shapes of catalogue data for services, pages and the JSON API."""

from __future__ import annotations

from typing import Annotated

import msgspec

from service.bounds import Input, RowId, text
from service.catalog.tables import ActivityKind, PartnerKind

Name = Annotated[str, text(120, min_length=1)]
Short = Annotated[str, text(240)]
# `$` also matches before a final newline: the lookahead refuses "woodwork\n" (a valid
# ECMAScript pattern too, as the OpenAPI document publishes it).
KEY_PATTERN = r"^(?!.*\n)[a-z0-9_]{2,40}$"
Skill = Annotated[str, msgspec.Meta(pattern=KEY_PATTERN, max_length=40)]
Key = Annotated[str, msgspec.Meta(pattern=KEY_PATTERN, max_length=40)]
Feature = Annotated[str, text(60)]
MAX_LISTED = 30
"""The most features, skills or goal domains one site or activity lists."""
Features = Annotated[list[Feature], msgspec.Meta(max_length=MAX_LISTED)]
LanguageCode = Annotated[str, text(10)]


class RoomIn(Input):
    name: Annotated[str, text(80, min_length=1)]
    capacity: Annotated[int, msgspec.Meta(ge=1, le=500)] | None = None


class RoomOut(msgspec.Struct):
    id: int
    site_id: int
    name: str
    capacity: int | None


class SiteIn(Input):
    name: Name
    time_zone: Annotated[str, text(64)] = "Europe/Helsinki"
    country: Annotated[str, text(2, min_length=2)] = "FI"
    address: Short = ""
    phone: Annotated[str, text(40)] = ""
    partner_id: RowId | None = None
    features: Features = msgspec.field(default_factory=list)


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


class PartnerIn(Input):
    name: Name
    kind: PartnerKind
    contact_name: Annotated[str, text(120)] = ""
    phone: Annotated[str, text(40)] = ""
    email: Annotated[str, text(254)] = ""
    notes: Annotated[str, text(2000)] = ""


class PartnerOut(msgspec.Struct):
    id: int
    name: str
    kind: PartnerKind
    contact_name: str
    phone: str
    email: str
    notes: str
    site_ids: list[int]


class DomainStrength(Input):
    key: Annotated[str, text(40, min_length=1)]
    strength: Annotated[int, msgspec.Meta(ge=1, le=3)] = 1


class GoalDomainIn(Input):
    key: Key
    label: Annotated[str, text(80, min_length=1)]
    is_active: bool = True


class GoalDomainOut(msgspec.Struct):
    id: int
    key: str
    label: str
    is_active: bool


class ActivityIn(Input):
    title: Name
    kind: ActivityKind
    site_id: RowId
    description: Annotated[str, text(4000)] = ""
    demand_level: Annotated[int, msgspec.Meta(ge=1, le=5)] = 2
    min_participants: Annotated[int, msgspec.Meta(ge=0, le=200)] = 1
    max_participants: Annotated[int, msgspec.Meta(ge=1, le=200)] = 8
    participants_per_staff: Annotated[int, msgspec.Meta(ge=1, le=50)] = 6
    animal_contact: bool = False
    what_to_bring: Annotated[str, text(1000)] = ""
    domains: Annotated[list[DomainStrength], msgspec.Meta(max_length=MAX_LISTED)] = msgspec.field(
        default_factory=list
    )
    required_skills: Annotated[list[Skill], msgspec.Meta(max_length=MAX_LISTED)] = msgspec.field(
        default_factory=list
    )
    features: Features = msgspec.field(default_factory=list)
    is_active: bool = True
    titles: Annotated[dict[LanguageCode, Name], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=dict
    )  # by language code


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


class SiteDayServiceIn(Input):
    """Lunch at the site, and a transport arrangement: rides pick up
    `transport_lead_minutes` before a session starts (none: no transport)."""

    serves_lunch: bool = False
    transport_lead_minutes: Annotated[int, msgspec.Meta(ge=0, le=240)] | None = None
    transport_notes: Annotated[str, text(300)] = ""


class SiteDayServiceOut(SiteDayServiceIn):
    site_id: int = 0
