"""Shapes of participant data for services, pages and the JSON API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

import msgspec

from service.bounds import Input, RowId, text
from service.catalog.tables import ActivityKind
from service.people.tables import Destination, GoalStatus, ParticipantStatus

Weekday = Annotated[int, msgspec.Meta(ge=0, le=6)]
Word = Annotated[str, text(60)]
MAX_IDS = 200
"""The most activities or sites a participant's interests or reach can list."""
MAX_WORDS = 30
MAX_WINDOWS = 50
MAX_BLOCKED = 200


class ParticipantIn(Input):
    display_name: Annotated[str, text(120, min_length=1)]
    #: "" when not recorded: then the participant's browser chooses.
    preferred_language: Annotated[str, text(10)] = ""
    contact: Annotated[str, text(254)] = ""
    support_person: Annotated[str, text(120)] = ""
    support_contact: Annotated[str, text(254)] = ""
    consent_calendar: bool = False
    consent_notifications: bool = False
    referral_date: date | None = None
    plan_start: date | None = None
    plan_end: date | None = None
    status: ParticipantStatus = ParticipantStatus.waiting
    contact_staff_id: RowId | None = None
    next_review: date | None = None


class ParticipantOut(msgspec.Struct):
    id: int
    display_name: str
    preferred_language: str
    contact: str
    support_person: str
    support_contact: str
    consent_calendar: bool
    consent_notifications: bool
    referral_date: date | None
    plan_start: date | None
    plan_end: date | None
    status: ParticipantStatus
    contact_staff_id: int | None
    next_review: date | None
    user_id: int | None
    created_at: datetime
    birth_year: int | None = None
    municipality_ref: str = ""
    ended_on: date | None = None
    destination: Destination | None = None
    end_reason: str = ""


class WindowIn(Input):
    weekday: Weekday
    start: time
    end: time


class BlockedIn(Input):
    """Weekly (give weekday) or once (give on_date), never both."""

    start: time
    end: time
    weekday: Weekday | None = None
    on_date: date | None = None
    note: Annotated[str, text(120)] = ""


class CapacityIn(Input):
    weekly_hours: Annotated[float, msgspec.Meta(ge=0, le=40)] = 0
    max_sessions_per_day: Annotated[int, msgspec.Meta(ge=1, le=4)] = 1
    demand_tolerance: Annotated[int, msgspec.Meta(ge=1, le=5)] = 3
    animal_contact_allowed: bool = True
    windows: Annotated[list[WindowIn], msgspec.Meta(max_length=MAX_WINDOWS)] = msgspec.field(
        default_factory=list
    )
    blocked: Annotated[list[BlockedIn], msgspec.Meta(max_length=MAX_BLOCKED)] = msgspec.field(
        default_factory=list
    )
    reachable_site_ids: Annotated[list[RowId], msgspec.Meta(max_length=MAX_IDS)] = msgspec.field(
        default_factory=list
    )
    accessibility_needs: Annotated[list[Word], msgspec.Meta(max_length=MAX_WORDS)] = msgspec.field(
        default_factory=list
    )


class CapacityOut(CapacityIn):
    participant_id: int = 0


class GoalIn(Input):
    text: Annotated[str, text(1000, min_length=1)]
    domains: Annotated[list[Word], msgspec.Meta(max_length=MAX_WORDS)] = msgspec.field(
        default_factory=list
    )
    priority: Annotated[int, msgspec.Meta(ge=1, le=3)] = 2
    status: GoalStatus = GoalStatus.active


class GoalOut(msgspec.Struct):
    id: int
    participant_id: int
    text: str
    domains: list[str]
    priority: int
    status: GoalStatus
    created_at: datetime
    reviewed_at: date | None


class ReviewIn(Input):
    goal_id: RowId
    rating: Annotated[int, msgspec.Meta(ge=1, le=5)]
    on_date: date | None = None
    note: Annotated[str, text(500)] = ""
    next_review: date | None = None


class ReviewOut(msgspec.Struct):
    id: int
    goal_id: int
    on_date: date
    rating: int
    note: str
    reviewer_id: int | None


class InterestsIn(Input):
    wanted_activity_ids: Annotated[list[RowId], msgspec.Meta(max_length=MAX_IDS)] = msgspec.field(
        default_factory=list
    )
    unwanted_activity_ids: Annotated[list[RowId], msgspec.Meta(max_length=MAX_IDS)] = msgspec.field(
        default_factory=list
    )
    wanted_kinds: Annotated[list[ActivityKind], msgspec.Meta(max_length=MAX_WORDS)] = msgspec.field(
        default_factory=list
    )
    unwanted_kinds: Annotated[list[ActivityKind], msgspec.Meta(max_length=MAX_WORDS)] = (
        msgspec.field(default_factory=list)
    )
    strengths: Annotated[
        list[Annotated[str, text(60, min_length=1)]], msgspec.Meta(max_length=MAX_WORDS)
    ] = msgspec.field(default_factory=list)


class InterestsOut(InterestsIn):
    participant_id: int = 0


class DueReview(msgspec.Struct):
    participant_id: int
    display_name: str
    next_review: date
    contact_staff_id: int | None


class ExportedReview(msgspec.Struct):
    """A review in a subject access export (who reviewed is staff's, not theirs)."""

    goal_id: int
    on_date: date
    rating: int
    note: str


class ParticipantExport(msgspec.Struct):
    """Everything Tupa holds about one participant, for a subject access request."""

    participant: ParticipantOut
    capacity: CapacityOut
    goals: list[GoalOut]
    reviews: list[ExportedReview]
    interests: InterestsOut
    exported_at: datetime
    day_needs: DayNeedsOut | None = None


BirthYear = Annotated[int, msgspec.Meta(ge=1900, le=2199)]


class PlanEndIn(Input):
    """How a participant's plan ended: the day, where they went, and in a few words why
    (the reason is read under the rule of notes)."""

    ended_on: date
    destination: Destination
    end_reason: Annotated[str, text(200)] = ""


class ReportingIn(Input):
    """What the reports need beyond the plan: the year of birth (optional, for the
    share of young participants) and the municipality's reference for the person."""

    birth_year: BirthYear | None = None
    municipality_ref: Annotated[str, text(64)] = ""


class DayNeedsIn(Input):
    """A ride to the sessions (from where, with notes for the driver) and meals (the
    short diet list and an allergy in words)."""

    needs_ride: bool = False
    pickup_address: Annotated[str, text(240)] = ""
    ride_notes: Annotated[str, text(300)] = ""
    diets: Annotated[list[Word], msgspec.Meta(max_length=10)] = msgspec.field(default_factory=list)
    allergy_text: Annotated[str, text(300)] = ""


class DayNeedsOut(DayNeedsIn):
    participant_id: int = 0
