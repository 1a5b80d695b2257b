"""The allowance arithmetic on plain data: rates by activity before kind and by date,
once a day at the best day rate, hours times rate, cents, and corrections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from service.reports.ledger import (
    Attended,
    Basis,
    Rate,
    corrections,
    earnings,
    first_open_after,
    next_month,
    rate_for,
)

D = Decimal
RATES = [
    Rate(D("9.00"), Basis.day, date(2026, 1, 1), kind="workshop"),
    Rate(D("10.50"), Basis.day, date(2026, 3, 1), kind="workshop"),
    Rate(D("12.00"), Basis.day, date(2026, 1, 1), activity_id=7),
    Rate(D("3.333"), Basis.hour, date(2026, 1, 1), kind="supported_employment"),
]


def test_the_activity_rate_before_the_kind_rate_and_the_latest_valid_one():
    assert rate_for(RATES, 1, "workshop", date(2026, 2, 27)).amount == D("9.00")
    assert rate_for(RATES, 1, "workshop", date(2026, 3, 1)).amount == D("10.50")
    assert rate_for(RATES, 7, "workshop", date(2026, 3, 1)).amount == D("12.00")
    assert rate_for(RATES, 1, "green_care", date(2026, 3, 1)) is None
    assert rate_for(RATES, 1, "workshop", date(2025, 12, 31)) is None


def test_a_month_earned_computed_by_hand():
    attended = [
        Attended(1, date(2026, 3, 2), 1, "workshop", D(3)),
        Attended(1, date(2026, 3, 2), 7, "workshop", D(2)),  # same day: the best rate, once
        Attended(1, date(2026, 3, 3), 1, "workshop", D(3)),
        Attended(2, date(2026, 3, 2), 9, "supported_employment", D("4.5")),
        Attended(2, date(2026, 3, 9), 9, "supported_employment", D("3.5")),
        Attended(3, date(2026, 3, 2), 5, "green_care", D(3)),  # no rate: nothing
    ]
    earned = earnings(attended, RATES)
    assert set(earned) == {(1, "EUR"), (2, "EUR")}
    aino = earned[(1, "EUR")]
    assert (aino.days, aino.amount) == (2, D("22.50"))  # 12.00 + 10.50
    eero = earned[(2, "EUR")]
    assert (eero.hours, eero.amount) == (D(8), D("26.66"))  # 8 x 3.333 = 26.664


def test_corrections_are_what_is_earned_now_less_what_was_settled():
    now = {(1, "EUR"): D("22.50"), (2, "EUR"): D("26.66")}
    settled = {(1, "EUR"): D("12.00"), (2, "EUR"): D("26.66"), (3, "EUR"): D("9.00")}
    assert corrections(now, settled) == {(1, "EUR"): D("10.50"), (3, "EUR"): D("-9.00")}


def test_the_correction_is_paid_in_the_first_open_month_after():
    locked = {date(2026, 3, 1), date(2026, 4, 1)}
    assert first_open_after(date(2026, 3, 1), locked, date(2026, 5, 1))
    assert not first_open_after(date(2026, 3, 1), locked, date(2026, 6, 1))
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
