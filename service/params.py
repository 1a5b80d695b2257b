"""Path and query parameters within what Tupa stores (see `service.bounds`).

Litestar checks a parameter's bounds only when they are given in its `PathParameter` or
`QueryParameter` (a `msgspec.Meta` is not read there), so every route takes its ids,
numbers and texts through these types: a value out of range is a 400 naming the
parameter, never a 500 from the database, and the OpenAPI document shows the bounds.
Litestar has no range for a date: a route taking one calls `errors.checked_days`.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

from service.bounds import DB_INT_MAX, NO_NUL, QUERY_TEXT_MAX

PathId = Annotated[int, PathParameter(ge=1, le=DB_INT_MAX)]
"""A row's id in the path."""

PathText = Annotated[str, PathParameter(max_length=QUERY_TEXT_MAX, pattern=NO_NUL)]
"""A word in the path (a kind, a code)."""

QueryId = Annotated[int, QueryParameter(ge=1, le=DB_INT_MAX)]
"""A row's id in the query string."""

OptionalQueryId = Annotated[int | None, QueryParameter(ge=1, le=DB_INT_MAX)]
"""A row's id in the query string, or none."""

QueryText = Annotated[str, QueryParameter(max_length=QUERY_TEXT_MAX, pattern=NO_NUL)]
"""A search or filter text in the query string."""

OptionalQueryText = Annotated[str | None, QueryParameter(max_length=QUERY_TEXT_MAX, pattern=NO_NUL)]
"""A search or filter text in the query string, or none."""

WEEKS_AHEAD_MAX = 8
QueryWeeksAhead = Annotated[int, QueryParameter(ge=0, le=WEEKS_AHEAD_MAX)]
"""Which week, counted from this one (0), for pages that step through the weeks ahead."""
