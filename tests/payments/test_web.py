"""The payment routes against fake Mercado Pago and Stripe servers on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cobranza.db.models import WebhookEvent
from cobranza.web.app import create_app
from cobranza.web.bodies import MAX_WEBHOOK_BODY
from tests.fakes.mercadopago import FakeMercadoPago
from tests.fakes.stripe import FakeStripe
from tests.payments.conftest import (
    MP_SECRET,
    STRIPE_SECRET,
    World,
    build_world,
    make_settings,
)
from tests.payments.helpers import make_link


@pytest.fixture
def world(sqlite_engine: Engine) -> World:
    # The routes are checked on SQLite only; reconciliation itself runs on
    # both databases in test_reconcile.
    return build_world(sqlite_engine)


def _token(link_url: str) -> str:
    return link_url.rsplit("/", 1)[1]


def test_unknown_token_is_404(client: TestClient) -> None:
    response = client.get("/pagar/no-such-token", follow_redirects=False)

    assert response.status_code == 404
    assert "no es válido o ya venció" in response.text


def test_mercadopago_link_creates_preference(
    world: World, client: TestClient, mercadopago: FakeMercadoPago
) -> None:
    link = make_link(world, provider="mercadopago")

    response = client.get(f"/pagar/{link.token}", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith(mercadopago.base_url)
    preference = mercadopago.preferences[0]
    assert [item["unit_price"] for item in preference["items"]] == [1000.0, 500.0]
    assert [item["title"] for item in preference["items"]] == [
        "Factura A-0001",
        "Factura A-0002",
    ]
    assert preference["external_reference"] == str(link.id)
    assert preference["expires"] is True
    ends = datetime.fromisoformat(preference["expiration_date_to"])
    assert ends.utcoffset() == timedelta(0)
    assert preference["statement_descriptor"] == "Ejemplo SRL"
    assert preference["notification_url"] == "http://testserver/webhooks/mercadopago"
    assert (
        preference["back_urls"]["success"]
        == f"http://testserver/pagar/{link.token}/listo"
    )
    key = mercadopago.preference_headers[0]["x-idempotency-key"]
    assert key.startswith(f"cobranza-link-{link.id}-")


def test_second_open_reuses_preference(
    world: World, client: TestClient, mercadopago: FakeMercadoPago
) -> None:
    link = make_link(world, provider="mercadopago")

    first = client.get(f"/pagar/{link.token}", follow_redirects=False)
    second = client.get(f"/pagar/{link.token}", follow_redirects=False)

    assert first.headers["location"] == second.headers["location"]
    assert len(mercadopago.preferences) == 1


def test_mercadopago_notification_pays(
    world: World, client: TestClient, mercadopago: FakeMercadoPago
) -> None:
    link = make_link(world, provider="mercadopago")
    mercadopago.add_payment("9001", "approved", 1500.0, "ARS", str(link.id))
    body, headers, query = mercadopago.notification("9001", MP_SECRET)

    response = client.post(
        "/webhooks/mercadopago", params=query, content=body, headers=headers
    )
    repeat = client.post(
        "/webhooks/mercadopago", params=query, content=body, headers=headers
    )

    assert response.status_code == 200
    assert response.json() == {"status": "stored"}
    assert repeat.json() == {"status": "duplicate"}
    assert mercadopago.payment_reads == ["9001"]
    assert world.case_row().close_reason == "paid"
    assert len(world.thanks()) == 1
    assert world.payments()[0].provider == "mercadopago"


def test_mercadopago_trusts_only_the_api(
    world: World, client: TestClient, mercadopago: FakeMercadoPago
) -> None:
    link = make_link(world, provider="mercadopago")
    mercadopago.add_payment("9002", "rejected", 1500.0, "ARS", str(link.id))
    body, headers, query = mercadopago.notification("9002", MP_SECRET)

    client.post("/webhooks/mercadopago", params=query, content=body, headers=headers)

    assert world.payments()[0].status == "rejected"
    assert world.case_row().closed_at is None


def test_mercadopago_pending_then_approved(
    world: World, client: TestClient, mercadopago: FakeMercadoPago
) -> None:
    link = make_link(world, provider="mercadopago")
    mercadopago.add_payment("9003", "in_process", 1500.0, "ARS", str(link.id))
    body, headers, query = mercadopago.notification("9003", MP_SECRET)
    client.post("/webhooks/mercadopago", params=query, content=body, headers=headers)
    status_while_pending = world.payments()[0].status

    mercadopago.add_payment("9003", "approved", 1500.0, "ARS", str(link.id))
    body, headers, query = mercadopago.notification("9003", MP_SECRET)
    client.post("/webhooks/mercadopago", params=query, content=body, headers=headers)

    assert status_while_pending == "pending"
    assert world.payments()[0].status == "approved"
    assert world.case_row().close_reason == "paid"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ("missing", 401),
        ("forged", 403),
        ("replayed", 403),
        ("other_payment", 403),
    ],
)
def test_mercadopago_rejects_bad_signatures(
    world: World,
    client: TestClient,
    mercadopago: FakeMercadoPago,
    change: str,
    status: int,
) -> None:
    link = make_link(world, provider="mercadopago")
    mercadopago.add_payment("9004", "approved", 1500.0, "ARS", str(link.id))
    if change == "replayed":
        old = int(time.time()) - 3600
        body, headers, query = mercadopago.notification("9004", MP_SECRET, ts=old)
    elif change == "forged":
        body, headers, query = mercadopago.notification("9004", "not-the-secret")
    else:
        body, headers, query = mercadopago.notification("9004", MP_SECRET)
    if change == "missing":
        del headers["x-signature"]
    if change == "other_payment":
        query["data.id"] = "9999"

    response = client.post(
        "/webhooks/mercadopago", params=query, content=body, headers=headers
    )

    assert response.status_code == status
    assert world.payments() == []
    assert mercadopago.payment_reads == []


def test_mercadopago_rejects_body_that_is_not_json(
    client: TestClient, mercadopago: FakeMercadoPago
) -> None:
    _, headers, query = mercadopago.notification("9005", MP_SECRET)

    response = client.post(
        "/webhooks/mercadopago", params=query, content=b"not json", headers=headers
    )

    assert response.status_code == 400


def _completed(
    link_id: int, status: str = "paid", intent: str = "pi_1"
) -> dict[str, object]:
    return {
        "id": "cs_test_1",
        "object": "checkout.session",
        "client_reference_id": str(link_id),
        "metadata": {"link_id": str(link_id)},
        "amount_total": 150000,
        "currency": "ars",
        "payment_status": status,
        "payment_intent": intent,
        "created": 1773150000,
    }


def _post_stripe(client: TestClient, body: bytes, signature: str) -> int:
    response = client.post(
        "/webhooks/stripe",
        content=body,
        headers={"stripe-signature": signature, "content-type": "application/json"},
    )
    return response.status_code


def test_stripe_link_creates_session(
    world: World, client: TestClient, stripe_api: FakeStripe
) -> None:
    link = make_link(world, provider="stripe")

    response = client.get(f"/pagar/{link.token}", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == f"{stripe_api.base_url}/c/pay/cs_test_1"
    request = stripe_api.sessions[0]["request"]
    assert request["client_reference_id"] == str(link.id)
    assert request["metadata"] == {"link_id": str(link.id)}
    assert request["payment_intent_data"]["metadata"] == {"link_id": str(link.id)}
    amounts = [item["price_data"]["unit_amount"] for item in request["line_items"]]
    assert amounts == ["100000", "50000"]
    lifetime = int(request["expires_at"]) - time.time()
    assert 30 * 60 < lifetime <= 23 * 3600
    assert stripe_api.idempotency_keys[0] is not None


def test_stripe_completed_pays_then_refund_reopens(
    world: World, client: TestClient, stripe_api: FakeStripe
) -> None:
    link = make_link(world, provider="stripe")
    paid = stripe_api.event(
        "checkout.session.completed", _completed(link.id), STRIPE_SECRET
    )
    refund = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": "pi_1",
        "refunded": True,
    }
    refunded = stripe_api.event("charge.refunded", refund, STRIPE_SECRET)
    dispute = {"id": "dp_1", "object": "dispute", "payment_intent": "pi_1"}
    disputed = stripe_api.event("charge.dispute.created", dispute, STRIPE_SECRET)

    assert _post_stripe(client, *paid) == 200
    closed = world.case_row()
    assert _post_stripe(client, *refunded) == 200
    assert _post_stripe(client, *disputed) == 200

    assert closed.close_reason == "paid"
    assert world.payments()[0].status == "refunded"
    case = world.case_row()
    assert case.closed_at is None
    assert case.state == "open"
    assert "case_handed_off" not in world.audit_kinds()


def test_stripe_dispute_hands_off(
    world: World, client: TestClient, stripe_api: FakeStripe
) -> None:
    link = make_link(world, provider="stripe")
    paid = stripe_api.event(
        "checkout.session.completed", _completed(link.id), STRIPE_SECRET
    )
    dispute = {"id": "dp_1", "object": "dispute", "payment_intent": "pi_1"}
    disputed = stripe_api.event("charge.dispute.created", dispute, STRIPE_SECRET)

    _post_stripe(client, *paid)
    _post_stripe(client, *disputed)

    assert world.payments()[0].status == "charged_back"
    assert world.case_row().state == "handed_off"
    assert world.open_amounts()[world.old_invoice_id] == 1000


def test_stripe_delayed_method(
    world: World, client: TestClient, stripe_api: FakeStripe
) -> None:
    link = make_link(world, provider="stripe")
    unpaid = _completed(link.id, status="unpaid")
    completed = stripe_api.event("checkout.session.completed", unpaid, STRIPE_SECRET)
    succeeded = stripe_api.event(
        "checkout.session.async_payment_succeeded", _completed(link.id), STRIPE_SECRET
    )

    _post_stripe(client, *completed)
    status_after_completed = world.payments()[0].status
    _post_stripe(client, *succeeded)

    assert status_after_completed == "pending"
    assert world.payments()[0].status == "approved"
    assert world.case_row().close_reason == "paid"


def test_stripe_async_failure_leaves_balance(
    world: World, client: TestClient, stripe_api: FakeStripe
) -> None:
    link = make_link(world, provider="stripe")
    unpaid = _completed(link.id, status="unpaid")
    completed = stripe_api.event("checkout.session.completed", unpaid, STRIPE_SECRET)
    failed = stripe_api.event(
        "checkout.session.async_payment_failed", unpaid, STRIPE_SECRET
    )

    _post_stripe(client, *completed)
    _post_stripe(client, *failed)

    assert world.payments()[0].status == "rejected"
    assert world.case_row().closed_at is None


def test_stripe_expired_session_makes_new_one(
    world: World, client: TestClient, stripe_api: FakeStripe
) -> None:
    link = make_link(world, provider="stripe")
    client.get(f"/pagar/{link.token}", follow_redirects=False)
    expired = stripe_api.event(
        "checkout.session.expired", {"id": "cs_test_1"}, STRIPE_SECRET
    )

    _post_stripe(client, *expired)
    again = client.get(f"/pagar/{link.token}", follow_redirects=False)

    assert again.headers["location"].endswith("/cs_test_2")
    assert len(stripe_api.sessions) == 2


@pytest.mark.parametrize(
    ("change", "status"), [("missing", 401), ("forged", 403), ("replayed", 403)]
)
def test_stripe_rejects_bad_signatures(
    world: World, client: TestClient, stripe_api: FakeStripe, change: str, status: int
) -> None:
    link = make_link(world, provider="stripe")
    secret = "whsec_wrong" if change == "forged" else STRIPE_SECRET
    stamp = int(time.time()) - 3600 if change == "replayed" else None
    body, signature = stripe_api.event(
        "checkout.session.completed", _completed(link.id), secret, timestamp=stamp
    )

    code = _post_stripe(client, body, "" if change == "missing" else signature)

    assert code == status
    assert world.payments() == []


def test_stripe_rejects_oversized_body(
    world: World, client: TestClient, stripe_api: FakeStripe
) -> None:
    link = make_link(world, provider="stripe")
    body, signature = stripe_api.event(
        "checkout.session.completed", _completed(link.id), STRIPE_SECRET
    )
    padded = body + b" " * MAX_WEBHOOK_BODY

    code = _post_stripe(client, padded, signature)

    assert code == 413
    assert world.payments() == []


def test_stripe_unknown_event_is_stored_and_ignored(
    client: TestClient, stripe_api: FakeStripe, world: World
) -> None:
    body, signature = stripe_api.event(
        "customer.created", {"id": "cus_1"}, STRIPE_SECRET
    )

    assert _post_stripe(client, body, signature) == 200
    assert world.payments() == []


def test_sandbox_checkout_survives_new_base_url(world: World) -> None:
    # Given a sandbox checkout made while the server had another public URL
    link = make_link(world, provider="sandbox")
    old_settings = make_settings(public_base_url="https://viejo.example")
    with TestClient(create_app(old_settings, world.engine)) as old_client:
        first = old_client.get(f"/pagar/{link.token}", follow_redirects=False)

    # When the debtor opens the link under the current URL
    with TestClient(create_app(make_settings(), world.engine)) as client:
        opened = client.get(f"/pagar/{link.token}", follow_redirects=False)
        page = client.get(opened.headers["location"])

    # Then the same checkout opens on the current address
    assert first.status_code == 303
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/pagar/sandbox/{link.token}"
    assert "viejo.example" not in opened.headers["location"]
    assert page.status_code == 200
    assert "Pagar" in page.text


def test_sandbox_pay_page_pays(world: World, client: TestClient) -> None:
    link = make_link(world, provider="sandbox")

    opened = client.get(f"/pagar/{link.token}", follow_redirects=False)
    page = client.get(opened.headers["location"])
    paid = client.post(f"/pagar/sandbox/{link.token}", follow_redirects=False)
    after = client.get(f"/pagar/{link.token}", follow_redirects=False)

    assert opened.headers["location"] == f"/pagar/sandbox/{link.token}"
    assert "Pagar" in page.text
    assert "1.500,00" in page.text
    assert paid.status_code == 303
    assert paid.headers["location"] == f"/pagar/{link.token}/listo"
    assert world.case_row().close_reason == "paid"
    assert after.status_code == 200
    assert "ya está registrado" in after.text


def test_sandbox_webhook_signed(world: World, client: TestClient) -> None:
    from cobranza.payments.sandbox import sign_notification
    from cobranza.payments.sandbox.provider import notification_body
    from tests.payments.conftest import SANDBOX_SECRET

    link = make_link(world, provider="sandbox")
    body = notification_body(link.id, "sbx-77", "approved", link.amount, "ARS")
    good = sign_notification(SANDBOX_SECRET, body, int(time.time()))
    forged = sign_notification("wrong", body, int(time.time()))

    rejected = client.post(
        "/webhooks/sandbox", content=body, headers={"x-cobranza-signature": forged}
    )
    accepted = client.post(
        "/webhooks/sandbox", content=body, headers={"x-cobranza-signature": good}
    )

    assert rejected.status_code == 403
    assert accepted.status_code == 200
    assert world.case_row().close_reason == "paid"


def test_sandbox_is_off_in_production(world: World) -> None:
    settings = make_settings(environment="production")
    link = make_link(world, provider="sandbox")

    with TestClient(create_app(settings, world.engine)) as client:
        page = client.get(f"/pagar/sandbox/{link.token}")
        post = client.post(f"/pagar/sandbox/{link.token}")

    assert page.status_code == 404
    assert post.status_code == 404
    assert world.payments() == []


def test_logs_carry_no_personal_data(
    world: World, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    link = make_link(world, provider="sandbox")

    with caplog.at_level(logging.INFO):
        client.post(f"/pagar/sandbox/{link.token}", follow_redirects=False)

    messages = [record.getMessage() for record in caplog.records]
    assert any("closed as paid" in message for message in messages)
    joined = json.dumps(messages, ensure_ascii=False)
    assert "Ana Pérez" not in joined
    assert "5491155550001" not in joined
    assert "Recibimos tu pago" not in joined


def test_paid_at_uses_provider_time(
    world: World, client: TestClient, mercadopago: FakeMercadoPago
) -> None:
    link = make_link(world, provider="mercadopago")
    mercadopago.add_payment("9006", "approved", 1500.0, "ARS", str(link.id))
    body, headers, query = mercadopago.notification("9006", MP_SECRET)

    client.post("/webhooks/mercadopago", params=query, content=body, headers=headers)

    assert world.payments()[0].paid_at == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def test_failed_processing_is_retried(
    world: World, client: TestClient, mercadopago: FakeMercadoPago
) -> None:
    from sqlalchemy import select

    from cobranza.db.models import WebhookEvent
    from cobranza.payments.inbox import process_pending

    link = make_link(world, provider="mercadopago")
    body, headers, query = mercadopago.notification("9010", MP_SECRET)

    response = client.post(
        "/webhooks/mercadopago", params=query, content=body, headers=headers
    )
    with world.session() as session:
        event = session.scalars(select(WebhookEvent)).one()
    mercadopago.add_payment("9010", "approved", 1500.0, "ARS", str(link.id))
    services = client.app.state.payments  # type: ignore[attr-defined]
    processed = process_pending(
        world.engine, services.handlers, datetime.now(UTC), limit=10
    )

    assert response.status_code == 200
    assert event.processed_at is None
    assert event.attempts == 1
    assert event.error is not None
    assert event.error.startswith("provider_rejected")
    assert processed == 1
    assert world.case_row().close_reason == "paid"


def test_redelivery_retries_failed_processing(
    world: World, client: TestClient, mercadopago: FakeMercadoPago
) -> None:
    link = make_link(world, provider="mercadopago")
    body, headers, query = mercadopago.notification("9011", MP_SECRET)
    first = client.post(
        "/webhooks/mercadopago", params=query, content=body, headers=headers
    )
    payments_after_failure = world.payments()
    mercadopago.add_payment("9011", "approved", 1500.0, "ARS", str(link.id))

    again = client.post(
        "/webhooks/mercadopago", params=query, content=body, headers=headers
    )

    assert first.json() == {"status": "stored"}
    assert payments_after_failure == []
    assert again.json() == {"status": "duplicate"}
    assert mercadopago.payment_reads == ["9011", "9011"]
    assert world.case_row().close_reason == "paid"


def _stripe_signature(body: bytes) -> str:
    stamp = int(time.time())
    signed = f"{stamp}.".encode() + body
    digest = hmac.new(STRIPE_SECRET.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


@pytest.mark.parametrize(
    "body",
    [
        b"[1, 2]",
        b"null",
        b'"checkout.session.completed"',
        b'{"type": "checkout.session.completed"}',
        b'{"id": null, "type": "checkout.session.completed"}',
        b'{"id": "' + b"e" * 200 + b'", "type": "checkout.session.completed"}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["array", "null", "string", "no-id", "null-id", "long-id", "deep"],
)
def test_stripe_signed_body_not_an_event(
    client: TestClient, world: World, body: bytes
) -> None:
    # Signed with the right secret, so only the body's shape is wrong.
    code = _post_stripe(client, body, _stripe_signature(body))

    assert code == 400
    with world.session() as session:
        assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0
    assert world.payments() == []


def test_mercadopago_deep_body_rejected(
    client: TestClient, world: World, mercadopago: FakeMercadoPago
) -> None:
    # Mercado Pago signs the query's data.id, not the body, so a captured
    # signature fits any body.
    _, headers, query = mercadopago.notification("9011", MP_SECRET)
    body = b"[" * 100_000 + b"]" * 100_000

    response = client.post(
        "/webhooks/mercadopago", params=query, content=body, headers=headers
    )

    assert response.status_code == 400
    with world.session() as session:
        assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


@pytest.mark.parametrize("provider", ["mercadopago", "stripe"])
def test_sandbox_cannot_pay_real_link(
    world: World, client: TestClient, provider: str
) -> None:
    # The default environment is development, where the sandbox is on even
    # when the links go to Mercado Pago or Stripe.
    from cobranza.payments.sandbox import sign_notification
    from cobranza.payments.sandbox.provider import notification_body
    from tests.payments.conftest import SANDBOX_SECRET

    link = make_link(world, provider=provider)
    body = notification_body(link.id, "sbx-78", "approved", link.amount, "ARS")
    signature = sign_notification(SANDBOX_SECRET, body, int(time.time()))

    page = client.get(f"/pagar/sandbox/{link.token}")
    paid = client.post(f"/pagar/sandbox/{link.token}", follow_redirects=False)
    notified = client.post(
        "/webhooks/sandbox", content=body, headers={"x-cobranza-signature": signature}
    )

    assert page.status_code == 404
    assert paid.status_code == 404
    assert notified.status_code == 200
    assert world.payments() == []
    assert world.case_row().close_reason is None
