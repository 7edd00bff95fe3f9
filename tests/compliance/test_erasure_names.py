"""Erasing customers whose name or code is short, accented or cut in a message.

A short name ("Ana") is not searched in the business's shared texts, since
it is part of other customers' texts ("Banana SA"). The customer's own rows
are its own, though: what the owner typed about it (a hold reason, a
consent source with its code) and the name in its messages must go too,
while the other customer's texts stay. The rows come from a real reminder
cycle over the sandbox channel.

The other cases are what could bring the data back after the erasure: a
later import of the same rows, and a receipt download still pending.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from cobranza.channels.media import is_due
from cobranza.compliance import record_consent
from cobranza.compliance.erasure import erase_customer
from cobranza.compliance.personal_data import REDACTED
from cobranza.compliance.subject_export import customer_export
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    ConsentAction,
    Customer,
    ImportRun,
    InboundMedia,
    InboundMessage,
    OutboxMessage,
    Payment,
)
from cobranza.dunning.holds import hold_invoices
from cobranza.ingest.service import ImportOptions, import_file
from cobranza.jobs import run_cycle
from cobranza.payments.manual import record_payment
from tests.channels.factories import make_business, make_customer, make_document
from tests.ingest.conftest import write_csv

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
ERASED_AT = NOW + timedelta(hours=3)
LONG_NAME = (
    "Cooperativa de Trabajo Distribuidora Mayorista del Litoral y Afines Limitada"
)


def _given(
    engine: Engine,
    name: str,
    other_reason: str = "Banana SA pidió esperar",
    external_id: str = "C1",
) -> dict[str, int]:
    """Two customers reminded once, then a consent and a hold the owner typed."""
    other_name = "Banana SA"
    with transaction(engine) as session:
        business = make_business(session, NOW - timedelta(days=30))
        customer = make_customer(
            session, business, NOW, external_id, "+5491155550101", name=name
        )
        other = make_customer(
            session, business, NOW, "C12", "+5491155550202", name=other_name
        )
        make_document(session, customer, NOW, "A-1", "1500.00", date(2026, 3, 1))
        make_document(session, other, NOW, "B-1", "800.00", date(2026, 3, 1))
        ids = {"business": business.id, "customer": customer.id, "other": other.id}

    run_cycle(engine, ids["business"], NOW)

    with transaction(engine) as session:
        reasons = {"customer": f"{name} pidió esperar", "other": other_reason}
        for key, reason in reasons.items():
            row = session.get_one(Customer, ids[key])
            record_consent(
                session,
                ids["business"],
                row.id,
                ConsentAction.GRANT,
                f"formulario de alta de {row.external_id}",
                None,
                NOW,
            )
            hold_invoices(
                session,
                row,
                [],
                None,
                reason,
                NOW.date(),
                NOW,
                "cli",
            )
    return ids


def _erase(engine: Engine, ids: dict[str, int]) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, ids["business"])
        customer = session.get_one(Customer, ids["customer"])
        erase_customer(session, business, customer, ERASED_AT, force=True)


def _texts(engine: Engine, customer_id: int) -> list[str]:
    """Return the customer's export as JSON text, row by row."""
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        customer = session.get_one(Customer, customer_id)
        document = customer_export(session, business, customer, ERASED_AT)
    return [
        json.dumps(row, ensure_ascii=False)
        for key, rows in document.items()
        if isinstance(rows, list)
        for row in rows
    ]


def _word_hits(texts: list[str], word: str) -> list[str]:
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
    return [text for text in texts if pattern.search(text)]


@pytest.mark.parametrize("name", ["Ana", "X"])
def test_short_name_erased_from_own_rows(engine: Engine, name: str) -> None:
    ids = _given(engine, name)
    assert _word_hits(_texts(engine, ids["customer"]), name)

    _erase(engine, ids)

    texts = _texts(engine, ids["customer"])
    assert _word_hits(texts, name) == []
    assert _word_hits(texts, "C1") == []
    # The other customer's texts keep its name, its code and the short name
    # inside them.
    other = _texts(engine, ids["other"])
    assert _word_hits(other, "Banana SA")
    assert _word_hits(other, "C12")
    with transaction(engine) as session:
        parameters = session.scalars(
            select(OutboxMessage.parameters).where(
                OutboxMessage.customer_id == ids["other"]
            )
        ).one()
    assert parameters["nombre"] == "Banana SA"


def test_cut_name_parameter_erased(engine: Engine) -> None:
    ids = _given(engine, LONG_NAME)
    with transaction(engine) as session:
        parameters: dict[str, Any] = session.scalars(
            select(OutboxMessage.parameters).where(
                OutboxMessage.customer_id == ids["customer"]
            )
        ).one()
    assert parameters["nombre"].endswith("…")

    _erase(engine, ids)

    with transaction(engine) as session:
        parameters = session.scalars(
            select(OutboxMessage.parameters).where(
                OutboxMessage.customer_id == ids["customer"]
            )
        ).one()
    assert parameters["nombre"] == REDACTED
    assert _word_hits(_texts(engine, ids["customer"]), "Litoral") == []


def test_accented_name_erased_from_shared_audit(engine: Engine) -> None:
    # SQLite lowers ASCII letters only, so "Ñandú" must still be found in
    # the hold reason of the other customer, which names the erased one.
    ids = _given(engine, "Ñandú Álvarez", other_reason="paga Ñandú Álvarez")

    _erase(engine, ids)

    with transaction(engine) as session:
        reasons = list(session.scalars(select(AuditEvent.reason)))
    assert not [reason for reason in reasons if reason and "Ñandú" in reason]
    assert REDACTED in reasons


def test_export_lists_media_from_phone(engine: Engine) -> None:
    ids = _given(engine, "Ana Quiroga")
    with transaction(engine) as session:
        message = InboundMessage(
            business_id=ids["business"],
            customer_id=None,
            channel="whatsapp",
            provider="whatsapp",
            provider_message_id="wamid.before-import",
            sender="5491155550101",
            text=None,
            received_at=NOW - timedelta(days=20),
            entities={},
        )
        session.add(message)
        session.flush()
        session.add(
            InboundMedia(
                business_id=ids["business"],
                inbound_message_id=message.id,
                provider="whatsapp",
                media_id="media-1",
                mime_type="application/pdf",
                file_name="comprobante.pdf",
            )
        )

    with transaction(engine) as session:
        business = session.get_one(Business, ids["business"])
        customer = session.get_one(Customer, ids["customer"])
        document = customer_export(session, business, customer, ERASED_AT)

    assert [m["file_name"] for m in document["inbound_media"]] == ["comprobante.pdf"]


HEADER = ["Cliente", "Código", "CUIT", "Celular", "Factura", "Vencimiento", "Importe"]
# A CUIT with a wrong check digit and a short phone, so the import flags both.
BAD_TAX_ID = "20-22345678-1"
BAD_PHONE = "4567"


def test_reimport_stores_no_erased_values(engine: Engine, tmp_path: Path) -> None:
    # given: a customer imported with a bad CUIT and phone, then erased
    rows = [
        ["Ana Quiroga", "C1", BAD_TAX_ID, BAD_PHONE, "A-1", "01/03/2026", "100,00"],
        ["Banana SA", "C2", "", "011 15 5555-0202", "B-1", "01/03/2026", "200,00"],
    ]
    first = write_csv(tmp_path / "saldos.csv", [HEADER, *rows], separator=";")
    with transaction(engine) as session:
        business = make_business(session, NOW - timedelta(days=30))
        import_file(session, business, first, ImportOptions(), NOW)
        customer = session.scalars(
            select(Customer).where(Customer.external_id == "C1")
        ).one()
        erase_customer(session, business, customer, ERASED_AT, force=True)

    # when: the same rows come back in a later file
    rows[0][4] = "A-2"
    second = write_csv(tmp_path / "nuevo.csv", [HEADER, *rows], separator=";")
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        report = import_file(session, business, second, ImportOptions(), ERASED_AT)

    # then: the owner sees the rejected row, and its cells are not stored
    assert [issue.line for issue in report.rows_rejected] == [2]
    assert [issue.line for issue in report.rows_flagged if issue.line == 2] == []
    with transaction(engine) as session:
        stored = session.scalars(
            select(ImportRun.report).where(ImportRun.file_name == "nuevo.csv")
        ).one()
    text = json.dumps(stored, ensure_ascii=False)
    assert BAD_TAX_ID not in text
    assert BAD_PHONE not in text
    assert '"C1"' not in text
    assert stored["rows_rejected"][0]["value"] == REDACTED


def test_payment_method_text_erased(engine: Engine) -> None:
    # given: the owner typed the customer's name as the payment method
    ids = _given(engine, "Ana Quiroga")
    with transaction(engine) as session:
        business = session.get_one(Business, ids["business"])
        for key, who in (("customer", "Ana Quiroga"), ("other", "Banana SA")):
            record_payment(
                session,
                business,
                session.get_one(Customer, ids[key]),
                Decimal("100.00"),
                NOW,
                NOW,
                method=f"efectivo, {who}",
            )

    # when
    _erase(engine, ids)

    # then
    with transaction(engine) as session:
        rows = session.execute(select(Payment.customer_id, Payment.method)).all()
        methods = {customer_id: method for customer_id, method in rows}
    assert methods[ids["customer"]] == REDACTED
    assert methods[ids["other"]] == "efectivo, Banana SA"


def test_numeric_code_keeps_audit_amounts(engine: Engine) -> None:
    # A code made of digits only is also part of amounts and dates, so it is
    # not searched as a word: the audit keeps explaining the decisions.
    ids = _given(engine, "Ana Quiroga", external_id="1500")

    _erase(engine, ids)

    with transaction(engine) as session:
        balances = [
            details.get("balance")
            for details in session.scalars(
                select(AuditEvent.details).where(AuditEvent.kind == "step_planned")
            )
        ]
    assert balances == ["1500.0000", "800.0000"]


def test_pending_media_not_downloaded_after(engine: Engine) -> None:
    # given: a receipt whose download failed once and waits for a retry
    ids = _given(engine, "Ana Quiroga")
    with transaction(engine) as session:
        message = InboundMessage(
            business_id=ids["business"],
            customer_id=ids["customer"],
            channel="whatsapp",
            provider="whatsapp",
            provider_message_id="wamid.receipt",
            sender="5491155550101",
            type="document",
            received_at=NOW,
            entities={},
        )
        session.add(message)
        session.flush()
        session.add(
            InboundMedia(
                business_id=ids["business"],
                inbound_message_id=message.id,
                provider="whatsapp",
                media_id="media-pending",
                mime_type="application/pdf",
                file_name="comprobante de Ana Quiroga.pdf",
                attempts=1,
                last_error="timed out",
                next_attempt_at=NOW,
            )
        )

    # when
    _erase(engine, ids)

    # then: the retry worker no longer picks it, so the file is never stored
    with transaction(engine) as session:
        due = session.scalars(
            select(InboundMedia.id).where(is_due(ERASED_AT + timedelta(days=1)))
        ).all()
    assert due == []
