"""Sign-in and sign-out pages."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cobranza.accounts import LoginThrottled, authenticate, end_session, start_session
from cobranza.accounts.throttle import release_attempt, reserve_attempt
from cobranza.accounts.users import login_address
from cobranza.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    client_ip,
    csrf_protect,
    db,
    login_csrf_valid,
    new_login_csrf,
    now,
    set_session_cookie,
)
from cobranza.web.templating import render

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


def _login_page(
    request: Request, error: str | None = None, email: str = "", status_code: int = 200
) -> HTMLResponse:
    token = new_login_csrf()
    response = render(
        request,
        "login.html",
        {"login_csrf": token, "error": error, "email": email},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        secure=request.app.state.settings.cookie_secure,
        samesite="strict",
        path="/entrar",
    )
    return response


@router.get("/entrar", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    """Show the sign-in form."""
    return _login_page(request)


@router.post("/entrar", response_model=None)
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf_token: str | None = Form(None),
) -> Response:
    """Check the password, with throttling, and start a session."""
    if not login_csrf_valid(request, csrf_token):
        # Each form shows a new token, so a form posted again from the
        # browser's history, or one left open past its cookie, lands here.
        logger.info("sign-in rejected: missing or stale CSRF token")
        return _login_page(
            request, "La página venció: volvé a intentar.", email, status_code=403
        )
    missing = _missing_fields(email, password)
    if missing:
        return _login_page(request, f"Escribí {missing}.", email, status_code=400)
    instant = now(request)
    address, ip = login_address(email), client_ip(request)

    # The attempt is committed before the password check, so that parallel
    # attempts count each other (see `reserve_attempt`).
    with db(request) as session:
        attempt_id = reserve_attempt(session, address, ip, instant)
    try:
        with db(request) as session:
            user = authenticate(session, email, password, ip, instant, attempt_id)
            token = start_session(session, user, instant) if user else None
    except LoginThrottled as exc:
        with db(request) as session:
            release_attempt(session, attempt_id)
        logger.warning("sign-in locked until %s", exc.until.isoformat())
        minutes = max(1, int((exc.until - instant).total_seconds() // 60) + 1)
        message = (
            "Demasiados intentos fallidos. Esperá "
            f"{minutes} minutos y volvé a intentar."
        )
        return _login_page(request, message, email, status_code=429)

    if token is None:
        return _login_page(
            request, "Email o contraseña incorrectos.", email, status_code=401
        )
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, token, request.app.state.settings.cookie_secure)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/entrar")
    return response


@router.post("/salir")
async def logout(request: Request) -> RedirectResponse:
    """End the session; the CSRF token is checked like any other form."""
    await csrf_protect(request)
    cookie = request.cookies.get(SESSION_COOKIE, "")
    with db(request) as session:
        end_session(session, cookie)
    response = RedirectResponse("/entrar", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _missing_fields(email: str, password: str) -> str | None:
    """Name the empty sign-in fields, as the form's error words them."""
    missing = [
        name
        for name, value in (("tu email", email.strip()), ("tu contraseña", password))
        if not value
    ]
    return " y ".join(missing) or None
