"""Group commit for webhook ingest: one transaction for many concurrent requests.

Each webhook request that passed its signature check awaits
`GroupCommitStore.store`. The store appends the body to a queue, and a
single flush task inserts everything queued in one transaction
(`store_events`, on a worker thread), then resolves each request's future.
Bodies that arrive during a flush wait for the next one, so batches grow
with the load and no request waits for a timer. A request gets its response
only after the transaction that contains its row has committed. When the
insert fails, every request of that batch gets `EventNotStoredError` and no
row of the batch is stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from cobranza.channels.inbox import NewEvent, store_events

logger = logging.getLogger(__name__)

# Rows per transaction. One row is a few kilobytes, so a batch stays well
# under the size that SQLAlchemy splits into several INSERT statements.
MAX_BATCH = 256


class EventNotStoredError(Exception):
    """Raised to each request whose batch failed to commit; nothing was stored."""


@dataclass
class _Queued:
    event: NewEvent
    future: asyncio.Future[int | None]


class GroupCommitStore:
    """Store webhook bodies of concurrent requests in shared transactions."""

    def __init__(self, engine: Engine, *, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._queue: list[_Queued] = []
        self._flushing: asyncio.Task[None] | None = None
        self._waiting = 0

    def busy(self) -> bool:
        """Return whether a request is waiting for its body to be committed.

        Safe to call from any thread, because it only reads an int.
        """
        return self._waiting > 0

    async def store(
        self,
        provider: str,
        event_key: str,
        raw_body: bytes,
        headers: Mapping[str, str],
        received_at: datetime,
    ) -> int | None:
        """Store one body; return its id, or None for a duplicate, once committed.

        Raises `EventNotStoredError` when the batch insert failed.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int | None] = loop.create_future()
        event = NewEvent(provider, event_key, raw_body, headers, received_at)
        self._queue.append(_Queued(event, future))
        if self._flushing is None or self._flushing.done():
            self._flushing = loop.create_task(self._flush_all())
        self._waiting += 1
        try:
            return await future
        finally:
            self._waiting -= 1

    async def _flush_all(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            await self._flush(batch)

    async def _flush(self, batch: list[_Queued]) -> None:
        events = [queued.event for queued in batch]
        try:
            ids = await run_in_threadpool(store_events, self._engine, events)
        except Exception as exc:  # noqa: BLE001 - every waiting request is told
            # The error's text lists the bound parameters, which can contain
            # phone numbers and message texts, so only its type is logged
            # above DEBUG.
            logger.error(
                "storing a batch of %s webhook events failed: %s",
                len(batch),
                type(exc).__name__,
            )
            logger.debug("webhook event batch error detail", exc_info=True)
            for queued in batch:
                if not queued.future.done():
                    queued.future.set_exception(
                        EventNotStoredError(
                            f"the webhook event was not stored ({type(exc).__name__})"
                        )
                    )
            return

        for queued, event_id in zip(batch, ids, strict=True):
            if not queued.future.done():
                queued.future.set_result(event_id)
