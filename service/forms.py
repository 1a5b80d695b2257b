"""Page forms: one way for every page to take a form in and give it back with errors.

A `Form` pairs the input struct of the JSON API (`SiteIn`, `CapacityIn`, ...) with the
values the page shows and the errors by field. A page builds it from an object to
edit (`Form.of`), from defaults (`Form.blank`) or from what was posted
(`Form.posted`), turns it into the struct with the API's own checks (`parse`), and on a
refusal shows it again with the error next to its field (`refused`). So pages and API
accept and refuse the same input, and no handler parses fields by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any, Generic, TypeVar

import msgspec
from litestar.datastructures import FormMultiDict

from service.errors import DomainError, InvalidInput

T = TypeVar("T", bound=msgspec.Struct)

#: The form-wide error (not tied to one field) is shown under this key.
FORM_ERROR = "form"
#: msgspec's words for a missing or unknown field, and `bounds.Input`'s for a date or
#: time out of range, with the field's name.
NAMED_FIELD = re.compile(r"(?:unknown|missing required|date in|time in) field `([^`]+)`")
_PATH_FIELD = re.compile(r"at `\$\.([A-Za-z_]+)")
_NOT_INPUT = frozenset({"_csrf_token"})


def form_to(struct_type: type[T], data: Mapping[str, Any]) -> T:
    """Turn a page form's fields into the API's struct, with the API's checks; a bad
    field becomes `InvalidInput` naming it, so pages and API refuse alike."""
    try:
        return msgspec.convert(dict(data), struct_type, strict=False)
    except msgspec.ValidationError as error:
        raise InvalidInput(field_of(error) or FORM_ERROR, str(error)) from None


def field_of(error: msgspec.ValidationError) -> str | None:
    """The field a msgspec validation error is about, if it names one."""
    message = str(error)
    named = NAMED_FIELD.search(message) or _PATH_FIELD.search(message)
    return named.group(1) if named else None


def posted_fields(form: FormMultiDict, *, lists: Iterable[str] = ()) -> dict[str, Any]:
    """The posted fields as a dict: fields named in `lists` as lists (empty when none
    was sent), the others as trimmed strings, empty ones left out so that the struct's
    defaults apply."""
    list_names = set(lists)
    data: dict[str, Any] = {name: [] for name in list_names}
    for key in form:
        if key in _NOT_INPUT:
            continue
        if key in list_names:
            data[key] = [value for value in form.getall(key) if value != ""]
        elif (value := str(form.get(key, "")).strip()) != "":
            data[key] = value
    return data


def errors_of(error: DomainError) -> dict[str, str]:
    """A refusal as errors by field: `InvalidInput` names its field, others the form."""
    return {error.field if isinstance(error, InvalidInput) else FORM_ERROR: error.detail}


def _as_mapping(obj: Any) -> Mapping[str, Any]:
    if isinstance(obj, Mapping):
        return obj
    if isinstance(obj, msgspec.Struct):
        return msgspec.structs.asdict(obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    raise TypeError(f"a form cannot show a {type(obj).__name__}")


@dataclass
class Form(Generic[T]):
    """The values and errors a page shows for one input struct."""

    schema: type[T]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def blank(cls, schema: type[T], **defaults: Any) -> Form[T]:
        """A new form showing the struct's own plain defaults, then `defaults`."""
        values = {
            f.name: f.default
            for f in msgspec.structs.fields(schema)
            if f.default is not msgspec.NODEFAULT and f.default is not None
        }
        return cls(schema, {**values, **defaults})

    @classmethod
    def of(cls, schema: type[T], obj: Any, **extra: Any) -> Form[T]:
        """A form showing `obj` (a struct, a dataclass or a mapping): every field of the
        input struct that `obj` has, then `extra` (for fields named differently)."""
        source = _as_mapping(obj)
        values = {name: source[name] for name in schema.__struct_fields__ if name in source}
        values.update(extra)
        return cls(schema, values)

    @classmethod
    def posted(cls, schema: type[T], form: FormMultiDict, *, lists: Iterable[str] = ()) -> Form[T]:
        """A form holding what was posted, as it was typed."""
        return cls(schema, posted_fields(form, lists=lists))

    def parse(self) -> T:
        """The input struct, checked as the API checks it (raises `InvalidInput`)."""
        return form_to(self.schema, self.values)

    def refused(self, error: DomainError) -> Form[T]:
        """The same form with the refusal shown at its field."""
        self.errors = {**self.errors, **errors_of(error)}
        return self

    @property
    def context(self) -> dict[str, Any]:
        """What a form template reads: `form` (the values) and `errors`."""
        return {"form": self.values, "errors": self.errors}
