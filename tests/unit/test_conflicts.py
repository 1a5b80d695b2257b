"""Room clashes and planner warnings for a set of sessions."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from service.schedule.conflicts import (
    CODES,
    AvailabilityWindow,
    SessionFacts,
    StaffFacts,
    Warning,
    find_warnings,
    overlaps,
    room_clash,
)

MONDAY = date(2026, 3, 2)


def session(
    session_id: int,
    start: time = time(9),
    end: time = time(10),
    *,
    day: date = MONDAY,
    room_id: int | None = 1,
    staff_ids: frozenset[int] | set[int] = frozenset({100}),
    required_skills: frozenset[str] | set[str] = frozenset(),
    min_participants: int = 0,
    participants_per_staff: int = 8,
    placed: int = 0,
    cancelled: bool = False,
) -> SessionFacts:
    """A session whose local times are also used as UTC times, to keep the arithmetic plain."""
    return SessionFacts(
        session_id=session_id,
        title=f"Session {session_id}",
        site_id=1,
        room_id=room_id,
        date=day,
        start=start,
        end=end,
        starts_at=datetime.combine(day, start, tzinfo=UTC),
        ends_at=datetime.combine(day, end, tzinfo=UTC),
        staff_ids=frozenset(staff_ids),
        required_skills=frozenset(required_skills),
        min_participants=min_participants,
        participants_per_staff=participants_per_staff,
        placed=placed,
        cancelled=cancelled,
    )


def member(
    user_id: int,
    *,
    skills: frozenset[str] | set[str] = frozenset(),
    windows: tuple[AvailabilityWindow, ...] = (),
) -> StaffFacts:
    return StaffFacts(
        user_id=user_id, name=f"Staff {user_id}", skills=frozenset(skills), windows=windows
    )


def codes(found: dict[int, list[Warning]], session_id: int) -> list[str]:
    return [warning.code for warning in found[session_id]]


# --- overlaps and room clashes -------------------------------------------------------------


def test_overlaps_is_half_open():
    assert overlaps(session(1, time(9), time(10)), session(2, time(9, 30), time(11)))
    assert overlaps(session(1, time(9), time(12)), session(2, time(10), time(11)))
    assert not overlaps(session(1, time(9), time(10)), session(2, time(10), time(11)))
    assert not overlaps(session(2, time(10), time(11)), session(1, time(9), time(10)))


def test_room_clash_finds_an_overlapping_session_in_the_same_room():
    candidate = session(1, time(9), time(11))
    other = session(2, time(10), time(12))
    assert room_clash(candidate, [other]) == other


def test_touching_sessions_do_not_clash():
    candidate = session(1, time(10), time(11))
    assert (
        room_clash(candidate, [session(2, time(9), time(10)), session(3, time(11), time(12))])
        is None
    )


def test_sessions_in_other_rooms_do_not_clash():
    assert room_clash(session(1, room_id=1), [session(2, room_id=2)]) is None


def test_sessions_without_a_room_never_clash():
    assert room_clash(session(1, room_id=None), [session(2, room_id=None)]) is None
    assert room_clash(session(1, room_id=1), [session(2, room_id=None)]) is None
    assert room_clash(session(1, room_id=None), [session(2, room_id=1)]) is None


def test_cancelled_sessions_do_not_clash():
    assert room_clash(session(1), [session(2, cancelled=True)]) is None
    assert room_clash(session(1, cancelled=True), [session(2)]) is None


def test_the_candidate_does_not_clash_with_its_own_stored_version():
    moved = session(1, time(9, 30), time(10, 30))
    assert room_clash(moved, [session(1, time(9), time(10))]) is None


def test_room_clash_reports_the_earliest_then_lowest_id():
    candidate = session(1, time(9), time(12))
    others = [
        session(5, time(11), time(13)),
        session(4, time(10), time(11)),
        session(3, time(10), time(10, 30)),
        session(2, time(8), time(9)),  # touches only
    ]
    clash = room_clash(candidate, others)
    assert clash is not None
    assert clash.session_id == 3


def test_room_clash_on_another_day_is_no_clash():
    candidate = session(1)
    assert room_clash(candidate, [session(2, day=MONDAY + timedelta(days=1))]) is None


def test_room_clash_accepts_any_iterable():
    others = (s for s in [session(2)])
    clash = room_clash(session(1), others)
    assert clash is not None
    assert clash.session_id == 2


# --- staff_double_booked -------------------------------------------------------------------


def test_double_booked_staff_is_warned_on_both_sessions():
    found = find_warnings(
        [session(1, time(9), time(10), room_id=1), session(2, time(9, 30), time(11), room_id=2)],
        {},
    )
    assert found == {
        1: [Warning(1, "staff_double_booked", staff_id=100, other_session_id=2)],
        2: [Warning(2, "staff_double_booked", staff_id=100, other_session_id=1)],
    }


def test_back_to_back_sessions_are_not_double_booked():
    found = find_warnings([session(1, time(9), time(10)), session(2, time(10), time(11))], {})
    assert found == {1: [], 2: []}


def test_different_staff_at_the_same_time_are_not_double_booked():
    found = find_warnings([session(1, staff_ids={100}), session(2, staff_ids={200})], {})
    assert found == {1: [], 2: []}


def test_each_shared_staff_member_is_named():
    found = find_warnings(
        [session(1, staff_ids={100, 200}), session(2, staff_ids={100, 200, 300})], {}
    )
    assert [(w.staff_id, w.other_session_id) for w in found[1]] == [(100, 2), (200, 2)]
    assert [(w.staff_id, w.other_session_id) for w in found[2]] == [(100, 1), (200, 1)]


def test_one_long_session_against_several_short_ones():
    sessions = [
        session(1, time(9), time(17)),
        session(2, time(9), time(10)),
        session(3, time(12), time(13)),
        session(4, time(17), time(18)),
    ]
    found = find_warnings(sessions, {})
    assert [w.other_session_id for w in found[1]] == [2, 3]
    assert [w.other_session_id for w in found[2]] == [1]
    assert [w.other_session_id for w in found[3]] == [1]
    assert found[4] == []


def test_cancelled_sessions_are_not_the_other_side_of_a_double_booking():
    found = find_warnings([session(1), session(2, cancelled=True)], {})
    assert found == {1: []}


# --- staff_unavailable ---------------------------------------------------------------------


def test_staff_outside_their_windows_is_unavailable():
    staff = {100: member(100, windows=(AvailabilityWindow(0, time(12), time(16)),))}
    found = find_warnings([session(1, time(9), time(10))], staff)
    assert found == {1: [Warning(1, "staff_unavailable", staff_id=100)]}


def test_staff_inside_a_window_is_available():
    staff = {100: member(100, windows=(AvailabilityWindow(0, time(9), time(10)),))}
    assert find_warnings([session(1, time(9), time(10))], staff) == {1: []}


def test_a_window_on_another_weekday_does_not_count():
    staff = {100: member(100, windows=(AvailabilityWindow(1, time(8), time(16)),))}
    assert codes(find_warnings([session(1)], staff), 1) == ["staff_unavailable"]


def test_a_window_covering_only_part_of_the_session_is_not_enough():
    staff = {100: member(100, windows=(AvailabilityWindow(0, time(9), time(9, 30)),))}
    assert codes(find_warnings([session(1, time(9), time(10))], staff), 1) == ["staff_unavailable"]


def test_touching_windows_together_cover_a_session():
    windows = (
        AvailabilityWindow(0, time(12), time(16)),
        AvailabilityWindow(0, time(8), time(12)),
    )
    staff = {100: member(100, windows=windows)}
    assert find_warnings([session(1, time(11), time(13))], staff) == {1: []}


def test_windows_with_a_gap_do_not_cover_across_it():
    windows = (
        AvailabilityWindow(0, time(8), time(11, 59)),
        AvailabilityWindow(0, time(12), time(16)),
    )
    staff = {100: member(100, windows=windows)}
    assert codes(find_warnings([session(1, time(11), time(13))], staff), 1) == ["staff_unavailable"]


def test_staff_without_recorded_windows_or_unknown_are_never_unavailable():
    staff = {100: member(100)}
    sessions = [session(1, staff_ids={100}), session(2, time(11), time(12), staff_ids={999})]
    assert find_warnings(sessions, staff) == {1: [], 2: []}


# --- missing_skill -------------------------------------------------------------------------


def test_required_skills_nobody_has_are_each_named_in_order():
    staff = {100: member(100, skills={"first_aid"}), 200: member(200, skills={"art"})}
    found = find_warnings(
        [
            session(
                1, staff_ids={100, 200}, required_skills={"sign_language", "first_aid", "cooking"}
            )
        ],
        staff,
    )
    assert found == {
        1: [
            Warning(1, "missing_skill", skill="cooking"),
            Warning(1, "missing_skill", skill="sign_language"),
        ]
    }


def test_a_skill_held_by_any_one_staff_member_is_enough():
    staff = {100: member(100, skills={"first_aid"}), 200: member(200, skills={"cooking"})}
    found = find_warnings(
        [session(1, staff_ids={100, 200}, required_skills={"first_aid", "cooking"})], staff
    )
    assert found == {1: []}


def test_skills_of_staff_missing_from_the_mapping_do_not_count():
    found = find_warnings([session(1, staff_ids={999}, required_skills={"first_aid"})], {})
    assert found == {1: [Warning(1, "missing_skill", skill="first_aid")]}


# --- too_few_staff -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("placed", "per_staff", "staff_ids", "needed"),
    [
        (9, 8, {100}, 2),
        (17, 8, {100, 200}, 3),
        (1, 8, set(), 1),
        (5, 0, {100}, 5),  # a ratio below 1 is read as 1
    ],
)
def test_too_few_staff_for_the_placed_participants(placed, per_staff, staff_ids, needed):
    found = find_warnings(
        [session(1, staff_ids=staff_ids, placed=placed, participants_per_staff=per_staff)], {}
    )
    assert found == {1: [Warning(1, "too_few_staff", needed=needed, have=len(staff_ids))]}


@pytest.mark.parametrize(
    ("placed", "per_staff", "staff_ids"),
    [
        (8, 8, {100}),
        (16, 8, {100, 200}),
        (0, 8, set()),
        (3, 1, {100, 200, 300}),
    ],
)
def test_enough_staff_is_no_warning(placed, per_staff, staff_ids):
    found = find_warnings(
        [session(1, staff_ids=staff_ids, placed=placed, participants_per_staff=per_staff)], {}
    )
    assert found == {1: []}


# --- below_minimum -------------------------------------------------------------------------


def test_fewer_placed_than_the_minimum_is_warned():
    found = find_warnings([session(1, min_participants=4, placed=3)], {})
    assert found == {1: [Warning(1, "below_minimum", needed=4, have=3)]}


def test_exactly_the_minimum_is_no_warning():
    assert find_warnings([session(1, min_participants=4, placed=4)], {}) == {1: []}


# --- keys and sorting ----------------------------------------------------------------------


def test_every_live_session_is_a_key_and_cancelled_ones_are_not():
    sessions = [
        session(1, time(8), time(9)),
        session(2, time(9), time(10), cancelled=True, min_participants=5),
        session(3, time(10), time(11)),
    ]
    assert find_warnings(sessions, {}) == {1: [], 3: []}


def test_no_sessions_means_no_keys():
    assert find_warnings([], {}) == {}


def test_warnings_are_sorted_by_code_then_staff_then_other_session_then_skill():
    windows = (AvailabilityWindow(0, time(14), time(16)),)
    staff = {
        100: member(100, windows=windows),
        200: member(200, windows=windows),
    }
    sessions = [
        session(
            1,
            time(9),
            time(12),
            staff_ids={200, 100},
            required_skills={"b_skill", "a_skill"},
            min_participants=30,
            participants_per_staff=5,
            placed=11,
        ),
        session(3, time(11), time(13), room_id=3, staff_ids={100}),
        session(2, time(10), time(11), room_id=2, staff_ids={200, 100}),
    ]
    found = find_warnings(sessions, staff)
    assert found[1] == [
        Warning(1, "staff_double_booked", staff_id=100, other_session_id=2),
        Warning(1, "staff_double_booked", staff_id=100, other_session_id=3),
        Warning(1, "staff_double_booked", staff_id=200, other_session_id=2),
        Warning(1, "staff_unavailable", staff_id=100),
        Warning(1, "staff_unavailable", staff_id=200),
        Warning(1, "missing_skill", skill="a_skill"),
        Warning(1, "missing_skill", skill="b_skill"),
        Warning(1, "too_few_staff", needed=3, have=2),
        Warning(1, "below_minimum", needed=30, have=11),
    ]
    for warnings in found.values():
        order = [CODES.index(w.code) for w in warnings]
        assert order == sorted(order)


def test_unknown_warning_code_is_refused():
    with pytest.raises(ValueError, match="not_a_code"):
        Warning(1, "not_a_code")


# --- many sessions -------------------------------------------------------------------------


def naive_double_bookings(sessions: list[SessionFacts]) -> set[tuple[int, int, int]]:
    """(session_id, staff_id, other_session_id) for every pair, checked one by one."""
    live = [s for s in sessions if not s.cancelled]
    found: set[tuple[int, int, int]] = set()
    for a, b in itertools.combinations(live, 2):
        shared = a.staff_ids & b.staff_ids
        if shared and a.starts_at < b.ends_at and b.starts_at < a.ends_at:
            for staff_id in shared:
                found.add((a.session_id, staff_id, b.session_id))
                found.add((b.session_id, staff_id, a.session_id))
    return found


def test_double_booking_over_3000_sessions_matches_the_naive_all_pairs_answer():
    rng = random.Random(20260302)
    sessions = []
    for session_id in range(1, 3001):
        day = MONDAY + timedelta(days=rng.randrange(14))
        start_minute = rng.randrange(7 * 60, 18 * 60, 15)
        length = rng.choice([30, 45, 60, 90, 120, 180])
        start = time(*divmod(start_minute, 60))
        end = time(*divmod(start_minute + length, 60))
        sessions.append(
            session(
                session_id,
                start,
                end,
                day=day,
                room_id=rng.randrange(1, 40),
                staff_ids=set(rng.sample(range(1, 51), rng.choice([1, 1, 2, 3]))),
                cancelled=rng.random() < 0.05,
            )
        )
    rng.shuffle(sessions)

    found = find_warnings(sessions, {})

    got = {
        (w.session_id, w.staff_id, w.other_session_id)
        for ws in found.values()
        for w in ws
        if w.code == "staff_double_booked"
    }
    expected = naive_double_bookings(sessions)
    assert len(expected) > 100  # the data really has clashes to find
    assert got == expected
    double_booked = [w for ws in found.values() for w in ws if w.code == "staff_double_booked"]
    assert len(double_booked) == len(got)  # no pair reported twice
    assert set(found) == {s.session_id for s in sessions if not s.cancelled}
