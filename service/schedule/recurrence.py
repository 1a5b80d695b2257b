"""Weekly slots become dated occurrences, in the site's own wall-clock time.

Pure functions: no I/O, no database. The caller passes the slots, the date range and the
closures; public holidays come from the `holidays` package and are cached per country and years.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays
from dateutil.rrule import WEEKLY, rrule

from service.countries import closing_days


@dataclass(frozen=True)
class SlotRule:
    slot_id: int
    site_id: int
    weekday: int  # 0 = Monday ... 6 = Sunday
    start: time  # local wall-clock time at the site
    end: time  # local, > start (no sessions across midnight)
    valid_from: date
    valid_until: date | None  # inclusive; None = open-ended
    time_zone: str  # IANA name of the site, e.g. "Europe/Helsinki"
    country: str  # ISO 3166-1 alpha-2 of the site, for public holidays, e.g. "FI", "DK"

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"slot {self.slot_id}: weekday must be 0..6, got {self.weekday}")
        if self.end <= self.start:
            raise ValueError(f"slot {self.slot_id}: end {self.end} is not after start {self.start}")


@dataclass(frozen=True)
class Closure:
    start: date  # inclusive
    end: date  # inclusive
    reason: str
    site_id: int | None  # None = every site

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"closure {self.reason!r}: end {self.end} before start {self.start}")

    def applies_to(self, site_id: int) -> bool:
        return self.site_id is None or self.site_id == site_id

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Occurrence:
    slot_id: int
    site_id: int
    date: date  # local date
    start: time  # local, as written in the slot
    end: time  # local, as written in the slot
    starts_at: datetime  # aware, in UTC
    ends_at: datetime  # aware, in UTC
    closed_reason: str | None  # public holiday name or closure reason; None = goes ahead


def expand(
    slots: Iterable[SlotRule],
    first: date,
    last: date,
    closures: Iterable[Closure] = (),
) -> list[Occurrence]:
    """Every occurrence of every slot between `first` and `last` (both inclusive).

    Occurrences on a public holiday of the slot's country or inside a closure of its site are
    still returned, with `closed_reason` set, so that callers can show why a day is missing.
    """
    if first > last:
        return []
    closure_list = tuple(closures)
    occurrences: list[Occurrence] = []
    for slot in slots:
        occurrences.extend(_expand_slot(slot, first, last, closure_list))
    occurrences.sort(key=lambda occurrence: (occurrence.starts_at, occurrence.slot_id))
    return occurrences


def public_holidays(country: str, years: Iterable[int]) -> dict[date, str]:
    """Public holidays of `country` in `years`, named in the country's own language.

    The language is fixed on purpose: left unset, the `holidays` package picks it from the
    process locale, which would make the names depend on the server's environment.
    Raises ValueError naming the country when it is not known.
    """
    return dict(_cached_public_holidays(country.strip().upper(), tuple(sorted(set(years)))))


def local_to_utc(day: date, at: time, time_zone: str) -> datetime:
    """The instant, in UTC, when the wall clock at the site shows `at` on `day`.

    The conversion goes through the wall clock, so a 09:00 slot stays at 09:00 local time
    across daylight-saving changes (and moves in UTC instead). Two wall-clock times need a rule:

    * A time that does not exist (inside the spring-forward gap) moves forward by the length of
      the gap: 03:30 on the last Sunday of March in Helsinki becomes 04:30 EEST (01:30 UTC).
    * A time that happens twice (inside the autumn fold) means the first of the two, i.e. the
      one still in summer time: 03:30 on the last Sunday of October in Helsinki is 00:30 UTC.

    Both follow from reading the wall-clock time with fold=0 (PEP 495), which is forced here
    even if `at` carries fold=1.
    """
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=ZoneInfo(time_zone))
    return local.astimezone(UTC)


# --- expansion steps ------------------------------------------------------------------------


def _expand_slot(
    slot: SlotRule, first: date, last: date, closures: tuple[Closure, ...]
) -> list[Occurrence]:
    window = _effective_window(slot, first, last)
    # Looked up even for an empty window, so that an unknown country is always reported.
    holiday_names = public_holidays(slot.country, _years_touched(window))
    if window is None:
        return []
    site_closures = _closures_for_site(closures, slot.site_id, window)
    return [
        _occurrence(slot, day, _closed_reason(day, site_closures, holiday_names))
        for day in _matching_days(slot.weekday, window)
    ]


def _effective_window(slot: SlotRule, first: date, last: date) -> tuple[date, date] | None:
    """The part of [first, last] in which the slot is valid, or None when there is none."""
    lower = max(first, slot.valid_from)
    upper = last if slot.valid_until is None else min(last, slot.valid_until)
    return (lower, upper) if lower <= upper else None


def _years_touched(window: tuple[date, date] | None) -> range:
    if window is None:
        return range(0)
    lower, upper = window
    return range(lower.year, upper.year + 1)


def _matching_days(weekday: int, window: tuple[date, date]) -> list[date]:
    lower, upper = window
    rule = rrule(
        WEEKLY,
        byweekday=weekday,
        dtstart=datetime.combine(lower, time.min),
        until=datetime.combine(upper, time.min),
    )
    return [moment.date() for moment in rule]


def _closures_for_site(
    closures: Iterable[Closure], site_id: int, window: tuple[date, date]
) -> list[Closure]:
    """The closures that can affect the site within the window, site-specific ones first.

    A closure for this very site is the more specific statement, so when two closures cover
    the same day its reason is the one shown; otherwise the given order decides.
    """
    lower, upper = window
    relevant = [
        closure
        for closure in closures
        if closure.applies_to(site_id) and closure.start <= upper and closure.end >= lower
    ]
    return sorted(relevant, key=lambda closure: closure.site_id is None)


def _closed_reason(
    day: date, site_closures: Iterable[Closure], holiday_names: Mapping[date, str]
) -> str | None:
    """The admin's closure reason if there is one, else the public holiday's name, else None."""
    for closure in site_closures:
        if closure.covers(day):
            return closure.reason
    return holiday_names.get(day)


def _occurrence(slot: SlotRule, day: date, closed_reason: str | None) -> Occurrence:
    starts_at, ends_at = _utc_span(slot, day)
    return Occurrence(
        slot_id=slot.slot_id,
        site_id=slot.site_id,
        date=day,
        start=slot.start,
        end=slot.end,
        starts_at=starts_at,
        ends_at=ends_at,
        closed_reason=closed_reason,
    )


def _utc_span(slot: SlotRule, day: date) -> tuple[datetime, datetime]:
    """The slot's start and end on `day` in UTC.

    Only when the start falls into a spring-forward gap and is pushed past the end (e.g. a
    03:30-04:15 slot in Helsinki on the last Sunday of March) does the end not follow the
    wall clock: the session then keeps its written length after the moved start.
    """
    starts_at = local_to_utc(day, slot.start, slot.time_zone)
    ends_at = local_to_utc(day, slot.end, slot.time_zone)
    if ends_at <= starts_at:
        ends_at = starts_at + _wall_clock_length(slot.start, slot.end)
    return starts_at, ends_at


def _wall_clock_length(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


# --- public holidays ------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _cached_public_holidays(country: str, years: tuple[int, ...]) -> Mapping[date, str]:
    try:
        language = _native_language(country)
        calendar = holidays.country_holidays(country, years=years, language=language)
    except NotImplementedError:
        raise ValueError(f"unknown country for public holidays: {country!r}") from None
    days = dict(calendar.items())
    days.update(_extra_closing_days(country, years, language))
    return MappingProxyType(days)


def _extra_closing_days(
    country: str, years: tuple[int, ...], language: str | None
) -> dict[date, str]:
    """The days the country's pack closes on although the `holidays` package files them
    under another category (Danish Constitution Day and Christmas Eve are `optional`)."""
    wanted = closing_days(country)
    extra: dict[date, str] = {}
    for category in sorted({category for category, _name in wanted}):
        english = holidays.country_holidays(
            country, years=years, categories=(category,), language="en_US"
        )
        native = holidays.country_holidays(
            country, years=years, categories=(category,), language=language
        )
        names = {name for cat, name in wanted if cat == category}
        for day, name in english.items():
            if any(part.strip() in names for part in name.split(";")):
                extra[day] = native[day]
    return extra


def _native_language(country: str) -> str | None:
    """The language the country's holidays are defined in (an empty calendar is cheap)."""
    return holidays.country_holidays(country, years=()).default_language
