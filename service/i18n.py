"""Translations: gettext through Babel, with the locale chosen per request.

Catalogues are read from `locales/<lang>/LC_MESSAGES/messages.po` and compiled in
memory, so there is no build step and no compiled file in the repository.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from functools import cache
from gettext import NullTranslations

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from service.paths import LOCALES_DIR
from service.settings import LANGUAGES

_current_language: ContextVar[str] = ContextVar("tupa_language", default="en")


@cache
def translations(language: str) -> NullTranslations:
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def current_language() -> str:
    return _current_language.get()


@contextlib.contextmanager
def use_language(language: str) -> Iterator[None]:
    token = _current_language.set(language if language in LANGUAGES else "en")
    try:
        yield
    finally:
        _current_language.reset(token)


def adopt_language(language: str) -> None:
    """Set the language for the rest of this task (one request), without a scope."""
    _current_language.set(language if language in LANGUAGES else "en")


def gettext(message: str, **variables: object) -> str:
    text = translations(current_language()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_language()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def pgettext(context: str, message: str, **variables: object) -> str:
    """A message whose English word has more than one meaning; `context` tells which
    (`pgettext("account", "Active")` and `pgettext("participant", "Active")`)."""
    text = translations(current_language()).pgettext(context, message)
    return text % variables if variables else text


def npgettext(context: str, singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_language()).npgettext(context, singular, plural, n)
    return text % {"num": n, **variables}


_ = gettext


def negotiate_language(
    *,
    chosen: str | None,
    saved: str | None,
    accept_language: str | None,
    default: str,
    offered: Iterable[str] = LANGUAGES,
) -> str:
    """The first offered language of: the signed-in user's saved choice (a participant's
    preferred language from their profile), the language switch's cookie, the browser's
    Accept-Language, the configured default."""
    offered = tuple(offered)
    for candidate in (saved, chosen):
        if candidate in offered:
            return candidate
    if accept_language:
        for code in _accept_language_codes(accept_language):
            if code in offered:
                return code
    return default


def _accept_language_codes(header: str) -> list[str]:
    weighted: list[tuple[float, str]] = []
    for part in header.split(","):
        piece, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            with contextlib.suppress(ValueError):
                quality = float(params.strip()[2:])
        if piece:
            weighted.append((quality, piece.split("-")[0].lower()))
    return [code for _q, code in sorted(weighted, key=lambda item: -item[0])]
