"""Whether a WhatsApp template that a message needs is approved by Meta.

Outside the customer's 24-hour service window WhatsApp delivers only a
template that Meta approved, in the language of the customer's locale. The
gate reads the stored review status of that template (`WhatsAppTemplate`)
and defers the message while it is not approved. Inside the window the
channel sends the composed text, which needs no template.

Rows of two channels are checked. A `whatsapp` row needs the template that
cobranza registered with Meta, kept current by the template webhooks,
`push` and `sync`. A `twilio` row needs the Content template set for it in
COBRANZA_TWILIO_CONTENT_SIDS, whose status `cobranza twilio templates sync`
stores under the template's name with the `twilio:` prefix. The sandbox has
no review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from cobranza.db.models import (
    InboundMessage,
    OutboxMessage,
    TemplateStatus,
    WhatsAppTemplate,
)
from cobranza.messages import MessageError, whatsapp_template

# The outbox channels whose templates need Meta's approval.
WHATSAPP_CHANNEL = "whatsapp"
TWILIO_CHANNEL = "twilio"
# The prefix of the stored name of a Twilio Content template's status. Meta
# allows only lowercase letters, digits and underscores in a template name,
# so no template registered with Meta starts with it.
TWILIO_PREFIX = "twilio:"
# How long after the customer's last message a business may write free-form.
SERVICE_WINDOW = timedelta(hours=24)
# The status of a template that was never registered with Meta (no row).
NOT_REGISTERED = "NOT_REGISTERED"
# The statuses whose template Meta delivers, from Meta's reference of the
# `message_template_status_update` webhook. FLAGGED marks a template at risk
# of being disabled after negative feedback. REINSTATED marks one that may be
# sent again after it was flagged or disabled.
SENDABLE_STATUSES = frozenset(
    {TemplateStatus.APPROVED, TemplateStatus.FLAGGED, TemplateStatus.REINSTATED}
)

_LAST_INBOUND = (
    select(InboundMessage.customer_id, func.max(InboundMessage.received_at))
    .where(
        InboundMessage.business_id == bindparam("business_id"),
        InboundMessage.customer_id.in_(bindparam("customer_ids", expanding=True)),
    )
    .group_by(InboundMessage.customer_id)
)
# Every template of the rows' languages, because the gate may change a row's
# step kind (and so its template name) after this read.
_TEMPLATE_STATUSES = select(
    WhatsAppTemplate.name, WhatsAppTemplate.language, WhatsAppTemplate.status
).where(
    WhatsAppTemplate.business_id == bindparam("business_id"),
    WhatsAppTemplate.language.in_(bindparam("languages", expanding=True)),
)


@dataclass(frozen=True)
class UnapprovedTemplate:
    """The template a held message needs, and its review status at Meta."""

    name: str
    language: str
    status: str

    def details(self) -> dict[str, Any]:
        """Return the audit details that name the template and its status."""
        return {
            "template_name": self.name,
            "language_code": self.language,
            "template_status": self.status,
        }


@dataclass(frozen=True)
class TemplateStatuses:
    """The business's stored template statuses, by (name, language code)."""

    statuses: Mapping[tuple[str, str], str]

    def unapproved(self, row: OutboxMessage) -> UnapprovedTemplate | None:
        """Return the row's template when it is not approved, else None.

        The template is the one its current step kind, locale and tone
        compose to. A row the composer cannot compose returns None, because
        the dispatcher then fails it with the composer's error.
        """
        try:
            name, language = whatsapp_template(row.step_kind, row.locale, row.tone)
        except MessageError:
            return None
        key = (stored_name(row.channel, name), language)
        status = self.statuses.get(key, NOT_REGISTERED)
        if status in SENDABLE_STATUSES:
            return None
        return UnapprovedTemplate(name, language, str(status))


def needs_template(
    session: Session,
    business_id: int,
    rows: Sequence[OutboxMessage],
    now: datetime,
) -> tuple[set[int], TemplateStatuses]:
    """Return the ids of the rows that can go out only as a template, and the statuses.

    These are the `whatsapp` and `twilio` rows whose customer has not written
    in the last 24 hours. The two queries run only when the business has such
    rows.
    """
    whatsapp = [
        row for row in rows if row.channel in (WHATSAPP_CHANNEL, TWILIO_CHANNEL)
    ]
    if not whatsapp:
        return set(), TemplateStatuses({})

    customer_ids = sorted({row.customer_id for row in whatsapp})
    last_inbound = dict(
        session.execute(
            _LAST_INBOUND, {"business_id": business_id, "customer_ids": customer_ids}
        ).all()
    )
    outside_window = {
        row.id
        for row in whatsapp
        if (last := last_inbound.get(row.customer_id)) is None
        or now - last >= SERVICE_WINDOW
    }
    languages = sorted(
        {
            language
            for row in whatsapp
            if row.id in outside_window and (language := _language(row)) is not None
        }
    )
    if not languages:
        return set(), TemplateStatuses({})

    found = session.execute(
        _TEMPLATE_STATUSES, {"business_id": business_id, "languages": languages}
    ).all()
    statuses = {(name, language): status for name, language, status in found}
    return outside_window, TemplateStatuses(statuses)


def _language(row: OutboxMessage) -> str | None:
    """Return the WhatsApp language code of the row's locale, or None if invalid."""
    try:
        return whatsapp_template(row.step_kind, row.locale, row.tone)[1]
    except MessageError:
        return None


def stored_name(channel: str, template_name: str) -> str:
    """Return the name that a channel's status of `template_name` is stored under."""
    if channel == TWILIO_CHANNEL:
        return TWILIO_PREFIX + template_name
    return template_name


def outbox_template(name: str) -> tuple[str, str]:
    """Return the outbox channel and template name of a stored template name."""
    if name.startswith(TWILIO_PREFIX):
        return TWILIO_CHANNEL, name.removeprefix(TWILIO_PREFIX)
    return WHATSAPP_CHANNEL, name
