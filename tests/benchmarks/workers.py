"""A whole matching run through the real path, with one and then two arq workers.

The crowded week (tests/matching_synthetic.py, seed 1), and the same week with people
kept to their regions, is stored as rows through the services
(tests/matching_synthetic_rows.py) on each engine; then, for 1 and 2 workers,
that many `tupa worker` processes are started on the real Redis, a run is started as
a coordinator's page starts it (`start_run`: a row and a job on the queue), and the
benchmark waits for the run to be done. The workers take the run up, split it, queue
its parts and solve them, and store the plan, as in production.

Figures, read from the stored run: "seconds" from the start of the run (its row) to the
stored plan, "taken_s" of them before a worker took it up, "parts", "largest_share" (the
largest part's share of the candidate pairs: two workers can only help when it is well
below 1), "gap_pct", "placed" of "people". 1,000 people by default; 5,000 x 800 and
10,000 x 1,500 with TUPA_BENCH_MATCHING_LARGE=1. Redis: TUPA_BENCH_REDIS_URL (default
database 3 on the local Redis), emptied before each case."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import os
import secrets
import signal
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import msgspec

from service import clock, composition
from service.audit.services import Actor
from service.jobs import ArqQueue
from service.matching.schemas import PartOut, RunIn
from service.matching.services import OPEN, start_run
from service.matching.tables import Change, MatchingProposal, MatchingRun
from service.settings import Settings
from tests.benchmarks.common import Row, migrated_engine
from tests.benchmarks.matching import CROWDED, CROWDED_LARGE, LARGE
from tests.matching_synthetic import crowded_week
from tests.matching_synthetic_rows import load_problem

WORKERS = (1, 2)
#: The crowded week as the matcher's benchmark has it (everyone also reaches one site
#: anywhere, which joins the regions into one part), and the same people kept to their
#: regions (one part per region: what two workers can share).
WEEKS = (("crowded", True), ("regional", False))
SEED = 1
REDIS = "TUPA_BENCH_REDIS_URL"
#: How long a worker may take to start, and a run past its time limit, before the
#: benchmark gives up on it (it fails rather than waits for ever).
START_SECONDS = 60.0
OVERRUN_SECONDS = 120.0
#: A worker is connected to Redis once it has logged this (arq, before `on_startup`).
READY_LINE = "redis_version="


async def run(engines: list[str]) -> list[Row]:
    crowded = CROWDED + (CROWDED_LARGE if os.environ.get(LARGE) == "1" else ())
    composition.wire()  # the jobs the queue knows by name
    rows = []
    for kind, (people, slots, limit), (week, far) in itertools.product(engines, crowded, WEEKS):
        problem = crowded_week(people, slots, SEED, time_limit=limit, far=far)
        async with migrated_engine(kind) as (url, _engine):
            today = clock.today()
            loaded = await load_problem(problem, today=today)
            for workers in WORKERS:
                case = f"{week} {people} x {slots}, {workers} worker(s)"
                settings = _settings(url, f"tupa:bench-workers:{secrets.token_hex(4)}", limit)
                figures = await _measure(settings, workers)
                figures["placements_left_out"] = loaded.placements_left_out
                rows.append(Row("workers", case, kind, figures))
                print(rows[-1].as_dict(), file=sys.stderr, flush=True)  # progress
    return rows


def _settings(url: str, queue_name: str, limit: float) -> Settings:
    return Settings(
        env="test",
        database_url=url,
        redis_url=os.environ.get(REDIS) or "redis://127.0.0.1:6379/3",
        secret_key=secrets.token_urlsafe(48),
        queue_name=queue_name,
        match_time_limit=math.ceil(limit),
    )


async def _measure(settings: Settings, workers: int) -> dict[str, float | int | str]:
    queue = ArqQueue(settings)
    await queue.start()
    try:
        # The benchmark's own Redis database: arq refuses a job id it has seen in the
        # last minutes, and each new database numbers its runs from 1 again.
        assert queue.pool is not None
        await queue.pool.flushdb()
        async with _workers(settings, workers):
            first_day = clock.today() + timedelta(days=7 - clock.today().weekday())
            out = await start_run(
                Actor.system("bench"), settings, queue, RunIn(first_day=first_day)
            )
            run = await _until_finished(out.id, settings.match_time_limit + OVERRUN_SECONDS)
    finally:
        await queue.stop()
    return await _figures(run)


@contextlib.asynccontextmanager
async def _workers(settings: Settings, count: int) -> AsyncIterator[None]:
    """`count` worker processes started as `tupa worker` is, connected to Redis; stopped
    with SIGTERM (as a service manager stops them) when the block ends."""
    environment = {
        **os.environ,
        "TUPA_ENV": settings.env,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "TUPA_QUEUE_NAME": settings.queue_name,
        "SECRET_KEY": settings.secret_key,
        "TUPA_MATCH_TIME_LIMIT": str(settings.match_time_limit),
    }
    with TemporaryDirectory() as folder:
        logs = [Path(folder) / f"worker{n}.log" for n in range(count)]
        processes = []
        try:
            for log in logs:
                with log.open("wb") as output:
                    processes.append(
                        await asyncio.create_subprocess_exec(
                            sys.executable,
                            "-c",
                            "from service.cli import main; main()",
                            "worker",
                            env={**environment, "TUPA_DATA_DIR": folder},
                            stdout=output,
                            stderr=asyncio.subprocess.STDOUT,
                        )
                    )
            for log, process in zip(logs, processes, strict=True):
                await _until_ready(log, process)
            yield
        except BaseException:
            for log in logs:  # what the workers said, to see why
                print((await asyncio.to_thread(log.read_text))[-4000:], file=sys.stderr)
            raise
        finally:
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
            for process, log in zip(processes, logs, strict=True):
                if await process.wait() not in (0, -signal.SIGTERM):
                    print((await asyncio.to_thread(log.read_text))[-4000:], file=sys.stderr)


async def _until_ready(log: Path, process: asyncio.subprocess.Process) -> None:
    """Wait for a worker (another process, with no event to wait on) to reach Redis."""
    async with asyncio.timeout(START_SECONDS):
        while READY_LINE not in (text := await asyncio.to_thread(log.read_text)):
            if process.returncode is not None:
                raise RuntimeError(f"a worker stopped as it started:\n{text}")
            await asyncio.sleep(0.05)


async def _until_finished(run_id: int, seconds: float) -> dict[str, object]:
    """Wait for the workers (other processes) to finish the run; its row."""
    async with asyncio.timeout(seconds):
        while True:
            run = await MatchingRun.select().where(MatchingRun.id == run_id).first()
            assert run is not None
            if run["status"] not in OPEN:
                return run
            await asyncio.sleep(0.1)


async def _figures(run: dict[str, object]) -> dict[str, float | int | str]:
    created, started, finished = run["created_at"], run["started_at"], run["finished_at"]
    parts = msgspec.json.decode(str(run["parts"] or "[]"), type=list[PartOut])
    pairs = sum(p.pairs for p in parts)
    placed = await MatchingProposal.select(MatchingProposal.participant).where(
        (MatchingProposal.run == run["id"]) & (MatchingProposal.change != Change.removed)
    )
    gap = run["gap"]
    return {
        "status": f"{run['status']}/{run['solver_status']}",
        "seconds": round(_seconds(created, finished), 2),
        "taken_s": round(_seconds(created, started), 2),
        "parts": len(parts),
        "largest_share": round(max((p.pairs for p in parts), default=0) / max(1, pairs), 3),
        "gap_pct": round(float(gap) * 100, 3)
        if isinstance(gap, float) and math.isfinite(gap)
        else "none",
        "placed": len({r["participant"] for r in placed}),
        "people": int(str(run["participants"] or 0)),
        "load_1min": round(os.getloadavg()[0], 2),
        "wall_clock": time.strftime("%H:%M:%S"),
    }


def _seconds(first: object, last: object) -> float:
    if first is None or last is None:
        return math.nan
    return (last - first).total_seconds()  # type: ignore[operator]
