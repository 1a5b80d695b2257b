"""Staff absences: a staff member records their own, a coordinator anyone's. A reason
category only (sick, leave, training, other), never health details."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from service import clock, events
from service.audit.services import Actor, Subject, record
from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.db import transaction
from service.errors import Forbidden, InvalidInput, NotFound
from service.i18n import gettext as _
from service.staff.cover import Absence
from service.staff.schemas import AbsenceIn, AbsenceOut
from service.staff.services.profiles import get_staff
from service.staff.tables import AbsenceReason, StaffAbsence

#: The longest absence recorded at once; a longer one is recorded in parts.
LONGEST_DAYS = 366


async def record_absence(actor: Actor, data: AbsenceIn) -> AbsenceOut:
    """Record an absence of `data.user_id` (by default the one recording it)."""
    user_id = data.user_id or actor.user_id
    if user_id is None:
        raise InvalidInput("user_id", _("Say whose absence this is."))
    _may_record(actor.user, user_id)
    await get_staff(user_id)  # 404 unless a staff member
    end_date = _checked(data)
    async with transaction():
        absence = StaffAbsence(
            user=user_id,
            start_date=data.start_date,
            end_date=end_date,
            start_time=data.start_time,
            end_time=data.end_time,
            reason=data.reason.value,
            recorded_by=actor.user_id,
        )
        await absence.save()
        await record(
            actor,
            "staff_absence.create",
            entity="staff_absence",
            entity_id=absence.id,
            details={
                "start_date": data.start_date.isoformat(),
                "end_date": end_date.isoformat(),
                "part_of_day": data.start_time is not None,
                "reason": data.reason.value,
            },
            subject=Subject.user(user_id),
        )
        await events.publish(
            events.StaffAbsenceChanged(
                user_id=user_id,
                start_date=data.start_date.isoformat(),
                end_date=end_date.isoformat(),
            )
        )
    return (await _absences(StaffAbsence.id == absence.id))[0]


async def list_absences(
    user: CurrentUser | None, first: date, last: date, user_id: int | None = None
) -> list[AbsenceOut]:
    """Absences that touch `first`..`last`: a staff member's own, a planner's all."""
    if last < first:
        raise InvalidInput("end", _("The end must be on or after the start."))
    if user is not None and not may(user, "staff_absence.view", user_id or -1):
        user_id = user.id  # a staff member sees only their own
    where = (StaffAbsence.start_date <= last) & (StaffAbsence.end_date >= first)
    if user_id is not None:
        where &= StaffAbsence.user == user_id
    return await _absences(where)


async def delete_absence(actor: Actor, absence_id: int) -> None:
    """Remove an absence recorded by mistake (or that ended early)."""
    row = await StaffAbsence.select().where(StaffAbsence.id == absence_id).first()
    if row is None:
        raise NotFound(_("There is no absence %(id)s.", id=absence_id))
    _may_record(actor.user, row["user"])
    async with transaction():
        await StaffAbsence.delete().where(StaffAbsence.id == absence_id)
        await record(
            actor,
            "staff_absence.delete",
            entity="staff_absence",
            entity_id=absence_id,
            subject=Subject.user(row["user"]),
        )
        await events.publish(
            events.StaffAbsenceChanged(
                user_id=row["user"],
                start_date=row["start_date"].isoformat(),
                end_date=row["end_date"].isoformat(),
            )
        )


async def absences_between(first: date, last: date) -> list[Absence]:
    """Every absence touching these local dates, as UTC spans for the cover core."""
    rows = await StaffAbsence.select().where(
        (StaffAbsence.start_date <= last) & (StaffAbsence.end_date >= first)
    )
    return [span for row in rows for span in absence_spans(row)]


def absence_spans(row: dict) -> list[Absence]:
    """One absence row as UTC spans: the whole period, or the hours on each day."""
    start_date, end_date = row["start_date"], row["end_date"]
    if row["start_time"] is None:
        return [
            Absence(
                user_id=row["user"],
                starts_at=_utc(start_date, time(0)),
                ends_at=_utc(end_date + timedelta(days=1), time(0)),
            )
        ]
    days = (end_date - start_date).days + 1
    return [
        Absence(
            user_id=row["user"],
            starts_at=_utc(start_date + timedelta(days=n), row["start_time"]),
            ends_at=_utc(start_date + timedelta(days=n), row["end_time"]),
        )
        for n in range(days)
    ]


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=clock.provider_time_zone())


def _may_record(user: CurrentUser | None, user_id: int) -> None:
    """Staff record only their own absences; planners anyone's (Tupa itself: any)."""
    if user is not None and not may(user, "staff_absence.record", user_id):
        raise Forbidden(_("You can record only your own absences."))


def _checked(data: AbsenceIn) -> date:
    """The end date, after refusing what makes no sense (422 naming the field)."""
    end_date = data.end_date or data.start_date
    if end_date < data.start_date:
        raise InvalidInput("end_date", _("The end must be on or after the start."))
    if (end_date - data.start_date).days >= LONGEST_DAYS:
        raise InvalidInput(
            "end_date", _("Record at most %(days)s days at a time.", days=LONGEST_DAYS)
        )
    if (data.start_time is None) != (data.end_time is None):
        field = "end_time" if data.end_time is None else "start_time"
        raise InvalidInput(field, _("Give both times for part of a day, or neither."))
    if (
        data.start_time is not None
        and data.end_time is not None
        and data.end_time <= data.start_time
    ):
        raise InvalidInput("end_time", _("The end must be after the start."))
    return end_date


async def _absences(where: object) -> list[AbsenceOut]:
    rows = (
        await StaffAbsence.select(
            *StaffAbsence.all_columns(), StaffAbsence.user.display_name, StaffAbsence.user.email
        )
        .where(where)  # type: ignore[arg-type]
        .order_by(StaffAbsence.start_date)
        .order_by(StaffAbsence.id)
    )
    return [
        AbsenceOut(
            id=row["id"],
            user_id=row["user"],
            name=row["user.display_name"] or row["user.email"],
            start_date=row["start_date"],
            end_date=row["end_date"],
            start_time=row["start_time"],
            end_time=row["end_time"],
            reason=AbsenceReason(row["reason"]),
        )
        for row in rows
    ]
