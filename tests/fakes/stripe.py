"""A fake Stripe API on 127.0.0.1: Checkout Sessions, Payment Links, signed events.

It parses the SDK's form-encoded requests (`line_items[0][quantity]=1`)
and signs events as Stripe does: `Stripe-Signature: t=...,v1=...` with an
HMAC-SHA256 of `"{t}.{body}"`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


def parse_form(body: str) -> dict[str, Any]:
    """Turn `a[b][0][c]=1` form fields back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            following = parts[index + 1] if not last else None
            container: Any = [] if following is not None and following.isdigit() else {}
            if isinstance(node, list):
                position = int(part)
                while len(node) <= position:
                    node.append({} if following is not None else None)
                if last:
                    node[position] = value
                else:
                    if not node[position]:
                        node[position] = container
                    node = node[position]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, container)
    return root


class FakeStripe:
    """State of the fake: created sessions and payment links."""

    def __init__(self) -> None:
        self.sessions: list[dict[str, Any]] = []
        self.idempotency_keys: list[str | None] = []
        self.payment_links: list[dict[str, Any]] = []
        self.base_url = ""

    def event(
        self,
        kind: str,
        data: dict[str, Any],
        secret: str,
        *,
        timestamp: int | None = None,
        event_id: str | None = None,
    ) -> tuple[bytes, str]:
        """Return (body, Stripe-Signature header) of a signed event."""
        body = json.dumps(
            {
                "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
                "object": "event",
                "type": kind,
                "api_version": "2025-01-27",
                "created": int(time.time()),
                "data": {"object": data},
            }
        ).encode()
        stamp = timestamp if timestamp is not None else int(time.time())
        signed = f"{stamp}.{body.decode()}".encode()
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        return body, f"t={stamp},v1={digest}"


def _handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_{uuid.uuid4().hex[:12]}")
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_form(self.rfile.read(length).decode())
            if not self.headers.get("Authorization", "").startswith("Bearer sk_"):
                self._send(401, {"error": {"message": "Invalid API Key provided"}})
                return
            if self.path == "/v1/checkout/sessions":
                self._send(200, self._session(form))
            elif self.path == "/v1/payment_links":
                link_id = f"plink_{len(fake.payment_links) + 1}"
                link = {"id": link_id, "object": "payment_link", "active": True}
                link["url"] = f"{fake.base_url}/pay/{link_id}"
                fake.payment_links.append({**form, **link})
                self._send(200, link)
            else:
                self._send(404, {"error": {"message": "Unrecognized request URL"}})

        def _session(self, form: dict[str, Any]) -> dict[str, Any]:
            fake.idempotency_keys.append(self.headers.get("Idempotency-Key"))
            session_id = f"cs_test_{len(fake.sessions) + 1}"
            items = form.get("line_items", [])
            total = sum(
                int(item["price_data"]["unit_amount"]) * int(item["quantity"])
                for item in items
            )
            session = {
                "id": session_id,
                "object": "checkout.session",
                "url": f"{fake.base_url}/c/pay/{session_id}",
                "amount_total": total,
                "currency": items[0]["price_data"]["currency"] if items else "usd",
                "client_reference_id": form.get("client_reference_id"),
                "metadata": form.get("metadata", {}),
                "expires_at": int(form["expires_at"]),
                "payment_status": "unpaid",
                "status": "open",
                "mode": form.get("mode"),
                "payment_intent": None,
                "created": int(time.time()),
            }
            fake.sessions.append({**session, "request": form})
            return session

    return Handler


@contextmanager
def serve_stripe() -> Iterator[FakeStripe]:
    """Run the fake on a free port of 127.0.0.1 for the duration of the block."""
    fake = FakeStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
