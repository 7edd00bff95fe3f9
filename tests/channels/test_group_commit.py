"""Storing webhook bodies: `store_events` and the group-commit store."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from cobranza.channels.group_commit import EventNotStoredError, GroupCommitStore
from cobranza.channels.inbox import NewEvent, store_events
from cobranza.db.engine import transaction
from cobranza.db.models import WebhookEvent

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


def _event(key: str) -> NewEvent:
    return NewEvent("whatsapp", key, f'{{"key": "{key}"}}'.encode(), {}, NOW)


def _stored_keys(engine: Engine) -> list[str]:
    with transaction(engine) as session:
        return sorted(session.scalars(select(WebhookEvent.event_key)))


def _is_committed(engine: Engine, key: str) -> bool:
    """Look the key up on a connection of its own, which reads only committed rows."""
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count()).where(WebhookEvent.event_key == key)
        )
    return count == 1


def _count_commits(engine: Engine) -> list[int]:
    commits = [0]

    def on_commit(_connection: Any) -> None:
        commits[0] += 1

    event.listen(engine, "commit", on_commit)
    return commits


def test_store_events_returns_ids_in_order(engine: Engine) -> None:
    events = [_event("a"), _event("b"), _event("a"), _event("c")]

    first = store_events(engine, events)
    second = store_events(engine, events)

    assert first[0] is not None
    assert first[1] is not None
    assert first[2] is None
    assert first[3] is not None
    assert len({first[0], first[1], first[3]}) == 3
    assert second == [None, None, None, None]
    assert _stored_keys(engine) == ["a", "b", "c"]


def test_concurrent_stores_share_one_commit(engine: Engine) -> None:
    store = GroupCommitStore(engine)
    keys = [f"k{index}" for index in range(10)] + ["k0", "k1"]
    commits = _count_commits(engine)
    committed_on_return: list[bool] = []

    async def post(key: str) -> int | None:
        event_id = await store.store("whatsapp", key, b"{}", {}, NOW)
        committed_on_return.append(_is_committed(engine, key))
        return event_id

    async def post_all() -> list[int | None]:
        return await asyncio.gather(*(post(key) for key in keys))

    ids = asyncio.run(post_all())

    assert commits[0] == 1
    assert all(committed_on_return)
    assert len(committed_on_return) == len(keys)
    assert sum(event_id is not None for event_id in ids) == 10
    assert ids[10] is None
    assert ids[11] is None
    assert _stored_keys(engine) == sorted(f"k{index}" for index in range(10))


def test_failed_batch_fails_every_request(engine: Engine) -> None:
    store = GroupCommitStore(engine)

    async def post_all() -> list[object]:
        # A missing event key violates NOT NULL, so the batch insert fails.
        return await asyncio.gather(
            store.store("whatsapp", "good-1", b"{}", {}, NOW),
            store.store("whatsapp", "good-2", b"{}", {}, NOW),
            store.store("whatsapp", None, b"{}", {}, NOW),  # type: ignore[arg-type]
            return_exceptions=True,
        )

    results = asyncio.run(post_all())

    assert len(results) == 3
    for result in results:
        assert isinstance(result, EventNotStoredError)
    assert _stored_keys(engine) == []


def test_store_recovers_after_failed_batch(engine: Engine) -> None:
    store = GroupCommitStore(engine)

    async def fail_then_store() -> int | None:
        with pytest.raises(EventNotStoredError):
            await store.store("whatsapp", None, b"{}", {}, NOW)  # type: ignore[arg-type]
        return await store.store("whatsapp", "after", b"{}", {}, NOW)

    event_id = asyncio.run(fail_then_store())

    assert event_id is not None
    assert _stored_keys(engine) == ["after"]


def test_batches_are_capped(engine: Engine) -> None:
    store = GroupCommitStore(engine, max_batch=4)
    commits = _count_commits(engine)

    async def post_all() -> list[int | None]:
        return await asyncio.gather(
            *(store.store("whatsapp", f"k{i}", b"{}", {}, NOW) for i in range(10))
        )

    ids = asyncio.run(post_all())

    assert commits[0] == 3
    assert None not in ids
    assert len(_stored_keys(engine)) == 10


def test_busy_while_a_request_waits(engine: Engine) -> None:
    store = GroupCommitStore(engine)
    seen: list[bool] = []

    async def post_and_watch() -> None:
        seen.append(store.busy())
        request = asyncio.create_task(store.store("whatsapp", "k", b"{}", {}, NOW))
        await asyncio.sleep(0)
        seen.append(store.busy())
        await request
        seen.append(store.busy())

    asyncio.run(post_and_watch())

    assert seen == [False, True, False]


def test_failed_batch_logs_no_body(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    store = GroupCommitStore(engine)
    body = b'{"from": "5491155550100", "text": {"body": "Ya pague"}}'

    async def post_all() -> list[object]:
        return await asyncio.gather(
            # The database error lists the headers among its parameters.
            store.store(
                "whatsapp", "with-phone", body, {"x-from": "5491155550100"}, NOW
            ),
            store.store("whatsapp", None, b"{}", {}, NOW),  # type: ignore[arg-type]
            return_exceptions=True,
        )

    with caplog.at_level(logging.INFO):
        asyncio.run(post_all())

    errors = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert len(errors) == 1
    assert "5491155550100" not in errors[0].getMessage()
    assert "Ya pague" not in errors[0].getMessage()
