"""Twilio webhooks: message status callbacks and inbound WhatsApp messages.

Both check `X-Twilio-Signature` against the public URL (401 missing, 403
wrong, 400 not a form with a MessageSid), store the raw form body and
return 200. The event worker processes it later.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from cobranza.channels.errors import WebhookError
from cobranza.channels.inbox import store_event
from cobranza.channels.twilio.signature import SIGNATURE_HEADER, verify_signature
from cobranza.channels.twilio.webhook import INBOUND, STATUS, event_key, parse_form
from cobranza.timeutil import utcnow
from cobranza.web.bodies import BodyTooLargeError, read_body, too_large
from cobranza.web.webhooks_whatsapp import schedule_processing

logger = logging.getLogger(__name__)

PROVIDER = "twilio"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

router = APIRouter()


def signed_url(request: Request) -> str:
    """Return the URL Twilio signed: the configured public base, else our own."""
    base: str | None = request.app.state.settings.twilio_webhook_base_url
    if not base:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return base.rstrip("/") + request.url.path + query


async def _receive(
    request: Request, background: BackgroundTasks, kind: str
) -> Response:
    token = request.app.state.settings.twilio_auth_token
    if token is None or not token.get_secret_value():
        logger.error("Twilio webhook called but COBRANZA_TWILIO_AUTH_TOKEN is unset")
        return JSONResponse(
            {"detail": "set COBRANZA_TWILIO_AUTH_TOKEN to accept Twilio webhooks"},
            status_code=503,
        )

    try:
        raw_body = await read_body(request)
    except BodyTooLargeError as exc:
        return too_large("Twilio", exc)
    url = signed_url(request)
    try:
        # The signature is checked before the form's content, so an unsigned
        # request gets 401 whatever its body.
        unchecked = parse_qsl(
            raw_body.decode("utf-8", "replace"), keep_blank_values=True
        )
        verify_signature(
            url,
            unchecked,
            request.headers.get(SIGNATURE_HEADER),
            token.get_secret_value(),
        )
        params = parse_form(raw_body)
    except WebhookError as exc:
        logger.warning("Twilio %s webhook rejected with %s", kind, exc.status_code)
        return JSONResponse({"detail": str(exc)}, status_code=exc.status_code)

    event_id = await run_in_threadpool(
        store_event,
        request.app.state.engine,
        PROVIDER,
        event_key(kind, dict(params)),
        raw_body,
        {"kind": kind, "url": url},
        utcnow(),
    )
    if event_id is not None:
        schedule_processing(request, background, event_id)
    return Response(EMPTY_TWIML, media_type="text/xml")


@router.post("/webhooks/twilio/status", include_in_schema=False)
async def receive_status(request: Request, background: BackgroundTasks) -> Response:
    return await _receive(request, background, STATUS)


@router.post("/webhooks/twilio/inbound", include_in_schema=False)
async def receive_inbound(request: Request, background: BackgroundTasks) -> Response:
    return await _receive(request, background, INBOUND)
