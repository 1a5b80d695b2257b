"""Background jobs behind one interface, `JobQueue`.

With `REDIS_URL` set, jobs go to arq and run in `tupa worker` processes; without it they
run in the web process. Either way a job runs through `run_job`, which claims its job id
in the database first, so a job id delivered twice (arq is at-least-once) runs once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.cron import next_cron

from service import clock
from service.settings import Settings
from service.system import services as system

log = logging.getLogger("tupa.jobs")

JobFunction = Callable[..., Awaitable[Any]]
REGISTRY: dict[str, JobFunction] = {}
#: A run still marked `running` after this long is taken to have died with its worker.
STALE_RUN = timedelta(hours=1)
#: How long a finished job id keeps refusing a duplicate in the in-process queue.
KEEP_RESULT_SECONDS = 300


@dataclass(frozen=True)
class CronEntry:
    """A job run on a schedule: daily at `hour`:`minute`, hourly when `hour` is None,
    every minute when both are None."""

    job: str
    hour: int | None = None
    minute: int | None = 0


CRON: list[CronEntry] = []
#: Jobs that keep a core busy for their whole run (a matching run's parts). They have
#: a queue of their own, which each worker process serves one job at a time and reads
#: only when it is free: so the parts of a run spread over the workers, instead of the
#: first worker to look taking them all and solving them in threads of one process
#: (where the solver's Python half takes turns on the interpreter lock).
SOLO: set[str] = set()
SOLO_SUFFIX = ":solo"
#: The queue a started app (or worker) sends follow-up jobs to; see `active_queue`.
_ACTIVE: list[JobQueue] = []


def register_jobs(
    jobs: Iterable[JobFunction], nightly: Iterable[CronEntry], solo: Iterable[JobFunction] = ()
) -> None:
    """Make `jobs` runnable by name, the `solo` ones one at a time per worker (see
    `SOLO`), and run the `nightly` entries; called once by `service.composition.wire`.
    Registering the same jobs again changes nothing."""
    for function in jobs:
        REGISTRY[function.__name__] = function
    for function in solo:
        if function.__name__ not in REGISTRY:
            raise ValueError(f"solo job not registered: {function.__name__}")
        SOLO.add(function.__name__)
    for entry in nightly:
        if entry.job not in REGISTRY:
            raise ValueError(f"nightly entry for an unregistered job: {entry.job}")
        if entry not in CRON:
            CRON.append(entry)


def solo_queue_name(settings: Settings) -> str:
    """The arq queue of the `SOLO` jobs."""
    return settings.queue_name + SOLO_SUFFIX


def active_queue() -> JobQueue | None:
    """The most recently started queue of this process, for services that enqueue a
    follow-up job (calendar feed invalidation) without a request at hand."""
    return _ACTIVE[-1] if _ACTIVE else None


async def run_job(name: str, ctx: dict[str, Any], kwargs: dict[str, Any]) -> Any:
    """Run a registered job once per job id; `None` when the id already ran. Logs what
    it runs, skips and retries, with the job id."""
    job_id = str(ctx.get("job_id") or uuid.uuid4())
    delivery = int(ctx.get("job_try") or 1)  # arq counts each time it hands the job out
    if not await system.claim_job_run(job_id, name, stale_after=STALE_RUN, delivery=delivery):
        log.info("job %s (%s) already ran or is running; skipped", name, job_id)
        return None
    if delivery > 1:
        log.info("job %s (%s) retrying: delivery %d", name, job_id, delivery)
    else:
        log.info("job %s (%s) running", name, job_id)
    started = time.monotonic()
    try:
        result = await REGISTRY[name](ctx, **kwargs)
    except Exception:
        log.exception("job %s (%s) failed; it may be retried", name, job_id)
        await system.finish_job_run(job_id, error=traceback.format_exc(limit=5))
        raise
    await system.finish_job_run(job_id)
    log.info("job %s (%s) done in %.2f s", name, job_id, time.monotonic() - started)
    return result


class JobQueue(Protocol):
    kind: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def enqueue(self, name: str, *, job_id: str | None = None, **kwargs: Any) -> bool:
        """Queue a job; False when a job with this id is already queued or done."""
        ...

    async def ping(self) -> bool: ...


class InProcessQueue:
    """Runs jobs as asyncio tasks in this process, and the nightly entries on a timer."""

    kind = "in-process"

    def __init__(self, settings: Settings, *, run_cron: bool = True) -> None:
        self.settings = settings
        self.run_cron = run_cron
        self._tasks: set[asyncio.Task[Any]] = set()
        self._seen: dict[str, float] = {}
        self._running = False

    async def start(self) -> None:
        self._running = True
        _ACTIVE.append(self)
        if self.run_cron:
            for entry in CRON:
                self._spawn(self._cron_loop(entry), name="cron")

    async def stop(self) -> None:
        self._running = False
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def enqueue(self, name: str, *, job_id: str | None = None, **kwargs: Any) -> bool:
        if name not in REGISTRY:
            raise KeyError(f"no job named {name!r}")
        loop = asyncio.get_running_loop()
        job_id = job_id or uuid.uuid4().hex
        self._forget_old(loop.time())
        if job_id in self._seen:
            return False
        self._seen[job_id] = loop.time()
        ctx = {"job_id": job_id, "job_try": 1, "settings": self.settings, "queue": self}
        self._spawn(self._run(name, ctx, kwargs), name="job")
        return True

    async def ping(self) -> bool:
        return self._running

    async def drain(self) -> None:
        """Wait until every queued job has finished (cron loops excepted)."""
        while pending := [t for t in self._tasks if t.get_name() == "job"]:
            await asyncio.gather(*pending, return_exceptions=True)

    def _spawn(self, coroutine: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, name: str, ctx: dict[str, Any], kwargs: dict[str, Any]) -> None:
        with contextlib.suppress(Exception):  # run_job has logged and recorded it
            await run_job(name, ctx, kwargs)

    async def _cron_loop(self, entry: CronEntry) -> None:
        while self._running:
            now = clock.now(self.settings.tz)
            due = next_cron(now, hour=entry.hour, minute=entry.minute, microsecond=0)
            await asyncio.sleep((due - now).total_seconds())
            await self.enqueue(entry.job, job_id=f"cron:{entry.job}:{due.isoformat()}")

    def _forget_old(self, now: float) -> None:
        for job_id, seen_at in list(self._seen.items()):
            if now - seen_at > KEEP_RESULT_SECONDS:
                del self._seen[job_id]


class ArqQueue:
    """Sends jobs to Redis for `tupa worker` processes."""

    kind = "arq"

    def __init__(self, settings: Settings) -> None:
        assert settings.redis_url
        self.settings = settings
        self.pool: ArqRedis | None = None

    async def start(self) -> None:
        self.pool = await create_pool(
            RedisSettings.from_dsn(self.settings.redis_url or ""),
            default_queue_name=self.settings.queue_name,
        )
        _ACTIVE.append(self)

    async def stop(self) -> None:
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        if self.pool is not None:
            await self.pool.aclose()
            self.pool = None

    async def enqueue(self, name: str, *, job_id: str | None = None, **kwargs: Any) -> bool:
        if name not in REGISTRY:
            raise KeyError(f"no job named {name!r}")
        assert self.pool is not None, "the queue is not started"
        queue_name = solo_queue_name(self.settings) if name in SOLO else None  # None: the default
        queued = await self.pool.enqueue_job(name, _job_id=job_id, _queue_name=queue_name, **kwargs)
        return queued is not None

    async def ping(self) -> bool:
        if self.pool is None:
            return False
        try:
            return bool(await self.pool.ping())
        except Exception:
            return False


def make_queue(settings: Settings) -> JobQueue:
    return ArqQueue(settings) if settings.redis_url else InProcessQueue(settings)
