"""The consent ledger on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from cobranza.compliance import (
    CustomerNotFoundError,
    InvalidConsentError,
    consent_granted_subquery,
    consent_history,
    current_consent,
    current_consent_state,
    current_consents,
    record_consent,
)
from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent, ConsentAction, ConsentEvent, Customer
from tests.compliance.factories import add_business, add_customer

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_never_recorded_is_none(engine: Engine) -> None:
    with transaction(engine) as session:
        business = add_business(session)
        customer = add_customer(session, business, external_id="c1")

        assert current_consent(session, business.id, customer.id) is None
        assert current_consent_state(session, business.id, customer.id).event is None


def test_grant_then_revoke_then_grant(engine: Engine) -> None:
    with transaction(engine) as session:
        business = add_business(session)
        customer = add_customer(session, business, external_id="c1")
        ids = (session, business.id, customer.id)

        record_consent(*ids, ConsentAction.GRANT, "formulario", "F-1", T0)
        assert current_consent(*ids) is True

        record_consent(*ids, "revoke", "respuesta BAJA", None, T0 + timedelta(days=1))
        assert current_consent(*ids) is False

        record_consent(*ids, "GRANT", "llamada", None, T0 + timedelta(days=2))
        assert current_consent(*ids) is True
        assert [event.action for event in consent_history(*ids)] == [
            "grant",
            "revoke",
            "grant",
        ]


def test_latest_instant_wins_not_insert_order(engine: Engine) -> None:
    # A revocation recorded late but dated later wins over an older grant
    # that was inserted after it.
    with transaction(engine) as session:
        business = add_business(session)
        customer = add_customer(session, business, external_id="c1")
        ids = (session, business.id, customer.id)
        record_consent(*ids, "revoke", "baja", None, T0 + timedelta(hours=2))
        record_consent(*ids, "grant", "importación", None, T0)

        assert current_consent(*ids) is False


def test_same_instant_later_event_wins(engine: Engine) -> None:
    with transaction(engine) as session:
        business = add_business(session)
        customer = add_customer(session, business, external_id="c1")
        ids = (session, business.id, customer.id)
        record_consent(*ids, "grant", "a", None, T0)
        record_consent(*ids, "revoke", "b", None, T0)

        assert current_consent(*ids) is False


def test_each_change_writes_audit_event(engine: Engine) -> None:
    with transaction(engine) as session:
        business = add_business(session)
        customer = add_customer(session, business, external_id="c1")
        event = record_consent(
            session,
            business.id,
            customer.id,
            "revoke",
            "WhatsApp",
            "wamid.1",
            T0,
            actor="webhook",
        )

        audits = list(session.scalars(select(AuditEvent)))

    assert len(audits) == 1
    audit = audits[0]
    assert audit.kind == "consent.revoke"
    assert audit.actor == "webhook"
    assert audit.subject_type == "customer"
    assert audit.subject_id == customer.id
    assert audit.reason == "WhatsApp"
    assert audit.details["consent_event_id"] == event.id
    assert audit.at == T0


def test_event_stores_fields(engine: Engine) -> None:
    with transaction(engine) as session:
        business = add_business(session)
        customer = add_customer(session, business, external_id="c1")
        record_consent(
            session, business.id, customer.id, "grant", "  formulario  ", " F-9 ", T0
        )

    with transaction(engine) as session:
        stored = session.scalars(select(ConsentEvent)).one()

    assert stored.channel == "whatsapp"
    assert stored.action == "grant"
    assert stored.source == "formulario"
    assert stored.evidence == "F-9"
    assert stored.at == T0


@pytest.mark.parametrize(
    ("action", "source", "at", "named"),
    [
        ("allow", "form", T0, "invalid consent action 'allow'"),
        ("grant", "   ", T0, "falta el origen del consentimiento"),
        ("grant", "form", T0.replace(tzinfo=None), "naive consent time"),
    ],
)
def test_bad_consent_input_rejected(
    engine: Engine, action: str, source: str, at: datetime, named: str
) -> None:
    with transaction(engine) as session:
        business = add_business(session)
        customer = add_customer(session, business, external_id="c1")

        with pytest.raises(InvalidConsentError, match=named):
            record_consent(session, business.id, customer.id, action, source, None, at)

        assert session.scalar(select(func.count(ConsentEvent.id))) == 0


def test_other_business_customer_rejected(engine: Engine) -> None:
    with transaction(engine) as session:
        mine = add_business(session, name="Mía")
        theirs = add_business(session, name="Otra")
        customer = add_customer(session, theirs, external_id="c1")

        with pytest.raises(CustomerNotFoundError, match=f"customer id {customer.id}"):
            record_consent(session, mine.id, customer.id, "grant", "form", None, T0)


def test_consent_scoped_by_business(engine: Engine) -> None:
    with transaction(engine) as session:
        first = add_business(session, name="Una")
        second = add_business(session, name="Otra")
        customer = add_customer(session, first, external_id="c1")
        record_consent(session, first.id, customer.id, "grant", "form", None, T0)

        assert current_consent(session, second.id, customer.id) is None


def test_granted_subquery_latest_event_per_customer(engine: Engine) -> None:
    with transaction(engine) as session:
        business = add_business(session)
        other = add_business(session, name="Otra")
        names = ["granted", "revoked", "regranted", "never", "other_business"]
        customers = {
            name: add_customer(
                session,
                other if name == "other_business" else business,
                external_id=name,
            )
            for name in names
        }

        def record(
            name: str, action: str, hours: int, owner: int = business.id
        ) -> None:
            at = T0 + timedelta(hours=hours)
            record_consent(session, owner, customers[name].id, action, "t", None, at)

        record("granted", "grant", 0)
        record("revoked", "grant", 0)
        record("revoked", "revoke", 1)
        record("regranted", "revoke", 0)
        record("regranted", "grant", 5)
        record("other_business", "grant", 0, owner=other.id)

        granted = consent_granted_subquery(business.id)
        found = set(
            session.scalars(
                select(Customer.external_id).join(
                    granted, granted.c.customer_id == Customer.id
                )
            )
        )

    assert found == {"granted", "regranted"}


def test_granted_subquery_agrees_with_current_consent(engine: Engine) -> None:
    # 60 customers with 0-3 events each in a fixed pseudo-random pattern.
    with transaction(engine) as session:
        business = add_business(session)
        expected = set()
        for index in range(60):
            customer = add_customer(session, business, external_id=f"c{index}")
            for event_index in range(index % 4):
                action = "grant" if (index + event_index) % 3 else "revoke"
                at = T0 + timedelta(minutes=(index * 7 + event_index * 13) % 50)
                record_consent(session, business.id, customer.id, action, "t", None, at)
            if current_consent(session, business.id, customer.id):
                expected.add(customer.id)

        granted = consent_granted_subquery(business.id)
        found = set(session.scalars(select(granted.c.customer_id)))

    assert expected
    assert found == expected


def test_logs_carry_ids_not_personal_data(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with transaction(engine) as session:
        business = add_business(session)
        customer = add_customer(
            session, business, external_id="c1", phone="+5491123456789"
        )

        with caplog.at_level(logging.DEBUG, logger="cobranza.compliance"):
            event = record_consent(
                session, business.id, customer.id, "revoke", "BAJA", "wamid.X", T0
            )

    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        f"consent revoke recorded for business {business.id} customer "
        f"{customer.id} (event {event.id})"
    ]
    for message in messages:
        assert "+5491123456789" not in message
        assert customer.name not in message
        assert "wamid.X" not in message


def test_batch_consents_agree_with_current_consent(engine: Engine) -> None:
    # 60 customers with 0-3 events each, every fifth sharing one phone, so
    # a revocation by one of them stops the others' earlier grants.
    with transaction(engine) as session:
        business = add_business(session)
        customer_ids = []
        for index in range(60):
            phone = "+5491100000000" if index % 5 == 0 else f"+54911{index:08d}"
            customer = add_customer(
                session, business, external_id=f"c{index}", phone=phone
            )
            customer_ids.append(customer.id)
            for event_index in range(index % 4):
                action = "grant" if (index + event_index) % 3 else "revoke"
                at = T0 + timedelta(minutes=(index * 7 + event_index * 13) % 50)
                record_consent(session, business.id, customer.id, action, "t", None, at)
        expected = {
            customer_id: current_consent(session, business.id, customer_id)
            for customer_id in customer_ids
        }

        found = current_consents(session, business.id, customer_ids)
        subset = current_consents(session, business.id, customer_ids[:7])

    assert set(expected.values()) == {True, False, None}
    assert found == expected
    assert subset == {i: expected[i] for i in customer_ids[:7]}


def test_batch_consents_shared_phone_revocation(engine: Engine) -> None:
    with transaction(engine) as session:
        business = add_business(session)
        granted = add_customer(session, business, external_id="a", phone="+5491199")
        sharing = add_customer(session, business, external_id="b", phone="+5491199")
        record_consent(session, business.id, granted.id, "grant", "t", None, T0)
        later = T0 + timedelta(hours=1)
        record_consent(session, business.id, sharing.id, "revoke", "t", None, later)

        # Only the customer with the grant is asked for.
        found = current_consents(session, business.id, [granted.id])

    assert found == {granted.id: False}
