"""Job-run bookkeeping and maintenance."""

from __future__ import annotations

from datetime import timedelta

from service import clock
from service.system.tables import JobRun


async def claim_job_run(
    job_id: str, name: str, *, stale_after: timedelta, delivery: int = 1
) -> bool:
    """Claim a job id for this run. True when this process should run the job: the id
    is new, or its earlier run failed or went stale, or this is a later delivery than
    any that claimed it (arq hands a job out again only once the worker that had it
    stopped: died, or was shut down in the middle). A conditional UPDATE keeps two
    workers from both claiming the same id, on SQLite and PostgreSQL alike."""
    inserted = (
        await JobRun.insert(JobRun(job_id=job_id, name=name))
        .on_conflict(target=JobRun.job_id, action="DO NOTHING")
        .returning(JobRun.id)
    )
    if inserted:
        return True
    stale = clock.utcnow() - stale_after
    retaken = (
        await JobRun.update(
            {
                JobRun.status: "running",
                JobRun.attempts: JobRun.attempts + 1,
                JobRun.started_at: clock.utcnow(),
                JobRun.error: "",
            }
        )
        .where(
            (JobRun.job_id == job_id)
            & (
                (JobRun.status == "failed")
                | ((JobRun.status == "running") & (JobRun.started_at < stale))
                | ((JobRun.status == "running") & (JobRun.attempts < delivery))
            )
        )
        .returning(JobRun.id)
    )
    return bool(retaken)


async def running_jobs(job_ids: list[str]) -> set[str]:
    """Those of `job_ids` that a worker is running now."""
    if not job_ids:
        return set()
    rows = await JobRun.select(JobRun.job_id).where(
        JobRun.job_id.is_in(job_ids) & (JobRun.status == "running")
    )
    return {r["job_id"] for r in rows}


async def finish_job_run(job_id: str, *, error: str = "") -> None:
    await JobRun.update(
        {
            JobRun.status: "failed" if error else "done",
            JobRun.finished_at: clock.utcnow(),
            JobRun.error: error,
        }
    ).where(JobRun.job_id == job_id)


async def prune_job_runs(older_than: timedelta) -> int:
    deleted = (
        await JobRun.delete()
        .where(
            (JobRun.finished_at.is_not_null()) & (JobRun.finished_at < clock.utcnow() - older_than)
        )
        .returning(JobRun.id)
    )
    return len(deleted)
