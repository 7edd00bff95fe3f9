"""Data-subject requests: export and erase one customer, end to end.

The customers come from a real import and get reminders from a real dunning
cycle over the sandbox channel. One replies through the sandbox reply path,
which records a promise, and sends a receipt through the signed WhatsApp
webhook, served by the fake Graph API on 127.0.0.1. After the erasure every text,
JSON and binary column of every table is scanned, through the SQLAlchemy
metadata, for the customer's name, phone, e-mail and tax id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, Engine, LargeBinary, String, select
from sqlalchemy.orm import Session

from cobranza.channels.inbox import process_pending_events, set_reply_handler
from cobranza.channels.sandbox import record_reply
from cobranza.compliance import current_consent
from cobranza.compliance import erasure as erasure_module
from cobranza.compliance.erasure import (
    AlreadyErasedError,
    OpenBalanceError,
    delete_media_files,
    erase_customer,
)
from cobranza.compliance.personal_data import (
    PERSONAL_COLUMNS,
    REDACTED,
    TABLES_WITHOUT_CUSTOMER_DATA,
)
from cobranza.compliance.subject_export import customer_export, export_json
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Base,
    Business,
    Case,
    CaseState,
    Customer,
    Document,
    InboundMedia,
    InboundMessage,
    Installment,
    InstallmentPlan,
    OutboxMessage,
    OutboxState,
    PaymentLink,
    PromiseToPay,
    WebhookEvent,
)
from cobranza.ingest.service import ImportOptions, import_file
from cobranza.jobs import run_cycle
from cobranza.jobs.replies import install_reply_handler
from cobranza.payments import record_payment
from cobranza.portfolio import audit_business
from tests.channels.factories import grant_consent, make_business
from tests.channels.whatsapp.conftest import (  # noqa: F401 (fixtures)
    BUSINESS_NAME,
    NOW,
    PHONE,
    graph,
    settings,
)
from tests.channels.whatsapp.test_media import (
    MEDIA_ID,
    RECEIPT,
    post_stored,
    receipt_body,
)
from tests.fakes.graph_api import PHONE_NUMBER_ID, WABA_ID, FakeGraphAPI
from tests.ingest.conftest import write_csv

NAME = "Ana Inés Quiroga"
EMAIL = "ana.quiroga@example.com"
# A CUIT with a wrong check digit, so the import report quotes it as written.
TAX_ID = "20-22345678-1"
PHONE_RAW = "011 15 5555-0101"
OTHER_NAME = "Bernardo Tolosa"
OTHER_EMAIL = "bernardo@example.com"
OTHER_TAX_ID = "27-12345670-5"

HEADER = ["Cliente", "Código", "CUIT", "Celular", "Email", "Factura", "Vencimiento",
          "Importe", "Saldo"]  # fmt: skip
ROWS = [
    [NAME, "C1", TAX_ID, PHONE_RAW, EMAIL, "A-1", "05/03/2026", "1.500,00",
     "1.500,00"],
    [OTHER_NAME, "C2", OTHER_TAX_ID, "011 15 5555-0202", OTHER_EMAIL, "B-1",
     "01/03/2026", "800,00", "800,00"],
]  # fmt: skip
PROCESSED_AT = NOW + timedelta(hours=2)
ERASED_AT = NOW + timedelta(hours=3)


@dataclass
class Given:
    """The business and the two customers, after messages, replies and a receipt."""

    business_id: int
    customer_id: int
    other_id: int
    media_path: Path


@pytest.fixture
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


@pytest.fixture
def given(
    engine: Engine,
    settings: Settings,  # noqa: F811
    graph: FakeGraphAPI,  # noqa: F811
    tmp_path: Path,
    reply_handler: None,
) -> Given:
    path = write_csv(tmp_path / "saldos.csv", [HEADER, *ROWS], separator=";")
    with transaction(engine) as session:
        business = make_business(session, NOW - timedelta(days=10), name=BUSINESS_NAME)
        import_file(session, business, path, ImportOptions(), NOW - timedelta(days=1))
        customers = {
            c.external_id: c
            for c in session.scalars(
                select(Customer).where(Customer.business_id == business.id)
            )
        }
        for customer in customers.values():
            grant_consent(session, customer, NOW - timedelta(days=1))
        business_id = business.id
        customer_id = customers["C1"].id
        other_id = customers["C2"].id

    run_cycle(engine, business_id, NOW)
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        record_reply(
            session, business, PHONE, "sí, te pago el viernes", NOW + timedelta(hours=1)
        )
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    post_stored(settings, engine, receipt_body())
    assert process_pending_events(engine, PROCESSED_AT, settings=settings) == 1
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        ana = session.get_one(Customer, customer_id)
        record_payment(
            session,
            business,
            ana,
            Decimal("500.00"),
            PROCESSED_AT,
            PROCESSED_AT,
            reference=f"transferencia de {NAME}",
        )
        _add_plan_and_link(session, ana, PROCESSED_AT)
        # A message from the customer's number before it was a customer.
        session.add(
            InboundMessage(
                business_id=business_id,
                customer_id=None,
                channel="whatsapp",
                provider="whatsapp",
                provider_message_id="wamid.before-import",
                sender=PHONE.lstrip("+"),
                text=f"Hola, soy {NAME}, ¿cuánto debo?",
                received_at=NOW - timedelta(days=20),
                entities={},
            )
        )
        media_path = session.scalars(select(InboundMedia.path)).one()
    assert media_path is not None
    return Given(business_id, customer_id, other_id, Path(media_path))


def _add_plan_and_link(session: Session, customer: Customer, now: Any) -> None:
    """Add an installment plan and a payment link for the customer's case."""
    case_id = session.scalars(
        select(Case.id).where(Case.customer_id == customer.id)
    ).first()
    assert case_id is not None
    plan = InstallmentPlan(
        business_id=customer.business_id,
        case_id=case_id,
        customer_id=customer.id,
        currency="ARS",
        principal=Decimal("1000.00"),
        fee=Decimal(0),
        total=Decimal("1000.00"),
        installment_count=2,
        document_ids=[],
        status="cancelled",
        created_at=now,
        closed_at=now,
    )
    session.add(plan)
    session.flush()
    for number in (1, 2):
        session.add(
            Installment(
                business_id=customer.business_id,
                plan_id=plan.id,
                number=number,
                amount=Decimal("500.00"),
                due_on=date(2026, 4, number),
            )
        )
    session.add(
        PaymentLink(
            business_id=customer.business_id,
            case_id=case_id,
            customer_id=customer.id,
            token=f"token-{customer.id}",
            provider="sandbox",
            amount=Decimal("1000.00"),
            currency="ARS",
            document_ids=[],
            status="superseded",
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()


def _erase(
    engine: Engine, given: Given, *, force: bool
) -> erasure_module.ErasureResult:
    with transaction(engine) as session:
        business = session.get_one(Business, given.business_id)
        customer = session.get_one(Customer, given.customer_id)
        return erase_customer(
            session, business, customer, ERASED_AT, force=force, actor="cli"
        )


def _export(engine: Engine, business_id: int, customer_id: int) -> dict[str, Any]:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        customer = session.get_one(Customer, customer_id)
        document = customer_export(session, business, customer, ERASED_AT)
    # The text form, as the CLI and the dashboard write it, must be valid JSON.
    return json.loads(export_json(document))  # type: ignore[no-any-return]


def _is_text_column(column: Any) -> bool:
    return isinstance(column.type, String | JSON | LargeBinary)


def _text_values(engine: Engine) -> list[tuple[str, str, int, str]]:
    """Return (table, column, row id, text) for every text, JSON and binary cell."""
    found = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [column for column in table.columns if _is_text_column(column)]
            if not columns:
                continue
            for row in connection.execute(select(table)).mappings():
                for column in columns:
                    value = row[column.name]
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        text = bytes(value).decode("utf-8", "replace")
                    elif isinstance(value, str):
                        text = value
                    else:
                        text = json.dumps(value, ensure_ascii=False)
                    found.append((table.name, column.name, row.get("id", 0), text))
    return found


def _compact(text: str) -> str:
    return "".join(char for char in text.casefold() if char.isalnum())


def _hits(engine: Engine, needles: list[str]) -> list[tuple[str, str, int, str]]:
    """Return the cells whose text contains a needle, ignoring case and separators."""
    compact_needles = [_compact(needle) for needle in needles]
    hits = []
    for table, column, row_id, text in _text_values(engine):
        squeezed = _compact(text)
        hits.extend(
            (table, column, row_id, needle)
            for needle, compact in zip(needles, compact_needles, strict=True)
            if compact in squeezed
        )
    return hits


# Each personal value, as the scan looks for it. "55550101" is the end of
# the phone in every form (E.164, wa_id, as typed).
ANA_NEEDLES = [NAME, "Quiroga", EMAIL, TAX_ID, "55550101"]
OTHER_NEEDLES = [OTHER_NAME, OTHER_EMAIL, OTHER_TAX_ID, "55550202"]


def _totals(engine: Engine, settings: Settings) -> dict[str, Any]:  # noqa: F811
    report = audit_business(engine, settings, ERASED_AT).to_dict()
    balances = {row["external_id"]: row for row in report.pop("customers")}
    report.pop("top_debtors")
    report["balances"] = sorted(
        str(row.get("open_balance")) for row in balances.values()
    )
    return report


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns)
                )
            ]
            for table in Base.metadata.sorted_tables
        }


def test_inventory_covers_every_table() -> None:
    tables = set(Base.metadata.tables)

    listed = set(PERSONAL_COLUMNS) | TABLES_WITHOUT_CUSTOMER_DATA

    assert tables - listed == set()
    assert listed - tables == set()
    for table, columns in PERSONAL_COLUMNS.items():
        for column in columns:
            assert column in Base.metadata.tables[table].columns, (table, column)


def test_given_data_holds_every_value(engine: Engine, given: Given) -> None:
    # The scan must be able to fail: before the erasure it finds each value.
    hits = {needle for _, _, _, needle in _hits(engine, ANA_NEEDLES)}

    assert hits == set(ANA_NEEDLES)


def test_export_contains_every_kind(engine: Engine, given: Given) -> None:
    document = _export(engine, given.business_id, given.customer_id)

    assert document["format_version"] == 1
    assert document["business"]["name"] == BUSINESS_NAME
    assert document["generated_at"].endswith("Z")
    assert document["customer"]["name"] == NAME
    assert document["customer"]["email"] == EMAIL
    for kind in (
        "documents",
        "payments",
        "allocations",
        "consent_events",
        "cases",
        "promises",
        "installment_plans",
        "payment_links",
        "outbox_messages",
        "sandbox_messages",
        "inbound_messages",
        "inbound_media",
        "audit_events",
    ):
        assert document[kind], f"no {kind} in the export"
    assert document["installment_plans"][0]["installments"]
    assert document["documents"][0]["amount"] == "1500.00"
    assert document["payments"][0]["paid_at"].endswith("Z")
    media = document["inbound_media"][0]
    assert media["file_name"] == "comprobante.pdf"
    assert media["path"] == str(given.media_path)
    texts = [message["text"] for message in document["inbound_messages"]]
    assert "sí, te pago el viernes" in texts
    assert f"Hola, soy {NAME}, ¿cuánto debo?" in texts
    assert any(message["text"] for message in document["outbox_messages"])
    other_ids = {row["customer_id"] for row in document["documents"]}
    assert other_ids == {given.customer_id}


def test_erase_leaves_no_personal_data(
    engine: Engine,
    given: Given,
    settings: Settings,  # noqa: F811
) -> None:
    # given: the audit stores segments, so it runs before the export
    totals_before = _totals(engine, settings)
    other_before = _export(engine, given.business_id, given.other_id)
    assert given.media_path.exists()

    # when
    result = _erase(engine, given, force=True)
    failures = delete_media_files(result.media_paths)

    # then: no cell contains the customer's values, and the file is gone
    assert _hits(engine, ANA_NEEDLES) == []
    assert failures == []
    assert not given.media_path.exists()
    assert result.counts["media_files"] == 1
    assert result.counts["webhook_events"] == 1
    assert result.counts["inbound_messages"] == 3

    # then: the other customer and the portfolio totals are unchanged
    other_after = _export(engine, given.business_id, given.other_id)
    other_before.pop("generated_at")
    other_after.pop("generated_at")
    assert other_after["customer"] == other_before["customer"]
    assert other_after == other_before
    assert {needle for _, _, _, needle in _hits(engine, OTHER_NEEDLES)} == set(
        OTHER_NEEDLES
    )
    assert _totals(engine, settings) == totals_before


def test_erase_keeps_accounting_and_stops_messages(
    engine: Engine, given: Given
) -> None:
    with transaction(engine) as session:
        amounts_before = sorted(
            (d.number, d.amount, d.open_amount)
            for d in session.scalars(select(Document))
        )

    _erase(engine, given, force=True)

    with transaction(engine) as session:
        customer = session.get_one(Customer, given.customer_id)
        assert customer.name == "Cliente borrado"
        assert customer.external_id == f"borrado-{customer.id}"
        assert customer.erased_at == ERASED_AT
        assert customer.erased_id_hash is not None
        assert customer.phone is None
        assert current_consent(session, given.business_id, customer.id) is False
        cases = session.scalars(select(Case).where(Case.customer_id == customer.id))
        assert all(case.state == CaseState.CLOSED for case in cases)
        states = set(
            session.scalars(
                select(OutboxMessage.state).where(
                    OutboxMessage.customer_id == customer.id
                )
            )
        )
        assert OutboxState.QUEUED not in states
        texts = set(
            session.scalars(
                select(OutboxMessage.text).where(
                    OutboxMessage.customer_id == customer.id,
                    OutboxMessage.text.is_not(None),
                )
            )
        )
        assert texts <= {REDACTED}
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "customer.erased")
        ).one()
        assert all(isinstance(value, int | bool) for value in event.details.values())
        assert session.scalars(select(PromiseToPay)).first() is not None
        webhook = session.scalars(select(WebhookEvent)).one()
        assert webhook.event_key
        amounts_after = sorted(
            (d.number, d.amount, d.open_amount)
            for d in session.scalars(select(Document))
        )
    assert amounts_after == amounts_before


def test_erase_refused_with_open_balance(engine: Engine, given: Given) -> None:
    before = _dump(engine)

    with pytest.raises(OpenBalanceError) as raised:
        _erase(engine, given, force=False)

    assert "$ 1.000,00" in str(raised.value)
    assert "C1" in str(raised.value)
    assert _dump(engine) == before


def test_erase_twice_is_refused(engine: Engine, given: Given) -> None:
    _erase(engine, given, force=True)

    with pytest.raises(AlreadyErasedError):
        _erase(engine, given, force=True)


def test_failed_erase_changes_nothing(
    engine: Engine, given: Given, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the last step of the erasure fails, after every other one ran
    before = _dump(engine)

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(erasure_module, "_record_erasure", fail)

    # when
    with pytest.raises(RuntimeError):
        _erase(engine, given, force=True)

    # then
    assert _dump(engine) == before
    assert given.media_path.exists()


def test_reimport_of_erased_id_is_rejected(
    engine: Engine, given: Given, tmp_path: Path
) -> None:
    _erase(engine, given, force=True)
    rows = [
        [NAME, "C1", TAX_ID, PHONE_RAW, EMAIL, "A-2", "05/04/2026", "100,00", "100,00"],
        [OTHER_NAME, "C2", OTHER_TAX_ID, "011 15 5555-0202", OTHER_EMAIL, "B-2",
         "01/04/2026", "200,00", "200,00"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "nuevo.csv", [HEADER, *rows], separator=";")

    with transaction(engine) as session:
        business = session.get_one(Business, given.business_id)
        report = import_file(session, business, path, ImportOptions(), ERASED_AT)

    rejected = [
        issue for issue in report.rows_rejected if issue.code == "erased_customer"
    ]
    assert len(rejected) == 1
    assert rejected[0].line == 2
    assert rejected[0].value == "C1"
    assert "pidió que se borraran sus datos el 10/03/2026" in rejected[0].message
    assert report.documents_imported == 1
    assert _hits(engine, [NAME, EMAIL]) == []
    with transaction(engine) as session:
        numbers = set(session.scalars(select(Document.number)))
    assert "B-2" in numbers
    assert "A-2" not in numbers


def test_cycle_after_erasure_plans_nothing(engine: Engine, given: Given) -> None:
    _erase(engine, given, force=True)

    run_cycle(engine, given.business_id, NOW + timedelta(days=7))

    with transaction(engine) as session:
        open_cases = session.scalars(
            select(Case).where(
                Case.customer_id == given.customer_id, Case.state != CaseState.CLOSED
            )
        ).all()
        queued = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.customer_id == given.customer_id,
                OutboxMessage.state == OutboxState.QUEUED,
            )
        ).all()
    assert open_cases == []
    assert queued == []


def test_file_that_cannot_be_deleted_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "carpeta"
    folder.mkdir()

    missing = tmp_path / "ya-no-esta"

    failures = delete_media_files([str(folder), str(missing)])

    assert [path for path, _ in failures] == [str(folder), str(missing)]
    assert folder.exists()


def _status(message_id: str, recipient: str, status: str) -> dict[str, Any]:
    return {
        "id": message_id,
        "status": status,
        "timestamp": str(int((ERASED_AT + timedelta(hours=1)).timestamp())),
        "recipient_id": recipient,
        "errors": [
            {
                "code": 131000,
                "title": "Something went wrong",
                "error_data": {"details": f"recipient {recipient}"},
            }
        ],
    }


def _statuses_body(statuses: list[dict[str, Any]]) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": "5491100000000",
            "phone_number_id": PHONE_NUMBER_ID,
        },
        "statuses": statuses,
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def test_status_after_erasure_stores_no_phone(
    engine: Engine,
    given: Given,
    settings: Settings,  # noqa: F811
) -> None:
    # given: Ana was erased after her reminder went out, and C2 was not
    with transaction(engine) as session:
        ana_message, other_message = (
            session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.customer_id == customer_id,
                    OutboxMessage.provider_message_id.is_not(None),
                )
            ).first()
            for customer_id in (given.customer_id, given.other_id)
        )
        assert ana_message is not None
        assert other_message is not None
        ana_id, ana_wamid = ana_message.id, ana_message.provider_message_id
        other_wamid = other_message.provider_message_id
    assert ana_wamid is not None
    assert other_wamid is not None
    _erase(engine, given, force=True)
    other_phone = "5491155550202"
    body = _statuses_body(
        [
            _status(ana_wamid, PHONE.lstrip("+"), "read"),
            _status(other_wamid, other_phone, "read"),
        ]
    )

    # when: a read status for each arrives through the signed webhook
    event_id = post_stored(settings, engine, body)
    processed = process_pending_events(
        engine, ERASED_AT + timedelta(hours=2), settings=settings
    )

    # then: the status is applied, and the stored body keeps no phone of Ana
    assert processed == 1
    assert _hits(engine, ANA_NEEDLES) == []
    with transaction(engine) as session:
        assert session.get_one(OutboxMessage, ana_id).state == OutboxState.READ
        event = session.get_one(WebhookEvent, event_id)
        stored = json.loads(event.raw_body)
        assert event.processed_at is not None
        assert event.error is None
    ana_status, other_status = stored["entry"][0]["changes"][0]["value"]["statuses"]
    assert ana_status == {
        "id": ana_wamid,
        "status": "read",
        "timestamp": _status(ana_wamid, "", "read")["timestamp"],
        "recipient_id": REDACTED,
        "errors": [{"code": 131000, "title": "Something went wrong"}],
    }
    assert other_status == _status(other_wamid, other_phone, "read")
