"""The matching run as a job: idempotent, since the run is claimed before it starts."""

from __future__ import annotations

from typing import Any

from service.matching import services


async def run_matching(ctx: dict[str, Any], *, run_id: int) -> str:
    return await services.execute_run(run_id, ctx["settings"])
