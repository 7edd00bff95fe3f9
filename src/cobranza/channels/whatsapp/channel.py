"""The WhatsApp Cloud API channel.

Outside the customer's 24-hour window only an approved template goes out:
`check_ready` defers a row whose template is not approved, and `send`
checks the parameters against the template first. Inside the window the
composed text goes as free-form (a payment-link button or reply buttons);
when Meta returns error 131047 (window closed) the template is sent instead.

Every send carries the outbox id in `biz_opaque_callback_data`, so status
webhooks find their row even before this call has stored the message id.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from cobranza.channels.base import Channel, Deferral, OutgoingMessage, SendResult
from cobranza.channels.errors import TemplateNotApprovedError
from cobranza.channels.whatsapp.config import WhatsAppConfig
from cobranza.channels.whatsapp.errors import (
    UNREACHABLE_PROBLEM,
    MarketingLimitError,
    NotOnWhatsAppError,
    TemplateParameterError,
    TemplateProblemError,
    WindowClosedError,
)
from cobranza.channels.whatsapp.graph import GraphClient
from cobranza.channels.whatsapp.limits import PairLimiter, TierCounter
from cobranza.channels.whatsapp.payloads import (
    Payload,
    check_parameters,
    session_payload,
    template_payload,
)
from cobranza.channels.whatsapp.templates import set_template_status
from cobranza.compliance.reasons import Reason
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Customer,
    InboundMessage,
    MessageStatusEvent,
    PhoneStatus,
    WhatsAppTemplate,
)
from cobranza.dunning.template_approval import (
    NOT_REGISTERED,
    SENDABLE_STATUSES,
    SERVICE_WINDOW,
)
from cobranza.messages import whatsapp_template_definitions
from cobranza.timeutil import utcnow

logger = logging.getLogger(__name__)

WHATSAPP = "whatsapp"
CALLBACK_PREFIX = "outbox:"
# How long a row waits before its template's approval is checked again.
TEMPLATE_RECHECK = timedelta(hours=6)


def callback_data(outbox_id: int) -> str:
    """Return the `biz_opaque_callback_data` that marks an outbox row."""
    return f"{CALLBACK_PREFIX}{outbox_id}"


def outbox_id_from_callback(value: str | None) -> int | None:
    """Read the outbox id back from `biz_opaque_callback_data`, if it is ours."""
    if not value or not value.startswith(CALLBACK_PREFIX):
        return None
    number = value[len(CALLBACK_PREFIX) :]
    return int(number) if number.isdigit() else None


@cache
def registered_parameters() -> dict[tuple[str, str], tuple[str, ...]]:
    """Map (template name, language) to its named parameters, in body order."""
    result = {}
    for definition in whatsapp_template_definitions():
        body = next(c for c in definition["components"] if c["type"] == "BODY")
        names = [p["param_name"] for p in body["example"]["body_text_named_params"]]
        result[(definition["name"], definition["language"])] = tuple(names)
    return result


class WhatsAppChannel(Channel):
    """Send outbox messages through the WhatsApp Cloud API."""

    name = WHATSAPP
    # The Cloud API cannot be searched by our outbox id; statuses can.
    proves_absence = False

    def __init__(
        self,
        engine: Engine,
        config: WhatsAppConfig,
        *,
        client: GraphClient | None = None,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self.config = config
        self.client = client or GraphClient(config)
        self._clock = clock
        self.pair = PairLimiter(config.pair_interval_seconds, clock=monotonic)
        self._tiers: dict[int, TierCounter] = {}
        # Facts read by `check_ready` in the claim transaction, by outbox id.
        self._readiness: dict[int, _Readiness] = {}

    def close(self) -> None:
        """Close the Graph client's connections."""
        self.client.close()

    def check_ready(
        self, session: Session, message: OutgoingMessage, now: datetime
    ) -> Deferral | None:
        return self.check_ready_batch(session, [message], now).get(message.outbox_id)

    def check_ready_batch(
        self, session: Session, messages: Sequence[OutgoingMessage], now: datetime
    ) -> dict[int, Deferral]:
        deferrals = {}
        for message, readiness in _read_readiness(session, messages, now):
            if readiness.in_window or readiness.approved:
                # `send` follows soon, so it reuses these reads. Dry runs call
                # this without `send`, so the map is cleared when it grows.
                if len(self._readiness) > 10_000:
                    self._readiness.clear()
                self._readiness[message.outbox_id] = readiness
                continue
            deferrals[message.outbox_id] = Deferral(
                until=now + TEMPLATE_RECHECK,
                reason=Reason.TEMPLATE_NOT_APPROVED,
                details={
                    "template_name": message.template_name,
                    "language_code": message.language_code,
                    "template_status": readiness.template_status,
                },
            )
        return deferrals

    def send(self, message: OutgoingMessage) -> SendResult:
        now = self._clock()
        readiness = self._readiness.pop(message.outbox_id, None)
        if readiness is None:
            with transaction(self._engine) as session:
                [(_, readiness)] = _read_readiness(session, [message], now)
        if readiness.earlier is not None:
            # A status webhook proves an earlier attempt (one that timed out)
            # reached Meta, so it is not sent twice.
            # NOTE: an attempt that timed out and whose status webhook has not
            # arrived by the retry (5 minutes later by default) is sent again.
            return readiness.earlier
        to = message.to_phone.lstrip("+")
        self.pair.check(to)

        if readiness.in_window:
            try:
                payload = session_payload(message.text, message.buttons)
                return self._post(message, to, payload, now)
            except WindowClosedError:
                logger.info(
                    "outbox row %s: the window closed, sending the template",
                    message.outbox_id,
                )
        return self._send_template(message, to, now, readiness.approved)

    def lookup(self, outbox_id: int) -> SendResult | None:
        with transaction(self._engine) as session:
            return _first_status(session, outbox_id)

    def tier(self, business_id: int, now: datetime) -> TierCounter:
        """Return the business's tier counter, loaded from the outbox once."""
        counter = self._tiers.get(business_id)
        if counter is None:
            counter = TierCounter(self.config.tier_limit)
            counter.load(self._engine, business_id, WHATSAPP, now)
            self._tiers[business_id] = counter
        return counter

    def _send_template(
        self, message: OutgoingMessage, to: str, now: datetime, approved: bool
    ) -> SendResult:
        name, language = message.template_name, message.language_code
        if not name or not language:
            raise TemplateParameterError(
                f"outbox row {message.outbox_id} has no template: compose it again"
            )
        if not approved:
            raise WindowClosedError(
                f"template {name} ({language}) is not approved and the customer's "
                "24-hour window is closed: the row waits for the approval",
                code=Reason.TEMPLATE_NOT_APPROVED.value,
            )
        expected = registered_parameters().get((name, language))
        if expected is None:
            raise TemplateParameterError(
                f"template {name} ({language}) is not one of the composer's "
                "templates: push the templates again"
            )
        check_parameters(name, expected, message.parameters)

        tier = self.tier(message.business_id, now)
        tier.check(message.customer_id, now)
        result = self._post(
            message, to, template_payload(name, language, message.parameters), now
        )
        tier.record(message.customer_id, now)
        return result

    def _post(
        self, message: OutgoingMessage, to: str, payload: Payload, now: datetime
    ) -> SendResult:
        message_type, content = payload
        try:
            response = self.client.send_message(
                to,
                message_type,
                content,
                callback_data=callback_data(message.outbox_id),
            )
        except NotOnWhatsAppError as exc:
            self._mark_not_on_whatsapp(message, now, exc)
            raise
        except TemplateProblemError as exc:
            self._template_problem(message, now, exc)
            if exc.template_status is not None:
                raise TemplateNotApprovedError(
                    f"template {message.template_name} ({message.language_code}) is "
                    f"{exc.template_status} at Meta: the row waits for its approval "
                    f"({exc})",
                    code=exc.code,
                ) from exc
            raise
        except MarketingLimitError as exc:
            self._audit(message, now, "whatsapp_marketing_limit", exc.code)
            raise
        self.pair.record(to)

        wamid = str(response["messages"][0]["id"])
        contacts = response.get("contacts") or [{}]
        wa_id = contacts[0].get("wa_id")
        if wa_id and wa_id != to:
            self._store_wa_id(message, str(wa_id))
        logger.debug("outbox row %s sent as %s", message.outbox_id, message_type)
        return SendResult(provider_message_id=wamid, sent_at=now)

    def _mark_not_on_whatsapp(
        self, message: OutgoingMessage, now: datetime, error: NotOnWhatsAppError
    ) -> None:
        with transaction(self._engine) as session:
            session.execute(
                update(Customer)
                .where(
                    Customer.id == message.customer_id,
                    Customer.business_id == message.business_id,
                )
                .values(
                    phone_status=PhoneStatus.NOT_ON_WHATSAPP,
                    phone_problem=UNREACHABLE_PROBLEM,
                    updated_at=now,
                )
            )
            self._add_audit(session, message, now, "phone_not_on_whatsapp", error.code)
        logger.info("customer %s marked not on WhatsApp", message.customer_id)

    def _template_problem(
        self, message: OutgoingMessage, now: datetime, error: TemplateProblemError
    ) -> None:
        with transaction(self._engine) as session:
            if error.template_status is not None and message.template_name:
                set_template_status(
                    session,
                    message.business_id,
                    message.template_name,
                    message.language_code or "",
                    error.template_status,
                    now,
                    source="send",
                    reason=error.details,
                )
            self._add_audit(
                session, message, now, "whatsapp_template_problem", error.code
            )

    def _store_wa_id(self, message: OutgoingMessage, wa_id: str) -> None:
        with transaction(self._engine) as session:
            session.execute(
                update(Customer)
                .where(
                    Customer.id == message.customer_id,
                    Customer.business_id == message.business_id,
                )
                .values(wa_id=wa_id)
            )

    def _audit(
        self, message: OutgoingMessage, now: datetime, kind: str, reason: str
    ) -> None:
        with transaction(self._engine) as session:
            self._add_audit(session, message, now, kind, reason)

    def _add_audit(
        self,
        session: Session,
        message: OutgoingMessage,
        now: datetime,
        kind: str,
        reason: str,
    ) -> None:
        session.add(
            AuditEvent(
                business_id=message.business_id,
                at=now,
                actor=WHATSAPP,
                kind=kind,
                subject_type="outbox_message",
                subject_id=message.outbox_id,
                reason=reason,
                details={
                    "customer_id": message.customer_id,
                    "template_name": message.template_name,
                    "language_code": message.language_code,
                },
            )
        )


def _first_status(session: Session, outbox_id: int) -> SendResult | None:
    status = session.scalars(
        select(MessageStatusEvent)
        .where(
            MessageStatusEvent.provider == WHATSAPP,
            MessageStatusEvent.outbox_id == outbox_id,
        )
        .order_by(MessageStatusEvent.at)
        .limit(1)
    ).first()
    if status is None:
        return None
    return SendResult(status.provider_message_id, status.at)


@dataclass(frozen=True)
class _Readiness:
    """What decides how a message goes out, read in one transaction."""

    earlier: SendResult | None
    in_window: bool
    approved: bool
    template_status: str


def _read_readiness(
    session: Session, messages: Sequence[OutgoingMessage], now: datetime
) -> list[tuple[OutgoingMessage, _Readiness]]:
    """Read what decides how each message goes out, in three queries in all.

    A template's status is read once for all the messages that use it, so
    a template paused or rejected at Meta stops the next batch.
    """
    if not messages:
        return []
    business_ids = sorted({message.business_id for message in messages})
    statuses = _template_statuses(session, business_ids, messages)
    earlier = _first_statuses(session, [message.outbox_id for message in messages])
    last_inbound = _last_inbound(session, messages)

    result = []
    for message in messages:
        key = (message.business_id, message.template_name, message.language_code)
        status = statuses.get(key, NOT_REGISTERED)
        last = last_inbound.get((message.business_id, message.customer_id))
        readiness = _Readiness(
            earlier=earlier.get(message.outbox_id),
            in_window=last is not None and now - last < SERVICE_WINDOW,
            approved=status in SENDABLE_STATUSES,
            template_status=status,
        )
        result.append((message, readiness))
    return result


def _template_statuses(
    session: Session, business_ids: list[int], messages: Sequence[OutgoingMessage]
) -> dict[tuple[int, str | None, str | None], str]:
    names = sorted({m.template_name for m in messages if m.template_name})
    if not names:
        return {}
    found = session.execute(
        select(
            WhatsAppTemplate.business_id,
            WhatsAppTemplate.name,
            WhatsAppTemplate.language,
            WhatsAppTemplate.status,
        ).where(
            WhatsAppTemplate.business_id.in_(business_ids),
            WhatsAppTemplate.name.in_(names),
        )
    ).all()
    return {
        (business, name, language): status for business, name, language, status in found
    }


def _first_statuses(session: Session, outbox_ids: list[int]) -> dict[int, SendResult]:
    """Return the first status webhook of each outbox row that has one."""
    found = session.execute(
        select(
            MessageStatusEvent.outbox_id,
            MessageStatusEvent.provider_message_id,
            MessageStatusEvent.at,
        )
        .where(
            MessageStatusEvent.provider == WHATSAPP,
            MessageStatusEvent.outbox_id.in_(outbox_ids),
        )
        .order_by(MessageStatusEvent.outbox_id, MessageStatusEvent.at)
    ).all()
    first: dict[int, SendResult] = {}
    for outbox_id, provider_message_id, at in found:
        if outbox_id is not None and outbox_id not in first:
            first[outbox_id] = SendResult(provider_message_id, at)
    return first


def _last_inbound(
    session: Session, messages: Sequence[OutgoingMessage]
) -> dict[tuple[int, int], datetime]:
    """Return when each customer last wrote, on any channel, by (business, customer)."""
    pairs = {(message.business_id, message.customer_id) for message in messages}
    found = session.execute(
        select(
            InboundMessage.business_id,
            InboundMessage.customer_id,
            func.max(InboundMessage.received_at),
        )
        .where(
            InboundMessage.business_id.in_(sorted({b for b, _ in pairs})),
            InboundMessage.customer_id.in_(sorted({c for _, c in pairs})),
        )
        .group_by(InboundMessage.business_id, InboundMessage.customer_id)
    ).all()
    return {
        (business_id, customer_id): last
        for business_id, customer_id, last in found
        if customer_id is not None and last is not None
    }
