"""WhatsApp's sending limits beyond throughput: the pair limit and the tier.

Throughput (messages per second for the number) is paced by the
dispatcher's `TokenBucket`. These two are per recipient:

- pair limit: about one message every 6 s to the same user (131056 above);
- messaging tier: unique customers reached with business-initiated
  (template) messages in a rolling 24 hours: 250, 2,000, 10,000, 100,000
  or unlimited.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from cobranza.channels.whatsapp.errors import PairRateLimitError, TierLimitError
from cobranza.db.engine import transaction
from cobranza.db.models import OutboxMessage, OutboxState

TIER_WINDOW = timedelta(hours=24)
_COUNTED_STATES = (OutboxState.SENT, OutboxState.DELIVERED, OutboxState.READ)


class PairLimiter:
    """Reject a second message to one recipient within `interval` seconds."""

    def __init__(
        self, interval: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def check(self, recipient: str) -> None:
        """Raise `PairRateLimitError` with the wait if the recipient is too recent."""
        with self._lock:
            last = self._last.get(recipient)
            current = self._clock()
        if last is not None and current - last < self.interval:
            wait = self.interval - (current - last)
            raise PairRateLimitError(
                f"a message went to this recipient {current - last:.1f} s ago; "
                f"WhatsApp allows one every {self.interval:g} s, retry in "
                f"{wait:.1f} s",
                retry_after=wait,
                code="whatsapp_pair_limit",
            )

    def record(self, recipient: str) -> None:
        current = self._clock()
        with self._lock:
            self._last[recipient] = current
            # Forget recipients older than the interval, so memory stays bounded.
            if len(self._last) > 10_000:
                self._last = {
                    key: value
                    for key, value in self._last.items()
                    if current - value < self.interval
                }


class TierCounter:
    """Count unique customers reached with templates in a rolling 24 hours.

    It starts from the outbox rows sent through WhatsApp in the last 24
    hours and then counts in memory. Rows that failed do not count.
    """

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._first_sent: dict[int, datetime] = {}
        self._lock = threading.Lock()

    def load(
        self, engine: Engine, business_id: int, channel: str, now: datetime
    ) -> None:
        """Seed the counter from the outbox rows sent in the last 24 hours."""
        with transaction(engine) as session:
            rows = session.execute(
                select(OutboxMessage.customer_id, func.min(OutboxMessage.sent_at))
                .where(
                    OutboxMessage.business_id == business_id,
                    OutboxMessage.channel == channel,
                    OutboxMessage.state.in_(_COUNTED_STATES),
                    OutboxMessage.sent_at > now - TIER_WINDOW,
                )
                .group_by(OutboxMessage.customer_id)
            ).all()
        with self._lock:
            for customer_id, first in rows:
                if first is not None:
                    self._first_sent[customer_id] = first

    def check(self, customer_id: int, now: datetime) -> None:
        """Raise `TierLimitError` when a new recipient would pass the tier."""
        if self.limit is None:
            return
        with self._lock:
            self._expire(now)
            if customer_id in self._first_sent:
                return
            if len(self._first_sent) < self.limit:
                return
            oldest = min(self._first_sent.values())
        wait = (oldest + TIER_WINDOW - now).total_seconds()
        raise TierLimitError(
            f"the messaging tier allows {self.limit} customers in 24 hours and "
            f"all are used; the next slot opens in {wait / 3600:.1f} h. Ask Meta "
            "for a higher tier or set COBRANZA_WHATSAPP_MESSAGING_TIER",
            retry_after=max(wait, 1.0),
            code="whatsapp_tier_limit",
        )

    def record(self, customer_id: int, now: datetime) -> None:
        with self._lock:
            self._first_sent.setdefault(customer_id, now)

    def count(self, now: datetime) -> int:
        with self._lock:
            self._expire(now)
            return len(self._first_sent)

    def _expire(self, now: datetime) -> None:
        cutoff = now - TIER_WINDOW
        expired = [key for key, at in self._first_sent.items() if at <= cutoff]
        for key in expired:
            del self._first_sent[key]
