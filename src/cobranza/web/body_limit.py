"""A size limit on request bodies, checked before any route reads them.

FastAPI reads and parses a route's body (JSON into memory, a multipart file
part onto a temporary file) before it runs the route's dependencies. A
request without a session or token is rejected by `auth_gate` before its
body is read. So this limit bounds what a signed-in user or API client can
send, and what the public sign-in form and pay pages accept from anyone.

The webhooks are left to `bodies.read_body`, which applies their own limit
and returns its errors as the webhooks' JSON.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cobranza.web.error_pages import PageError

# The largest spreadsheet that the import page and the import API accept.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# The routes that receive a spreadsheet. Their limit leaves room for the
# multipart envelope and the form's other fields, so a file just over
# MAX_UPLOAD_BYTES still reaches the route and its own error message.
UPLOAD_PATHS = frozenset({"/importar", "/api/v1/imports"})
MAX_UPLOAD_BODY = MAX_UPLOAD_BYTES + 1024 * 1024
# Every other form and JSON body is a few kilobytes: the longest fields are
# a reply of 5,000 characters and a consent's evidence of 2,000.
MAX_FORM_BODY = 1024 * 1024
WEBHOOK_PREFIX = "/webhooks/"

UPLOAD_TOO_LARGE = (
    "El archivo pesa más de 20 MB. Subí una planilla más chica, por ejemplo "
    "solo las facturas con saldo."
)
FORM_TOO_LARGE = (
    "El pedido pesa más de 1 MB, el máximo de esta dirección. Mandá un texto más corto."
)


def body_limit(path: str) -> tuple[int, str] | None:
    """Return the byte limit of `path`'s bodies and its error, or None for none."""
    if path.startswith(WEBHOOK_PREFIX):
        return None
    if path.rstrip("/") in UPLOAD_PATHS:
        return MAX_UPLOAD_BODY, UPLOAD_TOO_LARGE
    return MAX_FORM_BODY, FORM_TOO_LARGE


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            return int(value)
    return None


class BodyLimitMiddleware:
    """Raise a 413 `PageError` when a route reads a body over its path's limit.

    A declared Content-Length over the limit fails on the first read, before
    any byte is taken. A body sent in chunks fails at the chunk that crosses
    the limit. The error reaches the app's error handlers, so the dashboard
    shows a Spanish page and the API returns JSON.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = body_limit(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        max_bytes, message = limit
        declared = _declared_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > max_bytes:
                raise PageError(413, message)
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > max_bytes:
                    raise PageError(413, message)
            return event

        await self.app(scope, limited_receive, send)
