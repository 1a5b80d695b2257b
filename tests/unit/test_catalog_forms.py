"""The catalogue's form conversions: what a page posts, in its input struct's shape."""

from datetime import time

import pytest
from litestar.datastructures import FormMultiDict

from service.catalog.forms import (
    activity_fields,
    activity_shown,
    domain_fields,
    skill_list,
    slot_fields,
    staff_profile_fields,
    staff_shown,
    staff_values,
)
from service.catalog.schemas import ActivityIn, GoalDomainIn
from service.catalog.vocabulary import skill_label
from service.errors import InvalidInput
from service.forms import form_to
from service.i18n import use_language
from service.schedule.schemas import SlotIn
from service.staff.schemas import StaffProfileIn, StaffProfileOut, WindowIn


def test_skills_are_keys_from_comma_separated_text():
    assert skill_list(" First Aid, driving ,, ") == ["first_aid", "driving"]


def test_an_activity_form_becomes_an_activity_in():
    posted = FormMultiDict(
        [
            ("_csrf_token", "x"),
            ("title", " Woodwork "),
            ("kind", "workshop"),
            ("site_id", "3"),
            ("features", "step_free"),
            ("required_skills", "Wood Work, first aid"),
            ("domain_work", "2"),
            ("domain_social", "0"),
            ("title_fi", " Puutyö "),
            ("title_sv", " "),
        ]
    )
    fields = activity_fields(posted)
    assert fields["animal_contact"] is False
    assert fields["is_active"] is True  # a new form has no checkbox yet
    assert fields["required_skills"] == ["wood_work", "first_aid"]
    assert fields["domains"] == [{"key": "work", "strength": "2"}]
    assert fields["titles"] == {"fi": "Puutyö"}
    assert not any(key.startswith(("domain_", "title_")) for key in fields)
    data = form_to(ActivityIn, fields)
    assert (data.title, data.site_id, data.features) == ("Woodwork", 3, ["step_free"])
    assert data.domains[0].key == "work" and data.domains[0].strength == 2


def test_a_refused_activity_is_shown_as_it_was_typed():
    fields = {
        "title": "Woodwork",
        "required_skills": ["wood_work"],
        "domains": [{"key": "work", "strength": "2"}, {"key": "social", "strength": "x"}],
        "titles": {"fi": "Puutyö"},
    }
    shown = activity_shown(fields)
    assert shown["required_skills"] == "wood_work"
    assert shown["domains"] == {"work": 2}
    assert shown["title_fi"] == "Puutyö"


def test_a_slot_form_gets_seconds_and_its_activity():
    posted = FormMultiDict(
        [("weekday", "2"), ("start", "09:00"), ("end", "12:30:00"), ("valid_from", "2026-12-07")]
    )
    fields = slot_fields(posted, 7)
    assert fields["start"] == "09:00:00" and fields["end"] == "12:30:00"
    assert fields["staff_ids"] == []
    assert form_to(SlotIn, fields).activity_id == 7


def test_a_goal_domain_form_keeps_empty_fields_for_the_struct_to_name():
    fields = domain_fields(FormMultiDict([("key", " "), ("label", " Work ")]))
    assert fields == {"key": "", "label": "Work", "is_active": False}
    with pytest.raises(InvalidInput) as refused:
        form_to(GoalDomainIn, fields)
    assert refused.value.field == "key"


def test_a_staff_form_becomes_a_profile_with_windows_per_weekday():
    posted = FormMultiDict(
        [
            ("skills", "First aid, driving"),
            ("site_ids", "1"),
            ("site_ids", "x"),
            ("start_0", "09:00"),
            ("end_0", "15:00"),
        ]
    )
    shown = staff_shown(posted)
    assert shown["site_ids"] == [1]
    assert shown["windows"][0] == ("09:00", "15:00") and shown["windows"][1] == ("", "")
    data = form_to(StaffProfileIn, staff_profile_fields(shown))
    assert data.skills == ["first_aid", "driving"]
    assert data.availability == [WindowIn(weekday=0, start=time(9), end=time(15))]


def test_contract_hours_take_a_decimal_comma_and_empty_is_none():
    hours = form_to(
        StaffProfileIn,
        staff_profile_fields(staff_shown(FormMultiDict([("contract_hours", "37,5")]))),
    )
    assert hours.contract_hours == 37.5
    empty = form_to(StaffProfileIn, staff_profile_fields(staff_shown(FormMultiDict([]))))
    assert empty.contract_hours is None
    with pytest.raises(InvalidInput) as refused:
        form_to(
            StaffProfileIn,
            staff_profile_fields(staff_shown(FormMultiDict([("contract_hours", "120")]))),
        )
    assert refused.value.field == "contract_hours"


def test_a_half_filled_window_is_refused_at_its_field():
    shown = staff_shown(FormMultiDict([("start_3", "09:00")]))
    with pytest.raises(InvalidInput) as refused:
        staff_profile_fields(shown)
    assert refused.value.field == "end"


def test_a_staff_profile_is_shown_with_its_windows():
    member = StaffProfileOut(
        user_id=1,
        name="A",
        email="a@example.org",
        site_ids=[2],
        skills=["first_aid", "driving"],
        availability=[WindowIn(weekday=4, start=time(8, 30), end=time(12))],
    )
    assert staff_values(member) == {
        "skills": "first_aid, driving",
        "site_ids": [2],
        "windows": {4: ("08:30", "12:00")},
        "contract_hours": "",
    }


def test_skills_are_shown_as_words_never_as_keys():
    assert skill_label("outdoor_guiding") == "Outdoor guiding"
    assert skill_label("ceramics_glazing") == "Ceramics glazing"  # one added by hand
    with use_language("fi"):
        assert skill_label("first_aid") == "Ensiapu"
