"""The daily allowance ledger: rates, a month's lines computed from attendance, and
approval, which stores the lines and locks the month. A mark changed later in a locked
month changes nothing there: the difference is a correction line in the next open
month (`ledger.corrections`), and approving that month settles it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from service import db
from service.audit.services import Actor, record
from service.errors import Conflict, InvalidInput
from service.i18n import gettext as _
from service.people.tables import Participant
from service.reports import ledger
from service.reports.core import ATTENDED, SessionFact, outcomes
from service.reports.ledger import Attended, Basis, Rate
from service.reports.schemas import MAX_AMOUNT, LedgerLine, LedgerMonth, RateIn, RateOut
from service.reports.services.attendance import session_facts
from service.reports.tables import AllowanceLine, AllowanceMonth, AllowanceRate


def month_of(value: str) -> date:
    """The first day of the month written as YYYY-MM (422 naming `month` otherwise)."""
    try:
        first = date.fromisoformat(f"{value}-01")
    except ValueError:
        raise InvalidInput("month", _("Give the month as YYYY-MM.")) from None
    if not 1900 <= first.year <= 2199:
        raise InvalidInput("month", _("Give the month as YYYY-MM."))
    return first


def check_amount(amount: Decimal) -> None:
    """A rate from 0 to `MAX_AMOUNT`, to at most four decimals (422 naming `amount`)."""
    exponent = amount.as_tuple().exponent
    if (
        not amount.is_finite()
        or not 0 <= amount <= MAX_AMOUNT
        or not isinstance(exponent, int)
        or exponent < -4
    ):
        raise InvalidInput(
            "amount", _("Give the amount as 0 to 100000 with at most four decimals.")
        )


async def save_rate(actor: Actor, data: RateIn) -> RateOut:
    check_amount(data.amount)
    if (data.activity_id is None) == (data.kind is None):
        raise InvalidInput("activity_id", _("Give either an activity or an activity kind."))
    async with db.transaction():
        row = AllowanceRate(
            activity=data.activity_id,
            kind=data.kind.value if data.kind else None,
            basis=data.basis.value,
            amount=data.amount,
            currency=data.currency,
            valid_from=data.valid_from,
        )
        await row.save()
        await record(actor, "allowance.rate", entity="allowance_rate", entity_id=row.id)
    return _rate_out(await _rate_row(row.id))


async def list_rates() -> list[RateOut]:
    rows = (
        await AllowanceRate.select().order_by(AllowanceRate.valid_from).order_by(AllowanceRate.id)
    )
    return [_rate_out(row) for row in rows]


async def _rate_row(rate_id: int) -> dict[str, Any]:
    row = await AllowanceRate.select().where(AllowanceRate.id == rate_id).first()
    assert row is not None
    return row


def stored_decimal(value: Any, places: Decimal = ledger.CENT) -> Decimal:
    """A stored amount as an exact Decimal. PostgreSQL gives a Decimal; SQLite keeps
    NUMERIC as a float, whose shortest text is exact for amounts to four decimals below
    100,000, so it is read through its text and rounded to the places it was stored
    with (cents; a rate keeps up to four decimals, shown with at least two)."""
    exact = Decimal(str(value))
    if exact == exact.quantize(ledger.CENT):
        return exact.quantize(ledger.CENT)
    return exact.quantize(places)


RATE_PLACES = Decimal("0.0001")


def _rate_out(row: dict[str, Any]) -> RateOut:
    return RateOut(
        id=row["id"],
        activity_id=row["activity"],
        kind=row["kind"],
        basis=Basis(row["basis"]),
        amount=stored_decimal(row["amount"], RATE_PLACES),
        currency=row["currency"],
        valid_from=row["valid_from"],
    )


async def _rates() -> list[Rate]:
    return [
        Rate(
            amount=r.amount,
            basis=r.basis,
            valid_from=r.valid_from,
            currency=r.currency,
            activity_id=r.activity_id,
            kind=r.kind,
        )
        for r in await list_rates()
    ]


def attended_sessions(facts: list[SessionFact]) -> list[Attended]:
    """The attended sessions of the facts (the current marks of held sessions)."""
    found = []
    for fact in facts:
        for outcome in outcomes(fact):
            if outcome.status in ATTENDED:
                hours = Decimal(fact.hours.numerator) / Decimal(fact.hours.denominator)
                found.append(
                    Attended(outcome.participant_id, fact.day, fact.activity_id, fact.kind, hours)
                )
    return found


async def _earned(month: date, rates: list[Rate]) -> dict[tuple[int, str], ledger.Earned]:
    last = ledger.next_month(month).toordinal() - 1
    facts = await session_facts(None, month, date.fromordinal(last))
    return ledger.earnings(attended_sessions(facts), rates)


async def ledger_month(actor: Actor, month: date, *, export: str = "") -> LedgerMonth:
    """The month's lines: stored ones when it is approved; otherwise computed now, with
    corrections of the locked months whose first open month it is."""
    approved = await AllowanceMonth.select().where(AllowanceMonth.month == month).first()
    lines = await _stored(month) if approved else await _computed(month)
    names = await _names({line.participant_id for line in lines})
    for line in lines:
        line.participant = names.get(line.participant_id, str(line.participant_id))
    if export:
        async with db.transaction():
            await record(
                actor,
                "report.export",
                entity="report",
                entity_id="allowances",
                details={"format": export, "month": month.isoformat()[:7], "lines": len(lines)},
            )
    return LedgerMonth(
        month=month.isoformat()[:7],
        approved=approved is not None,
        approved_at=approved["approved_at"] if approved else None,
        lines=sorted(
            lines, key=lambda line: (line.participant.casefold(), line.for_month, line.kind)
        ),
    )


async def _stored(month: date) -> list[LedgerLine]:
    rows = await AllowanceLine.select().where(AllowanceLine.month == month)
    return [
        LedgerLine(
            participant_id=row["participant"],
            participant="",
            kind="attendance" if row["for_month"] == month else "correction",
            for_month=row["for_month"].isoformat()[:7],
            days=row["days"],
            hours=stored_decimal(row["hours"]),
            amount=stored_decimal(row["amount"]),
            currency=row["currency"],
        )
        for row in rows
    ]


async def _computed(month: date) -> list[LedgerLine]:
    rates = await _rates()
    lines = [
        LedgerLine(
            participant_id=pid,
            participant="",
            kind="attendance",
            for_month=month.isoformat()[:7],
            days=earned.days,
            hours=earned.hours.quantize(ledger.CENT),
            amount=earned.amount,
            currency=currency,
        )
        for (pid, currency), earned in (await _earned(month, rates)).items()
    ]
    locked = {row["month"] for row in await AllowanceMonth.select(AllowanceMonth.month)}
    for earlier in sorted(m for m in locked if m < month):
        if not ledger.first_open_after(earlier, locked, month):
            continue
        now = {key: e.amount for key, e in (await _earned(earlier, rates)).items()}
        for (pid, currency), amount in ledger.corrections(now, await _settled(earlier)).items():
            lines.append(
                LedgerLine(
                    participant_id=pid,
                    participant="",
                    kind="correction",
                    for_month=earlier.isoformat()[:7],
                    days=0,
                    hours=Decimal("0.00"),
                    amount=amount,
                    currency=currency,
                )
            )
    return lines


async def _settled(month: date) -> dict[tuple[int, str], Decimal]:
    """Everything approved so far for `month`: its own lines and later corrections."""
    settled: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for row in await AllowanceLine.select(
        AllowanceLine.participant, AllowanceLine.currency, AllowanceLine.amount
    ).where(AllowanceLine.for_month == month):
        settled[(row["participant"], row["currency"])] += stored_decimal(row["amount"])
    return dict(settled)


async def approve_month(actor: Actor, month: date) -> LedgerMonth:
    """Store the month's lines as computed now and lock it (409 when it is locked)."""
    async with db.transaction(db.named(f"allowance-{month.isoformat()}")):
        if await AllowanceMonth.exists().where(AllowanceMonth.month == month):
            raise Conflict(_("This month is already approved."))
        lines = await _computed(month)
        await AllowanceMonth(month=month, approved_by=actor.user_id).save()
        if lines:
            await AllowanceLine.insert(
                *(
                    AllowanceLine(
                        month=month,
                        for_month=month_of(line.for_month),
                        participant=line.participant_id,
                        days=line.days,
                        hours=line.hours,
                        amount=line.amount,
                        currency=line.currency,
                    )
                    for line in lines
                )
            )
        await record(
            actor,
            "allowance.approve",
            entity="allowance_month",
            entity_id=month.isoformat()[:7],
            details={"lines": len(lines)},
        )
    return await ledger_month(actor, month)


async def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Participant.select(Participant.id, Participant.display_name).where(
        Participant.id.is_in(sorted(ids))
    )
    return {row["id"]: row["display_name"] for row in rows}
