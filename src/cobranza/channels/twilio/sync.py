"""The Twilio template sync that runs before a dispatch, bounded in time.

Twilio does not tell cobranza when WhatsApp approves a Content template,
so `cobranza run` and the scheduler of `cobranza serve` and `cobranza
worker` read the approvals before they dispatch. `ContentSync.run_if_due`
reads only when a reminder is held for a configured template or a Content
SID has never been read, and at most once per `interval` for each business.
It starts no request after `budget_seconds`, so its requests take at most
that plus one client timeout. A failed read is logged, and the held
reminders stay held until a later sync reads the approval.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cobranza.channels.twilio.client import TwilioClient
from cobranza.channels.twilio.templates import (
    ContentKeyError,
    HeldTemplate,
    content_template,
    held_templates,
    parse_content_key,
    read_approvals,
    store_approvals,
)
from cobranza.channels.whatsapp.templates import deferred_counts
from cobranza.db.engine import transaction
from cobranza.dunning.template_approval import NOT_REGISTERED, TWILIO_CHANNEL

logger = logging.getLogger(__name__)

# How often the scheduler reads the approvals while some are needed.
SYNC_INTERVAL = timedelta(minutes=15)
# How long one sync may start new requests. Each request has the client's
# timeout (10 s by default), so a sync lasts at most about 30 s.
SYNC_BUDGET_SECONDS = 20.0
# The error code of a sync that raised something other than a channel error.
SYNC_ERROR = "sync_error"


@dataclass
class ContentSyncReport:
    """Counts of one sync: SIDs read, reminders released, failures."""

    requested: int
    read: int = 0
    released: int = 0
    # The error code of each Content SID whose read failed.
    failed: dict[str, str] = field(default_factory=dict)
    # Content SIDs not read, after a failure that a retry could fix or once
    # the time budget was spent.
    unread: int = 0
    # The sync raised before it stored anything, such as on a database error.
    aborted: bool = False

    @property
    def error_code(self) -> str | None:
        """The first failure's error code, or None when every read succeeded."""
        if self.aborted:
            return SYNC_ERROR
        return next(iter(self.failed.values()), None)


class ContentSync:
    """Read the Content approvals that held reminders wait for, when due."""

    def __init__(
        self,
        engine: Engine,
        client: TwilioClient,
        content_sids: Mapping[str, str],
        *,
        interval: timedelta = SYNC_INTERVAL,
        budget_seconds: float = SYNC_BUDGET_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._client = client
        self._content_sids = dict(content_sids)
        self._interval = interval
        self._budget_seconds = budget_seconds
        self._monotonic = monotonic
        # The instant of the last sync of each business.
        self._last_sync: dict[int, datetime] = {}

    def run_if_due(self, business_id: int, now: datetime) -> ContentSyncReport | None:
        """Sync the needed approvals unless one ran less than `interval` ago.

        Returns None when no sync ran.
        """
        last = self._last_sync.get(business_id)
        if last is not None and last <= now < last + self._interval:
            return None
        with transaction(self._engine) as session:
            entries = self._needed_entries(session, business_id)
        if not entries:
            return None
        self._last_sync[business_id] = now

        deadline = self._monotonic() + self._budget_seconds
        reads, unread = read_approvals(
            self._client, entries, deadline=deadline, monotonic=self._monotonic
        )
        with transaction(self._engine) as session:
            held_before = _held_count(session, business_id)
            results = store_approvals(session, business_id, reads, now)
            released = held_before - _held_count(session, business_id)

        report = ContentSyncReport(
            requested=len(entries),
            read=sum(1 for result in results if result.error_code is None),
            released=max(released, 0),
            failed={
                result.content_sid: result.error_code
                for result in results
                if result.error_code is not None
            },
            unread=unread,
        )
        _log(business_id, report)
        return report

    def held_templates(self, business_id: int) -> list[HeldTemplate]:
        """List the templates that the business's held reminders wait for."""
        with transaction(self._engine) as session:
            return held_templates(session, business_id, self._content_sids)

    def _needed_entries(
        self, session: Session, business_id: int
    ) -> list[tuple[str, str, str]]:
        """Return the configured templates that held reminders wait for or
        that no sync has read with their current Content SID."""
        held = deferred_counts(session, business_id, TWILIO_CHANNEL)
        entries = []
        for key, content_sid in sorted(self._content_sids.items()):
            try:
                name, language = parse_content_key(key)
            except ContentKeyError as exc:
                logger.warning("Twilio template sync skips a key: %s", exc)
                continue
            stored = content_template(session, business_id, name, language, content_sid)
            if (name, language) in held or stored.status == NOT_REGISTERED:
                entries.append((name, language, content_sid))
        return entries


def _held_count(session: Session, business_id: int) -> int:
    return sum(deferred_counts(session, business_id, TWILIO_CHANNEL).values())


def _log(business_id: int, report: ContentSyncReport) -> None:
    if not report.failed and not report.unread:
        logger.info(
            "Twilio template sync of business %s: %d Content SIDs read, "
            "%d held reminders released",
            business_id,
            report.read,
            report.released,
        )
        return
    logger.warning(
        "Twilio template sync of business %s failed for %d of %d Content SIDs "
        "(%s) and left %d unread: their reminders stay held until a later sync "
        "reads the approval (or run cobranza twilio templates sync)",
        business_id,
        len(report.failed),
        report.requested,
        ", ".join(sorted(set(report.failed.values()))) or "time budget spent",
        report.unread,
    )
