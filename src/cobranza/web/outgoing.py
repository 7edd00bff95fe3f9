"""Outgoing webhooks: signed event posts to Zapier, Make, n8n or any URL.

Events come from the audit log, the one place every part of cobranza
records what happened. `collect_events` turns new audit events into
`webhook_delivery` rows, one per subscribed endpoint, in one transaction;
`deliver_due` posts them and retries failures with exponential backoff.

Each post carries `X-Cobranza-Signature: t=<unix time>,v1=<hex>`, where the
hex is HMAC-SHA256 with the endpoint's secret over "<t>.<raw body>". A
receiver recomputes it and rejects a `t` more than five minutes old.

URLs are checked against `web.egress`: at creation, and again at delivery
through `webhook_client`, which resolves, checks and connects in one step
and follows no redirects. A delivery blocked there fails at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent, OutgoingWebhook, WebhookDelivery
from cobranza.web.egress import BlockedURL, EgressPolicy

logger = logging.getLogger(__name__)

EVENT_TYPES = (
    "message.sent",
    "reply.received",
    "promise.created",
    "payment.received",
    "case.resolved",
    "case.handed_off",
)
SIGNATURE_HEADER = "X-Cobranza-Signature"
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=6)
TIMEOUT_SECONDS = 10.0
DELIVERY_BATCH = 50
COLLECT_BATCH = 1000
# Audit ids below the cursor read again on each pass. A transaction that
# took an id early but committed after a later one is still seen, and the
# unique (endpoint, event key) makes the second read a no-op.
# NOTE: an audit event committed more than this many ids late is missed.
REREAD_IDS = 500


def sign(secret: str, timestamp: int, body: str) -> str:
    """Return the signature header value for a body sent at `timestamp`."""
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_for(event: AuditEvent) -> str | None:
    """Return the webhook event type an audit event stands for, if any."""
    details = event.details or {}
    if event.kind == "message_sent":
        return "message.sent"
    if event.kind in ("reply_received", "inbound_received"):
        return "reply.received"
    if event.kind in ("promise_recorded", "promise_created"):
        return "promise.created"
    if event.kind == "payment_status" and event.reason == "approved":
        return "payment.received"
    if event.kind == "case_closed":
        return "case.resolved"
    if event.kind == "case_handed_off" or (
        event.kind == "step_planned" and details.get("action") == "handoff"
    ):
        return "case.handed_off"
    return None


def create_webhook(
    session: Session,
    business_id: int,
    url: str,
    event_types: list[str],
    now: datetime,
    policy: EgressPolicy | None = None,
) -> OutgoingWebhook:
    """Register an endpoint; it receives events recorded from now on.

    Raise BlockedURL (a ValueError) for a URL that `policy`, strict by
    default, refuses. The check resolves the name, so it runs before the
    session's first query opens a transaction.
    """
    (policy or EgressPolicy()).check_url(url)
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise ValueError(
            f"unknown event types {', '.join(unknown)}: use {', '.join(EVENT_TYPES)}"
        )
    cursor = session.scalar(
        select(func.max(AuditEvent.id)).where(AuditEvent.business_id == business_id)
    )
    webhook = OutgoingWebhook(
        business_id=business_id,
        url=url,
        secret=secrets.token_urlsafe(32),
        event_types=sorted(set(event_types)),
        active=True,
        audit_cursor=cursor or 0,
        audit_start=cursor or 0,
        created_at=now,
    )
    session.add(webhook)
    session.flush()
    return webhook


def _payload(event: AuditEvent, event_type: str) -> dict[str, Any]:
    details = event.details or {}
    return {
        "id": f"{event_type}:{event.id}",
        "type": event_type,
        "created_at": event.at.isoformat(),
        "business_id": event.business_id,
        "data": {
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "customer_id": details.get("customer_id"),
            "reason": event.reason,
            "details": details,
        },
    }


def _insert_ignore(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(WebhookDelivery).on_conflict_do_nothing(
        index_elements=["webhook_id", "event_key"]
    )
    session.execute(statement, rows)


def collect_events(engine: Engine, now: datetime) -> int:
    """Queue deliveries for audit events newer than each endpoint's cursor."""
    queued = 0
    with transaction(engine) as session:
        webhooks = session.scalars(
            select(OutgoingWebhook)
            .where(OutgoingWebhook.active.is_(True))
            .with_for_update(skip_locked=True)
        ).all()
        for webhook in webhooks:
            events = session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.business_id == webhook.business_id,
                    AuditEvent.id
                    > max(webhook.audit_start, webhook.audit_cursor - REREAD_IDS),
                )
                .order_by(AuditEvent.id)
                .limit(COLLECT_BATCH + REREAD_IDS)
            ).all()
            rows = []
            for event in events:
                event_type = event_for(event)
                subscribed = (
                    not webhook.event_types or event_type in webhook.event_types
                )
                if event_type is None or not subscribed:
                    continue
                payload = _payload(event, event_type)
                rows.append(
                    {
                        "business_id": webhook.business_id,
                        "webhook_id": webhook.id,
                        "event_type": event_type,
                        "event_key": payload["id"],
                        "body": json.dumps(payload, ensure_ascii=False, default=str),
                        "state": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
            _insert_ignore(session, rows)
            queued += len(rows)
            if events:
                webhook.audit_cursor = max(webhook.audit_cursor, events[-1].id)
    return queued


def retry_delay(attempts: int) -> timedelta:
    """Return the wait after `attempts` failures: 30 s doubling, capped at 6 h."""
    doublings = min(max(0, attempts - 1), 20)
    delay: timedelta = FIRST_RETRY * (1 << doublings)
    return min(delay, MAX_RETRY)


def deliver_due(engine: Engine, now: datetime, client: httpx.Client) -> int:
    """Post the due deliveries; return how many the endpoints accepted."""
    with transaction(engine) as session:
        due = session.execute(
            select(WebhookDelivery, OutgoingWebhook.url, OutgoingWebhook.secret)
            .join(OutgoingWebhook, OutgoingWebhook.id == WebhookDelivery.webhook_id)
            .where(
                WebhookDelivery.state == "pending",
                WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(DELIVERY_BATCH)
        ).all()
    delivered = 0
    for delivery, url, secret in due:
        status, error, blocked = _post(client, delivery, url, secret, now)
        with transaction(engine) as session:
            row = session.get_one(WebhookDelivery, delivery.id)
            row.attempts += 1
            row.status_code = status
            if blocked:
                # Retrying cannot help: the endpoint's URL has to change.
                row.state = "failed"
                row.last_error = error
                logger.warning(
                    "webhook delivery %s rejected by the egress policy: %s",
                    row.id,
                    error,
                )
                continue
            if status is not None and 200 <= status < 300:
                row.state = "delivered"
                row.delivered_at = now
                row.last_error = None
                delivered += 1
                continue
            row.last_error = error
            if row.attempts >= MAX_ATTEMPTS:
                row.state = "failed"
                logger.warning(
                    "webhook delivery %s failed after %d attempts",
                    row.id,
                    row.attempts,
                )
            else:
                row.next_attempt_at = now + retry_delay(row.attempts)
    return delivered


def _post(
    client: httpx.Client,
    delivery: WebhookDelivery,
    url: str,
    secret: str,
    now: datetime,
) -> tuple[int | None, str | None, bool]:
    """Post one delivery; return (status, error, blocked by the egress policy)."""
    headers = {
        "Content-Type": "application/json",
        "X-Cobranza-Event": delivery.event_type,
        "X-Cobranza-Delivery": str(delivery.id),
        SIGNATURE_HEADER: sign(secret, int(now.timestamp()), delivery.body),
    }
    try:
        response = client.post(
            url,
            content=delivery.body.encode(),
            headers=headers,
            timeout=TIMEOUT_SECONDS,
        )
    except BlockedURL as exc:
        return None, str(exc)[:500], True
    except httpx.HTTPError as exc:
        logger.info("webhook delivery %s: %s", delivery.id, type(exc).__name__)
        return None, f"{type(exc).__name__}: {exc}"[:500], False
    if 300 <= response.status_code < 400:
        # Redirects are not followed: one could point at an internal address.
        return (
            response.status_code,
            f"HTTP {response.status_code} (redirect not followed)",
            False,
        )
    if response.status_code >= 300:
        return response.status_code, f"HTTP {response.status_code}", False
    return response.status_code, None, False


def webhook_task(engine: Engine, client: httpx.Client) -> Any:
    """Return the scheduler task that collects and delivers webhook events."""

    def run(now: datetime) -> int:
        collect_events(engine, now)
        return deliver_due(engine, now, client)

    return run
