"""Receipts whose download fails: retried with a wait, given up, or discarded.

Events go through the app and the event processing as in `test_media`. The
fake Graph API on 127.0.0.1 fails or stalls the media id lookups. Each
retry is run by `download_pending_media` at an instant passed in, as the
event worker's clock would give it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.channels.inbox import process_pending_events
from cobranza.channels.media import MAX_ATTEMPTS, RETRY_DELAYS, download_pending_media
from cobranza.channels.media_owner import MARKER
from cobranza.config import Settings
from cobranza.conversations.inbox import RECEIPT_NOT_DOWNLOADED, waiting_cases
from cobranza.db.engine import transaction
from cobranza.db.models import Business, Customer, InboundMedia
from cobranza.web.app import create_app
from tests.channels.whatsapp.conftest import NOW, PHONE
from tests.channels.whatsapp.test_media import (
    MEDIA_ID,
    PROCESSED_AT,
    RECEIPT,
    given_case,
    post_stored,
    receipt_body,
    stored,
)
from tests.fakes.graph_api import PHONE_NUMBER_ID, WABA_ID, FakeGraphAPI, ScriptedError
from tests.web.conftest import sign_in
from tests.web.factories import make_owner

OWNER = "duenia@ejemplo.com"
# A Graph error that the client maps to a transient one (HTTP 503, code 2).
UNAVAILABLE = ScriptedError(2, "service temporarily unavailable", 503)


def media_files(settings: Settings) -> list[Path]:
    """Return every media file under the media directory, temporary ones included.

    The directory's marker file is left out.
    """
    root = Path(settings.media_dir)
    if not root.exists():
        return []
    return sorted(
        path for path in root.rglob("*") if path.is_file() and path.name != MARKER
    )


def quick_timeout(settings: Settings) -> Settings:
    """Return the settings with a Graph timeout shorter than the fake's stall."""
    return settings.model_copy(update={"whatsapp_timeout_seconds": 0.3})


def dashboard(engine: Engine, settings: Settings) -> tuple[TestClient, int]:
    """Sign an owner in to the dashboard; return the client and the customer id."""
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        make_owner(session, business, NOW, OWNER)
        customer_id = session.scalars(select(Customer.id)).one()
    app = create_app(settings, engine, process_events=False)
    app.state.clock = lambda: NOW + timedelta(days=1)
    client = TestClient(app, base_url="https://testserver")
    sign_in(client, OWNER)
    return client, customer_id


def two_receipts_body() -> bytes:
    """Build a webhook body with two image receipts from the customer."""
    body = json.loads(receipt_body())
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"] = [
        {
            "from": PHONE.lstrip("+"),
            "id": f"wamid.photo{number}",
            "timestamp": str(int(NOW.timestamp())),
            "type": "image",
            "image": {"mime_type": "image/jpeg", "id": f"photo-{number}"},
        }
        for number in (1, 2)
    ]
    assert value["metadata"]["phone_number_id"] == PHONE_NUMBER_ID
    assert body["entry"][0]["id"] == WABA_ID
    return json.dumps(body).encode()


def test_two_timeouts_then_stored(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a receipt whose media id lookup stalls past the timeout twice
    settings = quick_timeout(settings)
    given_case(engine)
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    graph.state.media_stalls = 2
    post_stored(settings, engine, receipt_body())
    client, customer_id = dashboard(engine, settings)

    # when: processing tries once, then the pending download before and at
    # the first retry, and at the second retry
    process_pending_events(engine, PROCESSED_AT, settings=settings)
    _, first = stored(engine)
    page = client.get(f"/conversaciones/{customer_id}")
    early = download_pending_media(
        engine, PROCESSED_AT + timedelta(seconds=30), settings
    )
    second_at = PROCESSED_AT + RETRY_DELAYS[0]
    second_count = download_pending_media(engine, second_at, settings)
    _, second = stored(engine)
    third_at = second_at + RETRY_DELAYS[1]
    third_count = download_pending_media(engine, third_at, settings)
    _, media = stored(engine)

    # then: each timeout counts an attempt and waits, and the third stores it
    assert first.attempts == 1
    assert first.last_error is not None
    assert "timed out" in first.last_error
    assert first.next_attempt_at == PROCESSED_AT + timedelta(minutes=1)
    assert first.error is None
    assert "(intento 1 de 7): se vuelve a intentar el 10/03/2026 10:02" in page.text
    assert early == 0
    assert second_count == 1
    assert second.attempts == 2
    assert second.next_attempt_at == second_at + timedelta(minutes=5)
    assert third_count == 1
    assert len(graph.state.media_requests) == 4
    assert media.attempts == 3
    assert media.downloaded_at == third_at
    assert media.error is None
    assert media.last_error is None
    assert media.next_attempt_at is None
    assert media.sha256 == hashlib.sha256(RECEIPT).hexdigest()
    assert media.path is not None
    assert Path(media.path).read_bytes() == RECEIPT
    assert media_files(settings) == [Path(media.path)]
    saved = client.get(f"/conversaciones/{customer_id}")
    assert "Archivo guardado el 10/03/2026 10:07." in saved.text


def test_unknown_media_id_fails_at_once(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a receipt whose media id the Graph API does not know (404)
    given_case(engine)
    post_stored(settings, engine, receipt_body())

    # when
    process_pending_events(engine, PROCESSED_AT, settings=settings)
    retried = download_pending_media(engine, PROCESSED_AT + timedelta(days=1), settings)
    client, customer_id = dashboard(engine, settings)
    inbox = client.get("/conversaciones")
    page = client.get(f"/conversaciones/{customer_id}")
    with transaction(engine) as session:
        business_id = session.scalars(select(Business.id)).one()
        waiting = waiting_cases(session, business_id, NOW + timedelta(days=1))

    # then: one attempt, the error stored, and the owner sees the request to
    # ask for the file again
    _, media = stored(engine)
    assert retried == 0
    assert len(graph.state.media_requests) == 1
    assert media.attempts == 1
    assert media.error is not None
    assert f"media {MEDIA_ID} not found" in media.error
    assert media.last_error == media.error
    assert media.next_attempt_at is None
    assert media.downloaded_at is None
    assert media_files(settings) == []
    assert [case.reason for case in waiting] == ["payment_to_verify"]
    assert waiting[0].receipt_not_downloaded is True
    assert RECEIPT_NOT_DOWNLOADED in inbox.text
    assert (
        "No se pudo descargar el archivo: pedile al cliente que lo mande de nuevo."
        in page.text
    )


def test_receipt_sent_again_clears_inbox_note(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a receipt that failed for good, then the same receipt sent again
    given_case(engine)
    post_stored(settings, engine, receipt_body())
    process_pending_events(engine, PROCESSED_AT, settings=settings)
    graph.add_media("media-again", RECEIPT, "application/pdf")
    post_stored(settings, engine, receipt_body("wamid.receipt2", "media-again"))

    # when
    process_pending_events(engine, PROCESSED_AT, settings=settings)
    client, _ = dashboard(engine, settings)
    inbox = client.get("/conversaciones")

    # then: the latest file downloaded, so the inbox drops the request
    assert "dice que ya pagó" in inbox.text
    assert RECEIPT_NOT_DOWNLOADED not in inbox.text


def test_attempts_run_out(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a receipt whose every lookup fails with a transient error
    given_case(engine)
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    graph.state.media_errors = [UNAVAILABLE] * MAX_ATTEMPTS
    post_stored(settings, engine, receipt_body())

    # when: each retry runs a second before it is due, then when it is due
    process_pending_events(engine, PROCESSED_AT, settings=settings)
    at = PROCESSED_AT
    early_counts = []
    due_counts = []
    for delay in RETRY_DELAYS:
        early = at + delay - timedelta(seconds=1)
        early_counts.append(download_pending_media(engine, early, settings))
        at += delay
        due_counts.append(download_pending_media(engine, at, settings))
    later = download_pending_media(engine, at + timedelta(days=1), settings)
    client, _ = dashboard(engine, settings)
    inbox = client.get("/conversaciones")

    # then: seven attempts over about ten hours, then the error is final
    _, media = stored(engine)
    assert MAX_ATTEMPTS == 7
    assert at - PROCESSED_AT == timedelta(hours=10, minutes=21)
    assert early_counts == [0] * len(RETRY_DELAYS)
    assert due_counts == [1] * len(RETRY_DELAYS)
    assert later == 0
    assert len(graph.state.media_requests) == MAX_ATTEMPTS
    assert media.attempts == MAX_ATTEMPTS
    assert media.next_attempt_at is None
    assert media.downloaded_at is None
    assert media.error is not None
    assert media.error.startswith("download failed 7 times, the last time with: ")
    assert "service temporarily unavailable" in media.error
    assert media_files(settings) == []
    assert RECEIPT_NOT_DOWNLOADED in inbox.text


def test_transient_failure_stops_batch(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: two photos in one body, and a first lookup that times out
    settings = quick_timeout(settings)
    given_case(engine)
    graph.add_media("photo-1", b"\xff\xd8 photo one", "image/jpeg")
    graph.add_media("photo-2", b"\xff\xd8 photo two", "image/jpeg")
    graph.state.media_stalls = 1
    post_stored(settings, engine, two_receipts_body())

    # when
    process_pending_events(engine, PROCESSED_AT, settings=settings)
    with transaction(engine) as session:
        before = {
            row.media_id: (row.attempts, row.next_attempt_at)
            for row in session.scalars(select(InboundMedia))
        }
    retried = download_pending_media(engine, PROCESSED_AT + RETRY_DELAYS[0], settings)

    # then: the second photo waited, uncounted, and both are stored later
    with transaction(engine) as session:
        rows = list(session.scalars(select(InboundMedia).order_by(InboundMedia.id)))
    assert before == {
        "photo-1": (1, PROCESSED_AT + RETRY_DELAYS[0]),
        "photo-2": (0, None),
    }
    assert retried == 2
    assert [row.attempts for row in rows] == [2, 1]
    assert all(row.downloaded_at is not None for row in rows)
    assert len(media_files(settings)) == 2


def test_two_workers_leave_one_file(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a receipt, and a worker A that processes the batch while the
    # download of worker B, prepared for the same batch, is under way
    given_case(engine)
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    post_stored(settings, engine, receipt_body())
    worker_a: dict[str, object] = {}

    def run_worker_a() -> None:
        if worker_a:
            return  # worker A's own download
        worker_a["processed"] = None
        try:
            worker_a["processed"] = process_pending_events(
                engine, PROCESSED_AT, settings=settings
            )
        except Exception as exc:  # noqa: BLE001 - reported by the asserts
            worker_a["error"] = exc

    graph.state.on_media_download = run_worker_a

    # when: worker B processes the batch
    processed_b = process_pending_events(engine, PROCESSED_AT, settings=settings)

    # then: A stored the file, and B's copy was deleted
    _, media = stored(engine)
    assert worker_a == {"processed": 1}
    assert processed_b == 0
    assert media.path is not None
    assert Path(media.path).read_bytes() == RECEIPT
    assert media_files(settings) == [Path(media.path)]


def test_unused_download_deleted(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: as above, but worker A's lookup fails, so A leaves the row pending
    given_case(engine)
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    post_stored(settings, engine, receipt_body())
    worker_a: dict[str, object] = {}

    def run_worker_a() -> None:
        if worker_a:
            return
        worker_a["processed"] = None
        graph.state.media_errors.append(UNAVAILABLE)
        try:
            worker_a["processed"] = process_pending_events(
                engine, PROCESSED_AT, settings=settings
            )
        except Exception as exc:  # noqa: BLE001 - reported by the asserts
            worker_a["error"] = exc

    graph.state.on_media_download = run_worker_a

    # when: worker B processes the batch, then the retry runs
    processed_b = process_pending_events(engine, PROCESSED_AT, settings=settings)
    files_after_b = media_files(settings)
    _, pending = stored(engine)
    retried = download_pending_media(engine, PROCESSED_AT + RETRY_DELAYS[0], settings)

    # then: B's download, which no row took, left no file behind
    _, media = stored(engine)
    assert worker_a == {"processed": 1}
    assert processed_b == 0
    assert files_after_b == []
    assert pending.attempts == 1
    assert pending.downloaded_at is None
    assert retried == 1
    assert media.path is not None
    assert media_files(settings) == [Path(media.path)]
