"""The day's lists for a site: rides (who, from where, pickup and return times) and
the kitchen's lunch count. Both follow absence notices and cancellations, because
they read who is expected when they are asked."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime, time, timedelta

from service.attendance.schemas import Allergy, DietCount, LunchList, Ride, TransportList
from service.audit.services import Actor, record
from service.auth.schemas import CurrentUser
from service.catalog import services as catalog
from service.catalog.vocabulary import diet_label
from service.i18n import gettext as _
from service.people.tables import DayNeeds, DietNeed
from service.placements.queries import expected_at
from service.schedule.schemas import SessionOut
from service.schedule.services import list_sessions
from service.schedule.tables import SessionStatus
from service.staff import services as staff
from service.staff.schemas import AbsenceOut


def first_name_and_initial(display_name: str) -> str:
    """ "Aino Koskinen" as "Aino K.": enough to greet someone, little to leak on paper."""
    parts = display_name.split()
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0]}."


async def transport_list(actor: Actor, user: CurrentUser, site_id: int, day: date) -> TransportList:
    """Who needs a ride to the site's sessions that day and is expected there."""
    catalog.check_site_visible(user, site_id)
    site = await catalog.get_site(site_id)
    service = await catalog.get_day_service(site_id)
    lead = service.transport_lead_minutes
    rides: list[Ride] = []
    if lead is not None:
        for session, expected in await _expected_by_session(user, site_id, day):
            needs = await _day_needs(list(expected))
            for participant_id, name in expected.items():
                need = needs.get(participant_id)
                if need is None or not need["needs_ride"]:
                    continue
                rides.append(
                    Ride(
                        name=name,
                        pickup_address=need["pickup_address"],
                        notes=need["ride_notes"],
                        pickup_at=_minus(session.start, lead),
                        return_at=session.end,
                        session_title=session.title,
                    )
                )
    rides.sort(key=lambda ride: (ride.pickup_at, ride.name))
    await record(
        actor,
        "site.transport_list",
        entity="site",
        entity_id=site_id,
        details={"date": day.isoformat(), "rides": len(rides)},
    )
    return TransportList(
        site_id=site_id,
        site_name=site.name,
        date=day,
        arranged=lead is not None,
        lead_minutes=lead,
        rides=rides,
    )


def transport_csv(listing: TransportList) -> str:
    """The rides as CSV for a taxi company: one row per ride."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Date"),
            _("Pickup time"),
            _("Name"),
            _("Pickup address"),
            _("To"),
            _("Return time"),
            _("Notes"),
        ]
    )
    for ride in listing.rides:
        writer.writerow(
            [
                listing.date.isoformat(),
                ride.pickup_at.strftime("%H:%M"),
                ride.name,
                ride.pickup_address,
                listing.site_name,
                ride.return_at.strftime("%H:%M"),
                ride.notes,
            ]
        )
    return out.getvalue()


async def lunch_list(actor: Actor, user: CurrentUser, site_id: int, day: date) -> LunchList:
    """How many eat at the site that day, with diets and allergies."""
    catalog.check_site_visible(user, site_id)
    site = await catalog.get_site(site_id)
    service = await catalog.get_day_service(site_id)
    by_session = await _expected_by_session(user, site_id, day) if service.serves_lunch else []
    eaters: dict[int, str] = {}
    for _session, expected in by_session:
        eaters.update(expected)
    working = await _staff_present([session for session, _expected in by_session], day)
    diets: Counter[str] = Counter()
    for row in await DietNeed.select().where(DietNeed.participant.is_in(sorted(eaters) or [-1])):
        diets[row["diet"]] += 1
    needs = await _day_needs(sorted(eaters))
    allergies = [
        Allergy(name=eaters[pid], text=need["allergy_text"])
        for pid, need in needs.items()
        if need["allergy_text"]
    ]
    await record(
        actor,
        "site.lunch_list",
        entity="site",
        entity_id=site_id,
        details={"date": day.isoformat(), "participants": len(eaters), "staff": len(working)},
    )
    return LunchList(
        site_id=site_id,
        site_name=site.name,
        date=day,
        serves_lunch=service.serves_lunch,
        participants=len(eaters),
        staff=len(working),
        diets=[DietCount(diet=d, label=diet_label(d), count=n) for d, n in sorted(diets.items())],
        allergies=sorted(allergies, key=lambda a: a.name),
    )


async def _expected_by_session(
    user: CurrentUser, site_id: int, day: date
) -> list[tuple[SessionOut, dict[int, str]]]:
    """The site's live sessions that day, each with who is expected (no notice given):
    participant id -> first name and initial."""
    found = []
    for session in await list_sessions(day, day, user, site_id=site_id):
        if session.status == SessionStatus.cancelled:
            continue
        expected = {
            e.participant_id: first_name_and_initial(e.display_name)
            for e in await expected_at(session.id)
            if e.absence_given_at is None
        }
        found.append((session, expected))
    return found


async def _day_needs(participant_ids: list[int]) -> dict[int, dict]:
    if not participant_ids:
        return {}
    rows = await DayNeeds.select().where(DayNeeds.participant.is_in(participant_ids))
    return {row["participant"]: row for row in rows}


async def _staff_present(sessions: list[SessionOut], day: date) -> set[int]:
    """The staff of these sessions who are not away during the session they run."""
    away = await staff.list_absences(None, day, day)
    present: set[int] = set()
    for session in sessions:
        for member in session.staff:
            if not any(
                absence.user_id == member.id and _during(absence, session) for absence in away
            ):
                present.add(member.id)
    return present


def _during(absence: AbsenceOut, session: SessionOut) -> bool:
    if absence.start_time is None or absence.end_time is None:
        return True  # the whole day
    return absence.start_time < session.end and session.start < absence.end_time


def _minus(at: time, minutes: int) -> time:
    moment = datetime.combine(date(2000, 1, 2), at) - timedelta(minutes=minutes)
    return moment.time()
