"""WhatsApp Cloud API webhook: verification (GET) and events (POST).

POST checks `X-Hub-Signature-256` over the raw bytes (401 missing, 403
wrong, 400 not JSON), stores the body in `webhook_event` in a transaction
shared with concurrent requests (`cobranza.channels.group_commit`; 503 when
that transaction fails), returns 200 once it has committed and
leaves the processing to the event worker, so a slow handler never delays
Meta and a crash after the response loses nothing.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, BackgroundTasks, FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.background import BackgroundTask

from cobranza.channels.errors import WebhookError
from cobranza.channels.group_commit import EventNotStoredError, GroupCommitStore
from cobranza.channels.inbox import EventWorker, process_event_id
from cobranza.channels.whatsapp.webhook import (
    SIGNATURE_HEADER,
    event_key,
    parse_body,
    verify_signature,
)
from cobranza.timeutil import utcnow
from cobranza.web.bodies import BodyTooLargeError, read_body, too_large

logger = logging.getLogger(__name__)

PROVIDER = "whatsapp"
STORED_HEADERS = ("content-type", "user-agent", "x-hub-signature-256")
ACCEPTED_BODY = b'{"status":"ok"}'


@asynccontextmanager
async def event_worker_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the webhook event worker; it first processes what was left pending.

    No worker starts when the app leaves processing to `cobranza worker`.
    """
    if not getattr(app.state, "process_events", True):
        yield
        return
    worker = EventWorker(
        app.state.engine, app.state.settings, ingest_busy=event_store(app).busy
    )
    app.state.webhook_worker = worker
    worker.start()
    try:
        yield
    finally:
        worker.stop()


router = APIRouter(lifespan=event_worker_lifespan)


@router.get("/webhooks/whatsapp", include_in_schema=False)
def verify_subscription(
    request: Request,
    mode: str = Query("", alias="hub.mode"),
    verify_token: str = Query("", alias="hub.verify_token"),
    challenge: str = Query("", alias="hub.challenge"),
) -> Response:
    """Echo `hub.challenge` when Meta subscribes with our verify token."""
    expected = request.app.state.settings.whatsapp_verify_token
    if (
        mode == "subscribe"
        and expected is not None
        and expected.get_secret_value()
        and hmac.compare_digest(
            verify_token.encode(), expected.get_secret_value().encode()
        )
    ):
        logger.info("WhatsApp webhook subscription verified")
        return PlainTextResponse(challenge)
    logger.warning("WhatsApp webhook verification rejected")
    return PlainTextResponse("verification failed", status_code=403)


async def receive_event(request: Request) -> Response:
    """Verify and store the body, then return 200 for the event worker to process it.

    It is a plain Starlette route (see `router.add_route` below) because
    FastAPI's dependency solving adds CPU to every webhook and the route
    needs none of it.
    """
    settings = request.app.state.settings
    secret = settings.whatsapp_app_secret
    if secret is None or not secret.get_secret_value():
        logger.error(
            "WhatsApp webhook called but COBRANZA_WHATSAPP_APP_SECRET is unset"
        )
        return JSONResponse(
            {"detail": "set COBRANZA_WHATSAPP_APP_SECRET to accept WhatsApp webhooks"},
            status_code=503,
        )

    try:
        raw_body = await read_body(request)
    except BodyTooLargeError as exc:
        return too_large("WhatsApp", exc)
    try:
        verify_signature(
            raw_body, request.headers.get(SIGNATURE_HEADER), secret.get_secret_value()
        )
        parse_body(raw_body)
    except WebhookError as exc:
        logger.warning("WhatsApp webhook rejected with %s", exc.status_code)
        return JSONResponse({"detail": str(exc)}, status_code=exc.status_code)

    headers = {
        name: request.headers[name]
        for name in STORED_HEADERS
        if name in request.headers
    }
    try:
        event_id = await event_store(request.app).store(
            PROVIDER, event_key(raw_body), raw_body, headers, utcnow()
        )
    except EventNotStoredError as exc:
        return JSONResponse(
            {"detail": f"{exc}: retry later, nothing was accepted"}, status_code=503
        )
    background = None if event_id is None else processing_task(request, event_id)
    return Response(ACCEPTED_BODY, media_type="application/json", background=background)


router.add_route(
    "/webhooks/whatsapp", receive_event, methods=["POST"], include_in_schema=False
)


def event_store(app: FastAPI) -> GroupCommitStore:
    """Return the app's group-commit store, created on first use."""
    store: GroupCommitStore | None = getattr(app.state, "event_store", None)
    if store is None:
        store = app.state.event_store = GroupCommitStore(app.state.engine)
    return store


def schedule_processing(
    request: Request, background: BackgroundTasks, event_id: int
) -> None:
    """Wake the event worker, or process after the response when none runs."""
    task = processing_task(request, event_id)
    if task is not None:
        background.add_task(task.func, *task.args, **task.kwargs)


def processing_task(request: Request, event_id: int) -> BackgroundTask | None:
    """Wake the event worker, or return a task that processes after the response.

    When the app leaves processing to `cobranza worker`, there is nothing to
    do here: the worker finds the stored event on its next poll.
    """
    if not getattr(request.app.state, "process_events", True):
        return None
    worker: Any = getattr(request.app.state, "webhook_worker", None)
    if worker is not None and worker.running:
        worker.wake()
        return None
    return BackgroundTask(
        process_event_id,
        request.app.state.engine,
        event_id,
        utcnow(),
        request.app.state.settings,
    )
