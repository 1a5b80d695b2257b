"""Issue #20: a sick instructor's sessions, who could step in, and acting on it (assign
cover or cancel), on both engines; who may record and see staff absences."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import icalendar
import pytest

from service import clock
from service.audit.tables import AuditEvent
from service.auth.tables import Role
from service.catalog import services as catalog_services
from service.catalog.tables import ActivityKind
from service.people import services as people_services
from service.people.schemas import DayNeedsIn, ParticipantIn
from service.people.services import save_participant
from service.people.tables import ParticipantStatus
from service.placements import services as placements
from service.placements.schemas import AbsenceIn as ParticipantAbsenceIn
from service.placements.services import PlacementIn
from service.placements.services.absences import record_absence as record_participant_absence
from service.schedule import services as schedule
from service.schedule.schemas import SessionIn
from service.schedule.tables import Session, SessionStaff, SessionStatus
from service.staff import services as staff
from service.staff.schemas import AbsenceIn, CoverCancelIn, StaffProfileIn
from service.staff.tables import AbsenceReason, StaffAbsence
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user, post_form


async def one_off(activity: int, day, start: time, end: time, staff_ids: list[int]) -> int:
    data = SessionIn(activity_id=activity, date=day, start=start, end=end, staff_ids=staff_ids)
    return (await schedule.create_session(h.ACTOR, data)).id


@pytest.fixture
async def world(db):
    """Sanna runs three sessions on a coming Wednesday: Woodwork 9-12 and Cooking 10-12 at
    Pajatalo, the Garden 12:15-15 at the farm (animal handling needed). Aino ran Woodwork
    before; Bertta works at both sites; Cecilia works only at Pajatalo and has no animal
    skill; Daniel is busy at Pajatalo all morning."""
    pajatalo = await h.site("Pajatalo")
    farm = await h.site("Mäntylä farm")
    woodwork = await h.activity(pajatalo, "Woodwork")
    cooking = await h.activity(pajatalo, "Cooking")
    garden = await h.activity(
        farm, "Garden", kind=ActivityKind.green_care, required_skills=["animal_handling"]
    )
    reading = await h.activity(pajatalo, "Reading")
    people = {}
    for name, sites, skills, hours in [
        ("Sanna Sairas", [pajatalo, farm], ["animal_handling"], 37.5),
        ("Aino Ahola", [pajatalo], [], 37.5),
        ("Bertta Berg", [pajatalo, farm], ["animal_handling"], 37.5),
        ("Cecilia Cox", [pajatalo], [], 37.5),
        ("Daniel Dahl", [pajatalo, farm], ["animal_handling"], 37.5),
    ]:
        first = name.split()[0].lower()
        user = await make_user(Role.staff, f"{first}@example.org", display_name=name)
        await staff.save_staff(
            h.ACTOR,
            user.id,
            StaffProfileIn(skills=skills, site_ids=sites, contract_hours=hours),
        )
        people[first] = user.id
    # Woodwork is weekly; the day is its first coming Wednesday that is not a holiday
    today = clock.today()
    slot_id = await h.slot(
        woodwork,
        weekday=2,
        start=time(9),
        end=time(12),
        valid_from=today,
        today=today,
        staff_ids=[people["sanna"]],
    )
    first = (
        await Session.select(Session.id, Session.date)
        .where(
            (Session.slot == slot_id)
            & (Session.date > today)
            & (Session.status == SessionStatus.planned.value)
        )
        .order_by(Session.date)
        .first()
    )
    day = first["date"]
    # Aino ran Woodwork the week before
    await one_off(woodwork, day - timedelta(days=7), time(9), time(12), [people["aino"]])
    sessions = {
        "woodwork": first["id"],
        "cooking": await one_off(cooking, day, time(10), time(12), [people["sanna"]]),
        "garden": await one_off(garden, day, time(12, 15), time(15), [people["sanna"]]),
        "reading": await one_off(reading, day, time(8), time(12), [people["daniel"]]),
    }
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    return {
        "day": day,
        "people": people,
        "sessions": sessions,
        "slot": slot_id,
        "coordinator": coordinator,
    }


async def sick_today(world) -> None:
    await staff.record_absence(
        h.ACTOR,
        AbsenceIn(
            user_id=world["people"]["sanna"], start_date=world["day"], reason=AbsenceReason.sick
        ),
    )


async def test_a_sick_instructors_three_sessions_get_cover_from_different_people(db, world):
    await sick_today(world)
    plan = await staff.cover_day(world["day"])
    s, p = world["sessions"], world["people"]
    gaps = {gap.session_id: gap for gap in plan.gaps}
    assert set(gaps) == {s["woodwork"], s["cooking"], s["garden"]}  # reading still staffed
    assert all(gap.kind == "no_instructor" and gap.missing == 1 for gap in gaps.values())
    assert [a.id for a in gaps[s["garden"]].absent] == [p["sanna"]]

    proposed = {g: [x.user_id for x in gap.suggestions if x.proposed] for g, gap in gaps.items()}
    assert all(len(users) == 1 for users in proposed.values())
    # every gap clashes with the others (overlap, or no time to travel to the farm)
    chosen = [users[0] for users in proposed.values()]
    assert len(set(chosen)) == 3
    # continuity: Aino, who ran Woodwork before, is proposed for it and says why
    assert proposed[s["woodwork"]] == [p["aino"]]
    assert "before" in gaps[s["woodwork"]].suggestions[0].why
    # the farm needs animal handling and someone who works there: Bertta or Daniel;
    # Daniel is busy until 12 at Pajatalo, too close to travel, so Bertta.
    assert proposed[s["garden"]] == [p["bertta"]]
    why_not = {r.user_id: r.why for r in gaps[s["garden"]].not_suggested}
    assert "animal_handling" in why_not[p["cecilia"]]
    assert "travel" in why_not[p["daniel"]]
    # nobody suggested for a session while busy in another one
    for gap in gaps.values():
        assert p["daniel"] not in {x.user_id for x in gap.suggestions}
        assert p["sanna"] not in {x.user_id for x in gap.suggestions + gap.not_suggested}


async def test_a_part_of_a_day_absence_leaves_the_afternoon_alone(db, world):
    await staff.record_absence(
        h.ACTOR,
        AbsenceIn(
            user_id=world["people"]["sanna"],
            start_date=world["day"],
            start_time=time(8),
            end_time=time(11),
            reason=AbsenceReason.other,
        ),
    )
    plan = await staff.cover_day(world["day"])
    s = world["sessions"]
    assert {gap.session_id for gap in plan.gaps} == {s["woodwork"], s["cooking"]}


async def test_assigning_cover_changes_the_feeds_instructor_keeping_the_uid(client, app, world):
    s, p = world["sessions"], world["people"]
    participant = await save_participant(
        h.ACTOR, ParticipantIn(display_name="Eero Esimerkki", status=ParticipantStatus.active)
    )
    await placements.place(
        h.ACTOR,
        PlacementIn(participant_id=participant.id, slot_id=world["slot"], start_date=clock.today()),
    )
    await sick_today(world)
    await api_login(client, world["coordinator"].email)
    feed = await client.post(
        "/api/v1/feeds", json={"kind": "participant", "owner_id": participant.id}
    )
    assert feed.status_code == 201, feed.text
    uid = f"session-{s['woodwork']}@tupa"
    before = icalendar.Calendar.from_ical((await client.get(feed.json()["path"])).content)
    (original,) = [e for e in before.walk("VEVENT") if str(e["UID"]) == uid]
    assert "Sanna" in str(original["DESCRIPTION"])

    gap = next(
        g
        for g in (await client.get(f"/api/v1/cover?date={world['day']}")).json()["gaps"]
        if g["session_id"] == s["woodwork"]
    )
    sequence = gap["sequence"]
    response = await client.post(
        f"/api/v1/cover/sessions/{s['woodwork']}/assign",
        json={"user_id": p["aino"], "sequence": sequence},
    )
    assert response.status_code == 200, response.text
    assert [x["name"] for x in response.json()["session"]["staff"]] == ["Aino Ahola"]
    await app.state.queue.drain()
    after = icalendar.Calendar.from_ical((await client.get(feed.json()["path"])).content)
    (event,) = [e for e in after.walk("VEVENT") if str(e["UID"]) == uid]
    assert int(event["SEQUENCE"]) > int(original["SEQUENCE"])
    assert "Aino" in str(event["DESCRIPTION"]) and "Sanna" not in str(event["DESCRIPTION"])
    staffed = await SessionStaff.select(SessionStaff.user).where(
        SessionStaff.session == s["woodwork"]
    )
    assert [row["user"] for row in staffed] == [p["aino"]]
    assert await AuditEvent.exists().where(AuditEvent.action == "session.cover")

    # the same decision again, on the old sequence: 409, nothing changes
    again = await client.post(
        f"/api/v1/cover/sessions/{s['woodwork']}/assign",
        json={"user_id": p["bertta"], "sequence": sequence},
    )
    assert again.status_code == 409
    staffed = await SessionStaff.select(SessionStaff.user).where(
        SessionStaff.session == s["woodwork"]
    )
    assert [row["user"] for row in staffed] == [p["aino"]]
    # covered: the day has one gap fewer
    plan = await staff.cover_day(world["day"])
    assert s["woodwork"] not in {g.session_id for g in plan.gaps}


async def test_a_session_nobody_covers_is_cancelled_and_the_roster_says_nobody_was_told(
    client, world
):
    s = world["sessions"]
    await sick_today(world)
    await api_login(client, world["coordinator"].email)
    session = await schedule.get_session(s["garden"])
    response = await client.post(
        f"/api/v1/cover/sessions/{s['garden']}/cancel",
        json={"reason": "The instructor is ill", "sequence": session.sequence},
    )
    assert response.status_code == 200, response.text
    assert response.json()["participants_told"] is False
    row = await Session.select().where(Session.id == s["garden"]).first()
    assert row["status"] == SessionStatus.cancelled
    assert row["cancel_reason"] == "The instructor is ill"
    assert row["sequence"] == session.sequence + 1
    roster = await client.get(f"/attendance/{s['garden']}")
    assert "not been told automatically" in roster.text
    # a cancelled session is no gap, and cannot be cancelled twice
    plan = await staff.cover_day(world["day"])
    assert s["garden"] not in {g.session_id for g in plan.gaps}
    twice = await client.post(
        f"/api/v1/cover/sessions/{s['garden']}/cancel",
        json={"reason": "again", "sequence": session.sequence + 1},
    )
    assert twice.status_code == 409


async def test_staff_record_only_their_own_absence_and_see_only_their_own(client, world):
    p = world["people"]
    await api_login(client, "aino@example.org")
    day = world["day"].isoformat()
    own = await client.post("/api/v1/staff/absences", json={"start_date": day, "reason": "sick"})
    assert own.status_code == 201, own.text
    assert own.json()["user_id"] == p["aino"]
    other = await client.post(
        "/api/v1/staff/absences",
        json={"start_date": day, "reason": "sick", "user_id": p["bertta"]},
    )
    assert other.status_code == 403
    assert not await StaffAbsence.exists().where(StaffAbsence.user == p["bertta"])
    # no health details: only the categories
    details = await client.post("/api/v1/staff/absences", json={"start_date": day, "reason": "flu"})
    assert details.status_code in (400, 422)
    assert (await client.get(f"/api/v1/cover?date={day}")).status_code == 403

    await client.post("/api/v1/auth/logout")
    await api_login(client, world["coordinator"].email)
    by_coordinator = await client.post(
        "/api/v1/staff/absences",
        json={"start_date": day, "reason": "training", "user_id": p["bertta"]},
    )
    assert by_coordinator.status_code == 201
    listed = await client.get(f"/api/v1/staff/absences?start={day}&end={day}")
    assert {a["user_id"] for a in listed.json()} == {p["aino"], p["bertta"]}

    await client.post("/api/v1/auth/logout")
    await api_login(client, "aino@example.org")
    mine = await client.get(f"/api/v1/staff/absences?start={day}&end={day}")
    assert {a["user_id"] for a in mine.json()} == {p["aino"]}
    theirs = (await StaffAbsence.select().where(StaffAbsence.user == p["bertta"]).first())["id"]
    assert (await client.delete(f"/api/v1/staff/absences/{theirs}")).status_code == 403


async def test_partners_see_nothing_of_staff_absences(client, world):
    await sick_today(world)
    partner = await make_user(Role.partner, "farm@example.org")
    await api_login(client, partner.email)
    day = world["day"].isoformat()
    assert (await client.get(f"/api/v1/staff/absences?start={day}&end={day}")).status_code == 403
    assert (await client.get(f"/api/v1/cover?date={day}")).status_code == 403
    refused = await client.post(
        "/api/v1/staff/absences", json={"start_date": day, "reason": "sick"}
    )
    assert refused.status_code == 403


async def test_a_period_must_end_after_it_starts(client, world):
    await api_login(client, world["coordinator"].email)
    day = world["day"]
    response = await client.post(
        "/api/v1/staff/absences",
        json={
            "start_date": day.isoformat(),
            "end_date": (day - timedelta(days=1)).isoformat(),
            "reason": "leave",
            "user_id": world["people"]["aino"],
        },
    )
    assert response.status_code == 422
    assert "end_date" in response.text
    half = await client.post(
        "/api/v1/staff/absences",
        json={
            "start_date": day.isoformat(),
            "start_time": "09:00:00",
            "reason": "leave",
            "user_id": world["people"]["aino"],
        },
    )
    assert half.status_code == 422
    assert not await StaffAbsence.exists()


async def test_a_staff_member_records_their_absence_on_the_page(client, world):
    await api_login(client, "aino@example.org")
    page = await client.get("/staff/absence")
    assert page.status_code == 200
    assert 'name="user_id"' not in page.text  # staff choose nobody else
    day = world["day"].isoformat()
    done = await post_form(
        client,
        "/staff/absence",
        {"start_date": day, "start_time": "08:00", "end_time": "11:30", "reason": "training"},
    )
    assert done.status_code == 200 and "The absence is recorded." in done.text
    row = await StaffAbsence.select().where(StaffAbsence.user == world["people"]["aino"]).first()
    assert (row["start_time"], row["end_time"], row["reason"]) == (
        time(8),
        time(11, 30),
        "training",
    )
    refused = await post_form(client, "/staff/absence", {"start_date": day, "reason": "flu"})
    assert refused.status_code in (400, 422)
    assert await StaffAbsence.count() == 1


async def test_the_cover_page_assigns_and_cancels(client, world):
    s, p = world["sessions"], world["people"]
    await sick_today(world)
    await api_login(client, world["coordinator"].email)
    day = world["day"].isoformat()
    page = await client.get(f"/cover?date={day}")
    assert page.status_code == 200
    assert "Cooking" in page.text and "Garden" in page.text
    assert "08:00–12:00 Reading" not in page.text  # still staffed: no gap
    assert "Why not the others" in page.text
    session = await schedule.get_session(s["cooking"])
    assigned = await post_form(
        client,
        f"/cover/sessions/{s['cooking']}/assign",
        {"day": day, "user_id": p["cecilia"], "sequence": session.sequence},
    )
    assert "Cover assigned: Cecilia Cox." in assigned.text
    stale = await post_form(
        client,
        f"/cover/sessions/{s['cooking']}/cancel",
        {"day": day, "reason": "ill", "sequence": session.sequence},
    )
    assert "changed or cancelled meanwhile" in stale.text
    assert (await schedule.get_session(s["cooking"])).status == SessionStatus.planned
    garden = await schedule.get_session(s["garden"])
    cancelled = await post_form(
        client,
        f"/cover/sessions/{s['garden']}/cancel",
        {"day": day, "reason": "The instructor is away", "sequence": garden.sequence},
    )
    assert "have not been told automatically" in cancelled.text
    assert (await schedule.get_session(s["garden"])).status == SessionStatus.cancelled


async def test_the_morning_sheet_shows_the_sites_day_with_first_names_and_initials(client, world):
    s = world["sessions"]
    await sick_today(world)
    names = {}
    for name in ("Eero Esimerkki", "Liisa Laine"):
        person = await save_participant(
            h.ACTOR, ParticipantIn(display_name=name, status=ParticipantStatus.active)
        )
        await placements.place(
            h.ACTOR,
            PlacementIn(participant_id=person.id, slot_id=world["slot"], start_date=clock.today()),
        )
        names[name] = person.id
    await record_participant_absence(
        h.ACTOR,
        names["Liisa Laine"],
        ParticipantAbsenceIn(session_id=s["woodwork"], note="dentist"),
        given_by=None,
    )
    pajatalo = (await schedule.get_session(s["woodwork"])).site_id
    await api_login(client, world["coordinator"].email)
    sheet = await client.get(f"/today/sheet?site={pajatalo}&date={world['day']}")
    assert sheet.status_code == 200
    text = sheet.text
    assert "Woodwork" in text and "Cooking" in text and "Reading" in text
    assert "Garden" not in text  # at the farm
    assert "Eero E." in text and "Esimerkki" not in text
    assert "Liisa L." in text and "dentist" not in text  # told she can't come; no note
    assert "Sanna Sairas" in text  # away, without a reason
    assert "sick" not in text.lower()
    assert 'href="/static/css/print.css"' in text
    assert await AuditEvent.exists().where(AuditEvent.action == "site.morning_sheet")


async def test_the_morning_sheet_is_for_staff_of_the_site_only(client, world):
    s = world["sessions"]
    farm = (await schedule.get_session(s["garden"])).site_id
    pajatalo = (await schedule.get_session(s["woodwork"])).site_id
    other = await make_user(Role.staff, "other@example.org", site_ids=[farm])
    await api_login(client, other.email)
    assert (await client.get(f"/today/sheet?site={pajatalo}")).status_code == 404
    assert (await client.get(f"/today/sheet?site={farm}")).status_code == 200
    chooser = await client.get("/today/sheet")
    assert "Mäntylä farm" in chooser.text and "Pajatalo" not in chooser.text.split("<main")[-1]
    await client.post("/api/v1/auth/logout")
    partner = await make_user(Role.partner, "farm@example.org", site_ids=[farm])
    await api_login(client, partner.email)
    assert (await client.get(f"/today/sheet?site={farm}")).status_code == 403


async def test_the_staff_week_counts_hours_against_the_contract_and_shows_absences(client, world):
    p, s = world["people"], world["sessions"]
    await sick_today(world)
    await api_login(client, world["coordinator"].email)
    rota = await client.get(f"/api/v1/staff/rota?week={world['day'].isoformat()}")
    assert rota.status_code == 200, rota.text
    people = {person["user_id"]: person for person in rota.json()["people"]}
    assert set(people) == set(p.values())
    sanna = people[p["sanna"]]
    wednesday = (world["day"] - date.fromisoformat(rota.json()["monday"])).days
    assert {item["session_id"] for item in sanna["days"][wednesday]} >= {
        s["woodwork"],
        s["cooking"],
        s["garden"],
    }
    assert sanna["away"][wednesday] == "sick"
    assert sanna["contract_hours"] == 37.5
    # Woodwork 3 h + Cooking 2 h + Garden 2.75 h that day
    assert sanna["planned_hours"] >= 7.75
    assert not sanna["over_contract"]

    await client.post("/api/v1/auth/logout")
    await api_login(client, "aino@example.org")
    own = await client.get(f"/api/v1/staff/rota?week={world['day'].isoformat()}")
    assert [person["user_id"] for person in own.json()["people"]] == [p["aino"]]
    page = await client.get(f"/staff/week?week={world['day'].isoformat()}")
    assert page.status_code == 200 and "Aino Ahola" in page.text and "Sanna" not in page.text

    await client.post("/api/v1/auth/logout")
    partner = await make_user(Role.partner, "farm@example.org")
    await api_login(client, partner.email)
    assert (await client.get(f"/staff/week?week={world['day'].isoformat()}")).status_code == 403


async def place_two_with_day_needs(world) -> dict[str, int]:
    names = {}
    for name, diets, allergy in [
        ("Eero Esimerkki", ["vegetarian"], "nuts"),
        ("Liisa Laine", ["gluten_free", "vegetarian"], ""),
    ]:
        person = await save_participant(
            h.ACTOR, ParticipantIn(display_name=name, status=ParticipantStatus.active)
        )
        await placements.place(
            h.ACTOR,
            PlacementIn(participant_id=person.id, slot_id=world["slot"], start_date=clock.today()),
        )
        await people_services.save_day_needs(
            h.ACTOR,
            person.id,
            DayNeedsIn(
                needs_ride=True,
                pickup_address=f"{name.split()[0]}katu 1",
                ride_notes="rollator",
                diets=diets,
                allergy_text=allergy,
            ),
        )
        names[name.split()[0].lower()] = person.id
    return names


async def test_rides_and_lunch_follow_notices_absences_and_cancellations(client, world):
    s = world["sessions"]
    pajatalo = (await schedule.get_session(s["woodwork"])).site_id
    people = await place_two_with_day_needs(world)
    await api_login(client, world["coordinator"].email)
    saved = await client.put(
        f"/api/v1/sites/{pajatalo}/day-service",
        json={"serves_lunch": True, "transport_lead_minutes": 45},
    )
    assert saved.status_code == 200, saved.text
    day = world["day"].isoformat()

    async def counts() -> tuple[list[str], int, int]:
        rides = (
            await client.get(f"/today/transport.csv?site={pajatalo}&date={day}")
        ).text.splitlines()[1:]
        lunch = await client.get(f"/today/lunch?site={pajatalo}&date={day}")
        numbers = re.search(r"(\d+) participants?,\s+(\d+) staff", lunch.text)
        assert numbers, lunch.text
        return rides, int(numbers[1]), int(numbers[2])

    rides, eating, staff_eating = await counts()
    assert [row.split(",")[1:4] for row in rides] == [
        ["08:15", "Eero E.", "Eerokatu 1"],
        ["08:15", "Liisa L.", "Liisakatu 1"],
    ]
    assert (eating, staff_eating) == (2, 2)  # Sanna and Daniel run sessions here
    lunch = (await client.get(f"/today/lunch?site={pajatalo}&date={day}")).text
    assert "Vegetarian: 2" in lunch and "Gluten-free: 1" in lunch and "nuts" in lunch

    # Liisa says she can't come
    await record_participant_absence(
        h.ACTOR, people["liisa"], ParticipantAbsenceIn(session_id=s["woodwork"]), given_by=None
    )
    rides, eating, staff_eating = await counts()
    assert [row.split(",")[2] for row in rides] == ["Eero E."]
    assert (eating, staff_eating) == (1, 2)
    # Sanna is ill: one staff member fewer eats
    await sick_today(world)
    assert (await counts())[1:] == (1, 1)
    # Woodwork is cancelled: no rides, nobody expected
    session = await schedule.get_session(s["woodwork"])
    await staff.cancel_uncovered(
        h.ACTOR, s["woodwork"], CoverCancelIn(reason="ill", sequence=session.sequence)
    )
    rides, eating, _staff = await counts()
    assert rides == [] and eating == 0
    sheet = await client.get(f"/today/sheet?site={pajatalo}&date={day}")
    assert "No rides on this day." in sheet.text


async def test_day_needs_are_refused_when_they_make_no_sense(client, world):
    person = await save_participant(
        h.ACTOR, ParticipantIn(display_name="Eero Esimerkki", status=ParticipantStatus.active)
    )
    await api_login(client, world["coordinator"].email)
    url = f"/api/v1/participants/{person.id}/day-needs"
    unknown = await client.put(url, json={"diets": ["carnivore"]})
    assert unknown.status_code == 422 and "diets" in unknown.text
    no_address = await client.put(url, json={"needs_ride": True})
    assert no_address.status_code == 422 and "pickup_address" in no_address.text
    ok = await client.put(url, json={"needs_ride": True, "pickup_address": "Kotikatu 2"})
    assert ok.status_code == 200
    assert (await client.get(url)).json()["pickup_address"] == "Kotikatu 2"
    await client.post("/api/v1/auth/logout")
    await api_login(client, "aino@example.org")  # not one she follows; may not change it
    assert (await client.get(url)).status_code == 404
    assert (await client.put(url, json={})).status_code == 403


async def test_day_needs_are_exported_and_erased_with_the_person(db, world):
    people = await place_two_with_day_needs(world)
    exported = await people_services.export(h.ACTOR, people["eero"])
    assert exported.day_needs is not None
    assert exported.day_needs.pickup_address == "Eerokatu 1"
    assert exported.day_needs.diets == ["vegetarian"]
    await people_services.erase(h.ACTOR, people["eero"])
    after = await people_services.day_needs_of(people["eero"])
    assert (after.needs_ride, after.pickup_address, after.diets, after.allergy_text) == (
        False,
        "",
        [],
        "",
    )


async def test_coordinators_set_rides_meals_and_site_service_on_pages(client, world):
    person = await save_participant(
        h.ACTOR, ParticipantIn(display_name="Eero Esimerkki", status=ParticipantStatus.active)
    )
    pajatalo = (await schedule.get_session(world["sessions"]["woodwork"])).site_id
    await api_login(client, world["coordinator"].email)
    assert (await client.get(f"/participants/{person.id}/day-needs")).status_code == 200
    missing = await post_form(client, f"/participants/{person.id}/day-needs", {"needs_ride": "on"})
    assert missing.status_code == 422 and "Give the address to pick up from." in missing.text
    saved = await post_form(
        client,
        f"/participants/{person.id}/day-needs",
        {
            "needs_ride": "on",
            "pickup_address": "Kotikatu 2",
            "diets": "vegan",
            "allergy_text": "sesame",
        },
    )
    assert saved.status_code == 200
    needs = await people_services.day_needs_of(person.id)
    assert (needs.needs_ride, needs.diets, needs.allergy_text) == (True, ["vegan"], "sesame")

    assert (await client.get(f"/catalog/sites/{pajatalo}/day-service")).status_code == 200
    bad = await post_form(
        client, f"/catalog/sites/{pajatalo}/day-service", {"transport_lead_minutes": "999"}
    )
    assert bad.status_code in (400, 422)
    done = await post_form(
        client,
        f"/catalog/sites/{pajatalo}/day-service",
        {"serves_lunch": "on", "transport_lead_minutes": "30"},
    )
    assert done.status_code == 200
    service = await catalog_services.get_day_service(pajatalo)
    assert (service.serves_lunch, service.transport_lead_minutes) == (True, 30)


async def test_a_staff_members_absence_is_in_their_own_feed(client, app, world):
    sanna = world["people"]["sanna"]
    await api_login(client, world["coordinator"].email)
    feed = await client.post("/api/v1/feeds", json={"kind": "staff", "owner_id": sanna})
    assert feed.status_code == 201, feed.text
    path = feed.json()["path"]
    assert "staff-absence-" not in (await client.get(path)).text
    recorded = await client.post(
        "/api/v1/staff/absences",
        json={"start_date": world["day"].isoformat(), "reason": "sick", "user_id": sanna},
    )
    await app.state.queue.drain()
    calendar = icalendar.Calendar.from_ical((await client.get(path)).content)
    (away,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("staff-absence-")]
    assert str(away["SUMMARY"]) == "Away: Sick"
    assert away["DTSTART"].dt.astimezone(clock.provider_time_zone()).date() == world["day"]
    await client.delete(f"/api/v1/staff/absences/{recorded.json()['id']}")
    await app.state.queue.drain()
    assert "staff-absence-" not in (await client.get(path)).text
