"""Both job queues run jobs; one job id runs once, however often it is delivered."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from arq.worker import Worker

from service import events
from service.catalog.tables import Site
from service.clock import utcnow
from service.db import bind_engine, transaction
from service.jobs import CRON, REGISTRY, ArqQueue, InProcessQueue, run_job
from service.system.tables import JobRun
from service.worker import worker_settings


async def job_runs(job_id: str) -> list[dict]:
    return await JobRun.select().where(JobRun.job_id == job_id)


async def old_finished_run(job_id: str) -> None:
    await JobRun.insert(
        JobRun(
            job_id=job_id,
            name="prune_job_runs",
            status="done",
            finished_at=utcnow() - timedelta(days=40),
        )
    )


async def test_in_process_queue_runs_a_job_once_per_id(db, settings):
    await old_finished_run("ancient")
    queue = InProcessQueue(settings, run_cron=False)
    await queue.start()
    try:
        assert await queue.enqueue("prune_job_runs", job_id="nightly-1") is True
        assert await queue.enqueue("prune_job_runs", job_id="nightly-1") is False
        await queue.drain()
    finally:
        await queue.stop()
    runs = await job_runs("nightly-1")
    assert [(run["status"], run["attempts"]) for run in runs] == [("done", 1)]
    assert await job_runs("ancient") == []  # the job did its work


async def test_unknown_job_is_refused(db, settings):
    queue = InProcessQueue(settings, run_cron=False)
    with pytest.raises(KeyError):
        await queue.enqueue("no_such_job")


async def test_a_job_delivered_twice_runs_once(db):
    ctx = {"job_id": "delivered-twice", "job_try": 1}
    assert await run_job("prune_job_runs", ctx, {}) == 0
    assert await run_job("prune_job_runs", ctx, {}) is None  # skipped
    assert [run["attempts"] for run in await job_runs("delivered-twice")] == [1]


async def test_a_failed_job_may_run_again(db):
    ctx = {"job_id": "flaky", "job_try": 1}
    with pytest.raises(TypeError):
        await run_job("prune_job_runs", ctx, {"unexpected": 1})
    (failed,) = await job_runs("flaky")
    assert failed["status"] == "failed"
    assert "TypeError" in failed["error"]
    await run_job("prune_job_runs", ctx, {})
    (retried,) = await job_runs("flaky")
    assert (retried["status"], retried["attempts"], retried["error"]) == ("done", 2, "")


async def test_arq_queue_and_burst_worker(db, settings, redis):
    await old_finished_run("ancient")
    settings = replace(settings, redis_url=redis, queue_name="tupa:test-queue")
    queue = ArqQueue(settings)
    await queue.start()
    try:
        assert await queue.ping()
        assert await queue.enqueue("prune_job_runs", job_id="arq-1", days=30) is True
        assert await queue.enqueue("prune_job_runs", job_id="arq-1", days=30) is False
        worker = Worker(
            **worker_settings(settings, burst=True, poll_delay=0.05, handle_signals=False)
        )
        try:
            await worker.main()
        finally:
            await worker.close()
        assert (worker.jobs_complete, worker.jobs_failed) == (1, 0)
        # arq still remembers the finished id and refuses it.
        assert await queue.enqueue("prune_job_runs", job_id="arq-1") is False
    finally:
        await queue.stop()
        bind_engine(db.engine)
    assert [(r["status"], r["attempts"]) for r in await job_runs("arq-1")] == [("done", 1)]
    assert await job_runs("ancient") == []


def test_worker_has_every_job_and_the_nightly_entries(settings):
    settings = replace(settings, redis_url="redis://127.0.0.1:6379/15")
    config = worker_settings(settings)
    assert {f.name for f in config["functions"]} == set(REGISTRY)
    assert {c.name for c in config["cron_jobs"]} == {f"cron:{entry.job}" for entry in CRON}
    assert all(c.unique for c in config["cron_jobs"])
    assert str(config["timezone"]) == "Europe/Helsinki"


def test_worker_needs_redis(settings):
    with pytest.raises(SystemExit, match="REDIS_URL"):
        worker_settings(settings)


async def test_events_reach_handlers_only_after_commit(db):
    """A transaction that fails drops its events; one that commits hands them on."""
    heard: list[events.Event] = []

    async def listen(event: events.Event) -> None:
        heard.append(event)
        assert await Site.exists().where(Site.id == event.site_id)  # committed already

    events.subscribe(events.SiteChanged, listen)
    try:
        with pytest.raises(RuntimeError):
            async with transaction():
                await events.publish(events.SiteChanged(site_id=1))
                raise RuntimeError("the write failed")
        assert heard == []
        async with transaction():
            site = Site(name="Paja", time_zone="Europe/Helsinki")
            await site.save()
            await events.publish(events.SiteChanged(site_id=site.id))
            assert heard == []
        assert heard == [events.SiteChanged(site_id=site.id)]
    finally:
        events._handlers[events.SiteChanged].remove(listen)
