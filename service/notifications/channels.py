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

import aiosmtplib

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

    def message(self, outgoing: Outgoing) -> EmailMessage:
        message = EmailMessage(policy=HEADERS_UNFOLDED)
        message["From"] = self.settings.mail_from
        message["To"] = outgoing.address
        message["Subject"] = outgoing.subject
        # The same notification always carries the same id: a receiver can tell a repeat.
        message["Message-ID"] = make_msgid(idstring=outgoing.dedup_key.replace(":", "."))
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


@dataclass(frozen=True)
class Senders:
    email: Sender
    sms: Sender

    def for_channel(self, channel: str) -> Sender:
        return self.email if channel == "email" else self.sms


def senders_from(settings: Settings) -> Senders:
    email: Sender = SmtpSender(settings) if settings.smtp_host else LogSender("email")
    return Senders(email=email, sms=LogSender("sms"))
