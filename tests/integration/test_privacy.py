"""Who reads what about participants (issue #12): one rule for notes, erasure that finds
a person's audit events by reference, wishes only for participants, walk-ins within the
staff member's participants, login cards for password holders, the audit of reads, and
feeds that stop the moment their owner is erased."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from service import clock
from service.audit.services import Actor, record
from service.audit.tables import AuditEvent
from service.auth.tables import Role
from service.people.schemas import ParticipantIn
from service.people.services import erase, link_account, save_participant
from service.people.tables import Goal, Participant, ParticipantStatus, ReachableSite
from service.placements.services import PlacementIn, place
from service.placements.tables import AbsenceNotice
from service.schedule.tables import Session
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user, post_form

NOTE = "Doctor's appointment at the clinic"


async def participant(name: str, **extra) -> int:
    data = ParticipantIn(display_name=name, status=ParticipantStatus.active, **extra)
    return (await save_participant(h.ACTOR, data)).id


@pytest.fixture
async def world(db):
    """Pajatalo with Olli (staff) and a partner; Aino placed there with an account and a
    note on her absence from today's session; Eero placed elsewhere but able to reach
    Pajatalo (outside Olli's participants)."""
    today = clock.today()
    site, elsewhere = await h.site("Pajatalo"), await h.site("Kotiranta")
    slot = await h.slot(
        await h.activity(site, max_participants=5),
        weekday=today.weekday(),
        start=time(23, 0),
        end=time(23, 30),
        valid_from=today - timedelta(days=7),
        today=today,
    )
    other_slot = await h.slot(
        await h.activity(elsewhere, "Animal care"),
        weekday=today.weekday(),
        valid_from=today - timedelta(days=7),
        today=today,
    )
    olli = await make_user(Role.staff, "olli@example.org", site_ids=[site])
    partner = await make_user(Role.partner, "farmer@example.org", site_ids=[site])
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    admin = await make_user(Role.admin, "admin@example.org")
    aino = await participant("Aino Aaltonen", support_person="Mirja Aaltonen")
    account = await make_user(Role.participant, "aino@example.org", display_name="Aino")
    await link_account(h.ACTOR, aino, account.id)
    eero = await participant("Eero Eskola")
    await ReachableSite(participant=eero, site=site).save()
    await place(h.ACTOR, PlacementIn(participant_id=aino, slot_id=slot, start_date=today))
    await place(h.ACTOR, PlacementIn(participant_id=eero, slot_id=other_slot, start_date=today))
    session = (
        await Session.select(Session.id)
        .where((Session.slot == slot) & (Session.date == today))
        .first()
    )["id"]
    await AbsenceNotice(participant=aino, session=session, note=NOTE).save()
    return {
        "site": site,
        "session": session,
        "olli": olli,
        "partner": partner,
        "coordinator": coordinator,
        "admin": admin,
        "aino": aino,
        "account": account,
        "eero": eero,
    }


async def sign_in(client, email: str) -> None:
    await client.post("/api/v1/auth/logout", json={})
    client.cookies.clear()
    assert (await api_login(client, email)).status_code == 200


# --- 1. one rule for notes -------------------------------------------------------------


async def test_partners_read_no_notes_anywhere_staff_do(client, world):
    session = world["session"]
    reads = [
        f"/api/v1/absences?session={session}",
        f"/api/v1/sessions/{session}/roster",
        f"/api/v1/sessions/{session}/attendance",
        f"/attendance/{session}",
    ]
    await sign_in(client, world["partner"].email)
    for path in reads:
        answer = await client.get(path)
        assert answer.status_code == 200, path
        assert "Doctor" not in answer.text, path
        assert "Aaltonen" not in answer.text, path
    await sign_in(client, world["olli"].email)
    for path in reads[:3]:
        assert NOTE in (await client.get(path)).text, path


async def test_a_participant_reads_support_details_of_their_own_only(client, world):
    await sign_in(client, "aino@example.org")
    own = await client.get("/api/v1/me/participant")
    assert own.json()["support_person"] == "Mirja Aaltonen"
    await sign_in(client, world["coordinator"].email)
    assert (await client.get(f"/api/v1/participants/{world['aino']}")).json()[
        "support_person"
    ] == "Mirja Aaltonen"


# --- 3. erasure finds the person's events by reference ---------------------------------


async def test_erasure_blanks_only_the_persons_own_events(client, world):
    percent = await participant("Percy", support_person="%", contact="_")
    await record(Actor.system("test"), "note.about", entity="participant", entity_id=percent)
    await record(
        Actor.system("test"),
        "note.other",
        entity="session",
        entity_id=world["session"],
        details={"participant_id": world["eero"], "text": "Percy % _ something"},
    )
    await sign_in(client, world["admin"].email)
    assert (await client.post(f"/api/v1/participants/{percent}/erase", json={})).status_code == 200
    other = await AuditEvent.select().where(AuditEvent.action == "note.other").first()
    assert "Percy % _ something" in str(other["details"])  # not this person's event
    events = await AuditEvent.select().where(
        (AuditEvent.subject_table == "participant") & (AuditEvent.subject_id == world["eero"])
    )
    assert events and all(e["details"] not in ("{}", {}) for e in events if e["action"] != "read")


async def test_erasure_blanks_the_events_about_them_and_made_by_them(client, world):
    await api_login(client, "aino@example.org", "not her password")  # her email, typed
    await sign_in(client, "aino@example.org")  # her email is the label of her sign-in
    await client.post(f"/api/v1/participants/{world['aino']}/goals", json={"text": "Bake"})
    await sign_in(client, world["admin"].email)
    await erase(h.ACTOR, world["aino"])
    rows = await AuditEvent.select()
    text = repr(rows)
    for trace in ("aino@example.org", "Aaltonen", "Mirja"):
        assert trace not in text
    about = [
        r for r in rows if r["subject_table"] == "participant" and r["subject_id"] == world["aino"]
    ]
    assert {"participant.create", "goal.create", "participant.erase"} <= {
        r["action"] for r in about
    }


# --- 6. a participant adds a wish, as the page allows ----------------------------------


@pytest.mark.parametrize(
    "extra", [{"priority": 1}, {"domains": ["work"]}, {"status": "achieved"}, {"priority": 3}]
)
async def test_a_participant_adds_a_wish_and_nothing_more(client, world, extra):
    await sign_in(client, "aino@example.org")
    path = f"/api/v1/participants/{world['aino']}/goals"
    refused = await client.post(path, json={"text": "Everything first", **extra})
    assert refused.status_code == 403
    assert await Goal.count() == 0
    wish = await client.post(path, json={"text": "Bake bread"})
    assert wish.status_code == 201
    assert (wish.json()["priority"], wish.json()["domains"]) == (2, [])


# --- 8. walk-ins are the staff member's own participants -------------------------------


async def test_walk_ins_list_and_take_only_visible_participants(client, world):
    await sign_in(client, world["olli"].email)
    sheet = await client.get(f"/api/v1/sessions/{world['session']}/attendance")
    assert "Eero" not in sheet.text
    assert world["eero"] not in [c["id"] for c in sheet.json()["walk_ins"]]
    assert "Eero" not in (await client.get(f"/attendance/{world['session']}")).text
    await sign_in(client, world["coordinator"].email)
    sheet = await client.get(f"/api/v1/sessions/{world['session']}/attendance")
    assert world["eero"] in [c["id"] for c in sheet.json()["walk_ins"]]


# --- 9. login cards for someone with a password ----------------------------------------


async def test_only_coordinators_make_a_card_for_a_password_holder_and_they_are_told(client, world):
    path = f"/api/v1/participants/{world['aino']}/login-card"
    await sign_in(client, world["olli"].email)
    assert (await client.post(path, json={})).status_code in (403, 404)
    refused_page = await post_form(client, f"/participants/{world['aino']}/card", {})
    assert refused_page.status_code in (403, 404)
    await sign_in(client, world["coordinator"].email)
    assert (await client.post(path, json={})).status_code == 200
    issued = await AuditEvent.select().where(AuditEvent.action == "login_card.issue").first()
    assert issued["subject_id"] == world["aino"]
    assert "has_password" in str(issued["details"])
    await sign_in(client, "aino@example.org")
    week = await client.get("/me")
    assert "A login card for your account was made" in week.text


# --- 10. reads of personal data are audited --------------------------------------------


async def test_reads_of_personal_data_are_audited_with_their_subject(client, world):
    await sign_in(client, world["coordinator"].email)
    before = await AuditEvent.count().where(AuditEvent.action == "read")
    last = (
        await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first()
    )["id"]
    reads = [
        f"/api/v1/absences?session={world['session']}",
        f"/api/v1/sessions/{world['session']}/attendance/marks",
        "/api/v1/reviews/due",
        "/api/v1/matching/waitlist",
        "/api/v1/follow-ups",
        f"/api/v1/placements?participant={world['aino']}",
        "/api/v1/feeds",
    ]
    for path in reads:
        assert (await client.get(path)).status_code == 200, path
    events = (
        await AuditEvent.select()
        .where((AuditEvent.action == "read") & (AuditEvent.id > last))
        .order_by(AuditEvent.id)
    )
    assert len(events) == len(reads)
    placements = events[5]
    assert (placements["subject_table"], placements["subject_id"]) == ("participant", world["aino"])
    assert all(e["actor"] == world["coordinator"].id for e in events)
    refused = await client.get("/api/v1/absences?session=999999")
    assert refused.status_code == 404
    assert await AuditEvent.count().where(AuditEvent.action == "read") == before + len(reads)
    # A read that its service records itself (`participant.view`) is recorded once.
    assert (await client.get(f"/api/v1/participants/{world['aino']}")).status_code == 200
    assert await AuditEvent.count().where(AuditEvent.action == "read") == before + len(reads)
    assert await AuditEvent.count().where(AuditEvent.action == "participant.view") == 1
    await sign_in(client, world["admin"].email)
    assert (await client.get("/api/v1/users")).status_code == 200
    users = (
        await AuditEvent.select()
        .where(AuditEvent.action == "read")
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )
    assert (
        users["actor"],
        users["details"]["route"] if isinstance(users["details"], dict) else "",
    ) in (
        (world["admin"].id, "api_list_users"),
        (world["admin"].id, ""),
    )


async def test_writes_the_probe_found_unaudited_are_audited(client, world):
    await sign_in(client, world["olli"].email)
    changed = await post_form(client, "/language", {"language": "fi", "next": "/"})
    assert changed.status_code in (200, 302, 303)
    assert await AuditEvent.count().where(AuditEvent.action == "user.language") == 1
    await sign_in(client, world["coordinator"].email)
    assert (await client.post("/api/v1/sessions/generate", json={})).status_code == 202
    assert await AuditEvent.count().where(AuditEvent.action == "sessions.generate_requested") == 1


# --- 12. a feed stops the moment its owner is erased -----------------------------------


async def test_an_erased_participants_feed_stops_before_any_job_runs(client, world):
    await sign_in(client, world["coordinator"].email)
    made = await client.post(
        "/api/v1/feeds", json={"kind": "participant", "owner_id": world["aino"]}
    )
    path = made.json()["path"]
    assert (await client.get(path)).status_code == 200  # rendered and cached
    # Erased as far as the database knows, with no job run to raise the feed's version:
    await Participant.update({Participant.erased_at: clock.utcnow()}).where(
        Participant.id == world["aino"]
    )
    assert (await client.get(path)).status_code == 404


async def test_revoking_and_rotating_a_feed_stop_its_old_link_at_once(client, world):
    await sign_in(client, world["coordinator"].email)
    made = await client.post("/api/v1/feeds", json={"kind": "staff", "owner_id": world["olli"].id})
    old = made.json()
    assert (await client.get(old["path"])).status_code == 200  # rendered and cached
    rotated = await client.post(f"/api/v1/feeds/{old['id']}/rotate", json={})
    assert (await client.get(old["path"])).status_code == 404
    new = rotated.json()
    assert (await client.get(new["path"])).status_code == 200
    await client.post(f"/api/v1/feeds/{new['id']}/revoke", json={})
    assert (await client.get(new["path"])).status_code == 404
