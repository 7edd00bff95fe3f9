"""Payment routes: our short links, the sandbox pay page and provider webhooks.

Webhooks verify the signature on the raw body, store the body (a duplicate
is stored once), respond 200, and process it afterwards in a background
task. `inbox.process_pending` picks up any that were not processed.
Responses: 401 missing signature, 403 wrong or stale signature, 400 a body
that is not JSON, 503 a provider that is not configured.
"""

from __future__ import annotations

import html
import logging
from decimal import Decimal

from fastapi import APIRouter, BackgroundTasks, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cobranza.channels.inbox import resolve_business
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import Business, Case, Document, PaymentLink
from cobranza.money import format_money
from cobranza.payments import inbox
from cobranza.payments.errors import (
    LinkNotFoundError,
    PaymentError,
    ProviderNotConfiguredError,
    WebhookError,
)
from cobranza.payments.links import LinkState, open_link
from cobranza.payments.mercadopago import verify_notification as verify_mercadopago
from cobranza.payments.providers import PaymentServices, build_services, sandbox_enabled
from cobranza.payments.sandbox import sign_notification
from cobranza.payments.sandbox import verify_notification as verify_sandbox
from cobranza.payments.sandbox.provider import (
    EVENT_PROVIDER,
    SIGNATURE_HEADER,
    notification_body,
)
from cobranza.payments.sandbox.provider import PROVIDER as SANDBOX
from cobranza.payments.stripe import verify_event as verify_stripe
from cobranza.timeutil import utcnow
from cobranza.web.bodies import BodyTooLargeError, read_body, too_large
from cobranza.web.pay_pages import (
    DEFAULT_VOICE,
    PAGES,
    Voice,
    business_voice,
    voice_of_link,
)

logger = logging.getLogger(__name__)

router = APIRouter()


def install_payments(
    app: FastAPI, settings: Settings, services: PaymentServices | None = None
) -> None:
    """Mount the payment routes and the configured providers on `app`."""
    app.state.payments = services or build_services(settings)
    app.include_router(router)


@router.get("/pagar/sandbox/{token}", include_in_schema=False)
def sandbox_page(token: str, request: Request) -> Response:
    """Show the sandbox pay page with its "Pagar" button.

    Only a link made for the sandbox has one. The sandbox is on in the
    default environment even when links go to Mercado Pago or Stripe, and
    the page would let a debtor settle a real link without paying.
    """
    settings: Settings = request.app.state.settings
    if not sandbox_enabled(settings):
        return _not_found(request)
    with transaction(_engine(request)) as session:
        found = session.execute(
            select(PaymentLink, Business)
            .join(Business, Business.id == PaymentLink.business_id)
            .where(PaymentLink.token == token, PaymentLink.provider == SANDBOX)
        ).first()
        if found is None:
            return _not_found(request)
        link, business = found
        voice = voice_of_link(session, link)
        amount = format_money(link.amount, link.currency, business.locale)
    texts = PAGES[voice]
    body = (
        f"<p>{html.escape(texts['sandbox'])}</p>"
        f"<p>{html.escape(business.name)}: <strong>{html.escape(amount)}</strong></p>"
        f'<form method="post" action="/pagar/sandbox/{html.escape(token)}">'
        f'<button type="submit">{texts["pay"]}</button></form>'
    )
    return HTMLResponse(_document(body, voice))


@router.post("/pagar/sandbox/{token}", include_in_schema=False)
def sandbox_pay(token: str, request: Request) -> Response:
    """Post a signed sandbox notification that approves the link's amount."""
    settings: Settings = request.app.state.settings
    if not sandbox_enabled(settings):
        return _not_found(request)
    with transaction(_engine(request)) as session:
        link = session.scalars(
            select(PaymentLink).where(
                PaymentLink.token == token, PaymentLink.provider == SANDBOX
            )
        ).first()
        if link is None:
            return _not_found(request)
        body = notification_body(
            link.id,
            f"sbx_{link.id}_{link.provider_reference or 'direct'}",
            "approved",
            Decimal(link.amount),
            link.currency,
        )
    now = utcnow()
    secret = settings.sandbox_payment_secret.get_secret_value()
    headers = {SIGNATURE_HEADER: sign_notification(secret, body, int(now.timestamp()))}
    event_key = verify_sandbox(
        secret, body, headers, now, settings.webhook_tolerance_seconds
    )
    event_id = _store(request, EVENT_PROVIDER, event_key, body, headers)
    if event_id is not None:
        handler = _services(request).handlers[EVENT_PROVIDER]
        inbox.process_event(_engine(request), handler, event_id, now)
    return RedirectResponse(f"/pagar/{token}/listo", status_code=303)


@router.get("/pagar/{token}/listo", include_in_schema=False)
def payment_done(token: str, request: Request) -> Response:
    """Show the page that providers send the customer back to."""
    voice = _voice_of_token(request, token)
    if voice is None:
        return _not_found(request)
    return _page(voice, "done", 200)


@router.get("/pagar/{token}", include_in_schema=False)
def pay(token: str, request: Request) -> Response:
    """Redirect to the provider's checkout for this link, making one if needed."""
    # NOTE: a link-preview fetch is a GET too, so it may create a checkout
    # before the customer opens the link. The checkout is reused by the
    # customer's own visit, so no second one is made.
    settings: Settings = request.app.state.settings
    context = _services(request).link_context(settings)
    voice = _voice_of_token(request, token) or served_voice(request)
    try:
        with transaction(_engine(request)) as session:
            outcome = open_link(session, token, utcnow(), context)
            closed_owed = outcome.state is LinkState.NOTHING_OWED and (
                _closed_with_balance(session, token)
            )
    except LinkNotFoundError:
        return _page(voice, "not_found", 404)
    except ProviderNotConfiguredError as exc:
        logger.error("payment link cannot open: %s", exc)
        return _page(voice, "unavailable", 503)
    except PaymentError as exc:
        logger.warning("payment link checkout failed: %s (%s)", exc.code, exc)
        return _page(voice, "unavailable", 503)

    if outcome.state is LinkState.REDIRECT and outcome.url is not None:
        return RedirectResponse(outcome.url, status_code=303)
    if closed_owed:
        return _page(voice, "closed_owed", 200)
    pages = {LinkState.PAID: "paid", LinkState.UNDER_REVIEW: "under_review"}
    return _page(voice, pages.get(outcome.state, "nothing_owed"), 200)


def _closed_with_balance(session: Session, token: str) -> bool:
    """Return whether the link's case is closed while its customer still owes.

    A person who closes a case holds what is still owed (`cobranza inbox
    resolve --close`), and a held invoice is never charged through a link,
    because the person may have settled other terms or handed the debt to a
    lawyer. So the debtor is sent to the business instead of being told that
    nothing is owed. Credit notes net in, per currency.
    """
    link = session.scalars(select(PaymentLink).where(PaymentLink.token == token)).one()
    case = session.get(Case, link.case_id) if link.case_id is not None else None
    if case is not None and case.closed_at is None:
        return False
    owed = session.scalar(
        select(Document.currency)
        .where(
            Document.business_id == link.business_id,
            Document.customer_id == link.customer_id,
            Document.open_amount != 0,
            Document.missing_since.is_(None),
        )
        .group_by(Document.currency)
        .having(func.sum(Document.open_amount) > 0)
        .limit(1)
    )
    return owed is not None


@router.post("/webhooks/mercadopago", include_in_schema=False)
async def mercadopago_webhook(request: Request, tasks: BackgroundTasks) -> Response:
    """Verify, store and acknowledge a Mercado Pago notification."""
    settings: Settings = request.app.state.settings
    services = _services(request)
    if settings.mercadopago_webhook_secret is None or services.mercadopago is None:
        return _not_configured("mercadopago")
    try:
        body = await read_body(request)
    except BodyTooLargeError as exc:
        return too_large("mercadopago", exc)
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        key = verify_mercadopago(
            settings.mercadopago_webhook_secret.get_secret_value(),
            body,
            headers,
            dict(request.query_params),
            utcnow(),
            settings.webhook_tolerance_seconds,
        )
    except WebhookError as exc:
        return _rejected("mercadopago", exc)
    return _accept(request, tasks, "mercadopago", key, body, headers)


@router.post("/webhooks/stripe", include_in_schema=False)
async def stripe_webhook(request: Request, tasks: BackgroundTasks) -> Response:
    """Verify, store and acknowledge a Stripe event."""
    settings: Settings = request.app.state.settings
    if settings.stripe_webhook_secret is None:
        return _not_configured("stripe")
    try:
        body = await read_body(request)
    except BodyTooLargeError as exc:
        return too_large("stripe", exc)
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        key = verify_stripe(
            settings.stripe_webhook_secret.get_secret_value(),
            body,
            headers.get("stripe-signature"),
            settings.webhook_tolerance_seconds,
        )
    except WebhookError as exc:
        return _rejected("stripe", exc)
    return _accept(request, tasks, "stripe", key, body, headers)


@router.post("/webhooks/sandbox", include_in_schema=False)
async def sandbox_webhook(request: Request, tasks: BackgroundTasks) -> Response:
    """Verify, store and acknowledge a sandbox notification (development only)."""
    settings: Settings = request.app.state.settings
    if not sandbox_enabled(settings):
        return JSONResponse({"error": "not found"}, status_code=404)
    try:
        body = await read_body(request)
    except BodyTooLargeError as exc:
        return too_large("sandbox", exc)
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        key = verify_sandbox(
            settings.sandbox_payment_secret.get_secret_value(),
            body,
            headers,
            utcnow(),
            settings.webhook_tolerance_seconds,
        )
    except WebhookError as exc:
        return _rejected("sandbox", exc)
    return _accept(request, tasks, EVENT_PROVIDER, key, body, headers)


def _accept(
    request: Request,
    tasks: BackgroundTasks,
    provider: str,
    key: str,
    body: bytes,
    headers: dict[str, str],
) -> Response:
    event_id = _store(request, provider, key, body, headers)
    status = "stored"
    if event_id is None:
        # A provider delivers again when it got no 200, or when our first
        # processing failed: a stored event that is still pending is retried.
        status = "duplicate"
        with transaction(_engine(request)) as session:
            event_id = inbox.pending_event_id(session, provider, key)
    handler = _services(request).handlers.get(provider)
    if handler is not None and event_id is not None:
        tasks.add_task(
            inbox.process_event, _engine(request), handler, event_id, utcnow()
        )
    return JSONResponse({"status": status})


def _store(
    request: Request, provider: str, key: str, body: bytes, headers: dict[str, str]
) -> int | None:
    with transaction(_engine(request)) as session:
        return inbox.store_event(session, provider, key, body, headers, utcnow())


def _rejected(provider: str, error: WebhookError) -> Response:
    logger.warning("%s webhook rejected: %s (%s)", provider, error.code, error)
    return JSONResponse({"error": error.code}, status_code=error.status_code)


def _not_configured(provider: str) -> Response:
    logger.error(
        "%s webhook received but the provider is not configured: set "
        "COBRANZA_%s_WEBHOOK_SECRET and its API credentials",
        provider,
        provider.upper(),
    )
    return JSONResponse({"error": "not_configured"}, status_code=503)


def _services(request: Request) -> PaymentServices:
    services: PaymentServices = request.app.state.payments
    return services


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _not_found(request: Request) -> HTMLResponse:
    """Return the page of an address that names no link."""
    return _page(served_voice(request), "not_found", 404)


def served_voice(request: Request) -> Voice:
    """Return the voice of the business this server serves, for a page with no link.

    The default voice is used when the business cannot be read, such as
    when the database is down.
    """
    settings: Settings = request.app.state.settings
    try:
        with transaction(_engine(request)) as session:
            return business_voice(resolve_business(session, settings))
    except (LookupError, SQLAlchemyError) as exc:
        logger.warning("pay page voice of the business not read: %s", exc)
        return DEFAULT_VOICE


def _voice_of_token(request: Request, token: str) -> Voice | None:
    """Return the voice of the pages of link `token`, or None for no such link."""
    with transaction(_engine(request)) as session:
        link = session.scalars(
            select(PaymentLink).where(PaymentLink.token == token)
        ).first()
        return None if link is None else voice_of_link(session, link)


def is_pay_path(path: str) -> bool:
    """Return True for the debtor's addresses, /pagar and everything under it.

    Case is ignored, because a phone may capitalise an address typed by hand.
    """
    lowered = path.lower()
    return lowered == "/pagar" or lowered.startswith("/pagar/")


def pay_error_page(status: int, request: Request | None = None) -> HTMLResponse:
    """Return the pay pages' own page for a wrong /pagar address or a crash.

    A debtor gets there from a link in a message, so the page has none of
    the dashboard's layout and gives only the debtor's next step. The
    address may name no link, so a wrong address speaks in the voice of the
    business the server serves. A crash uses the default voice, Argentine
    Spanish, because the database may be what failed.
    """
    if status >= 500:
        return _page(DEFAULT_VOICE, "unavailable", status)
    voice = DEFAULT_VOICE if request is None else served_voice(request)
    return _page(voice, "not_found", status)


def _page(voice: Voice, key: str, status: int) -> HTMLResponse:
    text = html.escape(PAGES[voice][key])
    return HTMLResponse(_document(f"<p>{text}</p>", voice), status_code=status)


def _document(body: str, voice: Voice) -> str:
    return (
        f'<!doctype html><html lang="{voice.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>cobranza</title></head><body>{body}</body></html>"
    )


__all__ = ["install_payments", "is_pay_path", "pay_error_page", "router"]
