"""The business's WhatsApp templates: registered with Meta, status kept current.

`push_templates` registers every composer template (one translation per
language code), `sync_templates` reads their review status back from the
Graph API, and the template webhooks and send errors update it through
`set_template_status`. The gate defers a message whose template Meta does
not deliver (see `cobranza.dunning.template_approval`), and an approval
queues the deferred messages again at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cobranza.channels.errors import ChannelError
from cobranza.channels.whatsapp.graph import GraphClient
from cobranza.compliance.reasons import Reason
from cobranza.db.models import (
    AuditEvent,
    OutboxMessage,
    OutboxState,
    TemplateStatus,
    WhatsAppTemplate,
)
from cobranza.dunning.template_approval import (
    SENDABLE_STATUSES,
    TWILIO_PREFIX,
    WHATSAPP_CHANNEL,
    outbox_template,
)
from cobranza.messages import Category, whatsapp_template_definitions

logger = logging.getLogger(__name__)

# The stored time of a status that no webhook has reported yet. Push, sync
# and send errors leave the stored time alone, because they read this
# server's clock and a webhook carries Meta's. Comparing the two would drop
# an approval reported right after a push when this clock runs ahead.
UNREPORTED = datetime(1970, 1, 1, tzinfo=UTC)

# Parameters that carry an early-payment discount, a promotional element
# that makes WhatsApp class a template as MARKETING.
DISCOUNT_PARAMETERS = frozenset({"descuento", "monto_con_descuento", "fecha_descuento"})


@dataclass(frozen=True)
class PushResult:
    """The outcome of pushing one template translation in `push_templates`."""

    name: str
    language: str
    category: str
    status: str
    error: str | None = None


def parse_status(value: Any) -> TemplateStatus:
    """Read a status from Meta; a value this version does not know is UNKNOWN."""
    try:
        return TemplateStatus(str(value).upper())
    except ValueError:
        return TemplateStatus.UNKNOWN


def required_category(definition: dict[str, Any]) -> str:
    """Return MARKETING for a template with a discount parameter, else its own."""
    names = {
        parameter["param_name"]
        for component in definition.get("components", [])
        for parameter in component.get("example", {}).get("body_text_named_params", [])
    }
    if names & DISCOUNT_PARAMETERS:
        return Category.MARKETING.value
    return str(definition["category"])


def push_templates(
    session: Session,
    business_id: int,
    client: GraphClient,
    now: datetime,
    definitions: Iterable[dict[str, Any]] | None = None,
) -> list[PushResult]:
    """Register each template translation not yet at Meta; return the outcomes.

    A translation already stored with a Meta id is skipped (run
    `sync_templates` for its status), unless Meta lost it (MISSING, from
    `sync` or from error 132001 at send): that one is registered again, so
    the messages waiting for it are not held for ever. A rejection by the
    API is stored on the template and reported, and the other templates are
    still pushed.
    """
    results = []
    for definition in definitions or whatsapp_template_definitions():
        definition = {**definition, "category": required_category(definition)}
        name, language = definition["name"], definition["language"]
        stored = find_template(session, business_id, name, language)
        if (
            stored is not None
            and stored.meta_id
            and stored.status != TemplateStatus.MISSING
        ):
            results.append(PushResult(name, language, stored.category, stored.status))
            continue
        try:
            created = client.create_template(definition)
        except ChannelError as exc:
            logger.warning("template %s %s push failed: %s", name, language, exc.code)
            set_template_status(
                session,
                business_id,
                name,
                language,
                TemplateStatus.REJECTED,
                now,
                source="push",
                category=definition["category"],
                reason=str(exc),
            )
            results.append(
                PushResult(name, language, definition["category"], "REJECTED", str(exc))
            )
            continue
        status = parse_status(created.get("status", TemplateStatus.PENDING))
        category = str(created.get("category") or definition["category"])
        set_template_status(
            session,
            business_id,
            name,
            language,
            status,
            now,
            source="push",
            category=category,
            meta_id=str(created["id"]) if created.get("id") else None,
        )
        results.append(PushResult(name, language, category, status.value))
    return results


def sync_templates(
    session: Session, business_id: int, client: GraphClient, now: datetime
) -> list[WhatsAppTemplate]:
    """Read every template's status from the Graph API into the table.

    A stored template that Meta no longer lists becomes MISSING.
    """
    seen: set[tuple[str, str]] = set()
    for remote in client.list_templates():
        name, language = str(remote["name"]), str(remote["language"])
        seen.add((name, language))
        reason = remote.get("rejected_reason")
        set_template_status(
            session,
            business_id,
            name,
            language,
            parse_status(remote.get("status")),
            now,
            source="sync",
            category=remote.get("category"),
            meta_id=str(remote["id"]) if remote.get("id") else None,
            reason=None if reason in (None, "NONE") else str(reason),
        )
    for stored in list_templates(session, business_id):
        if (stored.name, stored.language) not in seen and stored.meta_id:
            set_template_status(
                session,
                business_id,
                stored.name,
                stored.language,
                TemplateStatus.MISSING,
                now,
                source="sync",
            )
    return list_templates(session, business_id)


def list_templates(session: Session, business_id: int) -> list[WhatsAppTemplate]:
    """List the business's templates registered with Meta, without Twilio's."""
    return list(
        session.scalars(
            select(WhatsAppTemplate)
            .where(
                WhatsAppTemplate.business_id == business_id,
                ~WhatsAppTemplate.name.startswith(TWILIO_PREFIX, autoescape=True),
            )
            .order_by(WhatsAppTemplate.name, WhatsAppTemplate.language)
        )
    )


def find_template(
    session: Session, business_id: int, name: str, language: str
) -> WhatsAppTemplate | None:
    return session.scalars(
        select(WhatsAppTemplate).where(
            WhatsAppTemplate.business_id == business_id,
            WhatsAppTemplate.name == name,
            WhatsAppTemplate.language == language,
        )
    ).first()


def is_approved(session: Session, business_id: int, name: str, language: str) -> bool:
    template = find_template(session, business_id, name, language)
    return template is not None and template.status in SENDABLE_STATUSES


def set_template_status(
    session: Session,
    business_id: int,
    name: str,
    language: str,
    status: TemplateStatus,
    now: datetime,
    *,
    source: str,
    category: str | None = None,
    new_category: str | None = None,
    meta_id: str | None = None,
    reason: str | None = None,
    reported_at: datetime | None = None,
    status_reported: bool = True,
) -> WhatsAppTemplate:
    """Create or update one template's row; audit every change of status.

    `source` names who reported it: push, sync, webhook or send. A status
    that Meta delivers (`SENDABLE_STATUSES`) queues again, for `now`, the
    messages deferred for the template. A `name` with the `twilio:` prefix
    is a Twilio Content template's status, which releases `twilio` rows.

    `reported_at` is when Meta reported the status, from a webhook that may
    arrive late: Meta retries a webhook it could not deliver, so a PENDING
    can arrive after the APPROVED that followed it. A report older than the
    last one applied is ignored. Only webhook reports are ordered, and only
    by Meta's times, so a skewed clock here cannot reorder them. A status
    from this server (push, sync, send) always applies and keeps the stored
    time, so a retried report older than the last webhook is still ignored.
    A caller that only repeats the stored status, such as a change of
    category, passes `status_reported=False` and leaves the stored time as
    it was.
    """
    template = find_template(session, business_id, name, language)
    if (
        template is not None
        and reported_at is not None
        and reported_at < template.updated_at
    ):
        logger.info(
            "template %s %s: %s from %s reported at %s is older than the last "
            "report at %s, so it is ignored",
            name,
            language,
            status,
            source,
            reported_at.isoformat(),
            template.updated_at.isoformat(),
        )
        return template
    if template is None:
        template = WhatsAppTemplate(
            business_id=business_id,
            name=name,
            language=language,
            category=category or Category.UTILITY.value,
            status=status,
            updated_at=UNREPORTED,
        )
        session.add(template)
        previous = None
    else:
        previous = template.status
    template.status = status
    if reported_at is not None and status_reported:
        template.updated_at = reported_at
    if category:
        template.category = category
    if new_category:
        template.new_category = new_category
    if meta_id:
        template.meta_id = meta_id
    if status == TemplateStatus.APPROVED:
        template.rejected_reason = None
    elif reason:
        template.rejected_reason = reason
    session.flush()

    released = 0
    if status in SENDABLE_STATUSES:
        released = release_held_messages(session, business_id, name, language, now)
    if previous != status or new_category or released:
        _audit(session, template, now, source, previous, released)
    return template


def release_held_messages(
    session: Session, business_id: int, name: str, language: str, now: datetime
) -> int:
    """Queue again, for `now`, the WhatsApp messages deferred for this template.

    `name` is the stored name, so a `twilio:` name releases the `twilio` rows
    of the template. The gate then sends each one at its next allowed instant
    (the contact window and the caps still apply). Returns how many were
    queued again.

    Rows already due are updated too: on PostgreSQL the update locks them,
    so a dispatcher that would read the old status in the meantime passes
    them over instead of holding them for another recheck.
    """
    channel, template_name = outbox_template(name)
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.channel == channel,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.deferred_reason == Reason.TEMPLATE_NOT_APPROVED,
            OutboxMessage.template_name == template_name,
            OutboxMessage.language_code == language,
        )
        .values(planned_for=now, deferred_reason=None)
        .execution_options(synchronize_session=False)
    )
    released = int(getattr(result, "rowcount", 0) or 0)
    if released:
        logger.info(
            "template %s %s approved: %s held messages queued again",
            name,
            language,
            released,
        )
    return released


def _audit(
    session: Session,
    template: WhatsAppTemplate,
    now: datetime,
    source: str,
    previous: str | None,
    released: int,
) -> None:
    logger.info(
        "template %s %s is %s (was %s, from %s)",
        template.name,
        template.language,
        template.status,
        previous,
        source,
    )
    session.add(
        AuditEvent(
            business_id=template.business_id,
            at=now,
            actor=f"{outbox_template(template.name)[0]}_{source}",
            kind="whatsapp_template_status",
            subject_type="whatsapp_template",
            subject_id=template.id,
            reason=template.status,
            details={
                "name": template.name,
                "language": template.language,
                "previous_status": previous,
                "category": template.category,
                "new_category": template.new_category,
                "rejected_reason": template.rejected_reason,
                "released_messages": released,
            },
        )
    )


def deferred_counts(
    session: Session, business_id: int, channel: str = WHATSAPP_CHANNEL
) -> dict[tuple[str, str], int]:
    """Count the channel's queued rows waiting for each template's approval."""
    rows = session.execute(
        select(
            OutboxMessage.template_name,
            OutboxMessage.language_code,
            func.count(OutboxMessage.id),
        )
        .where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.channel == channel,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.deferred_reason == Reason.TEMPLATE_NOT_APPROVED,
        )
        .group_by(OutboxMessage.template_name, OutboxMessage.language_code)
    ).all()
    return {
        (name, language): count
        for name, language, count in rows
        if name is not None and language is not None
    }
