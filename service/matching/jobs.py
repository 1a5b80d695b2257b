"""The matching jobs: a run, idempotent since the run is taken up before it starts (a
delivery that comes again after its worker died takes the run over), and the sweep that
fails runs whose worker stopped, so that they do not block the next one."""

from __future__ import annotations

from typing import Any

from service.matching import services


async def run_matching(ctx: dict[str, Any], *, run_id: int) -> str:
    redelivered = int(ctx.get("job_try") or 1) > 1
    return await services.execute_run(
        run_id, ctx["settings"], redelivered=redelivered, queue=ctx.get("queue")
    )


async def solve_matching_part(
    ctx: dict[str, Any], *, run_id: int, attempt: int, position: int
) -> str:
    """One independent part of a run, solved by whichever worker takes it up."""
    return await services.solve_part_job(run_id, attempt, position)


async def fail_lost_matching_runs(ctx: dict[str, Any]) -> int:
    """Every minute: runs with no sign of life for a minute are failed with the reason."""
    return len(await services.fail_lost_runs())
