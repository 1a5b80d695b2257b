"""The attendance report's arithmetic on plain facts: figures computed by hand, the
current mark, cancelled sessions and closures, a change of the clocks, and totals by
site that add up to the provider's (hypothesis over random marks)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from service.attendance.rules import MarkStatus
from service.reports.core import (
    ADDITIVE,
    GoalReviews,
    Grouping,
    Journey,
    PeriodKind,
    Progress,
    SessionFact,
    attendance,
    closed_on,
    funder_lines,
    goal_progress,
    outcomes,
    outcomes_of,
    period,
    small_number,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
P, L, E = MarkStatus.present, MarkStatus.late, MarkStatus.left_early
AN, AX, EX = MarkStatus.absent_notice, MarkStatus.absent_no_notice, MarkStatus.excused


def session(
    sid: int,
    day: date,
    *,
    site: int = 1,
    activity: int = 1,
    hours: int = 3,
    places: int = 5,
    cancelled: bool = False,
    closed: bool = False,
    expected: set[int] | None = None,
    notices: set[int] | None = None,
    marks: dict[int, MarkStatus] | None = None,
) -> SessionFact:
    starts = datetime(day.year, day.month, day.day, 9, tzinfo=HELSINKI)
    return SessionFact(
        id=sid,
        day=day,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        cancelled=cancelled,
        places=places,
        site_id=site,
        site_name=f"Site {site}",
        activity_id=activity,
        activity_title=f"Activity {activity}",
        kind="workshop",
        expected=frozenset(expected or ()),
        notices=frozenset(notices or ()),
        marks=marks or {},
        closed=closed,
    )


MONDAY = date(2026, 9, 14)


def small_week() -> list[SessionFact]:
    """Two sites. Participants 1-4 are placed at site 1 on Monday and Tuesday; 5 walks
    in on Monday; Wednesday is cancelled, Thursday is closed (both hold a mark that must
    not count). Site 2 has one session with participant 1 and 6."""
    return [
        session(
            1,
            MONDAY,
            expected={1, 2, 3, 4},
            notices={3},
            marks={1: P, 2: L, 4: AX, 5: P},
        ),
        session(
            2,
            MONDAY + timedelta(days=1),
            expected={1, 2, 3, 4},
            marks={1: E, 2: EX, 3: AN},
        ),
        session(3, MONDAY + timedelta(days=2), cancelled=True, expected={1, 2}, marks={1: P}),
        session(4, MONDAY + timedelta(days=3), closed=True, expected={1, 2}, marks={2: P}),
        session(
            5, MONDAY, site=2, activity=2, hours=2, places=3, expected={1, 6}, marks={1: P, 6: AX}
        ),
    ]


def test_the_figures_of_a_small_week_are_those_computed_by_hand():
    groups, total = attendance(small_week(), Grouping.site)
    assert [key.label for key, _ in groups] == ["Site 1", "Site 2"]
    site1 = groups[0][1]
    assert (site1.sessions_held, site1.sessions_cancelled) == (2, 2)
    assert site1.places_offered == 10
    assert site1.expected == 8
    assert (site1.present, site1.late, site1.left_early) == (2, 1, 1)  # 1 and walk-in 5
    assert (site1.absent_notice, site1.absent_no_notice, site1.excused) == (2, 1, 1)
    assert site1.unmarked == 1  # participant 4 on Tuesday
    assert site1.walk_ins == 1
    assert site1.attended == 4
    assert site1.attendance_rate == Fraction(4, 9)
    # days with an attended session: 1 Mon, 2 Mon, 5 Mon, 1 Tue
    assert site1.participant_days == 4
    assert site1.unique_participants == 3
    assert site1.hours == 6
    assert site1.attended_hours == 12
    assert total.sessions_held == 3 and total.sessions_cancelled == 2
    assert total.attended == 5 and total.expected == 10 and total.walk_ins == 1
    assert total.attendance_rate == Fraction(5, 11)
    assert total.participant_days == 4  # participant 1 on Monday at both sites: one day
    assert total.unique_participants == 3
    assert total.hours == 8 and total.attended_hours == 14


def test_a_notice_counts_as_absent_with_notice_unless_a_mark_says_otherwise():
    fact = session(1, MONDAY, expected={1, 2}, notices={1, 2}, marks={2: P})
    assert {o.participant_id: o.status for o in outcomes(fact)} == {1: AN, 2: P}


def test_cancelled_and_closed_sessions_count_nobody():
    for fact in (
        session(1, MONDAY, cancelled=True, expected={1}, marks={1: AX}),
        session(1, MONDAY, closed=True, expected={1}, marks={1: P}),
    ):
        _, total = attendance([fact], Grouping.provider)
        assert total.sessions_cancelled == 1 and total.sessions_held == 0
        assert total.expected == total.absent_no_notice == total.attended == 0
        assert total.hours == 0 and total.attendance_rate is None


def test_grouped_by_participant_each_has_their_own_sessions_places_and_days():
    names = {1: "Aino", 2: "Eero", 3: "Ilona", 4: "Oona", 5: "Ville", 6: "Urho"}
    groups, _ = attendance(small_week(), Grouping.participant, participant_names=names)
    by_name = {key.label: figures for key, figures in groups}
    aino = by_name["Aino"]
    assert (aino.sessions_held, aino.sessions_cancelled, aino.places_offered) == (3, 2, 3)
    assert (aino.present, aino.left_early, aino.attended) == (2, 1, 3)
    assert aino.participant_days == 2 and aino.attended_hours == 8
    ville = by_name["Ville"]
    assert (ville.walk_ins, ville.places_offered, ville.attendance_rate) == (1, 0, 1)
    assert by_name["Oona"].unmarked == 1 and by_name["Oona"].absent_no_notice == 1


def test_weekdays_and_weeks_follow_the_local_date_across_a_change_of_the_clocks():
    """Helsinki moves its clocks forward at 03:00 on Sunday 29 March 2026: a session
    from 01:00 to 05:00 that night lasts three hours, and a session at 00:30 on that
    Sunday (still Saturday in UTC) is a Sunday one, in week 13."""
    sunday = date(2026, 3, 29)
    night = SessionFact(
        id=1,
        day=sunday,
        starts_at=datetime(2026, 3, 29, 1, tzinfo=HELSINKI),
        ends_at=datetime(2026, 3, 29, 5, tzinfo=HELSINKI),
        cancelled=False,
        places=4,
        site_id=1,
        site_name="Farm",
        activity_id=1,
        activity_title="Lambing watch",
        kind="green_care",
        expected=frozenset({1}),
        marks={1: P},
    )
    early = session(2, sunday, expected={2}, marks={2: P})
    early = SessionFact(
        **{
            **early.__dict__,
            "starts_at": datetime(2026, 3, 29, 0, 30, tzinfo=HELSINKI),
            "ends_at": datetime(2026, 3, 29, 0, 30, tzinfo=HELSINKI).astimezone(UTC)
            + timedelta(minutes=30),
        }
    )
    assert early.starts_at.astimezone(UTC).date() == date(2026, 3, 28)
    groups, total = attendance([night, early], Grouping.weekday, weekday_names=list("MTWTFSS"))
    assert [(key.key, figures.sessions_held) for key, figures in groups] == [("7", 2)]
    assert total.hours == Fraction(7, 2)  # three hours and half an hour
    weeks, _ = attendance([night, early], Grouping.week)
    assert [key.label for key, _ in weeks] == ["2026-W13"]


def test_periods():
    day = date(2026, 2, 18)
    assert period(PeriodKind.week, day) == (date(2026, 2, 16), date(2026, 2, 22))
    assert period(PeriodKind.month, day) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period(PeriodKind.month, date(2028, 2, 29)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert period(PeriodKind.quarter, day) == (date(2026, 1, 1), date(2026, 3, 31))
    assert period(PeriodKind.quarter, date(2026, 11, 2)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period(PeriodKind.year, day) == (date(2026, 1, 1), date(2026, 12, 31))


def test_a_closure_covers_its_site_or_every_site_on_its_days():
    closures = [
        (1, date(2026, 12, 24), date(2026, 12, 26)),
        (None, date(2027, 1, 6), date(2027, 1, 6)),
    ]
    assert closed_on(closures, 1, date(2026, 12, 25))
    assert not closed_on(closures, 2, date(2026, 12, 25))
    assert closed_on(closures, 2, date(2027, 1, 6))
    assert not closed_on(closures, 1, date(2026, 12, 27))


statuses = st.sampled_from(list(MarkStatus))


@st.composite
def random_sessions(draw: st.DrawFn) -> list[SessionFact]:
    facts = []
    for sid in range(draw(st.integers(0, 12))):
        people = set(draw(st.sets(st.integers(1, 8), max_size=6)))
        marked = draw(st.dictionaries(st.integers(1, 10), statuses, max_size=6))
        facts.append(
            session(
                sid,
                MONDAY + timedelta(days=draw(st.integers(0, 13))),
                site=draw(st.integers(1, 3)),
                activity=draw(st.integers(1, 4)),
                hours=draw(st.integers(1, 8)),
                places=draw(st.integers(1, 10)),
                cancelled=draw(st.booleans()),
                closed=draw(st.integers(0, 9)) == 0,
                expected=people,
                notices=set(draw(st.sets(st.integers(1, 8), max_size=3))),
                marks=marked,
            )
        )
    return facts


@settings(max_examples=200, deadline=None)
@given(random_sessions())
def test_totals_by_site_activity_and_weekday_add_up_to_the_providers(facts):
    _, provider = attendance(facts, Grouping.provider)
    for grouping in (Grouping.site, Grouping.activity, Grouping.weekday, Grouping.kind):
        groups, total = attendance(facts, grouping)
        assert total == provider
        for name in ADDITIVE:
            assert sum(getattr(f, name) for _, f in groups) == getattr(provider, name), name
        assert (
            max((f.unique_participants for _, f in groups), default=0)
            <= (provider.unique_participants)
            <= sum(f.unique_participants for _, f in groups)
        )
    assert provider.attended <= provider.expected + provider.walk_ins
    assert (
        provider.expected + provider.walk_ins
        == provider.present
        + provider.late
        + provider.left_early
        + provider.absent_notice
        + provider.absent_no_notice
        + provider.excused
        + provider.unmarked
    )


def journey(pid, start, ended=None, destination=None, born=None):
    return Journey(pid, start, ended, destination, born)


def test_outcomes_of_a_quarter_computed_by_hand():
    q_start, q_end = date(2026, 1, 1), date(2026, 3, 31)
    journeys = [
        journey(1, date(2025, 9, 1), date(2026, 2, 28), "work", 1998),  # 27 at start: young
        journey(2, date(2026, 1, 10), date(2026, 3, 10), "study", 1996),  # 30 at start
        journey(3, date(2026, 2, 1), date(2026, 3, 31), "moved", 2000),  # young, moved
        journey(4, date(2026, 3, 1)),  # started, still in service
        journey(5, date(2025, 1, 1), date(2026, 4, 1), "work", 2001),  # ended after
        journey(6, None, date(2026, 1, 5), "other_service", None),  # no start known
        journey(7, date(2026, 3, 15), None, None, 2005),
    ]
    result = outcomes_of(journeys, q_start, q_end)
    assert result.starts == 4  # 2, 3, 4 and 7
    assert result.ends == 4  # 1, 2, 3 and 6
    assert result.destinations == {"moved": 1, "other_service": 1, "study": 1, "work": 1}
    assert (result.young_ended, result.young_to_work_or_study) == (2, 1)
    assert result.young_share == Fraction(1, 2)
    # days in service, both ends counted: 1: 181, 2: 60, 3: 59
    assert sorted(result.days_in_service) == [59, 60, 181]
    assert result.median_days == 60 and result.mean_days == Fraction(300, 3)


def test_young_is_under_thirty_at_the_start_by_the_year_of_birth():
    assert journey(1, date(2026, 5, 1), born=1997).young_at_start() is True
    assert journey(1, date(2026, 5, 1), born=1996).young_at_start() is False
    assert journey(1, date(2026, 5, 1)).young_at_start() is None


def test_goal_progress_by_domain_computed_by_hand():
    goals = [
        GoalReviews(1, ("everyday_living", "stress"), (2, 3, 4)),  # improved
        GoalReviews(2, ("stress",), (4, 2)),  # fell
        GoalReviews(3, ("stress",), (3, 5, 3)),  # first and last the same
        GoalReviews(4, ("everyday_living",), (3,)),  # reviewed once: not compared
        GoalReviews(5, ("interaction",), ()),  # not reviewed in the period
    ]
    domains, total = goal_progress(goals)
    assert set(domains) == {"everyday_living", "stress"}
    stress = domains["stress"]
    assert (stress.reviewed, stress.compared) == (3, 3)
    assert (stress.improved, stress.same, stress.fell) == (1, 1, 1)
    assert stress.share(stress.improved) == Fraction(1, 3)
    living = domains["everyday_living"]
    assert (living.reviewed, living.compared, living.improved) == (2, 1, 1)
    assert (total.reviewed, total.compared, total.improved, total.same, total.fell) == (
        4,
        3,
        1,
        1,
        1,
    )
    assert Progress().share(0) is None


def test_funder_lines_per_participant_month_and_kind():
    facts = [
        session(1, date(2026, 3, 30), expected={1, 2}, marks={1: P, 2: AX}),
        session(2, date(2026, 3, 30), hours=2, expected={1}, marks={1: L}),
        session(3, date(2026, 4, 1), expected={1}, marks={1: E}),
        session(4, date(2026, 4, 2), cancelled=True, expected={1}, marks={1: P}),
    ]
    lines = funder_lines(facts)
    assert [(ln.participant_id, ln.month, ln.days, ln.visits, ln.hours) for ln in lines] == [
        (1, date(2026, 3, 1), 1, 2, 5),
        (1, date(2026, 4, 1), 1, 1, 3),
    ]
    assert [small_number(n, True) for n in (0, 1, 4, 5)] == [0, "<5", "<5", 5]
    assert small_number(3, False) == 3
