"""arq worker settings: the same job functions and nightly entries as the in-process queue,
and the loop that keeps a worker running through Redis outages.

Run with `tupa worker`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from arq import cron, func
from arq.connections import RedisSettings
from arq.worker import Worker

from service import clock, composition, countries
from service.db import bind_engine, close_engine, open_engine
from service.engines import engine_from_url
from service.jobs import (
    CRON,
    KEEP_RESULT_SECONDS,
    REGISTRY,
    SOLO,
    ArqQueue,
    run_job,
    solo_queue_name,
)
from service.outages import REDIS_OUTAGES, Backoff, outage_of
from service.settings import Settings

log = logging.getLogger("tupa.worker")


def _arq_function(name: str) -> Any:
    async def run(ctx: dict[str, Any], **kwargs: Any) -> Any:
        return await run_job(name, ctx, kwargs)

    run.__qualname__ = run.__name__ = name
    return run


def worker_settings(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """Keyword arguments for `arq.Worker`."""
    if not settings.redis_url:
        raise SystemExit("REDIS_URL: `tupa worker` needs Redis; without it jobs run in the app")
    composition.wire()
    names = sorted(REGISTRY)
    clock.use_time_zone(settings.tz)
    countries.use_country(settings.country)

    async def on_startup(ctx: dict[str, Any]) -> None:
        engine = engine_from_url(settings.database_url)
        bind_engine(engine)
        await open_engine(engine)
        ctx["engine"] = engine
        ctx["settings"] = settings
        queue = ArqQueue(settings)  # for jobs that queue jobs (a matching run's parts)
        await queue.start()
        ctx["queue"] = queue

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        if "queue" in ctx:
            await ctx["queue"].stop()
        if "engine" in ctx:
            await close_engine(ctx.pop("engine"))

    return {
        "functions": [func(_arq_function(name), name=name) for name in names],
        "cron_jobs": [
            cron(
                _arq_function(entry.job),
                name=f"cron:{entry.job}",
                hour=entry.hour,
                minute=entry.minute,
                unique=True,
                run_at_startup=False,
            )
            for entry in CRON
        ],
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "queue_name": settings.queue_name,
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "keep_result": KEEP_RESULT_SECONDS,
        # A matching run may solve for up to TUPA_MATCH_TIME_LIMIT (at most 10 minutes).
        "job_timeout": 15 * 60,
        "timezone": settings.tz,
        "handle_signals": True,
        **overrides,
    }


def solo_worker_settings(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """Keyword arguments for the `arq.Worker` that runs beside the main one in each
    worker process: the `SOLO` jobs, one at a time, so that a process busy with one
    leaves the next to another process. It uses what the main worker's start-up opened."""
    main = worker_settings(settings)
    return {
        "functions": [func(_arq_function(name), name=name) for name in sorted(SOLO)],
        "redis_settings": main["redis_settings"],
        "queue_name": solo_queue_name(settings),
        "max_jobs": 1,
        "keep_result": KEEP_RESULT_SECONDS,
        "job_timeout": main["job_timeout"],
        "timezone": settings.tz,
        "handle_signals": False,
        **overrides,
    }


def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """`tupa worker`: work until SIGINT or SIGTERM (or, with `burst`, until the queue is
    empty), through any number of Redis outages."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await supervise(settings, stop, burst=burst)

    asyncio.run(main())


async def supervise(settings: Settings, stop: asyncio.Event, **overrides: Any) -> None:
    """Run arq workers one after the other until `stop` is set. arq's worker ends on the
    first Redis error; here a worker that loses Redis finishes the jobs it holds (their
    results are in the database), and a new one starts once Redis answers, after waits
    that grow to 10 seconds. A job that fails for its own reasons does not stop it."""
    backoff = Backoff(first=0.5, longest=10.0)
    while not stop.is_set():
        worker, solo = _worker_pair(settings, overrides)
        error = await _run_until_stopped(worker, solo, stop)
        if error is None:
            return
        if outage_of(error) != "redis":
            raise error
        if "settings" in worker.ctx:  # its on_startup ran: Redis answered, a new outage
            backoff.reset()
        log.warning("worker: lost Redis (%r); a new worker starts when it answers", error)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(backoff.next_wait()):
                await stop.wait()
    log.info("worker: stopped")


def _worker_pair(settings: Settings, overrides: dict[str, Any]) -> tuple[Worker, Worker]:
    """The main worker and the one for `SOLO` jobs beside it, which starts once the main
    worker's start-up has opened the database. The solo worker never works in bursts:
    it stops with the main one (which, in a burst, waits for the parts it queued)."""
    ready = asyncio.Event()
    config = worker_settings(settings, **{"handle_signals": False, **overrides})
    opening = config["on_startup"]

    async def on_startup(ctx: dict[str, Any]) -> None:
        await opening(ctx)
        ready.set()

    async def when_ready(ctx: dict[str, Any]) -> None:
        await ready.wait()

    solo_overrides = {k: v for k, v in overrides.items() if k not in {"burst", "max_jobs"}}
    return (
        Worker(**{**config, "on_startup": on_startup}),
        Worker(**solo_worker_settings(settings, on_startup=when_ready, **solo_overrides)),
    )


async def _run_until_stopped(
    worker: Worker, solo: Worker, stop: asyncio.Event
) -> BaseException | None:
    """Run `worker` and `solo` until one of them ends or `stop` is set; the error it
    ended with, if any."""
    tasks = [asyncio.create_task(worker.main()), asyncio.create_task(solo.main())]
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({*tasks, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    error: BaseException | None = None
    for task in tasks:
        if task.done():
            error = error or task.exception()
        else:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    await _close(solo, lost_redis=error is not None)  # its jobs use the main one's database
    await _close(worker, lost_redis=error is not None)
    return error


async def _close(worker: Worker, *, lost_redis: bool) -> None:
    """Close `worker`; after an outage, once the jobs it holds have finished, and without
    Redis (arq's `close` stops at its first Redis command and skips the rest)."""
    if lost_redis:
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    try:
        await worker.close()
    except REDIS_OUTAGES as error:
        log.info("worker: closing without Redis (%r)", error)
        if "engine" in worker.ctx:
            await close_engine(worker.ctx.pop("engine"))
        with contextlib.suppress(*REDIS_OUTAGES):
            await worker.pool.aclose(close_connection_pool=True)
