"""The channels messages leave by, each behind one small interface: `Sender.send`
takes one message and answers whether it was delivered, and if not, whether trying
again could help. With no settings every channel writes to the outbox log (the rows
themselves, read at /admin/outbox, and the `tupa.outbox` logger)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid, parseaddr
from typing import Protocol
from urllib.parse import urlsplit

import aiosmtplib
import httpx

from service.settings import Settings

log = logging.getLogger("tupa.outbox")

#: A long header (the unsubscribe link) stays one plain line: folded, mail clients would
#: get an encoded word instead of a URL.
HEADERS_UNFOLDED = SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class Outgoing:
    dedup_key: str
    address: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str
    #: The words of a text message: short, with the one link that matters.
    short: str = ""


@dataclass(frozen=True)
class Answer:
    delivered: bool
    detail: str
    #: Refused for good: no retry.
    permanent: bool = False
    #: The address itself was refused (unknown mailbox, invalid number): it is failing.
    bad_address: bool = False


class Sender(Protocol):
    name: str

    async def send(self, message: Outgoing) -> Answer: ...


class LogSender:
    """Delivers to the outbox log: what would have been sent stays readable in the
    outbox row, and one line goes to the `tupa.outbox` logger."""

    def __init__(self, channel: str) -> None:
        self.name = f"log-{channel}"

    async def send(self, message: Outgoing) -> Answer:
        log.info("outbox: %s to %s: %s", message.dedup_key, message.address, message.subject)
        return Answer(True, "kept in the outbox log (no provider configured)")


class SmtpSender:
    """Email over SMTP (STARTTLS and login when the settings ask for them)."""

    name = "smtp"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Named here: without a domain, make_msgid asks the resolver (blocking) each time.
        self.domain = urlsplit(settings.public_url).hostname or "localhost"

    def message(self, outgoing: Outgoing) -> EmailMessage:
        message = EmailMessage(policy=HEADERS_UNFOLDED)
        message["From"] = self.settings.mail_from
        message["To"] = outgoing.address
        message["Subject"] = outgoing.subject
        # The same notification always carries the same id: a receiver can tell a repeat.
        message["Message-ID"] = make_msgid(
            idstring=outgoing.dedup_key.replace(":", "."), domain=self.domain
        )
        message["X-Tupa-Notification"] = outgoing.dedup_key
        if outgoing.unsubscribe_url:
            message["List-Unsubscribe"] = f"<{outgoing.unsubscribe_url}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(outgoing.text)
        message.add_alternative(outgoing.html, subtype="html")
        return message

    async def send(self, message: Outgoing) -> Answer:
        settings = self.settings
        try:
            # Flattened here: aiosmtplib would fold the long unsubscribe header.
            _errors, response = await aiosmtplib.send(
                self.message(message).as_bytes(policy=HEADERS_UNFOLDED),
                sender=parseaddr(settings.mail_from)[1],
                recipients=[message.address],
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username or None,
                password=settings.smtp_password or None,
                start_tls=settings.smtp_starttls,
                local_hostname=self.domain,
                timeout=settings.smtp_timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            refusals = "; ".join(f"{e.code} {e.message}" for e in error.recipients)
            permanent = all(e.code >= 500 for e in error.recipients)
            return Answer(
                False, f"refused: {refusals}"[:500], permanent=permanent, bad_address=permanent
            )
        except aiosmtplib.SMTPResponseException as error:
            return Answer(False, f"{error.code} {error.message}"[:500], permanent=error.code >= 500)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            return Answer(False, f"{type(error).__name__}: {error}"[:500])
        return Answer(True, f"accepted: {response}"[:500])


class TwilioSender:
    """SMS through Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`,
    form fields To, From, Body, HTTP basic auth). Twilio's error codes for a number that
    cannot receive (21211 invalid, 21614 not a mobile, 21610 unsubscribed) fail the
    address; 429, 5xx, timeouts and lost connections are tried again later."""

    name = "twilio"
    BAD_NUMBER = frozenset({21211, 21214, 21610, 21612, 21614})

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: Outgoing) -> Answer:
        settings = self.settings
        url = (
            f"{settings.sms_api_url}/2010-04-01/Accounts/"
            f"{settings.twilio_account_sid}/Messages.json"
        )
        try:
            async with httpx.AsyncClient(timeout=settings.sms_timeout) as client:
                response = await client.post(
                    url,
                    data={"To": message.address, "From": settings.sms_from, "Body": message.short},
                    auth=(settings.twilio_account_sid, settings.twilio_auth_token),
                )
        except httpx.HTTPError as error:
            return Answer(False, f"{type(error).__name__}: {error}"[:500])
        return self.answer(response)

    def answer(self, response: httpx.Response) -> Answer:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if response.status_code in (200, 201):
            return Answer(True, f"accepted: {body.get('sid', '')} {body.get('status', '')}")
        detail = f"{response.status_code} {body.get('code', '')} {body.get('message', '')}"
        if response.status_code == 429 or response.status_code >= 500:
            return Answer(False, detail[:500])
        bad_number = body.get("code") in self.BAD_NUMBER
        return Answer(False, detail[:500], permanent=True, bad_address=bad_number)


@dataclass(frozen=True)
class Senders:
    email: Sender
    sms: Sender

    def for_channel(self, channel: str) -> Sender:
        return self.email if channel == "email" else self.sms


def senders_from(settings: Settings) -> Senders:
    email: Sender = SmtpSender(settings) if settings.smtp_host else LogSender("email")
    sms: Sender = TwilioSender(settings) if settings.sms_provider == "twilio" else LogSender("sms")
    return Senders(email=email, sms=sms)
