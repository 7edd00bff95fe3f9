"""WhatsApp review status of the Twilio Content templates, read into the table.

Each template and language is sent through the Content SID set for it in
COBRANZA_TWILIO_CONTENT_SIDS (`{"template_name:language": "HX..."}`).
`sync_content_templates` reads each SID's WhatsApp approval from Twilio's
Content API and stores it as a `WhatsAppTemplate` row named
`twilio:<template_name>`, with the SID as its provider id. The gate defers
a `twilio` row whose template is not approved there, and an approval read
by a sync queues the deferred rows again (see `cobranza.dunning.template_approval`).

Besides `cobranza twilio templates sync`, `cobranza run` and the scheduler
read the approvals that held reminders wait for (`cobranza.channels.twilio.sync`),
because cobranza does not receive Twilio's approval events.

NOTE: Twilio's statuses share the `whatsapp_template` table under the name
prefix because a provider column would need a migration.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from cobranza.channels.errors import ChannelError, TransientChannelError
from cobranza.channels.twilio.client import TwilioClient
from cobranza.channels.whatsapp.templates import (
    deferred_counts,
    find_template,
    set_template_status,
)
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
# The status of a held template without a Content SID in the settings.
NO_CONTENT_SID = "NO_CONTENT_SID"


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


@dataclass(frozen=True)
class HeldTemplate:
    """A template that queued `twilio` reminders wait for, and its status."""

    name: str
    language: str
    # A `TemplateStatus` value, NOT_REGISTERED, or NO_CONTENT_SID when
    # COBRANZA_TWILIO_CONTENT_SIDS has no SID for it.
    status: str
    count: int


def parse_content_key(key: str) -> tuple[str, str]:
    """Split a COBRANZA_TWILIO_CONTENT_SIDS key into template name and language."""
    name, separator, language = key.strip().rpartition(":")
    if not separator or not name or not language:
        raise ContentKeyError(
            f"invalid key {key!r} in COBRANZA_TWILIO_CONTENT_SIDS: write it as "
            "template_name:language, such as cobranza_reminder_soft_friendly:es_AR"
        )
    return name, language


# The length of `WhatsAppTemplate.category`.
MAX_CATEGORY_LENGTH = 32


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
    return status, str(reason) if reason else None, _category(whatsapp)


def _category(whatsapp: Mapping[str, Any]) -> str | None:
    """Return the approval's category in capitals, or None for an invalid one.

    WhatsApp's categories are single words, so a value that is not a string
    or is longer than the stored column is invalid. Storing it would fail
    on PostgreSQL and roll back the sync's other approvals.
    """
    category = whatsapp.get("category")
    if not category:
        return None
    if not isinstance(category, str) or len(category) > MAX_CATEGORY_LENGTH:
        logger.warning(
            "Twilio approval has an invalid category of %d characters, so the "
            "stored category is kept",
            len(str(category)),
        )
        return None
    return category.upper()


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


def held_templates(
    session: Session, business_id: int, content_sids: Mapping[str, str]
) -> list[HeldTemplate]:
    """List the templates that the business's held `twilio` reminders wait for."""
    held = []
    waiting = deferred_counts(session, business_id, TWILIO_CHANNEL)
    for (name, language), count in sorted(waiting.items()):
        content_sid = content_sids.get(f"{name}:{language}")
        status = NO_CONTENT_SID
        if content_sid is not None:
            status = content_template(
                session, business_id, name, language, content_sid
            ).status
        held.append(HeldTemplate(name, language, status, count))
    return held


@dataclass(frozen=True)
class ApprovalRead:
    """The outcome of one ApprovalRequests read: Twilio's body or the error."""

    name: str
    language: str
    content_sid: str
    body: Mapping[str, Any] | None = None
    error: ChannelError | None = None


def content_entries(content_sids: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """Return (template name, language, Content SID) of each configured key.

    Raises `ContentKeyError` on the first invalid key.
    """
    return [
        (*parse_content_key(key), content_sid)
        for key, content_sid in sorted(content_sids.items())
    ]


def read_approvals(
    client: TwilioClient,
    entries: Sequence[tuple[str, str, str]],
    *,
    deadline: float | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> tuple[list[ApprovalRead], int]:
    """GET the WhatsApp approval of each entry, outside any transaction.

    With `deadline` (a `monotonic` instant), the reads stop at the first
    error that a retry could fix, such as a timeout or an HTTP 5xx. They
    also stop before any request that would start after the deadline, so
    the whole read lasts at most one client timeout past it. Returns the reads and
    how many entries were left unread.
    """
    reads: list[ApprovalRead] = []
    for name, language, content_sid in entries:
        if deadline is not None and monotonic() >= deadline:
            break
        try:
            body = client.fetch_approval(content_sid)
        except ChannelError as exc:
            reads.append(ApprovalRead(name, language, content_sid, error=exc))
            if deadline is not None and isinstance(exc, TransientChannelError):
                break
            continue
        reads.append(ApprovalRead(name, language, content_sid, body=body))
    return reads, len(entries) - len(reads)


def store_approvals(
    session: Session, business_id: int, reads: Sequence[ApprovalRead], now: datetime
) -> list[ContentTemplate]:
    """Store each read approval and return every template's status.

    An approval queues the rows held for the template again. A SID that
    Twilio does not have is stored as MISSING. After any other failure the
    stored status stays as it was, and the template carries the error code.
    """
    results = []
    for read in reads:
        if read.error is not None:
            results.append(_failed_read(session, business_id, read, now))
            continue
        status, reason, category = parse_approval(read.body or {})
        set_template_status(
            session,
            business_id,
            stored_name(TWILIO_CHANNEL, read.name),
            read.language,
            STORED_STATUSES[status],
            now,
            source="sync",
            category=category,
            meta_id=read.content_sid,
            reason=reason,
        )
        results.append(
            content_template(
                session, business_id, read.name, read.language, read.content_sid
            )
        )
    return results


def sync_content_templates(
    session: Session,
    business_id: int,
    client: TwilioClient,
    content_sids: Mapping[str, str],
    now: datetime,
) -> list[ContentTemplate]:
    """Read each configured Content SID's WhatsApp approval into the table.

    A failed read is returned on its template, and the other templates are
    still read. An invalid key raises `ContentKeyError` before any request.
    """
    reads, _ = read_approvals(client, content_entries(content_sids))
    return store_approvals(session, business_id, reads, now)


def _failed_read(
    session: Session, business_id: int, read: ApprovalRead, now: datetime
) -> ContentTemplate:
    error = read.error
    code = error.code if error is not None else None
    logger.warning(
        "Twilio Content %s (%s %s) approval read failed: %s",
        read.content_sid,
        read.name,
        read.language,
        code,
    )
    if code == NOT_FOUND_CODE:
        set_template_status(
            session,
            business_id,
            stored_name(TWILIO_CHANNEL, read.name),
            read.language,
            TemplateStatus.MISSING,
            now,
            source="sync",
            meta_id=read.content_sid,
        )
    stored = content_template(
        session, business_id, read.name, read.language, read.content_sid
    )
    return ContentTemplate(
        read.name,
        read.language,
        read.content_sid,
        stored.status,
        stored.reason,
        stored.category,
        error_code=code,
    )
