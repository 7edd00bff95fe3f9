"""Session lookup and the CSRF check that guards every dashboard POST.

The session cookie carries a random token whose sha256 is a `web_session`
row. Each session has its own CSRF token, which every form sends back in the
hidden field `csrf_token` (or an `X-CSRF-Token` header for scripts). The
sign-in form, which has no session yet, uses a double-submit cookie instead.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from cobranza.accounts import SignedIn, load_session
from cobranza.accounts.sessions import SESSION_LIFETIME
from cobranza.accounts.throttle import throttle_address
from cobranza.web.error_pages import PageError

SESSION_COOKIE = "cobranza_session"
LOGIN_CSRF_COOKIE = "cobranza_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotSignedIn(Exception):
    """Raised by dashboard pages without a valid session; redirects to sign-in."""


def sign_in_redirect() -> RedirectResponse:
    """Return the response that sends a request without a session to sign in."""
    return RedirectResponse("/entrar", status_code=303)


def now(request: Request) -> datetime:
    """Return the app's current instant (tests replace `app.state.clock`)."""
    clock = request.app.state.clock
    instant: datetime = clock()
    return instant


@contextmanager
def db(request: Request) -> Iterator[Session]:
    """Yield a session whose work is committed at the end or rolled back."""
    with request.app.state.sessions.begin() as session:
        yield session


def client_ip(request: Request) -> str:
    """Return the client address that login failures are counted under.

    uvicorn 0.55, as `cobranza serve` runs it, puts the X-Forwarded-For
    address here when the request comes from 127.0.0.1, ::1 or an address
    listed in the FORWARDED_ALLOW_IPS environment variable. An IPv6 address
    is reduced to its /64 network (`throttle_address`).

    NOTE: behind a proxy on another machine that is not in
    FORWARDED_ALLOW_IPS, this is the proxy's address for every client, so
    one person's failed sign-ins lock an account for everyone.
    """
    return throttle_address(request.client.host) if request.client else "unknown"


def signed_in(request: Request) -> SignedIn:
    """Return the signed-in user, or raise NotSignedIn.

    The result is cached on the request, so the CSRF check and the route
    share one database lookup.
    """
    cached = getattr(request.state, "signed_in", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise NotSignedIn()
    with db(request) as session:
        user = load_session(session, cookie, now(request))
    if user is None:
        raise NotSignedIn()
    request.state.signed_in = user
    return user


async def csrf_protect(request: Request) -> None:
    """Reject an unsafe request whose CSRF token does not match the session's.

    Mounted as a router dependency, so it runs for every dashboard route.
    Starlette caches the parsed form on the request, so the route reads the
    same form afterwards.
    """
    if request.method not in UNSAFE_METHODS:
        return
    user = signed_in(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, user.csrf_token):
        # The form came from a page older than the session or from another
        # site, so the message asks for a reload instead of naming the token.
        raise PageError(
            403,
            "La página venció o el pedido no salió del panel. Recargala y volvé "
            "a intentar.",
        )


def set_session_cookie(response: Response, token: str, secure: bool) -> None:
    """Attach the session cookie: httponly, SameSite=Lax, Secure if configured."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )


def new_login_csrf() -> str:
    """Return a random token for the sign-in form's double-submit cookie."""
    return secrets.token_urlsafe(32)


def login_csrf_valid(request: Request, sent: str | None) -> bool:
    """Return True when a sign-in POST's form token matches its cookie."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    return bool(cookie and sent and hmac.compare_digest(cookie, sent))
