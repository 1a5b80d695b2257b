"""arq worker settings: the same job functions and nightly entries as the in-process queue.

Run with `tupa worker`.
"""

from __future__ import annotations

from typing import Any

from arq import cron, func
from arq.connections import RedisSettings

from service import clock, composition
from service.db import bind_engine, close_engine, open_engine
from service.engines import engine_from_url
from service.jobs import CRON, KEEP_RESULT_SECONDS, REGISTRY, ArqQueue, run_job
from service.settings import Settings


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
            await close_engine(ctx["engine"])

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
