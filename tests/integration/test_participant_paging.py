"""The participants' list API pages with a keyset: paging through 5,000 participants
returns each exactly once, even while participants are added between the pages."""

from __future__ import annotations

import re

from service.auth.tables import Role
from service.people.tables import Participant
from tests.helpers import api_login, make_user

PEOPLE = 5000


async def add_people(names: list[str]) -> None:
    rows = [Participant(display_name=name) for name in names]
    for start in range(0, len(rows), 500):
        await Participant.insert(*rows[start : start + 500])


def next_link(answer) -> str | None:
    found = re.match(r'<([^>]+)>; rel="next"', answer.headers.get("link", ""))
    return found[1] if found else None


async def test_paging_returns_each_participant_once_while_rows_are_added(client, db):
    await add_people([f"Person {n:05d}" for n in range(PEOPLE)])
    original = {row["id"] for row in await Participant.select(Participant.id)}
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    assert (await api_login(client, coordinator.email)).status_code == 200

    seen: list[int] = []
    url: str | None = "/api/v1/participants?limit=450&sort=name"
    pages = 0
    while url is not None:
        answer = await client.get(url)
        assert answer.status_code == 200, answer.text
        if pages == 0:
            assert answer.headers["x-total-count"] == str(PEOPLE)
        seen += [item["id"] for item in answer.json()]
        pages += 1
        # Meanwhile others add people sorting before, among and after those seen.
        await add_people([f"Person {pages * 400:05d}a", "Aaron Alku", f"Zz {pages}"])
        url = next_link(answer)
    assert len(seen) == len(set(seen)), "a participant came twice"
    assert original <= set(seen), "a participant was left out"
    assert pages == 12


async def test_paging_by_id_and_its_bounds(client, db):
    await add_people([f"Person {n}" for n in range(30)])
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    first = await client.get("/api/v1/participants?limit=20&sort=id")
    ids = [item["id"] for item in first.json()]
    assert ids == sorted(ids) and len(ids) == 20
    second = await client.get(next_link(first))
    assert second.json()[0]["id"] > ids[-1]
    assert next_link(second) is None
    for query, field in (("limit=501", "limit"), ("sort=contact", "sort"), ("after=0", "after")):
        refused = await client.get(f"/api/v1/participants?{query}")
        assert refused.status_code in (400, 422), query
        assert field in refused.text


async def test_the_participants_page_pages_and_searches(client, db):
    await add_people([f"Person {n:03d}" for n in range(130)] + ["Aino Aalto"])
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    first = await client.get("/participants")
    assert "131 participants" in first.text
    assert "Aino Aalto" in first.text and "Person 098" in first.text
    assert "Person 099" not in first.text
    following = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert following
    second = await client.get(following[1].replace("&amp;", "&"))
    assert "Person 099" in second.text and "Person 129" in second.text
    assert "Aino Aalto" not in second.text and 'rel="next"' not in second.text
    found = await client.get("/participants?q=aalto")
    assert "1 participant" in found.text and "Person 000" not in found.text
