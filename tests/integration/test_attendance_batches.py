"""A tablet is never stuck (#13): each mark of a batch is judged on its own, a UUID
resent with other content says so, and marks are dated by what the server can trust,
whatever the tablet's clock says. On SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from service.attendance.schemas import MarkIn
from service.attendance.tables import AttendanceMark
from service.bounds import DB_INT_MAX
from tests.helpers import api_login
from tests.integration import test_attendance
from tests.integration.test_attendance import TODAY, mark, post_marks, session_on, today_session

place_ = test_attendance.place_
"""The attendance tests' site, slots and participants (a fixture)."""

NUL = "\x00"
TOO_EARLY = "0001-01-01T00:30:00+03:00"
TOO_LATE = "9999-12-31T23:30:00-14:00"


def poisons() -> dict[str, list[Any]]:
    """For each field of `MarkIn`, values that no database may be asked to store or that
    are not of its type. Walks the struct, so that a field added later is poisoned too."""
    by_kind: dict[type, list[Any]] = {
        msgspec.inspect.IntType: [DB_INT_MAX + 1, 2**63, 0, -1, "7", 7.5, True, None],
        msgspec.inspect.StrType: [NUL, f"a{NUL}b", 7, None],
        msgspec.inspect.DateTimeType: [TOO_EARLY, TOO_LATE, "2026-09-16T10:00:00", 0, "x"],
        msgspec.inspect.EnumType: ["asleep", 1, None],
    }
    out: dict[str, list[Any]] = {}
    for field in msgspec.inspect.type_info(MarkIn).fields:  # type: ignore[attr-defined]
        kind = field.type
        if isinstance(kind, msgspec.inspect.UnionType):  # optional: poison the value
            kind = next(t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType))
            by_kind_values = [v for v in by_kind[type(kind)] if v is not None]
        else:
            by_kind_values = by_kind[type(kind)]
        values = list(by_kind_values)
        if isinstance(kind, msgspec.inspect.StrType) and kind.max_length:
            values.append("x" * (kind.max_length + 1))
        out[field.name] = values
    return out


async def test_a_poisoned_batch_stores_its_good_marks_and_refuses_each_bad_one(client, place_):
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    good = [mark(session, place_["aino"], note="Ok ✓"), mark(session, place_["eero"], "late")]
    bad: list[tuple[dict[str, Any], str]] = []
    for field, values in poisons().items():
        bad += [({**mark(session, place_["aino"]), field: value}, field) for value in values]
    bad += [
        ({**mark(session, place_["aino"]), "colour": "red"}, "colour"),
        ({k: v for k, v in mark(session, place_["aino"]).items() if k != "status"}, "status"),
        ({**mark(session, place_["aino"]), "uuid": f"{uuid.uuid4()}\n"}, "uuid"),
    ]
    batch = [good[0], *(m for m, _field in bad), good[1]]

    answer = await post_marks(client, *batch)

    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["result"] for r in results] == ["stored"] + ["refused"] * len(bad) + ["stored"]
    for index, (_mark, field) in enumerate(bad, start=1):
        assert results[index]["status"] == 422, (field, batch[index], results[index])
        assert results[index]["field"] == f"marks[{index}].{field}", results[index]
        assert results[index]["detail"]
    assert await AttendanceMark.count() == 2
    # The same batch again: the good ones are duplicates, the bad ones refused again.
    again = (await post_marks(client, *batch)).json()["results"]
    assert [r["result"] for r in again] == ["duplicate"] + ["refused"] * len(bad) + ["duplicate"]
    assert await AttendanceMark.count() == 2


async def test_a_batch_that_is_not_a_list_of_marks_is_refused_whole(client, place_):
    await api_login(client, place_["staff"].email)
    good = mark(await today_session(place_), place_["aino"])
    for body in (
        {"marks": "not a list"},
        {"marks": [1, "two"]},
        {"marks": [[]]},
        {"marks": []},
        {"marks": [good] * 501},
        [{"marks": [good]}],
        {"marks": [good], "device": f"tablet{NUL}"},
        {"marks": [good], "device": "x" * 65},
        {"marks": [good], "sent_at": TOO_EARLY},
        {"marks": [good], "sent_at": "yesterday"},
        {"marks": [good], "colour": "red"},
    ):
        answer = await client.post("/api/v1/attendance", json=body)
        assert answer.status_code in (400, 422), (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert await AttendanceMark.count() == 0


async def test_a_uuid_resent_with_other_content_says_it_differs(client, place_):
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    first = mark(session, place_["aino"], "present", note="Came by bus")
    await post_marks(client, first)

    same = (await post_marks(client, first)).json()["results"][0]
    assert (same["result"], same["differs"], same["differing"]) == ("duplicate", False, [])

    changed = {**first, "status": "late", "note": "Came by taxi"}
    other = (await post_marks(client, changed)).json()["results"][0]
    assert other["result"] == "duplicate"
    assert other["status"] == 200
    assert other["differs"] is True
    assert other["differing"] == ["status", "note"]
    assert "saved one stands" in other["detail"]
    row = await AttendanceMark.select().first()
    assert (row["status"], row["note"]) == ("present", "Came by bus")
    # Twice in one batch, differently: the first is stored, the second says it differs.
    twin = mark(session, place_["eero"], "present")
    both = await post_marks(client, twin, {**twin, "status": "excused"})
    assert [(r["result"], r["differing"]) for r in both.json()["results"]] == [
        ("stored", []),
        ("duplicate", ["status"]),
    ]


def batch(*marks: dict, sent_at: datetime | None = None) -> dict:
    body: dict[str, Any] = {"marks": list(marks), "device": "t"}
    if sent_at is not None:
        body["sent_at"] = sent_at.isoformat()
    return body


async def current_status(client, session: int, participant: int) -> str:
    sheet = (await client.get(f"/api/v1/sessions/{session}/attendance")).json()
    return next(r for r in sheet["rows"] if r["participant_id"] == participant)["mark"]["status"]


@pytest.mark.parametrize("skew", [timedelta(hours=-2), timedelta(hours=2)])
async def test_a_tablet_clock_off_by_hours_wins_when_it_marks_last(client, place_, skew):
    """A correct tablet marks; a tablet whose clock is off marks the same person after
    it: the later mark wins, whichever way the clock is off."""
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    aino = place_["aino"]
    now = datetime.now(UTC)
    made = now - timedelta(minutes=1)
    right = mark(session, aino, "present", marked_at=made.isoformat())
    await client.post("/api/v1/attendance", json=batch(right, sent_at=now))
    off_now = datetime.now(UTC) + skew
    off = mark(session, aino, "left_early", marked_at=off_now.isoformat())
    await client.post("/api/v1/attendance", json=batch(off, sent_at=off_now))
    assert await current_status(client, session, aino) == "left_early"
    # ... and the correct tablet, marking after that, wins in turn.
    later = datetime.now(UTC)
    again = mark(session, aino, "excused", marked_at=later.isoformat())
    await client.post("/api/v1/attendance", json=batch(again, sent_at=later))
    assert await current_status(client, session, aino) == "excused"


async def test_marks_made_offline_keep_their_tablet_s_order(client, place_):
    """A tablet 2 hours behind, offline, marked Aino at -10 and -4 minutes by the
    server's time; another tablet marked her at -7 minutes. Each counts when it was
    made, measured by its own tablet's clock: the last one made (-4) wins."""
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    aino = place_["aino"]
    now = datetime.now(UTC)
    other = mark(session, aino, "present", marked_at=(now - timedelta(minutes=7)).isoformat())
    await client.post("/api/v1/attendance", json=batch(other, sent_at=now))
    behind = datetime.now(UTC) - timedelta(hours=2)
    first = mark(session, aino, "late", marked_at=(behind - timedelta(minutes=10)).isoformat())
    last = mark(session, aino, "left_early", marked_at=(behind - timedelta(minutes=4)).isoformat())
    await client.post("/api/v1/attendance", json=batch(last, first, sent_at=behind))
    assert await current_status(client, session, aino) == "left_early"
    rows = {r["client_uuid"]: r for r in await AttendanceMark.select()}
    assert rows[first["uuid"]]["marked_at"] < rows[other["uuid"]]["marked_at"]
    assert rows[other["uuid"]]["marked_at"] < rows[last["uuid"]]["marked_at"]


@pytest.mark.parametrize("sent", [True, False], ids=["with sent_at", "without sent_at"])
async def test_a_mark_dated_1970_does_not_get_round_the_limit_of_days(client, place_, sent):
    await api_login(client, place_["staff"].email)
    day = TODAY - timedelta(days=9)
    old = await session_on(day, place_["slots"][day.weekday()])
    today = await today_session(place_)
    in_1970 = datetime(1970, 1, 1, 12, 0, tzinfo=UTC)
    sent_at = datetime.now(UTC) if sent else None
    refused = mark(old, place_["aino"], marked_at=in_1970.isoformat())
    answer = await client.post("/api/v1/attendance", json=batch(refused, sent_at=sent_at))
    assert answer.status_code == 403
    assert answer.json()["results"][0]["field"] == "marks[0].session_id"
    # For today's session it is stored, dated when it was received.
    kept = mark(today, place_["aino"], marked_at=in_1970.isoformat())
    answer = await client.post("/api/v1/attendance", json=batch(kept, sent_at=sent_at))
    assert answer.json()["results"][0]["result"] == "stored"
    row = await AttendanceMark.select().first()
    assert row["marked_at"] == row["received_at"]
