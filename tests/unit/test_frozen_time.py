"""The tests' clock: at TUPA_TEST_NOW, or at each of TUPA_TEST_MOMENTS in turn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service import clock
from tests import frozen_time


def test_the_clock_is_at_the_moment_this_run_chose(request):
    callspec = getattr(request.node, "callspec", None)
    chosen = (
        datetime.fromisoformat(callspec.params["tests_clock"])
        if callspec
        else frozen_time.test_now()
    )
    # The clock ticks on from the moment: a test is far shorter than an hour.
    assert chosen <= datetime.now(UTC) < chosen + timedelta(hours=1)
    assert clock.utcnow() - chosen < timedelta(hours=1)
