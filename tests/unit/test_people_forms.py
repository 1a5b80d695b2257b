"""The participant forms of the staff pages: what the struct alone cannot read."""

from __future__ import annotations

from datetime import date, time

from litestar.datastructures import FormMultiDict

from service.forms import form_to
from service.people.forms import (
    capacity_form,
    capacity_in,
    capacity_shown,
    goal_form,
    interests_form,
    record_form,
    strengths_of,
    with_seconds,
)
from service.people.schemas import BlockedIn, CapacityIn, CapacityOut, WindowIn
from service.people.tables import GoalStatus, ParticipantStatus


def posted(*pairs: tuple[str, str]) -> FormMultiDict:
    return FormMultiDict(list(pairs))


def test_strengths_are_one_comma_separated_line() -> None:
    assert strengths_of(" patient, funny ,, ") == ["patient", "funny"]
    assert strengths_of("") == []


def test_times_get_their_seconds() -> None:
    assert with_seconds("09:30") == "09:30:00"
    assert with_seconds("09:30:15") == "09:30:15"
    assert with_seconds("") == ""


def test_the_record_takes_its_fields_and_reads_the_consents_as_ticks() -> None:
    form = record_form(
        posted(
            ("_csrf_token", "x"),
            ("display_name", " Aino "),
            ("contact", ""),
            ("status", "active"),
            ("consent_calendar", "on"),
            ("something_else", "ignored"),
        )
    )
    assert form.values == {
        "display_name": "Aino",
        "status": "active",
        "consent_calendar": True,
        "consent_notifications": False,
    }
    parsed = form.parse()
    assert parsed.status is ParticipantStatus.active
    assert parsed.consent_calendar and not parsed.consent_notifications


def test_the_capacity_form_reads_weekday_windows_and_blocked_rows() -> None:
    form = capacity_form(
        posted(
            ("weekly_hours", "7.5"),
            ("start_0", "09:00"),
            ("end_0", "12:00"),
            ("blocked_0_weekday", "2"),
            ("blocked_0_start", "08:00"),
            ("blocked_0_end", "16:00"),
            ("blocked_1_note", "no times, left out"),
            ("reachable_site_ids", "3"),
            ("reachable_site_ids", "1"),
        )
    )
    assert form.values["windows"][0] == ("09:00", "12:00")
    assert form.values["windows"][1] == ("", "")
    assert len(form.values["blocked"]) == 1
    assert form.values["animal_contact_allowed"] is False
    data = form_to(CapacityIn, capacity_in(form.values))
    assert data.weekly_hours == 7.5
    assert data.max_sessions_per_day == 1
    assert data.demand_tolerance == 3
    assert data.windows == [WindowIn(weekday=0, start=time(9), end=time(12))]
    assert data.blocked == [BlockedIn(start=time(8), end=time(16), weekday=2)]
    assert data.reachable_site_ids == [3, 1]


def test_saved_capacity_is_shown_as_the_form_reads_it() -> None:
    capacity = CapacityOut(
        weekly_hours=10,
        windows=[WindowIn(weekday=4, start=time(9), end=time(15, 30))],
        blocked=[BlockedIn(start=time(8), end=time(9), on_date=date(2026, 12, 8), note="doctor")],
        reachable_site_ids=[2],
        participant_id=7,
    )
    form = capacity_shown(capacity)
    assert form.values["windows"] == {4: ("09:00", "15:30")}
    assert form.values["blocked"] == [
        {
            "weekday": None,
            "on_date": "2026-12-08",
            "start": "08:00",
            "end": "09:00",
            "note": "doctor",
        }
    ]
    assert form.values["reachable_site_ids"] == [2]
    assert "participant_id" not in form.values
    # What is shown posts back to the same capacity.
    assert form_to(CapacityIn, capacity_in(form.values)).windows == capacity.windows


def test_the_goal_form_names_the_goal_it_changes() -> None:
    form, goal_id = goal_form(
        posted(("goal_id", "5"), ("text", "Cook "), ("domains", "work"), ("status", "paused"))
    )
    assert goal_id == 5
    goal = form.parse()
    assert (goal.text, goal.domains, goal.priority) == ("Cook", ["work"], 2)
    assert goal.status is GoalStatus.paused
    empty, new_id = goal_form(posted(("text", " ")))
    assert new_id is None
    assert empty.values == {"text": "", "domains": []}


def test_the_interests_form_splits_the_strengths() -> None:
    form = interests_form(
        posted(("wanted_activity_ids", "4"), ("strengths", "patient, funny"), ("extra", "x"))
    )
    interests = form.parse()
    assert interests.wanted_activity_ids == [4]
    assert interests.unwanted_kinds == []
    assert interests.strengths == ["patient", "funny"]
