"""The arithmetic of the daily allowance: which rate applies, what a month of attended
sessions earns each participant, and what a locked month still owes (its correction).
Money is `Decimal`, rounded to cents once per line. No I/O; tested on plain data.

- A rate is for an activity or for an activity kind, per day present or per hour
  present, from a date. For a session the most specific rate counts (the activity's
  before the kind's), the one valid from the latest date on or before the session's day.
- Per day: a participant is paid once a day, at the highest day rate of the sessions
  they attended that day. Per hour: each attended session's hours times its rate.
- A locked (approved) month never changes. What it would earn now, less what was
  approved for it and what corrections already paid for it, is its correction, paid in
  the next open month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")


class Basis(StrEnum):
    day = "day"
    hour = "hour"


@dataclass(frozen=True)
class Rate:
    amount: Decimal
    basis: Basis
    valid_from: date
    currency: str = "EUR"
    activity_id: int | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Attended:
    """One participant's attended session (present, late or left early)."""

    participant_id: int
    day: date
    activity_id: int
    kind: str
    hours: Decimal


@dataclass
class Earned:
    """What one participant earned in a month, in one currency."""

    days: int = 0
    hours: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    day_rates: dict[date, Decimal] = field(default_factory=dict)


def rate_for(rates: Iterable[Rate], activity_id: int, kind: str, day: date) -> Rate | None:
    """The rate for a session of this activity (of this kind) on this day."""
    valid = [r for r in rates if r.valid_from <= day]
    for specific in (
        [r for r in valid if r.activity_id == activity_id],
        [r for r in valid if r.activity_id is None and r.kind == kind],
    ):
        if specific:
            return max(specific, key=lambda r: r.valid_from)
    return None


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def earnings(attended: Iterable[Attended], rates: list[Rate]) -> dict[tuple[int, str], Earned]:
    """What each participant earned, by (participant, currency)."""
    earned: dict[tuple[int, str], Earned] = defaultdict(Earned)
    for session in attended:
        rate = rate_for(rates, session.activity_id, session.kind, session.day)
        if rate is None:
            continue
        line = earned[(session.participant_id, rate.currency)]
        if rate.basis == Basis.hour:
            line.hours += session.hours
            line.amount += session.hours * rate.amount
        else:
            best = line.day_rates.get(session.day)
            if best is None or rate.amount > best:
                line.day_rates[session.day] = rate.amount
    for line in earned.values():
        line.days = len(line.day_rates)
        line.amount = cents(line.amount + sum(line.day_rates.values(), Decimal(0)))
    return {key: line for key, line in earned.items() if line.amount or line.days or line.hours}


def corrections(
    now: Mapping[tuple[int, str], Decimal], settled: Mapping[tuple[int, str], Decimal]
) -> dict[tuple[int, str], Decimal]:
    """What a locked month owes (positive) or was overpaid (negative) per participant
    and currency: what it earns now, less everything settled for it so far (the
    approved lines and the corrections already approved)."""
    keys = set(now) | set(settled)
    owed = {key: cents(now.get(key, Decimal(0)) - settled.get(key, Decimal(0))) for key in keys}
    return {key: amount for key, amount in sorted(owed.items()) if amount}


def first_open_after(month: date, locked: set[date], asked: date) -> bool:
    """Whether `asked` is the first month after `month` that is not locked (where the
    correction of `month` is paid)."""
    candidate = next_month(month)
    while candidate in locked:
        candidate = next_month(candidate)
    return candidate == asked


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)
