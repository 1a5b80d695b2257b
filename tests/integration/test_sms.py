"""SMS through the Twilio adapter, against a local HTTP server playing Twilio: accepted,
a number Twilio refuses, Twilio failing, and Twilio answering too slowly."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from service import clock
from service.db import transaction
from service.notifications import services
from service.notifications.channels import senders_from
from service.notifications.schemas import Draft
from service.notifications.services import outbox
from service.notifications.tables import FailingAddress, Notification

SID, TOKEN = "AC0123456789", "secret-token"
OK, REFUSED, DOWN, SLOW = "+358401111111", "+358402222222", "+358403333333", "+358404444444"


class FakeTwilio(BaseHTTPRequestHandler):
    received: list[dict] = []
    release = threading.Event()

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        auth = base64.b64decode(self.headers["authorization"].split()[1]).decode()
        FakeTwilio.received.append({"path": self.path, "auth": auth, **form})
        to = form.get("To")
        if to == SLOW:
            FakeTwilio.release.wait(10)  # longer than the client waits
            self._answer(201, {"sid": "SMslow", "status": "queued"})
        elif to == REFUSED:
            self._answer(400, {"code": 21211, "message": "The 'To' number is not valid."})
        elif to == DOWN:
            self._answer(503, {"code": 20500, "message": "Internal Server Error"})
        else:
            self._answer(201, {"sid": f"SM{len(FakeTwilio.received)}", "status": "queued"})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def twilio():
    FakeTwilio.received = []
    FakeTwilio.release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    FakeTwilio.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def sms_settings(settings, twilio):
    return replace(
        settings,
        sms_provider="twilio",
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        sms_from="+358409999999",
        sms_api_url=twilio,
        sms_timeout=1,
    )


async def queue_sms(*numbers: str) -> None:
    payload = {
        "title": "Woodwork",
        "date": "2026-09-17",
        "start": "09:00",
        "end": "12:00",
        "place": "Pajatalo",
        "absence_path": "/me/sessions/1/absence",
    }
    async with transaction():
        await outbox.queue(
            Draft(
                dedup_key=f"reminder:test:{number}:sms",
                kind="reminder",
                channel="sms",
                address=number,
                language="en",
                due_at=clock.utcnow() - timedelta(seconds=1),
                payload=payload,
            )
            for number in numbers
        )


async def row(number: str) -> dict:
    found = await Notification.select().where(Notification.address == number).first()
    assert found is not None
    return found


async def test_twilio_accepts_refuses_fails_and_is_slow(db, sms_settings):
    await queue_sms(OK, REFUSED, DOWN, SLOW)
    # reminders check their session; these have none, so send them as plain notices
    await Notification.update({Notification.kind: "session_moved"}).where(Notification.id > 0)
    await services.deliver_due(sms_settings, senders_from(sms_settings))

    sent = next(r for r in FakeTwilio.received if r["To"] == OK)
    assert sent["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert sent["auth"] == f"{SID}:{TOKEN}" and sent["From"] == "+358409999999"
    assert "Woodwork" in sent["Body"] and "/me/sessions/1/absence" in sent["Body"]
    ok = await row(OK)
    assert ok["state"] == "sent" and ok["last_answer"].startswith("accepted: SM")

    refused = await row(REFUSED)
    assert refused["state"] == "failed" and "21211" in refused["last_answer"]
    assert await FailingAddress.exists().where(FailingAddress.address == REFUSED)

    for number in (DOWN, SLOW):  # passing troubles: tried again later, the number is fine
        again = await row(number)
        assert (again["state"], again["attempts"]) == ("queued", 1), again
        assert again["due_at"] > clock.utcnow()
        assert not await FailingAddress.exists().where(FailingAddress.address == number)
    assert "Timeout" in (await row(SLOW))["last_answer"]
