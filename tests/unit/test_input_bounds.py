"""Every input has bounds: what a route takes in its path, its query string and its body
can be neither bigger than Tupa means to read nor out of what the databases store.

The walk starts at the route table, so a new route, struct or field without bounds fails
here (issue #12: 40,000 interests blocked the app, an id above 64 bits gave a 500).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

import msgspec
import msgspec.inspect as mi
import pytest
from litestar import Litestar, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from service.app import create_app
from service.attendance.schemas import MarksIn
from service.bounds import DB_INT_MAX, NO_NUL, Input, text
from service.params import PathId, QueryText
from service.settings import Settings

# What Litestar hands a handler itself: these are not read from the request's input.
NOT_INPUT = {"request", "state", "scope", "socket", "headers", "cookies", "query", "body"}

# The tablet's batch is helper "tablet"'s part of issue #12 (each mark judged alone).
SKIPPED_STRUCTS: set[type] = {MarksIn}


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Litestar:
    data_dir = tmp_path_factory.mktemp("data")
    return create_app(Settings.from_env({"TUPA_DATA_DIR": str(data_dir)}))


def handlers(app: Litestar) -> Iterator[tuple[str, Any]]:
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            # Litestar's own routes (OPTIONS, the OpenAPI document, static files) read
            # their parameters themselves.
            if not handler.fn.__module__.startswith("litestar"):
                yield route.path, handler


def request_parameters(app: Litestar) -> Iterator[tuple[str, str, Any]]:
    """(route, parameter name, its field definition) for every path and query parameter."""
    for path, handler in handlers(app):
        dependencies = set(handler.resolve_dependencies())
        for name, definition in handler.parsed_fn_signature.parameters.items():
            if name in NOT_INPUT or name == "data" or name in dependencies:
                continue
            kind = type(definition.kwarg_definition).__name__
            if kind in {"HeaderParameter", "CookieParameter"}:
                continue
            yield f"{sorted(handler.http_methods)} {path}", name, definition


def body_types(app: Litestar) -> Iterator[tuple[str, Any]]:
    for path, handler in handlers(app):
        data = handler.parsed_fn_signature.parameters.get("data")
        if data is not None:
            yield f"{sorted(handler.http_methods)} {path}", data.annotation


def unbounded_parameters(app: Litestar) -> list[str]:
    problems = []
    for route, name, definition in request_parameters(app):
        inner = definition.annotation
        args = [a for a in getattr(inner, "__args__", ()) if a is not type(None)]
        base = args[0] if len(args) == 1 else inner
        bounds = definition.kwarg_definition
        if base is int and (bounds is None or bounds.ge is None or bounds.le is None):
            problems.append(f"{route}: int `{name}` has no ge/le")
        if base is str and (bounds is None or bounds.max_length is None):
            problems.append(f"{route}: str `{name}` has no max_length")
        if base is int and bounds is not None and (bounds.le or 0) > DB_INT_MAX:
            problems.append(f"{route}: int `{name}` goes above DB_INT_MAX")
    return problems


def lets_a_final_newline_through(pattern: str) -> bool:
    """`$` matches before a final newline too: a closed pattern (one that refuses
    newlines inside) must say so, or "woodwork\\n" passes as "woodwork"."""
    closed = pattern.startswith("^") and pattern.endswith("$") and "\\n" not in pattern
    return closed and pattern != NO_NUL and "[^" not in pattern


def unbounded_fields(annotation: Any) -> list[str]:
    """Every str, list or dict without a maximum, int or float without both bounds, and
    date, datetime or time in a struct that does not check its range (`bounds.Input`),
    in `annotation` and the structs it holds."""
    problems: list[str] = []
    seen: set[type] = set()

    def walk(info: mi.Type, where: str, owner: type | None) -> None:
        if isinstance(info, mi.StructType):
            if info.cls in seen or info.cls in SKIPPED_STRUCTS:
                return
            seen.add(info.cls)
            for field in info.fields:
                walk(field.type, f"{info.cls.__name__}.{field.name}", info.cls)
        elif isinstance(info, mi.UnionType):
            for member in info.types:
                walk(member, where, owner)
        elif isinstance(info, mi.StrType):
            if info.max_length is None:
                problems.append(f"{where}: str without max_length")
            if info.pattern is None:
                problems.append(f"{where}: str without a pattern refusing NUL")
            elif lets_a_final_newline_through(info.pattern):
                problems.append(f"{where}: pattern ending in $ lets a final newline through")
        elif isinstance(info, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
            if info.max_length is None:
                problems.append(f"{where}: list without max_length")
            walk(info.item_type, f"{where}[]", owner)
        elif isinstance(info, mi.DictType):
            if info.max_length is None:
                problems.append(f"{where}: dict without max_length")
            walk(info.key_type, f"{where}{{key}}", owner)
            walk(info.value_type, f"{where}{{}}", owner)
        elif isinstance(info, (mi.IntType, mi.FloatType)):
            low = info.ge if info.ge is not None else info.gt
            high = info.le if info.le is not None else info.lt
            if low is None or high is None:
                problems.append(f"{where}: number without ge and le")
            elif high > DB_INT_MAX or low < -DB_INT_MAX:
                problems.append(f"{where}: number beyond what the database stores")
        elif isinstance(info, (mi.DateType, mi.DateTimeType, mi.TimeType)):
            if owner is None or not issubclass(owner, Input):
                problems.append(f"{where}: date or time in a struct that is not bounds.Input")
        elif isinstance(info, (mi.AnyType, mi.BytesType, mi.ByteArrayType)):
            problems.append(f"{where}: unchecked {type(info).__name__}")

    walk(mi.type_info(annotation), "body", None)
    return problems


def test_every_int_and_str_path_or_query_parameter_has_bounds(app):
    assert unbounded_parameters(app) == []


def test_every_field_of_every_request_body_has_bounds(app):
    problems = [
        f"{route}: {problem}"
        for route, annotation in body_types(app)
        for problem in unbounded_fields(annotation)
    ]
    assert problems == []


class Loose(msgspec.Struct):
    name: str
    tags: list[Annotated[str, text(10)]]
    count: int
    day: date


class Tight(Input):
    name: Annotated[str, text(10)]
    day: date


def test_the_walks_find_what_has_no_bounds():
    @post("/loose", sync_to_thread=False)
    def loose(data: JSONBody[Loose], page: FromQuery[int] = 1) -> None:
        return None

    @get("/tight/{item_id:int}", sync_to_thread=False)
    def tight(item_id: PathId, q: QueryText = "") -> None:
        return None

    @get("/open/{item_id:int}", sync_to_thread=False)
    def open_(item_id: FromPath[int], q: FromQuery[str] = "") -> None:
        return None

    small = Litestar([loose, tight, open_], openapi_config=None)
    assert sorted(unbounded_parameters(small)) == [
        "['GET'] /open/{item_id:int}: int `item_id` has no ge/le",
        "['GET'] /open/{item_id:int}: str `q` has no max_length",
        "['POST'] /loose: int `page` has no ge/le",
    ]
    assert unbounded_fields(Loose) == [
        "Loose.name: str without max_length",
        "Loose.name: str without a pattern refusing NUL",
        "Loose.tags: list without max_length",
        "Loose.count: number without ge and le",
        "Loose.day: date or time in a struct that is not bounds.Input",
    ]
    assert unbounded_fields(Tight) == []
