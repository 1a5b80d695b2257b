"""A matching run's life around the solver, on both databases: it keeps its time limit
and still stores a plan, a coordinator can stop it and keep the best plan so far, a run
whose worker went silent is failed with its reason and the next one starts at once, and
a later attempt (arq's second delivery) takes a run over from one that was lost."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import replace
from datetime import time, timedelta

import asyncpg
import msgspec
import pytest
from arq.worker import Worker

from service import clock
from service.auth.tables import Role
from service.db import bind_engine
from service.jobs import ArqQueue, solo_queue_name
from service.matching.services import execute_run, fail_lost_runs
from service.matching.services.running import Attempt, RunTakenOver, _take_up
from service.matching.tables import (
    MatchingPart,
    MatchingProposal,
    MatchingRun,
    MatchingUnplaced,
    RunStatus,
)
from service.system.tables import JobRun
from service.worker import solo_worker_settings, supervise, worker_settings
from tests import frozen_time
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user, post_form
from tests.integration.test_matching import (  # noqa: F401
    coordinator_client,
    person,
    run_to_done,
    scene,
)


async def queued_run(scene, **values) -> int:  # noqa: F811
    run = MatchingRun(
        first_day=scene["first_day"], last_day=scene["first_day"] + timedelta(days=6), **values
    )
    await run.save()
    return run.id


async def run_row(run_id: int) -> dict:
    return await MatchingRun.select().where(MatchingRun.id == run_id).first()


async def test_a_run_at_its_limit_stores_a_plan_with_reasons_marked_not_worked_out(
    db,
    settings,
    scene,  # noqa: F811
):
    run_id = await queued_run(scene, time_limit=0.0)  # out of time as soon as it starts
    assert await execute_run(run_id, settings) == "done"
    run = await run_row(run_id)
    assert (run["status"], run["solver_status"]) == ("done", "time_limit")
    assert run["started_at"] is not None and run["heartbeat_at"] is not None
    assert await MatchingProposal.count().where(MatchingProposal.run == run_id) > 0
    unplaced = await MatchingUnplaced.select().where(MatchingUnplaced.run == run_id)
    assert unplaced and not any(u["explained"] for u in unplaced)


async def test_a_coordinator_stops_a_run_and_keeps_the_best_plan(client, app, scene):  # noqa: F811
    await coordinator_client(client)
    run_id = await queued_run(scene)
    stopped = await client.post(f"/api/v1/matching/runs/{run_id}/stop", json={})
    assert stopped.status_code == 202, stopped.text
    assert stopped.json()["stop_requested"] is True
    again = await client.post(f"/api/v1/matching/runs/{run_id}/stop", json={})
    assert again.status_code == 202  # asking twice changes nothing
    assert await execute_run(run_id, app.state.settings) == "done"
    detail = (await client.get(f"/api/v1/matching/runs/{run_id}")).json()
    assert detail["run"]["status"] == "done" and detail["run"]["stop_requested"] is True
    assert detail["proposals"], "the best plan so far is kept"
    page = await client.get(f"/matching/runs/{run_id}")
    assert "The run was stopped on request" in page.text
    finished = await client.post(f"/api/v1/matching/runs/{run_id}/stop", json={})
    assert finished.status_code == 409
    assert (await client.post("/api/v1/matching/runs/999999/stop", json={})).status_code == 404


async def test_the_run_page_has_a_stop_button_that_stops(client, app, scene):  # noqa: F811
    await coordinator_client(client)
    run_id = await queued_run(scene)
    page = await client.get(f"/matching/runs/{run_id}")
    assert f'action="/matching/runs/{run_id}/stop"' in page.text
    response = await post_form(client, f"/matching/runs/{run_id}/stop", {})
    assert response.status_code == 200
    assert "The run stops and keeps the best plan found so far." in response.text
    assert (await run_row(run_id))["stop_requested_at"] is not None
    assert "Stopping: the best plan found so far is being saved." in response.text


@pytest.mark.parametrize("role", [Role.staff, Role.partner, Role.participant])
async def test_only_planners_may_stop_a_run(client, scene, role):  # noqa: F811
    run_id = await queued_run(scene)
    user = await make_user(role, "someone@example.org")
    await api_login(client, user.email)
    assert (await client.post(f"/api/v1/matching/runs/{run_id}/stop", json={})).status_code == 403
    assert (await post_form(client, f"/matching/runs/{run_id}/stop", {})).status_code == 403
    assert (await run_row(run_id))["stop_requested_at"] is None


async def test_a_silent_run_is_failed_with_its_reason_and_the_next_starts(client, app, scene):  # noqa: F811
    await coordinator_client(client)
    now = clock.utcnow()
    silent = await queued_run(
        scene, status=RunStatus.running, heartbeat_at=now - timedelta(seconds=61), attempt=1
    )
    detail = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    assert detail["run"]["id"] != silent
    old = (await client.get(f"/api/v1/matching/runs/{silent}")).json()["run"]
    assert (old["status"], old["error"]) == ("failed", "worker_stopped")
    since = (now - timedelta(seconds=61)).astimezone(clock.provider_time_zone())
    assert old["error_text"] == f"The worker stopped: no sign of life since {since:%H:%M}."
    page = await client.get(f"/matching/runs/{silent}")
    assert f"no sign of life since {since:%H:%M}" in page.text


async def test_a_run_with_a_recent_heartbeat_is_left_alone(db, scene):  # noqa: F811
    now = clock.utcnow()
    alive = await queued_run(scene, status=RunStatus.running, heartbeat_at=now, attempt=1)
    assert await fail_lost_runs(now + timedelta(seconds=59)) == []
    assert await fail_lost_runs(now + timedelta(seconds=61)) == [alive]
    assert (await run_row(alive))["error"] == "worker_stopped"


async def test_a_later_attempt_takes_over_and_the_earlier_changes_nothing(db, settings, scene):  # noqa: F811
    run_id = await queued_run(scene)
    first = await _take_up(run_id, redelivered=False)
    assert first is not None and first.number == 1
    assert await _take_up(run_id, redelivered=False) is None  # alive: not taken twice
    assert await execute_run(run_id, settings, redelivered=True) == "done"
    with pytest.raises(RunTakenOver):
        await Attempt(run_id, first.number).stage("solving")
    run = await run_row(run_id)
    assert (run["status"], run["attempt"]) == ("done", 2)
    assert await execute_run(run_id, settings, redelivered=True) == "skipped"


WORKER = """
import asyncio, logging
from arq.worker import Worker
from service.settings import Settings
from service.worker import worker_settings
logging.basicConfig(level=logging.INFO)
async def main():  # the worker is made inside the loop it runs in
    settings = worker_settings(Settings.from_env(), burst=True, poll_delay=0.05, job_timeout=10)
    await Worker(**settings).main()
asyncio.run(main())
"""


async def wait_for(condition, what: str, seconds: float = 120.0) -> None:
    """Wait for a condition that another process brings about (polling the database,
    which has no event to wait on); fail naming it if it does not come."""
    try:
        async with asyncio.timeout(seconds):
            while not await condition():  # noqa: ASYNC110 (another process changes it)
                await asyncio.sleep(0.1)
    except TimeoutError:
        pytest.fail(f"waited {seconds} s in vain: {what}")


async def test_a_worker_killed_during_a_run_then_another_worker_recovers_it(
    db,
    settings,
    redis,
    scene,  # noqa: F811
):
    """The first worker, a process of its own, is held inside the run (its reads wait on
    a table lock) and killed with SIGKILL; arq hands the job out again to a second
    worker, which takes the run over and finishes it."""
    if db.kind != "postgres":
        pytest.skip("holding the worker inside the run uses a PostgreSQL table lock")
    settings = replace(settings, redis_url=redis, queue_name="tupa:test-killed")
    with frozen_time.real_time():  # the worker process keeps the machine's time
        run_id = await queued_run(scene)
        queue = ArqQueue(settings)
        await queue.start()
        lock = await asyncpg.connect(db.url)
        worker = None
        try:
            await queue.enqueue("run_matching", job_id=f"matching:{run_id}", run_id=run_id)
            held = lock.transaction()
            await held.start()
            await lock.execute("LOCK TABLE participant_window IN ACCESS EXCLUSIVE MODE")
            environment = {
                **os.environ,
                "DATABASE_URL": db.url,
                "REDIS_URL": redis,
                "TUPA_QUEUE_NAME": settings.queue_name,
                "SECRET_KEY": settings.secret_key,
                "TUPA_DATA_DIR": str(settings.data_dir),
            }
            worker = await asyncio.create_subprocess_exec(
                sys.executable, "-c", WORKER, env=environment
            )

            async def taken_up() -> bool:
                return (await run_row(run_id))["status"] == RunStatus.running

            await wait_for(taken_up, "the first worker took the run up")
            worker.send_signal(signal.SIGKILL)
            await worker.wait()
            await held.rollback()
            assert (await run_row(run_id))["status"] == RunStatus.running  # left behind

            second = Worker(
                **worker_settings(settings, burst=True, poll_delay=0.1, handle_signals=False)
            )
            try:
                await second.main()  # waits until arq hands the job out again, then runs it
            finally:
                await second.close()
            assert second.jobs_failed == 0  # (a cron entry may have run beside the job)
        finally:
            if worker is not None and worker.returncode is None:
                worker.kill()
                await worker.wait()
            await lock.close()
            await queue.stop()
            bind_engine(db.engine)
    run = await run_row(run_id)
    assert (run["status"], run["attempt"]) == ("done", 2)
    assert await MatchingProposal.count().where(MatchingProposal.run == run_id) > 0
    (job,) = await JobRun.select().where(JobRun.job_id == f"matching:{run_id}")
    assert (job["status"], job["attempts"]) == ("done", 2)


async def second_region(scene) -> int:  # noqa: F811
    """Pottery at Kallio, which only Ville reaches: a part of its own. Ville's id."""
    kallio = await h.site("Kallio")
    pottery = await h.activity(kallio, "Pottery")
    await h.slot(pottery, 1, time(9), time(12), today=clock.today())
    return await person("Ville Koski", hours=3, windows=[(1, time(8), time(12))], sites=[kallio])


async def test_independent_parts_are_solved_as_jobs_and_joined(client, app, scene):  # noqa: F811
    await coordinator_client(client)
    ville = await second_region(scene)
    detail = await run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    parts = detail["run"]["parts"]
    assert [(p["index"], p["people"], p["slots"]) for p in parts] == [(0, 3, 3), (1, 1, 1)]
    assert all(p["status"] == "optimal" for p in parts)
    assert detail["run"]["solver_status"] == "optimal"
    placed = {p["participant_id"] for p in detail["proposals"]}
    assert {ville, scene["people"]["aino"], scene["people"]["eero"]} <= placed
    assert await MatchingPart.count() == 0  # their copies of people's data went with the run
    page = await client.get(f"/matching/runs/{detail['run']['id']}")
    assert "The problem fell into 2 independent parts" in page.text


async def test_parts_through_redis_are_taken_up_by_the_worker(db, settings, redis, scene):  # noqa: F811
    """The run's job queues its parts on the queue of jobs that take a core; the solo
    worker beside the main one in the same worker takes them up while the run waits."""
    await second_region(scene)
    settings = replace(settings, redis_url=redis, queue_name="tupa:test-parts")
    run_id = await queued_run(scene)
    queue = ArqQueue(settings)
    await queue.start()
    try:
        await queue.enqueue("run_matching", job_id=f"matching:{run_id}", run_id=run_id)
        await supervise(settings, asyncio.Event(), burst=True, poll_delay=0.05)
    finally:
        await queue.stop()
        bind_engine(db.engine)
    run = await run_row(run_id)
    assert run["status"] == "done"
    assert [p["greedy_kept"] for p in msgspec.json.decode(run["parts"])] == [False, False]
    parts = await JobRun.select(JobRun.status).where(JobRun.name == "solve_matching_part")
    assert [p["status"] for p in parts] == ["done", "done"]  # solved by their jobs
    assert await MatchingPart.count() == 0


async def test_parts_go_to_a_queue_each_worker_takes_one_at_a_time_from(settings, redis):
    """The first worker to look does not take every part: a part waits on a queue of
    its own, which each worker process reads only while it solves nothing."""
    settings = replace(settings, redis_url=redis, queue_name="tupa:test-solo")
    queue = ArqQueue(settings)
    await queue.start()
    try:
        for position in (0, 1):
            await queue.enqueue(
                "solve_matching_part", job_id=f"p{position}", run_id=1, attempt=1, position=position
            )
        await queue.enqueue("fail_lost_matching_runs", job_id="sweep")
        assert queue.pool is not None
        assert await queue.pool.zcard(solo_queue_name(settings)) == 2
        assert await queue.pool.zcard(settings.queue_name) == 1
    finally:
        await queue.stop()
    solo = solo_worker_settings(settings)
    assert solo["max_jobs"] == 1 and solo["queue_name"] == "tupa:test-solo:solo"
    assert {f.name for f in solo["functions"]} == {"solve_matching_part"}


async def test_parts_out_of_time_keep_the_quick_plan(client, app, scene):  # noqa: F811
    await coordinator_client(client)
    await second_region(scene)
    run_id = await queued_run(scene, time_limit=0.0)
    assert await execute_run(run_id, app.state.settings, queue=app.state.queue) == "done"
    run = (await client.get(f"/api/v1/matching/runs/{run_id}")).json()
    assert [p["greedy_kept"] for p in run["run"]["parts"]] == [True, True]
    assert run["run"]["solver_status"] == "time_limit"
    assert run["proposals"]
