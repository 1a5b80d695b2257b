"""The cover core on plain data: which sessions need cover, each rule, and the proposal
that never puts one person in two clashing sessions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

from service.schedule.conflicts import AvailabilityWindow
from service.staff import cover
from service.staff.cover import Absence, Booking, SessionNeed, StaffMember

DAY = date(2026, 3, 4)  # a Wednesday
SITE, FARM = 1, 2


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=UTC)


def need(
    session_id: int,
    start: int,
    end: int,
    staff: set[int],
    *,
    site: int = SITE,
    skills: frozenset[str] = frozenset(),
    placed: int = 4,
    ratio: int = 6,
    activity: int = 10,
) -> SessionNeed:
    return SessionNeed(
        session_id=session_id,
        activity_id=activity,
        title=f"Session {session_id}",
        site_id=site,
        date=DAY,
        start=time(start),
        end=time(end),
        starts_at=at(start),
        ends_at=at(end),
        staff_ids=frozenset(staff),
        required_skills=skills,
        placed=placed,
        participants_per_staff=ratio,
    )


def member(user_id: int, name: str, **extra: object) -> StaffMember:
    values: dict[object, object] = {
        "user_id": user_id,
        "name": name,
        "skills": frozenset({"animal_handling", "kitchen_hygiene"}),
        "site_ids": frozenset({SITE, FARM}),
        "windows": (),
        "bookings": (),
        "absences": (),
        "planned_minutes": 0,
        "contract_minutes": None,
        "activities_run": frozenset(),
    }
    values.update(extra)
    return StaffMember(**values)  # type: ignore[arg-type]


SICK = Absence(user_id=1, starts_at=at(0), ends_at=at(23, 59))


def test_a_session_that_loses_its_only_instructor_is_a_gap() -> None:
    gaps = cover.find_gaps([need(100, 9, 12, {1}), need(101, 9, 12, {2})], [SICK])
    assert [(g.session_id, g.kind, g.missing) for g in gaps] == [(100, "no_instructor", 1)]


def test_a_session_below_its_ratio_is_a_gap_and_one_still_staffed_is_not() -> None:
    below = need(100, 9, 12, {1, 2}, placed=10, ratio=6)  # needs 2
    enough = need(101, 13, 15, {1, 2}, placed=4, ratio=6)  # needs 1
    gaps = cover.find_gaps([below, enough], [SICK])
    assert [(g.session_id, g.kind, g.missing) for g in gaps] == [(100, "below_ratio", 1)]


def test_part_of_a_day_only_touches_the_sessions_it_overlaps() -> None:
    morning = Absence(user_id=1, starts_at=at(8), ends_at=at(12))
    gaps = cover.find_gaps([need(100, 9, 11, {1}), need(101, 12, 14, {1})], [morning])
    assert [g.session_id for g in gaps] == [100]


def test_the_remaining_staff_bring_their_skills() -> None:
    gap = cover.find_gaps(
        [need(100, 9, 12, {1, 2}, placed=10, skills=frozenset({"a", "b"}))], [SICK]
    )[0]
    assert cover.with_remaining_skills(gap, {2: frozenset({"a"})}).skills_needed == {"b"}


def only_gap(**extra: object) -> cover.Gap:
    return cover.find_gaps([need(100, 9, 12, {1}, **extra)], [SICK])[0]  # type: ignore[arg-type]


def test_each_rule_says_why() -> None:
    gap = only_gap(skills=frozenset({"animal_handling"}))
    cases = {
        "absent": member(5, "A", absences=(Absence(5, at(10), at(11)),)),
        "missing_skill": member(5, "A", skills=frozenset()),
        "other_site": member(5, "A", site_ids=frozenset({FARM})),
        "unavailable": member(5, "A", windows=(AvailabilityWindow(2, time(13), time(16)),)),
        "busy": member(5, "A", bookings=(Booking(200, SITE, at(11), at(13)),)),
        "travel": member(5, "A", bookings=(Booking(200, FARM, at(12), at(13)),)),
        "over_hours": member(5, "A", planned_minutes=2300, contract_minutes=2400),
    }
    for code, someone in cases.items():
        assert [r.code for r in cover.reasons_against(gap, someone, 30)] == [code]
    fine = member(
        5,
        "A",
        windows=(AvailabilityWindow(2, time(8), time(16)),),
        bookings=(Booking(200, FARM, at(13), at(15)),),  # an hour to travel
        planned_minutes=600,
        contract_minutes=2400,
    )
    assert cover.reasons_against(gap, fine, 30) == []


def test_continuity_ranks_first() -> None:
    gap = only_gap()
    plans = cover.plan_cover(
        [gap], [member(5, "Aino"), member(6, "Bertta", activities_run=frozenset({10}))]
    )
    assert [s.name for s in plans[0].suggestions] == ["Bertta", "Aino"]
    assert plans[0].suggestions[0].proposed and plans[0].suggestions[0].ran_before
    assert not plans[0].suggestions[1].proposed


def test_nobody_is_proposed_for_two_clashing_gaps() -> None:
    """The sick instructor's three sessions: two at the same time, one later at the farm."""
    gaps = cover.find_gaps(
        [
            need(100, 9, 12, {1}, activity=10),
            need(101, 10, 12, {1}, activity=11),
            need(102, 12, 15, {1}, site=FARM, activity=12, skills=frozenset({"animal_handling"})),
        ],
        [SICK],
    )
    staff = [
        member(5, "Aino", activities_run=frozenset({10, 11, 12})),  # everyone's favourite
        member(6, "Bertta"),
        member(7, "Cecilia", skills=frozenset(), site_ids=frozenset({SITE})),
    ]
    plans = {plan.gap.session_id: plan for plan in cover.plan_cover(gaps, staff, 30)}
    proposed = {
        gap_id: [s.user_id for s in plan.suggestions if s.proposed]
        for gap_id, plan in plans.items()
    }
    assert all(len(users) == 1 for users in proposed.values())
    # 100 and 101 overlap; 102 starts as they end, at another site: no time to travel.
    for first, second in [(100, 101), (100, 102), (101, 102)]:
        assert not set(proposed[first]) & set(proposed[second])
    # Aino is proposed once, and told as proposed elsewhere in the clashing gaps.
    aino = [gap_id for gap_id, users in proposed.items() if 5 in users]
    assert len(aino) == 1
    for gap_id, plan in plans.items():
        if gap_id not in aino:
            (refusal,) = [r for r in plan.refused if r.user_id == 5]
            assert refusal.reasons[0].code == "proposed_elsewhere"
    # Cecilia lacks the farm's skill and does not work there.
    (cecilia,) = [r for r in plans[102].refused if r.user_id == 7]
    assert [r.code for r in cecilia.reasons] == ["missing_skill", "other_site"]
    # every suggestion passes every rule
    by_id = {m.user_id: m for m in staff}
    for plan in plans.values():
        for suggestion in plan.suggestions:
            assert cover.reasons_against(plan.gap, by_id[suggestion.user_id], 30) == []


def test_contract_hours_hold_across_gaps_that_do_not_clash() -> None:
    gaps = cover.find_gaps([need(100, 8, 10, {1}), need(101, 13, 15, {1})], [SICK])
    tight = member(5, "Aino", planned_minutes=2220, contract_minutes=2400)  # 3 h left
    plans = cover.plan_cover(gaps, [tight])
    assert sum(s.proposed for plan in plans for s in plan.suggestions) == 1


def test_no_one_to_propose_is_still_an_answer() -> None:
    plans = cover.plan_cover([only_gap()], [replace(member(5, "A"), site_ids=frozenset())])
    assert plans[0].suggestions == ()
    assert plans[0].refused[0].reasons[0].code == "other_site"
