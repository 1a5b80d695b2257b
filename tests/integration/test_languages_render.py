"""Each language reads Tupa with no English left: sign-in, the dashboard, the planner,
a participant's week, the tablet roster and a feed of the Finnish demo, compared with
the English source strings."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from service.app import create_app
from service.auth.tables import Role
from service.demo.loader import load_demo
from service.i18n import translations
from service.people.schemas import ParticipantIn
from service.people.services import link_account, save_participant
from service.schedule.services import generate_sessions
from service.schedule.tables import Session
from service.settings import Settings
from tests.conftest import make_client, running
from tests.helpers import api_login, make_user, post_form
from tests.schedule_helpers import ACTOR
from tests.unit.test_i18n import source_messages

LANGUAGES = ("fi", "sv", "da", "lv", "ru")
PASSWORD = "tupa-demo"


class _Text(HTMLParser):
    """The text a reader sees: text between tags, outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "template"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.pieces.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.pieces


def english_left(pieces: list[str], language: str, english: set[str]) -> list[str]:
    """The pieces that are an English source string the language says otherwise."""
    catalogue = translations(language)
    return sorted(
        {piece for piece in pieces if piece in english and catalogue.gettext(piece) != piece}
    )


@pytest.fixture(scope="module")
def english() -> set[str]:
    """The English source strings without placeholders (those are whole on a page)."""
    return {text for (_context, text), _texts in source_messages().items() if "%(" not in text}


async def page_as(client, email: str | None, path: str, language: str) -> str:
    client.cookies.clear()
    if email:
        assert (await api_login(client, email, PASSWORD)).status_code == 200
    response = await client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, (path, response.status_code)
    return response.text


async def test_each_language_leaves_no_english_on_the_main_pages(client, db, english):
    await load_demo(PASSWORD)
    await generate_sessions()
    session = await Session.select(Session.id).order_by(Session.starts_at).first()
    assert session is not None
    # The check finds English where there is English: the English planner, read as Danish.
    planner_in_english = await page_as(client, "coordinator@demo.tupa", "/planner", "en")
    assert len(english_left(visible_text(planner_in_english), "da", english)) > 10
    left: dict[str, dict[str, list[str]]] = {}
    for language in LANGUAGES:
        pages = {
            "sign-in": await page_as(client, None, "/login", language),
            "dashboard": await page_as(client, "coordinator@demo.tupa", "/dashboard", language),
            "planner": await page_as(client, "coordinator@demo.tupa", "/planner", language),
            "roster": await page_as(
                client, "coordinator@demo.tupa", f"/attendance/{session['id']}", language
            ),
            # participant1 has no language in the profile: the browser's is used.
            "my week": await page_as(client, "participant1@demo.tupa", "/me", language),
        }
        for name, html in pages.items():
            assert f'<html lang="{language}">' in html, (language, name)
            if found := english_left(visible_text(html), language, english):
                left.setdefault(language, {})[name] = found
        feed = await _site_feed(client, language)
        lines = [line.split(":", 1)[1] for line in feed.splitlines() if ":" in line]
        if found := english_left(lines, language, english):
            left.setdefault(language, {})["feed"] = found
    assert left == {}


async def _site_feed(client, language: str) -> str:
    client.cookies.clear()
    await api_login(client, "coordinator@demo.tupa", PASSWORD)
    # One site's feed per language (a calendar has one feed).
    site_id = (await client.get("/api/v1/sites")).json()[LANGUAGES.index(language)]["id"]
    created = await client.post(
        "/api/v1/feeds", json={"kind": "site", "owner_id": site_id, "language": language}
    )
    assert created.status_code == 201, created.text
    served = await client.get(created.json()["path"])
    assert served.status_code == 200
    return served.text


async def test_a_participant_reads_the_language_of_their_profile_until_they_switch(client, db):
    account = await make_user(Role.participant, "olga@example.org", display_name="Olga")
    record = await save_participant(
        ACTOR, ParticipantIn(display_name="Olga P.", preferred_language="ru")
    )
    await link_account(ACTOR, record.id, account.id)
    await api_login(client, account.email)
    english_browser = {"Accept-Language": "en"}
    assert '<html lang="ru">' in (await client.get("/me", headers=english_browser)).text
    switched = await post_form(client, "/language", {"language": "lv", "next": "/me"})
    assert switched.status_code < 400  # (the client follows the redirect)
    assert '<html lang="lv">' in (await client.get("/me", headers=english_browser)).text


async def test_the_switcher_offers_only_the_provider_languages(db, tmp_path):
    settings = Settings.from_env(
        {"TUPA_DATA_DIR": str(tmp_path), "TUPA_LANGUAGES": "lv,ru", "DATABASE_URL": db.url}
    )
    app = create_app(settings)
    async with running(app), make_client(app) as client:
        login = await client.get("/login", headers={"Accept-Language": "fi, en"})
        assert '<html lang="lv">' in login.text  # the first offered: neither fi nor en is
        assert 'value="ru"' in login.text and 'value="fi"' not in login.text
        refused = await post_form(client, "/language", {"language": "fi", "next": "/login"})
        assert refused.status_code in {400, 422}
