"""Catalogue tables: sites and their rooms, partners, goal domains and activities."""

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from service.tables import Identified


class PartnerKind(StrEnum):
    farm = "farm"
    employer = "employer"
    community = "community"


class ActivityKind(StrEnum):
    workshop = "workshop"
    day_activity = "day_activity"
    green_care = "green_care"
    supported_employment = "supported_employment"


class Partner(Identified, Table, tablename="partner"):
    """An outside organisation: a green-care farm, an employer, a community group."""

    name = Varchar(length=120)
    kind = Varchar(length=20, choices=PartnerKind)
    contact_name = Varchar(length=120, default="")
    phone = Varchar(length=40, default="")
    email = Varchar(length=254, default="")
    notes = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Site(Identified, Table, tablename="site"):
    """A place where sessions happen: an own unit or a partner's premises."""

    name = Varchar(length=120)
    time_zone = Varchar(length=64, default="Europe/Helsinki")
    country = Varchar(length=2, default="FI")
    address = Varchar(length=240, default="")
    phone = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, null=True, index=True)


class SiteFeature(Identified, Table, tablename="site_feature"):
    """An accessibility feature a site has (vocabulary in `catalog.vocabulary`)."""

    site = ForeignKey(references=Site, on_delete=OnDelete.cascade, index=True)
    feature = Varchar(length=40)


class Room(Identified, Table, tablename="room"):
    site = ForeignKey(references=Site, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=80)
    capacity = Integer(null=True, default=None)


class GoalDomain(Identified, Table, tablename="goal_domain"):
    """An area of life a goal or an activity is about; administrators edit the list."""

    key = Varchar(length=40, unique=True)
    label = Varchar(length=80)
    is_active = Boolean(default=True)


class Activity(Identified, Table, tablename="activity"):
    """A template of one of the four kinds, held at a site in weekly slots."""

    title = Varchar(length=120)
    kind = Varchar(length=24, choices=ActivityKind)
    description = Text(default="")
    site = ForeignKey(references=Site, on_delete=OnDelete.restrict, index=True)
    demand_level = Integer(default=2)
    min_participants = Integer(default=1)
    max_participants = Integer(default=8)
    participants_per_staff = Integer(default=6)
    animal_contact = Boolean(default=False)
    what_to_bring = Text(default="")
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ActivityDomain(Identified, Table, tablename="activity_domain"):
    """A goal domain an activity serves, with how strongly (1-3)."""

    activity = ForeignKey(references=Activity, on_delete=OnDelete.cascade, index=True)
    domain = ForeignKey(references=GoalDomain, on_delete=OnDelete.restrict, index=True)
    strength = Integer(default=1)


class ActivitySkill(Identified, Table, tablename="activity_skill"):
    """A staff skill the activity requires (for example animal_handling)."""

    activity = ForeignKey(references=Activity, on_delete=OnDelete.cascade, index=True)
    skill = Varchar(length=40)


class ActivityFeature(Identified, Table, tablename="activity_feature"):
    """An accessibility feature of the activity itself (for example seated_work)."""

    activity = ForeignKey(references=Activity, on_delete=OnDelete.cascade, index=True)
    feature = Varchar(length=40)


class ActivityTitle(Identified, Table, tablename="activity_title"):
    """The activity's title in another language, for pages and calendar feeds read in
    that language; `Activity.title` is shown where there is none."""

    activity = ForeignKey(references=Activity, on_delete=OnDelete.cascade, index=True)
    language = Varchar(length=8)
    title = Varchar(length=120)
    activity_title_key = Unique([activity, language])


class SiteDayService(Identified, Table, tablename="site_day_service"):
    """What a site arranges for the day: lunch, and transport with the minutes before
    a session's start when a ride picks up (none: no transport arrangement)."""

    site = ForeignKey(references=Site, on_delete=OnDelete.cascade, unique=True, index=True)
    serves_lunch = Boolean(default=False)
    transport_lead_minutes = Integer(null=True, default=None)
    transport_notes = Varchar(length=300, default="")
