"""Participants and their individual plans. Personal data is kept minimal: no
diagnoses, only what planning and contact need."""

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Real,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from service.auth.tables import User
from service.catalog.tables import Activity, GoalDomain, Site
from service.tables import Identified


class ParticipantStatus(StrEnum):
    waiting = "waiting"
    active = "active"
    paused = "paused"
    ended = "ended"


class Destination(StrEnum):
    """Where a participant went when their plan ended."""

    work = "work"
    study = "study"
    other_service = "other_service"
    moved = "moved"
    own_choice = "own_choice"
    no_longer_needs_support = "no_longer_needs_support"
    other = "other"


class GoalStatus(StrEnum):
    active = "active"
    achieved = "achieved"
    paused = "paused"
    dropped = "dropped"


class Participant(Identified, Table, tablename="participant"):
    # One participant per account (several without one): `unique` refuses a second link
    # even when two are made at the same moment.
    user = ForeignKey(
        references=User, on_delete=OnDelete.set_null, null=True, index=True, unique=True
    )
    display_name = Varchar(length=120)
    # The provider's own number for the participant, from an imported spreadsheet: a
    # second import of the same file updates the record instead of adding another.
    external_id = Varchar(length=64, null=True, default=None)
    participant_external_id_key = Unique([external_id])
    preferred_language = Varchar(length=8, default="fi")
    contact = Varchar(length=254, default="")
    support_person = Varchar(length=120, default="")
    support_contact = Varchar(length=254, default="")
    consent_calendar = Boolean(default=False)
    consent_notifications = Boolean(default=False)
    referral_date = Date(null=True, default=None)
    plan_start = Date(null=True, default=None)
    plan_end = Date(null=True, default=None)
    status = Varchar(length=12, choices=ParticipantStatus, default=ParticipantStatus.waiting)
    contact_staff = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, index=True)
    next_review = Date(null=True, default=None, index=True)
    weekly_hours = Real(default=0.0)
    max_sessions_per_day = Integer(default=1)
    demand_tolerance = Integer(default=3)
    animal_contact_allowed = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    erased_at = Timestamptz(null=True, default=None)
    # For reports (issue #15): the year of birth (optional; only the year, for the share
    # of young participants), the municipality's own reference for the person (funder
    # files), and how the plan ended: when, where to, and why in a few words.
    birth_year = Integer(null=True, default=None)
    municipality_ref = Varchar(length=64, default="")
    ended_on = Date(null=True, default=None)
    destination = Varchar(length=32, choices=Destination, null=True, default=None)
    end_reason = Varchar(length=200, default="")


class AvailabilityWindow(Identified, Table, tablename="participant_window"):
    """When in the week the participant can take part (local time)."""

    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    weekday = Integer()
    start = Time()
    end = Time()


class BlockedTime(Identified, Table, tablename="participant_blocked"):
    """Time taken by work, study or treatment: weekly (weekday) or once (on_date)."""

    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    weekday = Integer(null=True, default=None)
    on_date = Date(null=True, default=None)
    start = Time()
    end = Time()
    note = Varchar(length=120, default="")


class ReachableSite(Identified, Table, tablename="participant_site"):
    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(references=Site, on_delete=OnDelete.cascade, index=True)


class AccessibilityNeed(Identified, Table, tablename="participant_need"):
    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    feature = Varchar(length=40)


class Strength(Identified, Table, tablename="participant_strength"):
    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    tag = Varchar(length=60)


class Interest(Identified, Table, tablename="participant_interest"):
    """An activity or a kind the participant wants (wants=True) or does not want."""

    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    activity = ForeignKey(references=Activity, on_delete=OnDelete.cascade, null=True)
    kind = Varchar(length=24, null=True, default=None)
    wants = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Goal(Identified, Table, tablename="goal"):
    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    text = Text()
    priority = Integer(default=2)
    status = Varchar(length=12, choices=GoalStatus, default=GoalStatus.active)
    created_at = Timestamptz(default=TimestamptzNow())
    reviewed_at = Date(null=True, default=None)


class GoalDomainLink(Identified, Table, tablename="goal_domain_link"):
    goal = ForeignKey(references=Goal, on_delete=OnDelete.cascade, index=True)
    domain = ForeignKey(references=GoalDomain, on_delete=OnDelete.restrict, index=True)


class Review(Identified, Table, tablename="goal_review"):
    goal = ForeignKey(references=Goal, on_delete=OnDelete.cascade, index=True)
    on_date = Date()
    rating = Integer()
    note = Varchar(length=500, default="")
    reviewer = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class LoginCard(Identified, Table, tablename="login_card"):
    """A printed card whose one-time code signs the participant in without a password.
    Only a hash of the code is kept."""

    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class DayNeeds(Identified, Table, tablename="participant_day_needs"):
    """What the day itself needs for a participant: a ride (from where, with notes)
    and meals (an allergy or other diet in their own words; the short list is in
    `DietNeed`)."""

    participant = ForeignKey(
        references=Participant, on_delete=OnDelete.cascade, unique=True, index=True
    )
    needs_ride = Boolean(default=False)
    pickup_address = Varchar(length=240, default="")
    ride_notes = Varchar(length=300, default="")
    allergy_text = Varchar(length=300, default="")


class DietNeed(Identified, Table, tablename="participant_diet"):
    """One item of a participant's short diet list (vocabulary in `catalog.vocabulary`)."""

    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    diet = Varchar(length=40)
