"""A fake Twilio REST API on 127.0.0.1: messages, media and Content approvals.

It serves both of Twilio's hosts (the REST API and the Content API) on one
port, so COBRANZA_TWILIO_BASE_URL and COBRANZA_TWILIO_CONTENT_BASE_URL can
both point at it, or at two instances.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

ACCOUNT_SID = "ACtest0000000000000000000000000000"
AUTH_TOKEN = "test-twilio-auth-token"
APPROVALS_PATH = re.compile(r"/v1/Content/(HX[0-9a-fA-F]{32})/ApprovalRequests")


@dataclass
class TwilioState:
    messages: list[dict[str, str]] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    # Paths of every media download, in order.
    media_requests: list[str] = field(default_factory=list)
    # Error bodies returned for the next media downloads: (HTTP status, code).
    media_errors: list[tuple[int, int]] = field(default_factory=list)
    # Error bodies returned for the next creates: (HTTP status, code).
    next_errors: list[tuple[int, int]] = field(default_factory=list)
    # Recipients whose window is closed: a Body send gets 63016.
    closed_windows: set[str] = field(default_factory=set)
    # The `whatsapp` approval object of each Content SID; others get 404.
    approvals: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Content SIDs of every approval request, in order.
    approval_requests: list[str] = field(default_factory=list)
    # Raw 200 bodies that replace the approval resource of a Content SID.
    approval_bodies: dict[str, bytes] = field(default_factory=dict)
    # While set, (HTTP status, Twilio code) of every approval response.
    approval_outage: tuple[int, int] | None = None


def whatsapp_approval(
    status: str, name: str = "cobranza_reminder", rejection_reason: str = ""
) -> dict[str, Any]:
    """Build the `whatsapp` object of an ApprovalRequests body, as Twilio writes it."""
    return {
        "type": "whatsapp",
        "name": name,
        "category": "UTILITY",
        "content_type": "twilio/text",
        "status": status,
        "rejection_reason": rejection_reason,
        "allow_category_change": True,
        "flows": None,
    }


class FakeTwilio:
    def __init__(self) -> None:
        self.state = TwilioState()
        self._ids = itertools.count(1)
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeTwilio:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTwilio
    protocol_version = "HTTP/1.1"
    # One buffered write per response and no Nagle delay, so keep-alive
    # requests are not held back by delayed ACKs (about 40 ms each).
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def _authorised(self) -> bool:
        expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if self.headers.get("Authorization") == f"Basic {expected}":
            return True
        self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        return False

    def do_POST(self) -> None:  # noqa: N802
        if not self._authorised():
            return
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        path = urlsplit(self.path).path
        if path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
            self._json(404, {"code": 20404, "message": "not found", "status": 404})
            return
        state = self.fake.state
        if state.next_errors:
            status, code = state.next_errors.pop(0)
            self._json(status, {"code": code, "message": "scripted", "status": status})
            return
        if "Body" in form and form["To"] in state.closed_windows:
            self._json(400, {"code": 63016, "message": "outside window", "status": 400})
            return
        sid = f"SM{next(self.fake._ids):032d}"
        state.messages.append({**form, "sid": sid})
        self._json(201, {"sid": sid, "status": "queued", "to": form["To"]})

    def do_GET(self) -> None:  # noqa: N802
        if not self._authorised():
            return
        path = urlsplit(self.path).path
        approvals = APPROVALS_PATH.fullmatch(path)
        if approvals is not None:
            self._approval(approvals.group(1))
            return
        self.fake.state.media_requests.append(path)
        if self.fake.state.media_errors:
            status, code = self.fake.state.media_errors.pop(0)
            self._json(status, {"code": code, "message": "scripted", "status": status})
            return
        # A media resource: /2010-04-01/Accounts/{AC}/Messages/{SM}/Media/{ME}.
        parts = path.strip("/").split("/")
        media_path = (
            len(parts) == 7
            and parts[:3] == ["2010-04-01", "Accounts", ACCOUNT_SID]
            and parts[3] == "Messages"
            and parts[5] == "Media"
        )
        content = self.fake.state.media.get(parts[-1]) if media_path else None
        if content is None:
            self._json(404, {"code": 20404, "message": "not found", "status": 404})
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def _approval(self, content_sid: str) -> None:
        state = self.fake.state
        state.approval_requests.append(content_sid)
        if state.approval_outage is not None:
            status, code = state.approval_outage
            message = "Service Unavailable"
            self._json(status, {"code": code, "message": message, "status": status})
            return
        raw = state.approval_bodies.get(content_sid)
        if raw is not None:
            self._raw(200, raw)
            return
        url = f"https://content.twilio.com/v1/Content/{content_sid}/ApprovalRequests"
        whatsapp = state.approvals.get(content_sid)
        if whatsapp is None:
            message = f"The requested resource /v1/Content/{content_sid} was not found"
            self._json(404, {"code": 20404, "message": message, "status": 404})
            return
        body = {
            "sid": content_sid,
            "account_sid": ACCOUNT_SID,
            "url": url,
            "whatsapp": whatsapp,
        }
        self._json(200, body)

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._raw(status, json.dumps(body).encode())

    def _raw(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
