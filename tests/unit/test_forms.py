"""The page form layer: values in, the API's struct out, errors by field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import msgspec
import pytest
from litestar.datastructures import FormMultiDict

from service.errors import Conflict, InvalidInput
from service.forms import FORM_ERROR, Form, form_to, posted_fields


class RoomIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    capacity: Annotated[int, msgspec.Meta(ge=1)] = 8
    features: list[str] = msgspec.field(default_factory=list)
    note: str | None = None


@dataclass
class Room:
    id: int
    name: str
    capacity: int
    features: list[str]


def test_blank_shows_the_structs_plain_defaults_and_given_ones():
    assert Form.blank(RoomIn).values == {"capacity": 8}
    assert Form.blank(RoomIn, name="Kitchen").values == {"capacity": 8, "name": "Kitchen"}


def test_of_shows_the_input_fields_an_object_has():
    room = Room(id=3, name="Kitchen", capacity=6, features=["step_free"])
    form = Form.of(RoomIn, room, note="")
    assert form.values == {"name": "Kitchen", "capacity": 6, "features": ["step_free"], "note": ""}
    assert Form.of(RoomIn, {"name": "Hall", "other": 1}).values == {"name": "Hall"}
    with pytest.raises(TypeError):
        Form.of(RoomIn, 42)


def test_posted_fields_trims_drops_empties_and_keeps_lists():
    posted = FormMultiDict(
        [
            ("_csrf_token", "x"),
            ("name", " Hall "),
            ("capacity", ""),
            ("features", "a"),
            ("features", ""),
            ("features", "b"),
        ]
    )
    assert posted_fields(posted, lists=("features", "tags")) == {
        "name": "Hall",
        "features": ["a", "b"],
        "tags": [],
    }


def test_parse_checks_as_the_api_does_and_names_the_field():
    form = Form.posted(RoomIn, FormMultiDict([("name", "Hall"), ("capacity", "12")]))
    assert form.parse() == RoomIn(name="Hall", capacity=12)
    with pytest.raises(InvalidInput) as bad:
        Form(RoomIn, {"name": "Hall", "capacity": "0"}).parse()
    assert bad.value.field == "capacity"
    with pytest.raises(InvalidInput) as missing:
        form_to(RoomIn, {"capacity": "3"})
    assert missing.value.field == "name"


def test_refused_puts_the_error_at_its_field_or_on_the_form():
    form = Form(RoomIn, {"name": "Hall"})
    form.refused(InvalidInput("capacity", "Too small."))
    form.refused(Conflict("The site already has a room called Hall."))
    assert form.errors == {
        "capacity": "Too small.",
        FORM_ERROR: "The site already has a room called Hall.",
    }
    assert form.context == {"form": {"name": "Hall"}, "errors": form.errors}
