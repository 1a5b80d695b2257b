"""The pure rules of attendance on plain data."""

from datetime import UTC, date, datetime, timedelta

from service.attendance.rules import (
    Mark,
    current_marks,
    later,
    needs_coordinator,
    needs_follow_up,
    trusted_time,
)
from service.attendance.rules import MarkStatus as S

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def m(mark_id: int, pid: int, status: S, minutes: int, received: int = 0) -> Mark:
    return Mark(
        mark_id=mark_id,
        participant_id=pid,
        status=status,
        marked_at=T0 + timedelta(minutes=minutes),
        received_at=T0 + timedelta(minutes=received),
    )


def test_the_later_mark_wins_whatever_the_order_received():
    early = m(1, 7, S.present, minutes=1, received=10)
    late = m(2, 7, S.left_early, minutes=5, received=6)
    assert later(early, late) is late
    assert later(late, early) is late
    assert current_marks([early, late])[7] is late
    assert current_marks([late, early])[7] is late


def test_same_instant_goes_to_the_one_received_last():
    a = m(1, 7, S.present, minutes=1, received=2)
    b = m(2, 7, S.late, minutes=1, received=3)
    assert current_marks([b, a])[7] is b


def test_each_participant_has_their_own_current_mark():
    marks = [m(1, 1, S.present, 1), m(2, 2, S.excused, 2), m(3, 1, S.late, 3)]
    current = current_marks(marks)
    assert {pid: mark.status for pid, mark in current.items()} == {1: S.late, 2: S.excused}
    assert current_marks([]) == {}


def test_follow_up_after_two_absences_in_a_row_without_notice():
    assert needs_follow_up([S.present, S.absent_no_notice, S.absent_no_notice])
    assert not needs_follow_up([S.absent_no_notice])
    assert not needs_follow_up([S.absent_no_notice, S.absent_notice])
    assert not needs_follow_up([S.absent_no_notice, S.present])
    assert not needs_follow_up([S.absent_no_notice, S.absent_no_notice, S.present])
    assert not needs_follow_up([])


def test_old_sessions_need_a_coordinator():
    today = date(2026, 11, 24)
    assert not needs_coordinator(today, today)
    assert not needs_coordinator(today - timedelta(days=7), today)
    assert needs_coordinator(today - timedelta(days=8), today)


DAY_START = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # 24 November in Helsinki


def test_trusted_time_measures_by_the_tablet_s_clock_from_the_time_received():
    received = T0 + timedelta(hours=1)
    for skew in (timedelta(hours=-2), timedelta(0), timedelta(hours=3)):
        made = T0 + skew
        sent = T0 + timedelta(minutes=20) + skew
        got = trusted_time(made, sent, received, DAY_START)
        assert got == received - timedelta(minutes=20)


def test_trusted_time_without_sent_at_takes_the_claim_within_bounds():
    received = T0 + timedelta(hours=1)
    assert trusted_time(T0, None, received, DAY_START) == T0
    assert trusted_time(received + timedelta(days=2), None, received, DAY_START) == received
    in_1970 = datetime(1970, 1, 1, tzinfo=UTC)
    assert trusted_time(in_1970, None, received, DAY_START) == received
    assert trusted_time(DAY_START, None, received, DAY_START) == DAY_START


def test_trusted_time_before_the_session_s_day_or_after_receipt_is_the_time_received():
    received = T0
    long_ago = received - timedelta(days=30)
    assert trusted_time(long_ago, received, received, DAY_START) == received
    # Sent before it was made (the clock was set back meanwhile): not after receipt.
    assert trusted_time(T0, T0 - timedelta(hours=1), received, DAY_START) == received
