"""Schemathesis over the whole OpenAPI document, as each role, on demo-like data.

Every operation gets a few generated requests (bounded, derandomised, so the run is the
same each time and fits in `make test`), sent to the app in process as administrator,
coordinator, staff, partner and participant. Each answer must be no server error,
carry a documented status code and content type, and match its documented schema
(issue #12: 500s on bad input, and `time` published as a duration)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.audit.services import Actor
from service.auth import services as auth
from service.demo.loader import DEMO_DOMAIN, load_demo
from service.settings import Settings
from tests.conftest import make_client, running
from tests.helpers import PASSWORD

EXAMPLES_PER_OPERATION = 3
# Writes that would end the run's own sign-in, or the data the later roles need, are
# sent last by the administrator (ordered below), so the other roles see the demo rows.
ROLES = ["participant1", "partner", "staff2", "coordinator", "admin"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def examples_of(operation: Any) -> list[Any]:
    """The same few valid requests for `operation` on every run."""
    found: list[Any] = []

    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def collect(case: Any) -> None:
        if len(found) < EXAMPLES_PER_OPERATION:
            found.append(case)

    try:
        collect()
    except hypothesis.errors.Unsatisfiable as error:
        raise AssertionError(f"{operation.label}: no request can be made") from error
    return found


@functools.cache
def generated_cases(document: str) -> list[Any]:
    """A few valid requests for every operation of the OpenAPI `document` (made once for
    both engines). Half of them name the demo's first rows in the path, so that ids
    reach real rows."""
    schema = schemathesis.openapi.from_dict(json.loads(document))
    cases: list[Any] = []
    for result in schema.get_all_operations():
        found = examples_of(result.ok())
        for number, case in enumerate(found):
            if number % 2 == 0:
                for name, value in (case.path_parameters or {}).items():
                    if isinstance(value, int):
                        case.path_parameters[name] = 1 + (number // 2) % 3
        cases.extend(found)
    # Deletions last, so that the reads before them find the rows.
    return sorted(cases, key=lambda case: case.method.upper() == "DELETE")


def request_of(case: Any) -> dict[str, Any]:
    """The case as httpx's keyword arguments."""
    sent = case.as_transport_kwargs(base_url="http://testserver.local")
    request = {key: sent[key] for key in ("method", "url", "params", "headers") if key in sent}
    for key in ("json", "content", "data", "files"):
        if key in sent and sent[key] is not None:
            request[key] = sent[key]
    return request


def failures_of(case: Any, response: Any) -> Iterator[str]:
    try:
        case.validate_response(response, checks=CHECKS)
    except (Failure, FailureGroup) as failure:
        yield f"{case.method} {case.formatted_path} -> {response.status_code}: {failure}"


async def test_every_operation_answers_as_documented_for_every_role(app, db):
    await load_demo(PASSWORD)
    tokens = {}
    for local in ROLES:
        user = await auth.authenticate(f"{local}@{DEMO_DOMAIN}", PASSWORD)
        assert user is not None
        created = await auth.create_token(
            Actor.system("test"), user, "schemathesis", 30, max_age=Settings().token_max_age
        )
        tokens[local] = created.token
    async with running(app), make_client(app) as client:
        client.follow_redirects = False
        document = (await client.get("/schema/openapi.json")).text
        cases = generated_cases(document)
        failures: list[str] = []
        for local in ROLES:
            for case in cases:
                request = request_of(case)
                request["headers"] = {
                    **(request.get("headers") or {}),
                    "Authorization": f"Bearer {tokens[local]}",
                }
                response = await client.request(**request)
                failures.extend(f"[{local}] {f}" for f in failures_of(case, response))
    assert failures == [], "\n".join(failures[:40])
