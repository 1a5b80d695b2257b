"""Translations: language choice, and catalogues that cover every string of the source.

The completeness checks run over every catalogue under `locales/`: a message the source
has and a catalogue lacks, leaves empty or marks fuzzy; a placeholder that differs from
the source; missing plural forms; a language Tupa offers with no catalogue; and text in a
template that is not marked for translation.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from service.i18n import (
    LOCALES_DIR,
    gettext,
    negotiate_language,
    ngettext,
    npgettext,
    pgettext,
    use_language,
)
from service.paths import TEMPLATES_DIR
from service.settings import BASE_DIR, LANGUAGES

KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
CATALOGUES = sorted(LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))
#: `%(name)s`, `%(num)d`, `%%` is not one; `{count}` for the strings the browser fills in.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdif]|\{[a-z_]+\}")


def test_negotiation_order():
    pick = negotiate_language
    assert pick(saved="fi", chosen="en", accept_language="en", default="en") == "fi"
    assert pick(saved="", chosen="fi", accept_language="en", default="en") == "fi"
    assert (
        pick(saved=None, chosen=None, accept_language="de, fi;q=0.8, en;q=0.5", default="en")
        == "fi"
    )
    assert pick(saved=None, chosen=None, accept_language="da-DK, en", default="en") == "da"
    assert pick(saved=None, chosen="xx", accept_language="de-AT", default="fi") == "fi"
    assert pick(saved=None, chosen=None, accept_language="en-GB;q=x", default="fi") == "en"


def test_a_provider_offers_only_its_languages():
    offered = ("fi", "sv")
    assert negotiate_language(
        saved="ru", chosen="da", accept_language="lv, sv;q=0.5", default="fi", offered=offered
    ) == ("sv")
    assert (
        negotiate_language(
            saved=None, chosen=None, accept_language="en", default="fi", offered=offered
        )
        == "fi"
    )


def test_gettext_follows_the_language_of_the_request():
    with use_language("fi"):
        assert gettext("Sign in") == "Kirjaudu sisään"
        assert "3" in ngettext("%(num)s event", "%(num)s events", 3)
    with use_language("en"):
        assert gettext("Sign in") == "Sign in"
        assert gettext("Use at least %(n)s characters.", n=8) == "Use at least 8 characters."


def test_a_context_tells_the_two_meanings_of_one_english_word_apart():
    with use_language("en"):
        assert pgettext("account", "Active") == pgettext("participant", "Active") == "Active"
    with use_language("fi"):
        assert pgettext("account", "Active") != pgettext("participant", "Active")
        assert npgettext("x", "%(num)s place", "%(num)s places", 2) == "2 places"  # untranslated


def source_messages() -> dict[tuple[str | None, str], tuple[str, ...]]:
    """Every message of the source: (context, id) -> its singular and plural text."""
    method_map = [("service/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found: dict[tuple[str | None, str], tuple[str, ...]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        str(BASE_DIR), method_map, options, keywords=KEYWORDS
    ):
        texts = (message,) if isinstance(message, str) else tuple(message)
        found[(context, texts[0])] = texts
    return found


def load(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parent.parent.name)


def translated(message: Message) -> bool:
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(forms) and not message.fuzzy


def key(message: Message) -> tuple[str | None, str]:
    return (message.context, message.id if isinstance(message.id, str) else message.id[0])


@pytest.fixture(scope="module")
def in_source() -> dict[tuple[str | None, str], tuple[str, ...]]:
    found = source_messages()
    assert len(found) > 50  # the extraction itself works
    assert (("account", "Active")) in found  # and sees contexts
    return found


def test_there_are_catalogues():
    assert {path.parent.parent.name for path in CATALOGUES} >= {"fi"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_every_string_of_the_source_is_translated(path: Path, in_source):
    catalog = load(path)
    done = {key(m) for m in catalog if m.id and translated(m)}
    missing = [
        f"{context}|{text}" if context else text
        for context, text in sorted(in_source, key=str)
        if (context, text) not in done
    ]
    assert missing == [], f"{path}: run `make messages` and translate: " + "; ".join(missing)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_no_message_is_fuzzy(path: Path):
    fuzzy = [m.id for m in load(path) if m.id and m.fuzzy]
    assert fuzzy == [], f"{path}: check and unmark these fuzzy messages: {fuzzy}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_placeholders_are_those_of_the_source(path: Path):
    wrong = []
    for message in load(path):
        if not message.id or not translated(message):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        source = {p for text in ids for p in PLACEHOLDER.findall(text)}
        # A plural form may leave out the number (Russian "одно" for 1) but every
        # placeholder it has must be the source's, and together they keep them all.
        used = [set(PLACEHOLDER.findall(form)) for form in forms]
        if any(not form_used <= source for form_used in used) or set().union(*used) != source:
            wrong.append(f"{ids[0]!r}: {sorted(source)} vs {[sorted(u) for u in used]}")
    assert wrong == [], f"{path}: " + "; ".join(wrong)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_plural_forms_are_the_languages_own(path: Path):
    """Latvian and Russian have three forms, Finnish and Danish two; each plural message
    gives them all."""
    catalog = load(path)
    expected = get_plural(Locale.parse(path.parent.parent.name))
    assert catalog.num_plurals == expected.num_plurals, f"{path}: Plural-Forms header"
    assert catalog.plural_expr.replace(" ", "") == expected.plural_expr.replace(" ", "")
    short = [
        m.id[0]
        for m in catalog
        if isinstance(m.id, tuple)
        and m.string
        and any(m.string)
        and (len(m.string) != expected.num_plurals or not all(m.string))
    ]
    assert short == [], f"{path}: plural messages without all {expected.num_plurals} forms"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # Russian: one (1, 21), few (2), many (0, 5).
        ("ru", ["0 событий", "1 событие", "2 события", "5 событий", "21 событие"]),
        # Latvian: zero (0, and 10-20, 30...) in the genitive, one (1, 21), other (2, 5).
        ("lv", ["0 notikumu", "1 notikums", "2 notikumi", "5 notikumi", "21 notikums"]),
    ],
)
def test_three_plural_forms_in_latvian_and_russian(language: str, expected: list[str]):
    with use_language(language):
        said = [ngettext("%(num)s event", "%(num)s events", n) for n in (0, 1, 2, 5, 21)]
    assert said == expected


@pytest.mark.parametrize("code", [code for code in LANGUAGES if code != "en"])
def test_each_language_tupa_offers_has_a_catalogue(code: str):
    """English is the source; every other language needs its catalogue (the translators'
    branches add sv, da, lv and ru)."""
    assert (LOCALES_DIR / code / "LC_MESSAGES" / "messages.po").exists(), code


# --- templates: no text left unmarked ------------------------------------------------------

JINJA_OUTPUT = re.compile(r"\{\{.*?\}\}", re.DOTALL)
JINJA_STATEMENT = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
#: Attributes that people read (or hear from a screen reader).
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description"}
#: Text that stays as it is in every language, each with the reason.
BARE_TEXT_ALLOWED = {
    "Tupa",  # the product's name (the brand, page titles "... · Tupa")
    "ABCD-EFGH-JKLM",  # the login card code's shape, shown as its placeholder
    "user.",  # the audit log's filter: an action's prefix, as the log writes actions
}
LETTERS = re.compile(r"[^\W\d_]{2,}")
#: Attributes that a macro writes as text (`aria-invalid="true" aria-describedby="...`).
ATTRIBUTE_TEXT = re.compile(r'[\w-]*="[^"]*"?|[\w-]+"')


class _BareText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._check(data)

    def _check(self, text: str) -> None:
        for piece in text.split("\x00"):
            piece = piece.strip()
            rest = " ".join(
                word
                for word in ATTRIBUTE_TEXT.sub(" ", piece).split()
                if word not in BARE_TEXT_ALLOWED
            )
            if LETTERS.search(rest):
                self.found.append(piece)


def bare_text(template: str) -> list[str]:
    """Text between tags, and in the attributes people read, that no `_()` covers."""
    parser = _BareText()
    # Statements become nothing (they may sit inside a tag, around attributes); what
    # `{{ }}` prints splits the text around it.
    parser.feed(JINJA_OUTPUT.sub("\x00", JINJA_STATEMENT.sub(" ", template)))
    parser.close()
    return parser.found


def test_the_bare_text_finder_finds_bare_text():
    assert bare_text('<p>{{ _("Hello") }}</p><p>Hello there</p>') == ["Hello there"]
    assert bare_text('<input placeholder="Search" title="{{ _("x") }}">') == ["Search"]
    assert bare_text("<script>let a = 'b';</script><p>{{ x }} · 12:00</p>") == []
    assert (
        bare_text('{% if e %}aria-invalid="true" aria-describedby="{{ n }}-error"{% endif %}') == []
    )


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES_DIR.rglob("*.html")), ids=lambda p: str(p.name)
)
def test_templates_mark_every_text_for_translation(template: Path):
    assert bare_text(template.read_text()) == [], f"{template}: mark these with _()"


# --- Python: the messages people read go through gettext ----------------------------------

#: Calls whose message people read, and the position of that message.
READ_MESSAGES = {
    "InvalidInput": 1,
    "NotFound": 0,
    "Conflict": 0,
    "Forbidden": 0,
    "RuleBroken": 0,
    "DomainError": 0,
    "flash": 1,
}


def unmarked_messages(source: str) -> list[str]:
    """Messages given to an error or a flash as a bare string (or f-string), not `_()`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        position = READ_MESSAGES.get(name or "")
        if position is None or len(node.args) <= position:
            continue
        message = node.args[position]
        if isinstance(message, ast.JoinedStr) or (
            isinstance(message, ast.Constant) and isinstance(message.value, str) and message.value
        ):
            found.append(f"line {node.lineno}: {ast.unparse(message)[:60]}")
    return found


def test_the_python_finder_finds_bare_messages():
    assert unmarked_messages('raise NotFound("No such thing.")') == ["line 1: 'No such thing.'"]
    assert unmarked_messages('raise InvalidInput("name", _("Too long."))') == []
    assert unmarked_messages('flash(request, f"Saved {n}.")') != []


@pytest.mark.parametrize(
    "module",
    sorted((BASE_DIR / "service").rglob("*.py")),
    ids=lambda p: str(p.relative_to(BASE_DIR)),
)
def test_python_messages_for_people_are_marked_for_translation(module: Path):
    assert unmarked_messages(module.read_text()) == [], f"{module}: wrap these in _()"
