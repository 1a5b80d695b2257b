"""A queued notification as the words its recipient reads, in their language: a
subject, a plain-text body and an HTML body, from the Jinja templates in
`templates/notifications/messages/` (`<kind>.txt` and `<kind>.html`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, time
from functools import cache
from typing import Any

from babel.dates import format_date, format_time, get_day_names
from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.i18n import _, current_language, ngettext, translations, use_language
from service.paths import TEMPLATES_DIR


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    unsubscribe_url: str
    short: str = ""


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR / "notifications" / "messages"),
        autoescape=select_autoescape(["html"], default_for_string=False),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: translations(current_language()).gettext(message),
        lambda singular, plural, n: translations(current_language()).ngettext(singular, plural, n),
        newstyle=True,
    )
    env.globals["current_language"] = current_language
    env.filters["weekday_plural"] = lambda value: get_day_names("wide", locale=current_language())[
        int(value)
    ]
    env.filters["day"] = lambda value: (
        format_date(date.fromisoformat(value), format="full", locale=current_language())
        if value
        else ""
    )
    env.filters["clock"] = lambda value: (
        format_time(time.fromisoformat(value), format="short", locale=current_language())
        if value
        else ""
    )
    return env


def subject_for(kind: str, payload: dict[str, Any]) -> str:
    """The subject line of a message of `kind`, in the current language."""
    title = str(payload.get("title", ""))
    day = _environment().filters["day"](payload.get("date", ""))
    subjects = {
        "reminder": lambda: _("Reminder: %(title)s on %(day)s", title=title, day=day),
        "session_cancelled": lambda: _("Cancelled: %(title)s on %(day)s", title=title, day=day),
        "session_moved": lambda: _("New time: %(title)s", title=title),
        "reviews_due": lambda: ngettext(
            "%(num)s goal review due this week",
            "%(num)s goal reviews due this week",
            int(payload.get("count", 0)),
        ),
        "placement_new": lambda: _("A new place: %(title)s", title=title),
        "placement_ended": lambda: _("Your place ends: %(title)s", title=title),
        "absence": lambda: _(
            "%(name)s can't come to %(title)s", name=payload.get("name", ""), title=title
        ),
    }
    return subjects[kind]() if kind in subjects else _("A message from Tupa")


def short_text(kind: str, payload: dict[str, Any], public_url: str) -> str:
    """A text message: the subject, the time and place, and the "I can't come" link."""
    parts = [subject_for(kind, payload)]
    if payload.get("start"):
        clock_ = _environment().filters["clock"]
        parts.append(f"{clock_(payload['start'])}-{clock_(payload.get('end', ''))}")
    if payload.get("place"):
        parts.append(str(payload["place"]))
    if kind in ("reminder", "session_moved") and payload.get("absence_path"):
        parts.append(_("I can't come: %(link)s", link=public_url + payload["absence_path"]))
    return ". ".join(parts)


def render(
    kind: str,
    language: str,
    payload: dict[str, Any],
    *,
    unsubscribe_url: str,
    public_url: str = "",
) -> Rendered:
    """The message in the recipient's `language`."""
    env = _environment()
    with use_language(language):
        context = {**payload, "unsubscribe_url": unsubscribe_url, "public_url": public_url}
        return Rendered(
            subject=subject_for(kind, payload),
            text=env.get_template(f"{kind}.txt").render(context).strip() + "\n",
            html=env.get_template(f"{kind}.html").render(context),
            unsubscribe_url=unsubscribe_url,
            short=short_text(kind, payload, public_url),
        )


# --- the signed unsubscribe link (RFC 8058), which works without signing in -------------


def unsubscribe_token(secret: str, holder: str, channel: str) -> str:
    """`holder` is `participant-7` or `user-3`: a token that turns off `channel` for them."""
    subject = f"{holder}:{channel}"
    return f"{_b64(subject.encode())}.{_b64(_signature(secret, subject))}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[str, str] | None:
    """(holder, channel) of a genuine token, else None."""
    encoded, _dot, signature = token.partition(".")
    try:
        subject = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(signature, _b64(_signature(secret, subject))):
        return None
    holder, _colon, channel = subject.rpartition(":")
    return (holder, channel) if holder else None


def _signature(secret: str, subject: str) -> bytes:
    digest = hmac.new(secret.encode(), f"unsubscribe:{subject}".encode(), hashlib.sha256)
    return digest.digest()[:16]  # 128 bits: a short link, still unguessable


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
