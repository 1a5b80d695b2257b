"""The planner's session dialog: posted values become the input structs, and what the
dialog cannot read is refused at its field in the page's own words."""

from __future__ import annotations

from datetime import date, time

import pytest

from service.errors import InvalidInput
from service.forms import form_to
from service.schedule.forms import (
    cancel_fields,
    optional_int,
    session_change_fields,
    session_fields,
)
from service.schedule.schemas import CancelIn, SessionChange, SessionIn

POSTED = {
    "activity_id": "7",
    "date": "2026-11-23",
    "start": "09:30",
    "end": "11:00",
    "room_id": "3",
    "staff_ids": ["5", "4"],
    "note": "Bring aprons",
    "filter_site": "2",
}


def test_a_new_session_becomes_session_in():
    data = form_to(SessionIn, session_fields(POSTED))
    assert data == SessionIn(
        activity_id=7,
        date=date(2026, 11, 23),
        start=time(9, 30),
        end=time(11, 0),
        room_id=3,
        staff_ids=[5, 4],
        note="Bring aprons",
    )


def test_a_change_without_a_room_clears_it():
    values = {key: value for key, value in POSTED.items() if key != "room_id"}
    data = form_to(SessionChange, session_change_fields(values))
    assert (data.room_id, data.clear_room, data.date) == (None, True, date(2026, 11, 23))
    with_room = form_to(SessionChange, session_change_fields(POSTED))
    assert (with_room.room_id, with_room.clear_room) == (3, False)


def test_a_long_note_is_cut_to_what_the_api_takes():
    data = form_to(SessionIn, session_fields({**POSTED, "note": "x" * 1200}))
    assert len(data.note) == 1000


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"activity_id": None}, "activity_id", "Choose an activity."),
        ({"activity_id": "seven"}, "activity_id", "Choose from the list."),
        ({"date": "23.11.2026"}, "date", "Give a date such as 2026-11-23."),
        ({"start": None}, "start", "Give a time such as 09:30."),
        ({"end": "noon"}, "end", "Give a time such as 09:30."),
        ({"room_id": "hall"}, "room_id", "Choose from the list."),
        ({"staff_ids": ["x"]}, "staff_ids", "Choose from the list."),
    ],
)
def test_what_the_dialog_cannot_read_is_refused_at_its_field(change, field, words):
    values = {**POSTED, **change}
    values = {key: value for key, value in values.items() if value is not None}
    with pytest.raises(InvalidInput) as refused:
        session_fields(values)
    assert (refused.value.field, refused.value.detail) == (field, words)


def test_the_first_unreadable_field_in_the_dialog_is_named():
    with pytest.raises(InvalidInput) as refused:
        session_fields({**POSTED, "date": "", "end": "late"})
    assert refused.value.field == "date"


def test_a_cancellation_needs_a_reason_and_keeps_200_characters():
    with pytest.raises(InvalidInput) as refused:
        cancel_fields({"reason": "  "})
    assert (refused.value.field, refused.value.detail) == (
        "reason",
        "Say why the session is cancelled.",
    )
    assert form_to(CancelIn, cancel_fields({"reason": "r" * 300})).reason == "r" * 200


def test_an_empty_choice_is_none():
    assert optional_int("", "site") is None
    assert optional_int(None, "site") is None
    assert optional_int(" 4 ", "site") == 4
