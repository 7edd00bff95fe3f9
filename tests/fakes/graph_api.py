"""A fake WhatsApp Graph API on 127.0.0.1 that speaks the Cloud API wire format.

It serves the calls cobranza makes: send messages (template, text,
interactive), list and create message templates, media (GET media id → URL,
GET URL → bytes), with Graph-style error bodies. Above `max_per_second`
sends in a rolling second it returns error 130429, like a number's
throughput limit. Tests script errors per recipient or for the next sends,
errors or stalls for the next media id lookups, and can hold a media
download open.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "test-access-token"
PHONE_NUMBER_ID = "1122334455667"
WABA_ID = "102290129340398"


@dataclass
class ScriptedError:
    code: int
    details: str = "scripted error"
    http_status: int = 400


@dataclass
class GraphState:
    """What the fake stores and what the tests script."""

    max_per_second: float | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    templates: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    # Errors returned for the next sends, in order.
    next_errors: list[ScriptedError] = field(default_factory=list)
    # Errors returned for every send to one recipient ("to" value).
    recipient_errors: dict[str, ScriptedError] = field(default_factory=dict)
    # Recipients whose 24-hour window is closed: free-form sends get 131047.
    closed_windows: set[str] = field(default_factory=set)
    # wa_id that the send response reports for a "to" value.
    wa_ids: dict[str, str] = field(default_factory=dict)
    throughput_errors: int = 0
    send_times: deque[float] = field(default_factory=deque)
    # Monotonic time of every accepted send, for the throughput benchmark.
    send_times_all: list[float] = field(default_factory=list)
    # Seconds to wait before responding to a send, to test timeouts.
    send_delay: float = 0.0
    # Monotonic time and "to" value of every send request as it arrives,
    # before `send_delay` and any scripted error.
    send_starts: list[tuple[float, str]] = field(default_factory=list)
    # Paths of every media request (media id lookups and downloads), in order.
    media_requests: list[str] = field(default_factory=list)
    # sha256 that a media id lookup reports in place of the content's own.
    media_sha256: dict[str, str] = field(default_factory=dict)
    # Seconds that a download waits after its headers, with the body unsent.
    media_delay: float = 0.0
    # Runs in the server's thread once a download's headers are sent.
    on_media_download: Callable[[], None] | None = None
    # Errors returned for the next media id lookups, in order.
    media_errors: list[ScriptedError] = field(default_factory=list)
    # Media id lookups still to stall: each waits `media_stall_seconds`
    # before its response, so a client with a shorter timeout gives up.
    media_stalls: int = 0
    media_stall_seconds: float = 1.0


class FakeGraphAPI:
    """Run the fake in a thread: `with FakeGraphAPI() as graph: graph.base_url`."""

    def __init__(self, max_per_second: float | None = None) -> None:
        self.state = GraphState(max_per_second=max_per_second)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeGraphAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def add_media(self, media_id: str, content: bytes, mime_type: str) -> None:
        self.state.media[media_id] = (content, mime_type)

    def set_template_status(self, name: str, language: str, status: str) -> None:
        self.state.templates[(name, language)]["status"] = status

    def over_throughput(self) -> bool:
        """Count one send; True when it is above `max_per_second` this second."""
        limit = self.state.max_per_second
        if limit is None:
            return False
        with self._lock:
            now = time.monotonic()
            times = self.state.send_times
            while times and now - times[0] >= 1.0:
                times.popleft()
            if len(times) >= limit:
                self.state.throughput_errors += 1
                return True
            times.append(now)
            self.state.send_times_all.append(now)
            return False


def graph_error_body(code: int, details: str) -> dict[str, Any]:
    return {
        "error": {
            "message": f"(#{code}) fake error",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details},
            "fbtrace_id": "AfakeTrace",
        }
    }


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGraphAPI
    protocol_version = "HTTP/1.1"
    # One buffered write per response and no Nagle delay, so keep-alive
    # requests are not held back by delayed ACKs (about 40 ms each).
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            # A client that timed out during a stall closed the connection.
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802
        if not self._authorised():
            return
        url = urlsplit(self.path)
        parts = [part for part in url.path.split("/") if part]
        if parts[:1] == ["media"] and len(parts) == 2:
            self._media_bytes(parts[1])
        elif len(parts) == 3 and parts[2] == "message_templates":
            self._list_templates(parse_qs(url.query))
        elif len(parts) == 2:
            self._media_info(parts[1])
        else:
            self._json(404, graph_error_body(100, f"unknown path {url.path}"))

    def do_POST(self) -> None:  # noqa: N802
        if not self._authorised():
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if len(raw) < length:
            # The client went away mid-body, such as a process killed while
            # sending, so the request is dropped as Graph would drop it.
            return
        body = json.loads(raw or b"{}")
        parts = [part for part in urlsplit(self.path).path.split("/") if part]
        if len(parts) == 3 and parts[2] == "messages":
            self._send(body)
        elif len(parts) == 3 and parts[2] == "message_templates":
            self._create_template(body)
        else:
            self._json(404, graph_error_body(100, f"unknown path {self.path}"))

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {TOKEN}":
            return True
        self._json(401, graph_error_body(190, "invalid OAuth access token"))
        return False

    def _send(self, body: dict[str, Any]) -> None:
        state = self.fake.state
        to = str(body.get("to"))
        state.send_starts.append((time.monotonic(), to))
        if state.send_delay:
            time.sleep(state.send_delay)
        if self.fake.over_throughput():
            self._json(400, graph_error_body(130429, "throughput reached"))
            return
        scripted = state.next_errors.pop(0) if state.next_errors else None
        scripted = scripted or state.recipient_errors.get(to)
        if (
            scripted is None
            and body.get("type") != "template"
            and to in state.closed_windows
        ):
            scripted = ScriptedError(131047, "more than 24 hours since the last reply")
        if scripted is not None:
            self._json(
                scripted.http_status, graph_error_body(scripted.code, scripted.details)
            )
            return
        wamid = f"wamid.fake{self.fake.next_id()}"
        state.messages.append({**body, "id": wamid})
        self._json(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": state.wa_ids.get(to, to)}],
                "messages": [{"id": wamid}],
            },
        )

    def _create_template(self, body: dict[str, Any]) -> None:
        key = (body["name"], body["language"])
        if key in self.fake.state.templates:
            self._json(400, graph_error_body(100, "name already exists in language"))
            return
        template_id = str(9000 + self.fake.next_id())
        self.fake.state.templates[key] = {
            **body,
            "id": template_id,
            "status": "PENDING",
        }
        category = body.get("category")
        self._json(200, {"id": template_id, "status": "PENDING", "category": category})

    def _list_templates(self, query: dict[str, list[str]]) -> None:
        limit = int(query.get("limit", ["25"])[0])
        after = int(query.get("after", ["0"])[0])
        rows = list(self.fake.state.templates.values())
        page = rows[after : after + limit]
        data = [
            {
                "id": row["id"],
                "name": row["name"],
                "language": row["language"],
                "status": row["status"],
                "category": row["category"],
                "rejected_reason": row.get("rejected_reason", "NONE"),
            }
            for row in page
        ]
        paging: dict[str, Any] = {"cursors": {"before": str(after)}}
        if after + limit < len(rows):
            paging["cursors"]["after"] = str(after + limit)
            paging["next"] = f"{self.fake.base_url}/next"
        self._json(200, {"data": data, "paging": paging})

    def _media_info(self, media_id: str) -> None:
        state = self.fake.state
        state.media_requests.append(self.path)
        with self.fake._lock:
            stall = state.media_stalls > 0
            state.media_stalls -= int(stall)
            scripted = state.media_errors.pop(0) if state.media_errors else None
        if stall:
            time.sleep(state.media_stall_seconds)
        if scripted is not None:
            body = graph_error_body(scripted.code, scripted.details)
            self._json(scripted.http_status, body)
            return
        if media_id not in self.fake.state.media:
            self._json(404, graph_error_body(100, f"media {media_id} not found"))
            return
        content, mime_type = self.fake.state.media[media_id]
        self._json(
            200,
            {
                "messaging_product": "whatsapp",
                "url": f"{self.fake.base_url}/media/{media_id}",
                "mime_type": mime_type,
                "sha256": self.fake.state.media_sha256.get(
                    media_id, hashlib.sha256(content).hexdigest()
                ),
                "file_size": len(content),
                "id": media_id,
            },
        )

    def _media_bytes(self, media_id: str) -> None:
        state = self.fake.state
        state.media_requests.append(self.path)
        if media_id not in state.media:
            self._json(404, graph_error_body(100, "media expired"))
            return
        content, mime_type = state.media[media_id]
        self.send_response(200)
        self.send_header("Content-Type", mime_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.flush()
        if state.on_media_download is not None:
            state.on_media_download()
        time.sleep(state.media_delay)
        self.wfile.write(content)

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
