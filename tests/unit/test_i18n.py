"""Translations: language choice, and a Finnish catalogue that covers every string."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from service.i18n import LOCALES_DIR, gettext, negotiate_language, ngettext, use_language
from service.settings import BASE_DIR, LANGUAGES


def test_negotiation_order():
    pick = negotiate_language
    assert pick(saved="fi", chosen="en", accept_language="en", default="en") == "fi"
    assert pick(saved="", chosen="fi", accept_language="en", default="en") == "fi"
    assert (
        pick(saved=None, chosen=None, accept_language="da, fi;q=0.8, en;q=0.5", default="en")
        == "fi"
    )
    assert pick(saved=None, chosen="xx", accept_language="sv-FI", default="fi") == "fi"
    assert pick(saved=None, chosen=None, accept_language="en-GB;q=x", default="fi") == "en"


def test_gettext_follows_the_language_of_the_request():
    with use_language("fi"):
        assert gettext("Sign in") == "Kirjaudu sisään"
        assert "3" in ngettext("%(num)s event", "%(num)s events", 3)
    with use_language("en"):
        assert gettext("Sign in") == "Sign in"
        assert gettext("Use at least %(n)s characters.", n=8) == "Use at least 8 characters."


def source_messages() -> set[str]:
    method_map = [("service/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(BASE_DIR),
        method_map,
        options,
        keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_in_the_source_has_a_finnish_translation():
    with (LOCALES_DIR / "fi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="fi")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string) and not m.fuzzy
    }
    in_source = source_messages()
    assert len(in_source) > 50  # the extraction itself works
    missing = sorted(in_source - translated)
    assert missing == [], "run `make messages` and translate: " + "; ".join(missing)


def test_each_language_has_a_catalogue_or_is_english():
    for code in LANGUAGES:
        assert code == "en" or (LOCALES_DIR / code / "LC_MESSAGES" / "messages.po").exists()
