"""A fake Mercado Pago API on 127.0.0.1: preferences, payments, signed notifications.

It serves `POST /checkout/preferences` and `GET /v1/payments/{id}` over real
HTTP, so the SDK's own request code runs, and signs notifications the way
Mercado Pago does (`x-signature: ts=...,v1=...` over
`id:{data.id};request-id:{x-request-id};ts:{ts};`).
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


class FakeMercadoPago:
    """State of the fake: created preferences and the payments it reports."""

    def __init__(self) -> None:
        self.preferences: list[dict[str, Any]] = []
        self.preference_headers: list[dict[str, str]] = []
        self.payments: dict[str, dict[str, Any]] = {}
        self.payment_reads: list[str] = []
        self.base_url = ""

    def add_payment(
        self,
        payment_id: str,
        status: str,
        amount: float | int,
        currency: str,
        external_reference: str | None,
        status_detail: str = "accredited",
    ) -> None:
        """Set the payment that `GET /v1/payments/{payment_id}` returns."""
        self.payments[payment_id] = {
            "id": int(payment_id) if payment_id.isdigit() else payment_id,
            "status": status,
            "status_detail": status_detail,
            "transaction_amount": amount,
            "currency_id": currency,
            "external_reference": external_reference,
            "date_approved": "2026-03-10T12:00:00.000-03:00"
            if status == "approved"
            else None,
            "payment_method_id": "account_money",
        }

    def notification(
        self,
        payment_id: str,
        secret: str,
        *,
        request_id: str | None = None,
        ts: int | None = None,
        notification_id: int | None = None,
        action: str = "payment.updated",
    ) -> tuple[bytes, dict[str, str], dict[str, str]]:
        """Return (body, headers, query) of a signed payment notification."""
        body = json.dumps(
            {
                "id": notification_id or int(uuid.uuid4().int % 10**12),
                "live_mode": False,
                "type": "payment",
                "action": action,
                "api_version": "v1",
                "data": {"id": payment_id},
            }
        ).encode()
        request_id = request_id or str(uuid.uuid4())
        stamp = ts if ts is not None else int(time.time())
        manifest = f"id:{payment_id};request-id:{request_id};ts:{stamp};"
        digest = hmac.new(secret.encode(), manifest.encode(), hashlib.sha256)
        headers = {
            "x-signature": f"ts={stamp},v1={digest.hexdigest()}",
            "x-request-id": request_id,
            "content-type": "application/json",
        }
        return body, headers, {"data.id": payment_id, "type": "payment"}


def _handler(fake: FakeMercadoPago) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path != "/checkout/preferences":
                self._send(404, {"message": "not found"})
                return
            if not self.headers.get("Authorization", "").startswith("Bearer "):
                self._send(401, {"message": "invalid access token"})
                return
            fake.preferences.append(body)
            fake.preference_headers.append(dict(self.headers))
            preference_id = f"pref-{len(fake.preferences)}"
            self._send(
                201,
                {
                    **body,
                    "id": preference_id,
                    "init_point": f"{fake.base_url}/checkout/v1/redirect"
                    f"?pref_id={preference_id}",
                },
            )

        def do_GET(self) -> None:
            prefix = "/v1/payments/"
            if not self.path.startswith(prefix):
                self._send(404, {"message": "not found"})
                return
            payment_id = self.path[len(prefix) :]
            fake.payment_reads.append(payment_id)
            payment = fake.payments.get(payment_id)
            if payment is None:
                self._send(404, {"message": "Payment not found"})
                return
            self._send(200, payment)

    return Handler


@contextmanager
def serve_mercadopago() -> Iterator[FakeMercadoPago]:
    """Run the fake on a free port of 127.0.0.1 for the duration of the block."""
    fake = FakeMercadoPago()
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
