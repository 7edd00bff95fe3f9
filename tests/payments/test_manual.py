"""Payments recorded by a person: by hand, from a file, or from a receipt."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console
from sqlalchemy import select

from cobranza.compliance.erasure import erase_customer
from cobranza.db.models import (
    AuditEvent,
    Business,
    Customer,
    InboundMedia,
    InboundMessage,
)
from cobranza.payments import (
    accept_receipt,
    claim_receipt,
    import_payments,
    record_payment,
    reject_receipt,
)
from cobranza.payments.errors import PaymentError
from cobranza.payments.manual import PaymentImportReport
from cobranza.payments.terminal import render_import_report
from tests.channels.factories import make_customer, make_document
from tests.payments.conftest import NOW, World


def test_record_payment_partial(world: World) -> None:
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        result = record_payment(
            session,
            world.business(session),
            customer,
            Decimal("1200.00"),
            NOW,
            NOW,
            method="transfer",
            reference="TR-1",
        )

    assert result.changed
    assert world.open_amounts()[world.new_invoice_id] == Decimal("300")
    assert world.case_row().closed_at is None


@pytest.mark.parametrize(
    ("paid_at", "problem"),
    [
        (NOW + timedelta(days=2), "la fecha del pago, 12/03/2026, es futura"),
        (NOW + timedelta(hours=1), "la hora del pago, 13:00 del 10/03/2026"),
    ],
)
def test_record_payment_rejects_future_date(
    world: World, paid_at: datetime, problem: str
) -> None:
    with (
        pytest.raises(PaymentError, match=problem),
        world.session() as session,
        session.begin(),
    ):
        customer = session.get_one(Customer, world.customer_id)
        record_payment(
            session, world.business(session), customer, Decimal("100.00"), paid_at, NOW
        )

    assert world.payments() == []
    assert world.open_amounts()[world.old_invoice_id] == Decimal("1000")


def test_record_payment_same_reference_once(world: World) -> None:
    for _ in range(2):
        with world.session() as session, session.begin():
            customer = session.get_one(Customer, world.customer_id)
            record_payment(
                session, world.business(session), customer, Decimal("1500.00"),
                NOW, NOW, reference="TR-2",
            )  # fmt: skip

    assert len(world.payments()) == 1
    assert world.case_row().close_reason == "paid"


def test_record_payment_rejects_bad_amount(world: World) -> None:
    with pytest.raises(PaymentError), world.session() as session:
        customer = session.get_one(Customer, world.customer_id)
        record_payment(
            session, world.business(session), customer, Decimal("-1"), NOW, NOW
        )


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity", "1E+999"])
def test_record_payment_rejects_non_finite_or_huge(world: World, amount: str) -> None:
    with (
        pytest.raises(PaymentError, match="monto inválido"),
        world.session() as session,
    ):
        customer = session.get_one(Customer, world.customer_id)
        record_payment(
            session, world.business(session), customer, Decimal(amount), NOW, NOW
        )

    assert world.payments() == []


def test_import_rejects_nan_and_foreign_digits(world: World, tmp_path: Path) -> None:
    path = tmp_path / "pagos.csv"
    path.write_text(
        "cliente;monto;fecha;referencia\n"
        "C1;NaN;2026-03-09;R-1\n"
        "C1;Infinity;2026-03-09;R-2\n"
        "C1;１０００;2026-03-09;R-3\n"
        "C1;1e3;2026-03-09;R-4\n"
        "C1;1000.00;2026-03-09;R-5\n",
        encoding="utf-8",
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.applied == 1
    assert report.totals == {"ARS": Decimal("1000.00")}
    assert len(report.errors) == 4
    assert report.errors[0].startswith("línea 2: monto inválido 'NaN'")
    assert report.errors[1].startswith("línea 3: monto inválido 'Infinity'")
    assert report.errors[2].startswith("línea 4: monto inválido '１０００'")
    assert "ASCII" in report.errors[2]
    assert report.errors[3].startswith("línea 5: monto inválido '1e3'")
    assert [payment.provider_payment_id for payment in world.payments()] == ["R-5"]


def test_import_reports_bad_lines_and_keeps_good(world: World, tmp_path: Path) -> None:
    path = tmp_path / "pagos.csv"
    path.write_text(
        "cliente;monto;fecha;referencia\n"
        "C1;1000.00;2026-03-09;R-1\n"
        "C9;10.00;2026-03-09;R-2\n"
        "C1;diez;2026-03-09;R-3\n",
        encoding="utf-8",
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)
    with world.session() as session, session.begin():
        again = import_payments(session, world.business(session), path, NOW)

    assert report.applied == 1
    assert len(report.errors) == 2
    assert report.errors[0].startswith("línea 3: no se encontró el cliente 'C9'")
    assert report.errors[1].startswith("línea 4: monto inválido 'diez'")
    assert again.applied == 0
    assert again.unchanged == 1
    assert world.open_amounts()[world.old_invoice_id] == Decimal("0")


def test_import_finds_customer_by_phone_or_name(world: World, tmp_path: Path) -> None:
    # A customer imported without a code is keyed by its folded name.
    with world.session() as session, session.begin():
        business = world.business(session)
        other = make_customer(
            session, business, NOW, "jose nunez", "+5491155550002", name="José Núñez"
        )
        make_document(session, other, NOW, "B-1", "300.00", date(2026, 3, 1))
    path = tmp_path / "pagos.csv"
    path.write_text(
        "cliente;monto;fecha;referencia\n"
        "011 15 5555-0001;1000.00;2026-03-09;R-1\n"
        "José Núñez;300.00;2026-03-09;R-2\n"
        "Juana Gómez;10.00;2026-03-09;R-3\n",
        encoding="utf-8",
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.applied == 2
    assert len(report.errors) == 1
    assert report.errors[0].startswith("línea 4: no se encontró el cliente 'Juana")
    assert "su nombre o su teléfono" in report.errors[0]
    assert world.open_amounts()[world.old_invoice_id] == Decimal("0")
    with world.session() as session:
        customers = {
            payment.provider_payment_id: session.get_one(
                Customer, payment.customer_id
            ).external_id
            for payment in world.payments()
        }
    assert customers == {"R-1": "C1", "R-2": "jose nunez"}


def test_import_reads_valor_column(world: World, tmp_path: Path) -> None:
    # Colombian bank statements and Nequi exports call the amount "Valor",
    # as the invoice import already reads it.
    path = tmp_path / "extracto.csv"
    path.write_text(
        "Cliente;Valor;Fecha;Referencia\nC1;1000.00;2026-03-09;NQ-1\n",
        encoding="utf-8",
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.errors == []
    assert report.applied == 1
    assert world.open_amounts()[world.old_invoice_id] == Decimal("0")


def test_import_reads_windows_1252_csv(world: World, tmp_path: Path) -> None:
    # Excel in Spanish saves a CSV in Windows-1252, as a Chilean bank's
    # "N° Operación" header shows.
    path = tmp_path / "cartola.csv"
    path.write_bytes(
        "Cliente;Monto;Fecha;N° Operación\nC1;1000.00;2026-03-09;OP-1\n".encode(
            "cp1252"
        )
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.errors == []
    assert report.applied == 1
    assert world.open_amounts()[world.old_invoice_id] == Decimal("0")


def test_import_finds_customer_by_rut_column(world: World, tmp_path: Path) -> None:
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        customer.tax_id = "765432103"
    path = tmp_path / "cartola.csv"
    path.write_text(
        "RUT;Monto;Fecha;N° Operación\n76.543.210-3;1000.00;2026-03-09;OP-2\n",
        encoding="utf-8",
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.errors == []
    assert report.applied == 1
    assert world.open_amounts()[world.old_invoice_id] == Decimal("0")


def test_import_names_erased_customer(world: World, tmp_path: Path) -> None:
    # given: C1's data were erased on request, with its balance still open
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        erase_customer(session, world.business(session), customer, NOW, force=True)
        placeholder = customer.external_id
    path = tmp_path / "pagos.csv"
    path.write_text(
        "cliente;monto;fecha;referencia\n"
        "C1;1000.00;2026-03-09;R-1\n"
        f"{placeholder};10.00;2026-03-09;R-2\n"
        "C9;10.00;2026-03-09;R-3\n",
        encoding="utf-8",
    )

    # when
    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    # then: the old code is named as erased, not as missing, and the
    # placeholder code still records a payment toward the open balance
    assert report.applied == 1
    assert len(report.errors) == 2
    erased_line, unknown_line = report.errors
    assert erased_line.startswith(
        "línea 2: los datos del cliente 'C1' se borraron el 10/03/2026"
    )
    assert "no se puede asociar a ese código" in erased_line
    assert "importá antes" not in erased_line
    assert unknown_line.startswith("línea 4: no se encontró el cliente 'C9'")
    assert [payment.amount for payment in world.payments()] == [Decimal("10.00")]


def _receipt(world: World) -> int:
    with world.session() as session, session.begin():
        message = InboundMessage(
            business_id=world.business_id,
            customer_id=world.customer_id,
            channel="whatsapp",
            provider="whatsapp",
            provider_message_id="wamid.1",
            sender="5491155550001",
            type="image",
            received_at=NOW,
            entities={},
        )
        session.add(message)
        session.flush()
        media = InboundMedia(
            business_id=world.business_id,
            inbound_message_id=message.id,
            provider="whatsapp",
            media_id="media-1",
            mime_type="image/jpeg",
        )
        session.add(media)
        session.flush()
        claim_receipt(session, world.business_id, media.id, NOW)
        return media.id


def test_receipt_claim_then_accept(world: World) -> None:
    media_id = _receipt(world)
    pending = world.payments()[0].status

    with world.session() as session, session.begin():
        accept_receipt(
            session, world.business_id, media_id, Decimal("1500.00"), NOW, "ana"
        )

    assert pending == "pending"
    assert world.payments()[0].status == "approved"
    assert world.case_row().close_reason == "paid"
    assert "receipt_accepted" in world.audit_kinds()


def test_receipt_reject_resumes(world: World) -> None:
    media_id = _receipt(world)

    with world.session() as session, session.begin():
        reject_receipt(session, world.business_id, media_id, "ilegible", NOW, "ana")

    assert world.payments()[0].status == "rejected"
    assert world.open_amounts()[world.old_invoice_id] == Decimal("1000")
    with pytest.raises(PaymentError, match="not waiting"), world.session() as session:
        accept_receipt(session, world.business_id, media_id, Decimal("1"), NOW, "ana")


def test_import_reports_future_dated_line(world: World, tmp_path: Path) -> None:
    path = tmp_path / "pagos.csv"
    path.write_text(
        "cliente,monto,fecha\nC1,1000.00,2026-03-12\nC1,200.00,2026-03-09\n",
        encoding="utf-8",
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.applied == 1
    assert report.errors == [
        "línea 2: la fecha del pago, 12/03/2026, es futura (hoy es 10/03/2026): "
        "usá el día en que recibiste el pago, hoy o antes"
    ]
    assert [payment.amount for payment in world.payments()] == [Decimal("200")]


def test_import_reads_excel(world: World, tmp_path: Path) -> None:
    import pandas

    path = tmp_path / "pagos.xlsx"
    pandas.DataFrame(
        {"Cliente": ["C1"], "Monto": ["1500.00"], "Fecha": ["2026-03-09"]}
    ).to_excel(path, index=False)

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.errors == []
    assert report.applied == 1
    assert world.case_row().close_reason == "paid"


def test_payment_audit_names_customer(world: World) -> None:
    with world.session() as session, session.begin():
        business = session.get_one(Business, world.business_id)
        customer = session.get_one(Customer, world.customer_id)
        record_payment(
            session, business, customer, Decimal("100.00"), NOW, NOW, reference="T-1"
        )

    with world.session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "payment_status")
        ).one()

    # The audit page and the customer's history find the payment by customer.
    assert event.details["customer_id"] == world.customer_id


def test_import_rejects_unknown_currency(world: World, tmp_path: Path) -> None:
    path = tmp_path / "pagos.csv"
    path.write_text(
        "cliente;monto;fecha;moneda;referencia\n"
        "C1;100.00;2026-03-09;XYZ;R-1\n"
        "C1;100.00;2026-03-09;pesos;R-2\n",
        encoding="utf-8",
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.applied == 0
    assert report.errors[0].startswith("línea 2: moneda inválida 'XYZ'")
    assert "ISO 4217" in report.errors[0]
    assert report.errors[1].startswith("línea 3: moneda inválida 'pesos'")
    assert world.payments() == []


def test_import_totals_per_currency(world: World, tmp_path: Path) -> None:
    path = tmp_path / "pagos.csv"
    path.write_text(
        "cliente;monto;fecha;moneda;referencia\n"
        "C1;100.00;2026-03-09;ARS;R-1\n"
        "C1;300.00;2026-03-09;usd;R-2\n"
        "C1;50.00;2026-03-09;;R-3\n",
        encoding="utf-8",
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.applied == 3
    assert report.totals == {"ARS": Decimal("150.00"), "USD": Decimal("300.00")}
    table = render_import_report(report, "ARS", "es_AR")
    console = Console(width=120, record=True)
    console.print(table)
    text = console.export_text()
    assert "$ 150,00" in text
    assert "US$ 300,00" in text


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es_MX", "línea 2: el cliente 'Volvé SRL' no existe: importa antes"),
        ("es_AR", "línea 2: el cliente 'Volvé SRL' no existe: importá antes"),
    ],
)
def test_import_errors_in_business_voice(locale: str, expected: str) -> None:
    report = PaymentImportReport(
        errors=["línea 2: el cliente 'Volvé SRL' no existe: importá antes al cliente"]
    )

    table = render_import_report(report, "ARS", locale)
    console = Console(width=200, record=True)
    console.print(table)

    assert expected in console.export_text()


def test_import_reads_amount_with_peso_sign(world: World, tmp_path: Path) -> None:
    # A bank statement writes "$ 1.000,00", as the owner's screen shows it.
    path = tmp_path / "extracto.csv"
    path.write_text(
        'cliente;monto;fecha\nC1;"$ 1.000,00";2026-03-09\n', encoding="utf-8"
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.errors == []
    assert report.applied == 1
    assert report.totals == {"ARS": Decimal("1000.00")}


def test_import_reads_day_month_year(world: World, tmp_path: Path) -> None:
    # Latin American statements write 09/03/2026 for 9 March; 31/02 does not
    # exist, and the error names both accepted forms.
    path = tmp_path / "extracto.csv"
    path.write_text(
        "cliente;monto;fecha;referencia\n"
        "C1;200.00;09/03/2026;R-1\n"
        "C1;100.00;31/02/2026;R-2\n",
        encoding="utf-8",
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.applied == 1
    assert report.errors == [
        "línea 3: fecha inválida '31/02/2026': ese día no existe. Usá "
        "día/mes/año, como 20/03/2026, o ISO 8601, como 2026-03-20"
    ]
    [payment] = world.payments()
    assert payment.amount == Decimal("200")
    local = payment.paid_at.astimezone(ZoneInfo("America/Argentina/Buenos_Aires"))
    assert local.date() == date(2026, 3, 9)


def test_import_reads_windows_1252(world: World, tmp_path: Path) -> None:
    # Excel on Windows saves a CSV in Windows-1252, which the invoice import
    # already reads; "depósito" is not valid UTF-8 in that encoding.
    path = tmp_path / "pagos.csv"
    path.write_bytes(
        "cliente;monto;fecha;medio\nC1;1000.00;2026-03-09;depósito\n".encode("cp1252")
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.errors == []
    assert report.applied == 1
    [payment] = world.payments()
    assert payment.method == "depósito"


def test_import_reads_portuguese_headers(world: World, tmp_path: Path) -> None:
    # A Brazilian bank or ERP export names its columns in Portuguese.
    path = tmp_path / "pagamentos.csv"
    path.write_text(
        "Código do cliente;Valor pago;Data do pagamento;Forma de pagamento;"
        "ID da transação\nC1;1000.00;09/03/2026;Pix;E0000000020260309\n",
        encoding="utf-8",
    )

    with world.session() as session, session.begin():
        report = import_payments(session, world.business(session), path, NOW)

    assert report.errors == []
    assert report.applied == 1
    [payment] = world.payments()
    assert payment.method == "Pix"
    assert payment.provider_payment_id == "E0000000020260309"
