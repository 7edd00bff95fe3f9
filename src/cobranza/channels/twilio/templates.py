"""WhatsApp review status of the Twilio Content templates, read into the table.

Each template and language is sent through the Content SID set for it in
COBRANZA_TWILIO_CONTENT_SIDS (`{"template_name:language": "HX..."}`).
`sync_content_templates` reads each SID's WhatsApp approval from Twilio's
Content API and stores it as a `WhatsAppTemplate` row named
`twilio:<template_name>`, with the SID as its provider id. The gate defers
a `twilio` row whose template is not approved there, and an approval read
by a sync queues the deferred rows again (see `cobranza.dunning.template_approval`).

NOTE: Twilio's statuses share the `whatsapp_template` table under the name
prefix because a provider column would need a migration. No scheduled job
runs the sync, and cobranza does not receive Twilio's approval events, so a
held reminder waits until someone runs `cobranza twilio templates sync`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from cobranza.channels.errors import ChannelError
from cobranza.channels.twilio.client import TwilioClient
from cobranza.channels.whatsapp.templates import find_template, set_template_status
from cobranza.db.models import TemplateStatus, WhatsAppTemplate
from cobranza.dunning.template_approval import (
    NOT_REGISTERED,
    SENDABLE_STATUSES,
    TWILIO_CHANNEL,
    stored_name,
)

logger = logging.getLogger(__name__)

# Twilio's error code for a resource it does not have.
NOT_FOUND_CODE = "twilio_20404"


class ApprovalStatus(StrEnum):
    """WhatsApp approval states of a Content template, as Twilio writes them.

    UNKNOWN keeps a value this version does not know parseable.
    """

    UNSUBMITTED = "unsubmitted"
    RECEIVED = "received"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAUSED = "paused"
    DISABLED = "disabled"
    UNKNOWN = "unknown"


# The stored status of each Twilio status. RECEIVED is a request that
# Twilio has not yet passed to WhatsApp's review. UNSUBMITTED Content was
# never sent for review, so WhatsApp has no such template.
STORED_STATUSES = {
    ApprovalStatus.UNSUBMITTED: TemplateStatus.MISSING,
    ApprovalStatus.RECEIVED: TemplateStatus.PENDING,
    ApprovalStatus.PENDING: TemplateStatus.PENDING,
    ApprovalStatus.APPROVED: TemplateStatus.APPROVED,
    ApprovalStatus.REJECTED: TemplateStatus.REJECTED,
    ApprovalStatus.PAUSED: TemplateStatus.PAUSED,
    ApprovalStatus.DISABLED: TemplateStatus.DISABLED,
    ApprovalStatus.UNKNOWN: TemplateStatus.UNKNOWN,
}


class ContentKeyError(ValueError):
    """A key of COBRANZA_TWILIO_CONTENT_SIDS is not `template_name:language`."""


@dataclass(frozen=True)
class ContentTemplate:
    """One configured Content template and its stored WhatsApp status."""

    name: str
    language: str
    content_sid: str
    # A `TemplateStatus` value, or NOT_REGISTERED when no sync has read this
    # SID yet.
    status: str
    reason: str | None = None
    category: str | None = None
    # The channel error code of a sync that could not read the status, such
    # as twilio_20404 for a SID that Twilio does not have.
    error_code: str | None = None

    @property
    def approved(self) -> bool:
        return self.status in SENDABLE_STATUSES


def parse_content_key(key: str) -> tuple[str, str]:
    """Split a COBRANZA_TWILIO_CONTENT_SIDS key into template name and language."""
    name, separator, language = key.strip().rpartition(":")
    if not separator or not name or not language:
        raise ContentKeyError(
            f"invalid key {key!r} in COBRANZA_TWILIO_CONTENT_SIDS: write it as "
            "template_name:language, such as cobranza_reminder_soft_friendly:es_AR"
        )
    return name, language


def parse_approval(
    body: Mapping[str, Any],
) -> tuple[ApprovalStatus, str | None, str | None]:
    """Read status, rejection reason and category from an ApprovalRequests body.

    A body without a `whatsapp` object is Content never submitted to
    WhatsApp.
    """
    whatsapp = body.get("whatsapp") or {}
    if not isinstance(whatsapp, Mapping):
        return ApprovalStatus.UNKNOWN, None, None
    raw_status = whatsapp.get("status") or ApprovalStatus.UNSUBMITTED
    try:
        status = ApprovalStatus(str(raw_status).lower())
    except ValueError:
        status = ApprovalStatus.UNKNOWN
    reason = whatsapp.get("rejection_reason") or None
    category = whatsapp.get("category") or None
    return (
        status,
        str(reason) if reason else None,
        str(category).upper() if category else None,
    )


def content_template(
    session: Session,
    business_id: int,
    name: str,
    language: str,
    content_sid: str,
) -> ContentTemplate:
    """Return the stored status of one configured Content template.

    A row stored for another SID is from before the setting changed, so the
    template counts as not read yet.
    """
    stored = find_stored(session, business_id, name, language)
    if stored is None or stored.meta_id != content_sid:
        return ContentTemplate(name, language, content_sid, NOT_REGISTERED)
    return ContentTemplate(
        name,
        language,
        content_sid,
        str(stored.status),
        stored.rejected_reason,
        stored.category,
    )


def find_stored(
    session: Session, business_id: int, name: str, language: str
) -> WhatsAppTemplate | None:
    """Find the stored Twilio status of a template by its composer name."""
    return find_template(
        session, business_id, stored_name(TWILIO_CHANNEL, name), language
    )


def list_content_templates(
    session: Session, business_id: int, content_sids: Mapping[str, str]
) -> list[ContentTemplate]:
    """List the configured Content templates with their stored status."""
    templates = []
    for key, content_sid in sorted(content_sids.items()):
        name, language = parse_content_key(key)
        templates.append(
            content_template(session, business_id, name, language, content_sid)
        )
    return templates


def sync_content_templates(
    session: Session,
    business_id: int,
    client: TwilioClient,
    content_sids: Mapping[str, str],
    now: datetime,
) -> list[ContentTemplate]:
    """Read each configured Content SID's WhatsApp approval into the table.

    An approval queues the rows held for the template again. A SID that
    Twilio does not have is stored as MISSING. Any other failure is returned
    on that template, whose stored status stays as it was, and the other
    templates are still read. An invalid key raises `ContentKeyError` before
    any request.
    """
    entries = [
        (*parse_content_key(key), content_sid)
        for key, content_sid in sorted(content_sids.items())
    ]
    results = []
    for name, language, content_sid in entries:
        try:
            body = client.fetch_approval(content_sid)
        except ChannelError as exc:
            results.append(
                _failed_read(
                    session, business_id, name, language, content_sid, exc, now
                )
            )
            continue
        status, reason, category = parse_approval(body)
        set_template_status(
            session,
            business_id,
            stored_name(TWILIO_CHANNEL, name),
            language,
            STORED_STATUSES[status],
            now,
            source="sync",
            category=category,
            meta_id=content_sid,
            reason=reason,
        )
        results.append(
            content_template(session, business_id, name, language, content_sid)
        )
    return results


def _failed_read(
    session: Session,
    business_id: int,
    name: str,
    language: str,
    content_sid: str,
    error: ChannelError,
    now: datetime,
) -> ContentTemplate:
    logger.warning(
        "Twilio Content %s (%s %s) approval read failed: %s",
        content_sid,
        name,
        language,
        error.code,
    )
    if error.code == NOT_FOUND_CODE:
        set_template_status(
            session,
            business_id,
            stored_name(TWILIO_CHANNEL, name),
            language,
            TemplateStatus.MISSING,
            now,
            source="sync",
            meta_id=content_sid,
        )
    stored = content_template(session, business_id, name, language, content_sid)
    return ContentTemplate(
        name,
        language,
        content_sid,
        stored.status,
        stored.reason,
        stored.category,
        error_code=error.code,
    )
