"""Weekly slots become dated occurrences: ranges, daylight saving, holidays and closures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from service.schedule.recurrence import (
    Closure,
    Occurrence,
    SlotRule,
    expand,
    local_to_utc,
    public_holidays,
)

HELSINKI = "Europe/Helsinki"
COPENHAGEN = "Europe/Copenhagen"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def slot(
    weekday: int,
    *,
    slot_id: int = 1,
    site_id: int = 10,
    start: time = time(9, 0),
    end: time = time(11, 0),
    valid_from: date = date(2020, 1, 1),
    valid_until: date | None = None,
    time_zone: str = HELSINKI,
    country: str = "FI",
) -> SlotRule:
    return SlotRule(
        slot_id=slot_id,
        site_id=site_id,
        weekday=weekday,
        start=start,
        end=end,
        valid_from=valid_from,
        valid_until=valid_until,
        time_zone=time_zone,
        country=country,
    )


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def on(occurrences: list[Occurrence], day: date) -> Occurrence:
    (found,) = [occurrence for occurrence in occurrences if occurrence.date == day]
    return found


# --- ranges --------------------------------------------------------------------------------


def test_weekly_slot_gives_one_occurrence_per_matching_weekday_in_the_range():
    occurrences = expand([slot(TUE)], date(2026, 2, 1), date(2026, 2, 28))
    assert [occurrence.date for occurrence in occurrences] == [
        date(2026, 2, 3),
        date(2026, 2, 10),
        date(2026, 2, 17),
        date(2026, 2, 24),
    ]
    first = occurrences[0]
    assert (first.slot_id, first.site_id, first.start, first.end) == (1, 10, time(9), time(11))
    assert first.starts_at == utc(2026, 2, 3, 7)
    assert first.ends_at == utc(2026, 2, 3, 9)
    assert first.closed_reason is None


def test_range_ends_are_inclusive():
    occurrences = expand([slot(TUE)], date(2026, 2, 3), date(2026, 2, 17))
    assert [occurrence.date for occurrence in occurrences] == [
        date(2026, 2, 3),
        date(2026, 2, 10),
        date(2026, 2, 17),
    ]


def test_valid_from_and_valid_until_cut_the_range_inclusively():
    rule = slot(TUE, valid_from=date(2026, 2, 10), valid_until=date(2026, 2, 17))
    occurrences = expand([rule], date(2026, 2, 1), date(2026, 2, 28))
    assert [occurrence.date for occurrence in occurrences] == [date(2026, 2, 10), date(2026, 2, 17)]


def test_validity_days_that_are_not_the_weekday_do_not_add_occurrences():
    rule = slot(TUE, valid_from=date(2026, 2, 4), valid_until=date(2026, 2, 16))
    occurrences = expand([rule], date(2026, 2, 1), date(2026, 2, 28))
    assert [occurrence.date for occurrence in occurrences] == [date(2026, 2, 10)]


def test_open_ended_slot_runs_to_the_end_of_the_range():
    occurrences = expand(
        [slot(TUE, valid_from=date(2026, 2, 20))], date(2026, 2, 1), date(2026, 3, 31)
    )
    assert [occurrence.date for occurrence in occurrences] == [
        date(2026, 2, 24),
        date(2026, 3, 3),
        date(2026, 3, 10),
        date(2026, 3, 17),
        date(2026, 3, 24),
        date(2026, 3, 31),
    ]


def test_empty_range_gives_nothing():
    assert expand([slot(TUE)], date(2026, 2, 10), date(2026, 2, 9)) == []


def test_range_without_the_weekday_gives_nothing():
    assert expand([slot(TUE)], date(2026, 2, 11), date(2026, 2, 16)) == []


def test_slot_valid_only_outside_the_range_gives_nothing():
    rule = slot(TUE, valid_from=date(2025, 1, 1), valid_until=date(2025, 12, 31))
    assert expand([rule], date(2026, 2, 1), date(2026, 2, 28)) == []


def test_no_slots_gives_nothing():
    assert expand([], date(2026, 2, 1), date(2026, 2, 28)) == []


def test_results_are_sorted_by_start_then_slot_id():
    rules = [
        slot(WED, slot_id=3, start=time(13), end=time(14)),
        slot(TUE, slot_id=2, start=time(9), end=time(10)),
        slot(TUE, slot_id=1, start=time(9), end=time(12)),
        slot(TUE, slot_id=4, start=time(8), end=time(9), time_zone=COPENHAGEN, country="DK"),
    ]
    occurrences = expand(rules, date(2026, 2, 2), date(2026, 2, 8))
    # 08:00 Copenhagen (UTC+1) is 07:00 UTC, the same instant as 09:00 Helsinki (UTC+2).
    assert [(o.date, o.starts_at, o.slot_id) for o in occurrences] == [
        (date(2026, 2, 3), utc(2026, 2, 3, 7), 1),
        (date(2026, 2, 3), utc(2026, 2, 3, 7), 2),
        (date(2026, 2, 3), utc(2026, 2, 3, 7), 4),
        (date(2026, 2, 4), utc(2026, 2, 4, 11), 3),
    ]


def test_slot_end_before_start_is_refused():
    with pytest.raises(ValueError, match="slot 1"):
        slot(TUE, start=time(11), end=time(9))


# --- daylight saving -----------------------------------------------------------------------


def test_nine_oclock_helsinki_stays_nine_local_across_spring_forward():
    occurrences = expand([slot(WED)], date(2026, 3, 16), date(2026, 4, 12))
    assert [(o.date, o.starts_at) for o in occurrences] == [
        (date(2026, 3, 18), utc(2026, 3, 18, 7)),
        (date(2026, 3, 25), utc(2026, 3, 25, 7)),
        (date(2026, 4, 1), utc(2026, 4, 1, 6)),
        (date(2026, 4, 8), utc(2026, 4, 8, 6)),
    ]


def test_nine_oclock_helsinki_stays_nine_local_across_fall_back():
    occurrences = expand([slot(WED)], date(2026, 10, 12), date(2026, 11, 8))
    assert [(o.date, o.starts_at) for o in occurrences] == [
        (date(2026, 10, 14), utc(2026, 10, 14, 6)),
        (date(2026, 10, 21), utc(2026, 10, 21, 6)),
        (date(2026, 10, 28), utc(2026, 10, 28, 7)),
        (date(2026, 11, 4), utc(2026, 11, 4, 7)),
    ]
    for occurrence in occurrences:
        assert occurrence.starts_at.astimezone(ZoneInfo(HELSINKI)).time() == time(9)


def test_sunday_slot_on_the_change_days_themselves():
    occurrences = expand([slot(SUN)], date(2026, 3, 22), date(2026, 3, 29))
    assert on(occurrences, date(2026, 3, 22)).starts_at == utc(2026, 3, 22, 7)
    assert on(occurrences, date(2026, 3, 29)).starts_at == utc(2026, 3, 29, 6)
    occurrences = expand([slot(SUN)], date(2026, 10, 18), date(2026, 10, 25))
    assert on(occurrences, date(2026, 10, 18)).starts_at == utc(2026, 10, 18, 6)
    assert on(occurrences, date(2026, 10, 25)).starts_at == utc(2026, 10, 25, 7)


def test_local_to_utc_in_winter_and_summer():
    assert local_to_utc(date(2026, 1, 15), time(9), HELSINKI) == utc(2026, 1, 15, 7)
    assert local_to_utc(date(2026, 7, 15), time(9), HELSINKI) == utc(2026, 7, 15, 6)
    assert local_to_utc(date(2026, 7, 15), time(9), HELSINKI).tzinfo is UTC


def test_time_in_the_spring_forward_gap_moves_forward_by_the_gap():
    # 2026-03-29 in Helsinki: 03:00 EET jumps to 04:00 EEST, so 03:30 does not exist.
    moved = local_to_utc(date(2026, 3, 29), time(3, 30), HELSINKI)
    assert moved == utc(2026, 3, 29, 1, 30)
    local = moved.astimezone(ZoneInfo(HELSINKI))
    assert (local.time(), local.utcoffset()) == (time(4, 30), timedelta(hours=3))


def test_times_next_to_the_gap_are_exact():
    assert local_to_utc(date(2026, 3, 29), time(2, 59), HELSINKI) == utc(2026, 3, 29, 0, 59)
    assert local_to_utc(date(2026, 3, 29), time(4, 0), HELSINKI) == utc(2026, 3, 29, 1, 0)


def test_time_in_the_autumn_fold_means_the_first_occurrence():
    # 2026-10-25 in Helsinki: 04:00 EEST falls back to 03:00 EET, so 03:30 happens twice.
    first = local_to_utc(date(2026, 10, 25), time(3, 30), HELSINKI)
    assert first == utc(2026, 10, 25, 0, 30)
    assert first.astimezone(ZoneInfo(HELSINKI)).utcoffset() == timedelta(hours=3)


def test_fold_flag_on_the_given_time_is_ignored():
    assert local_to_utc(date(2026, 10, 25), time(3, 30, fold=1), HELSINKI) == utc(
        2026, 10, 25, 0, 30
    )


def test_slot_starting_in_the_gap_keeps_its_length_when_pushed_past_its_end():
    rule = slot(SUN, start=time(3, 30), end=time(4, 15))
    occurrence = on(expand([rule], date(2026, 3, 29), date(2026, 3, 29)), date(2026, 3, 29))
    assert occurrence.starts_at == utc(2026, 3, 29, 1, 30)
    assert occurrence.ends_at == utc(2026, 3, 29, 2, 15)
    assert (occurrence.start, occurrence.end) == (time(3, 30), time(4, 15))


def test_slot_across_the_gap_is_an_hour_shorter_in_real_time():
    rule = slot(SUN, start=time(2), end=time(5))
    occurrence = on(expand([rule], date(2026, 3, 29), date(2026, 3, 29)), date(2026, 3, 29))
    assert occurrence.ends_at - occurrence.starts_at == timedelta(hours=2)


# --- public holidays -----------------------------------------------------------------------


def test_finnish_independence_day_closes_a_sunday_slot():
    occurrences = expand([slot(SUN)], date(2026, 11, 29), date(2026, 12, 13))
    assert [(o.date, o.closed_reason) for o in occurrences] == [
        (date(2026, 11, 29), None),
        (date(2026, 12, 6), "Itsenäisyyspäivä"),
        (date(2026, 12, 13), None),
    ]


def test_finnish_ascension_day_closes_a_thursday_slot():
    occurrences = expand([slot(THU)], date(2026, 5, 7), date(2026, 5, 21))
    assert [(o.date, o.closed_reason) for o in occurrences] == [
        (date(2026, 5, 7), None),
        (date(2026, 5, 14), "Helatorstai"),
        (date(2026, 5, 21), None),
    ]


def test_good_friday_closes_a_friday_slot_and_keeps_its_times():
    occurrence = on(expand([slot(FRI)], date(2026, 4, 1), date(2026, 4, 5)), date(2026, 4, 3))
    assert occurrence.closed_reason == "Pitkäperjantai"
    assert occurrence.starts_at == utc(2026, 4, 3, 6)


def test_holiday_reason_is_the_same_as_public_holidays_reports():
    names = public_holidays("FI", [2026])
    occurrence = on(expand([slot(SUN)], date(2026, 12, 6), date(2026, 12, 6)), date(2026, 12, 6))
    assert occurrence.closed_reason == names[date(2026, 12, 6)]


def test_danish_site_is_closed_on_danish_holidays_only():
    rules = [
        slot(THU, slot_id=1, country="DK", time_zone=COPENHAGEN),
        slot(FRI, slot_id=2, country="DK", time_zone=COPENHAGEN),
        slot(TUE, slot_id=3, country="DK", time_zone=COPENHAGEN),
    ]
    occurrences = expand(rules, date(2026, 1, 1), date(2026, 6, 30))
    reasons = {o.date: o.closed_reason for o in occurrences}
    assert reasons[date(2026, 4, 2)] == "Skærtorsdag"  # Maundy Thursday: Danish only
    assert reasons[date(2026, 4, 3)] == "Langfredag"  # Good Friday
    assert reasons[date(2026, 5, 14)] == "Kristi himmelfartsdag"
    # Finnish-only holidays: Epiphany (Tue), May Day (Fri), Midsummer Eve (Fri).
    assert reasons[date(2026, 1, 6)] is None
    assert reasons[date(2026, 5, 1)] is None
    assert reasons[date(2026, 6, 19)] is None


def test_finnish_site_is_open_on_danish_only_holidays():
    occurrences = expand([slot(THU)], date(2026, 4, 2), date(2026, 4, 2))
    assert on(occurrences, date(2026, 4, 2)).closed_reason is None


def test_grundlovsdag_closes_danish_sites_although_the_package_calls_it_optional():
    # Constitution Day (5 June) is in the package's "optional" category for DK, not
    # "public"; Denmark's country pack closes on it, as municipal offers do.
    rule = slot(FRI, country="DK", time_zone=COPENHAGEN)
    occurrence = on(expand([rule], date(2026, 6, 5), date(2026, 6, 5)), date(2026, 6, 5))
    assert occurrence.closed_reason == "Grundlovsdag"
    # Workers' Day is optional too, and not a closing day.
    workers_day = on(expand([rule], date(2026, 5, 1), date(2026, 5, 1)), date(2026, 5, 1))
    assert workers_day.closed_reason is None


def test_holidays_are_found_in_every_year_the_range_touches():
    occurrences = expand([slot(THU)], date(2025, 12, 20), date(2027, 1, 10))
    closed = {o.date: o.closed_reason for o in occurrences if o.closed_reason}
    assert date(2025, 12, 25) in closed
    assert date(2026, 12, 24) in closed
    assert date(2026, 5, 14) in closed


def test_public_holidays_accepts_lower_case_and_only_gives_the_years_asked():
    names = public_holidays("fi", [2026])
    assert names[date(2026, 12, 6)] == "Itsenäisyyspäivä"
    assert {day.year for day in names} == {2026}
    assert public_holidays("FI", []) == {}


def test_public_holidays_result_can_be_changed_without_touching_the_cache():
    public_holidays("FI", [2026]).clear()
    assert date(2026, 12, 6) in public_holidays("FI", [2026])


def test_unknown_country_raises_value_error_naming_it():
    with pytest.raises(ValueError, match="XX"):
        public_holidays("XX", [2026])
    with pytest.raises(ValueError, match="XX"):
        expand([slot(TUE, country="XX")], date(2026, 2, 1), date(2026, 2, 28))


# --- closures ------------------------------------------------------------------------------


def test_closure_for_one_site_closes_only_that_site():
    rules = [slot(TUE, slot_id=1, site_id=10), slot(TUE, slot_id=2, site_id=20)]
    closure = Closure(date(2026, 2, 9), date(2026, 2, 13), "Renovation", site_id=10)
    occurrences = expand(rules, date(2026, 2, 1), date(2026, 2, 28), [closure])
    closed = [(o.slot_id, o.date) for o in occurrences if o.closed_reason == "Renovation"]
    assert closed == [(1, date(2026, 2, 10))]
    assert all(o.closed_reason is None for o in occurrences if o.slot_id == 2)


def test_closure_for_every_site_closes_all_sites():
    rules = [slot(TUE, slot_id=1, site_id=10), slot(TUE, slot_id=2, site_id=20)]
    closure = Closure(date(2026, 2, 10), date(2026, 2, 10), "Staff training day", site_id=None)
    occurrences = expand(rules, date(2026, 2, 1), date(2026, 2, 28), [closure])
    closed = sorted((o.slot_id, o.date) for o in occurrences if o.closed_reason)
    assert closed == [(1, date(2026, 2, 10)), (2, date(2026, 2, 10))]


def test_closure_days_are_inclusive_at_both_ends():
    closure = Closure(date(2026, 2, 10), date(2026, 2, 17), "Winter break", site_id=None)
    occurrences = expand([slot(TUE)], date(2026, 2, 1), date(2026, 2, 28), [closure])
    assert [(o.date, o.closed_reason) for o in occurrences] == [
        (date(2026, 2, 3), None),
        (date(2026, 2, 10), "Winter break"),
        (date(2026, 2, 17), "Winter break"),
        (date(2026, 2, 24), None),
    ]


def test_closure_reason_wins_over_a_public_holiday():
    closure = Closure(date(2026, 12, 1), date(2026, 12, 31), "Closed for December", site_id=10)
    occurrences = expand([slot(SUN)], date(2026, 12, 6), date(2026, 12, 6), [closure])
    assert on(occurrences, date(2026, 12, 6)).closed_reason == "Closed for December"


def test_site_closure_wins_over_a_closure_for_every_site():
    closures = [
        Closure(date(2026, 2, 1), date(2026, 2, 28), "Whole organisation", site_id=None),
        Closure(date(2026, 2, 10), date(2026, 2, 10), "Water damage", site_id=10),
    ]
    occurrences = expand([slot(TUE)], date(2026, 2, 10), date(2026, 2, 10), closures)
    assert on(occurrences, date(2026, 2, 10)).closed_reason == "Water damage"


def test_closures_can_be_any_iterable():
    closures = (c for c in [Closure(date(2026, 2, 10), date(2026, 2, 10), "Gone", None)])
    rules = [slot(TUE, slot_id=1), slot(TUE, slot_id=2)]
    occurrences = expand(rules, date(2026, 2, 10), date(2026, 2, 10), closures)
    assert [o.closed_reason for o in occurrences] == ["Gone", "Gone"]


def test_closure_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="Oops"):
        Closure(date(2026, 2, 10), date(2026, 2, 9), "Oops", site_id=None)


# --- property ------------------------------------------------------------------------------

ZONES = [HELSINKI, COPENHAGEN, "America/New_York", "Australia/Sydney", "UTC"]
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


@st.composite
def slot_rules(draw: st.DrawFn) -> SlotRule:
    start_minute = draw(st.integers(min_value=0, max_value=24 * 60 - 2))
    end_minute = draw(st.integers(min_value=start_minute + 1, max_value=24 * 60 - 1))
    valid_from = draw(DAYS)
    valid_until = draw(st.none() | st.dates(min_value=valid_from, max_value=date(2029, 12, 31)))
    return slot(
        draw(st.integers(min_value=0, max_value=6)),
        slot_id=draw(st.integers(min_value=1, max_value=5)),
        start=time(*divmod(start_minute, 60)),
        end=time(*divmod(end_minute, 60)),
        valid_from=valid_from,
        valid_until=valid_until,
        time_zone=draw(st.sampled_from(ZONES)),
        country=draw(st.sampled_from(["FI", "DK"])),
    )


def springs_forward(day: date, time_zone: str) -> bool:
    zone = ZoneInfo(time_zone)
    offset_before = datetime.combine(day, time.min, tzinfo=zone).utcoffset()
    offset_after = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).utcoffset()
    assert offset_before is not None and offset_after is not None
    return offset_after > offset_before


@settings(deadline=None, max_examples=150)
@given(rule=slot_rules(), first=DAYS, length=st.integers(min_value=-3, max_value=400))
@example(rule=slot(SUN, start=time(3, 30), end=time(4, 15)), first=date(2026, 3, 29), length=0)
@example(rule=slot(SUN, start=time(3, 30), end=time(4)), first=date(2026, 10, 25), length=0)
def test_every_occurrence_is_on_the_weekday_inside_range_and_validity(rule, first, length):
    last = first + timedelta(days=length)
    occurrences = expand([rule], first, last)
    lower = max(first, rule.valid_from)
    upper = last if rule.valid_until is None else min(last, rule.valid_until)
    expected_days = [
        lower + timedelta(days=offset)
        for offset in range(max(0, (upper - lower).days + 1))
        if (lower + timedelta(days=offset)).weekday() == rule.weekday
    ]
    assert [occurrence.date for occurrence in occurrences] == expected_days
    for occurrence in occurrences:
        assert occurrence.date.weekday() == rule.weekday
        assert lower <= occurrence.date <= upper
        assert occurrence.ends_at > occurrence.starts_at
        assert occurrence.starts_at.utcoffset() == timedelta(0)
        if not springs_forward(occurrence.date, rule.time_zone):
            local = occurrence.starts_at.astimezone(ZoneInfo(rule.time_zone))
            assert (local.date(), local.time()) == (occurrence.date, rule.start)
