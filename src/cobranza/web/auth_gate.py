"""Reject requests without a session or token before their body is read.

FastAPI reads and parses a route's body before it runs the route's
dependencies, so the session and token checks would come after the server
had taken up to `body_limit.MAX_UPLOAD_BODY` bytes from anyone. This
middleware runs the same checks first, for every POST, PUT, PATCH or DELETE
to a path that needs them. A failed check gets the response that the route
would return, but before the body is read: a 303 to the sign-in page for the
dashboard, a 401 JSON error for the API.

The rejection carries `Connection: close`, so uvicorn closes the connection
instead of reading the rest of the body and discarding it. uvicorn has then
read at most its flow-control buffer (64 KiB in uvicorn 0.55) past the
headers, and the app none of it.

`signed_in` and `api_business` cache their result in the request's state,
which Starlette keeps in the ASGI scope, so the route does not look the
session or token up a second time.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from cobranza.web.api.auth import api_business
from cobranza.web.payments import is_pay_path
from cobranza.web.security import (
    UNSAFE_METHODS,
    NotSignedIn,
    sign_in_redirect,
    signed_in,
)

API_PREFIX = "/api/"
# Paths that take a body from someone without a session or token: the
# sign-in form, the debtor's pay pages and the signed provider webhooks.
# The rest are GET-only, and a POST to them gets its 405 as before.
PUBLIC_PATHS = frozenset({"/entrar", "/healthz", "/openapi.json"})
PUBLIC_PREFIXES = ("/webhooks/", "/static/")


def needs_credentials(method: str, path: str) -> bool:
    """Return True when a `method` request to `path` must be signed in first."""
    if method not in UNSAFE_METHODS:
        return False
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return False
    return not is_pay_path(path)


def rejection(request: Request) -> Response | None:
    """Run the path's credential check and return the error response, if any.

    The API's error is the JSON body and headers that FastAPI's handler
    writes for the same `HTTPException` inside a route.
    """
    if request.url.path.startswith(API_PREFIX):
        try:
            api_business(request)
        except HTTPException as exc:
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return None
    try:
        signed_in(request)
    except NotSignedIn:
        return sign_in_redirect()
    return None


class AuthGateMiddleware:
    """Reject a body-carrying request without credentials before reading its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not needs_credentials(
            scope["method"], scope["path"]
        ):
            await self.app(scope, receive, send)
            return

        # The checks query the database, so they run off the event loop.
        response = await run_in_threadpool(rejection, Request(scope))
        if response is None:
            await self.app(scope, receive, send)
            return

        response.headers["Connection"] = "close"
        await response(scope, receive, send)
