"""The «Registrar pago» form on the customer page and the conversation page."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select

from cobranza.conversations.handoff import hand_off
from cobranza.db.engine import transaction
from cobranza.db.models import Business, Case, CaseState, Document, Payment
from tests.web.conftest import NOW, Tenant

OK = re.compile(r'<p class="notice ok" role="status">(.*?)</p>', re.DOTALL)
ERROR = re.compile(r'<p class="notice error" role="alert">(.*?)</p>', re.DOTALL)


def _notice(pattern: re.Pattern[str], text: str) -> str:
    found = pattern.search(text)
    assert found is not None, "no notice on the page"
    return html.unescape(found.group(1))


def _waiting_for_payment_check(engine: Engine, tenant: Tenant) -> int:
    """Open a case that waits while a person verifies a reported payment."""
    with transaction(engine) as session:
        case = Case(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            state=CaseState.PAUSED,
            paused_until=NOW + timedelta(days=2),
            pause_reason="payment reported",
            opened_at=NOW - timedelta(days=10),
        )
        session.add(case)
        session.flush()
        hand_off(
            session,
            case,
            "payment_to_verify",
            NOW - timedelta(hours=1),
            stop_automation=False,
        )
        return case.id


def _form(**values: str) -> dict[str, str]:
    form = {
        "amount": "15.000,00",
        "paid_on": "2026-03-16",
        "method": "transferencia",
        "reference": "000123",
        "back": "cliente",
    }
    form.update(values)
    return form


def test_payment_settles_invoice_and_closes_case(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    case_id = _waiting_for_payment_check(engine, tenant)
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/pago", data=_form(csrf_token=token)
    )

    notice = _notice(OK, page.text)
    with transaction(engine) as session:
        payment = session.scalars(select(Payment)).one()
        invoice = session.get_one(Document, tenant.invoice_id)
        case = session.get_one(Case, case_id)
    assert page.url.path == f"/clientes/{tenant.customer_id}"
    assert payment.amount == Decimal("15000.00")
    assert payment.method == "transferencia"
    assert payment.provider == "manual"
    assert payment.provider_payment_id == "000123"
    # A past day starts at 00:00 in Buenos Aires, as with `payment add --date`.
    assert payment.paid_at.astimezone(UTC) == datetime(2026, 3, 16, 3, tzinfo=UTC)
    assert invoice.open_amount == 0
    assert case.closed_at is not None
    assert case.handoff_reason is None
    assert "Pago de $ 15.000,00 registrado." in notice
    assert "Se aplicó a: A-0001 $ 15.000,00 (saldada)." in notice
    assert "El caso se cerró como pagado" in notice
    assert "ya no espera a una persona" in notice


def test_partial_payment_keeps_case_waiting(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    case_id = _waiting_for_payment_check(engine, tenant)
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/pago",
        data=_form(
            amount="5000,50", reference="", back="conversacion", csrf_token=token
        ),
    )

    notice = _notice(OK, page.text)
    with transaction(engine) as session:
        invoice = session.get_one(Document, tenant.invoice_id)
        case = session.get_one(Case, case_id)
    assert page.url.path == f"/conversaciones/{tenant.customer_id}"
    assert invoice.open_amount == Decimal("9999.50")
    assert case.closed_at is None
    assert case.handoff_reason == "payment_to_verify"
    assert "A-0001 $ 5.000,50 (quedan $ 9.999,50)" in notice
    assert (
        "El caso sigue esperando a una persona (dice que ya pagó: verificá el "
        "pago) con un saldo pendiente de $ 9.999,50." in notice
    )
    assert "«Volver a la automatización»" in notice


def test_payment_without_case_leaves_credit(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/pago",
        data=_form(amount="20.000", csrf_token=token),
    )

    notice = _notice(OK, page.text)
    with transaction(engine) as session:
        payment = session.scalars(select(Payment)).one()
    assert payment.unallocated == Decimal("5000")
    assert "Quedan $ 5.000,00 como saldo a favor del cliente." in notice
    assert "El cliente no tenía un caso abierto." in notice


def test_payment_today_is_stamped_now(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    client.post(
        f"/clientes/{tenant.customer_id}/pago",
        data=_form(paid_on="2026-03-18", csrf_token=token),
    )

    with transaction(engine) as session:
        payment = session.scalars(select(Payment)).one()
    assert payment.paid_at.astimezone(UTC) == NOW


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"amount": "abc"}, "Monto inválido 'abc': escribilo con dígitos"),
        ({"amount": "1e3"}, "Monto inválido '1e3'"),
        ({"amount": "-5"}, "El monto del pago tiene que ser mayor que 0"),
        ({"amount": "0"}, "El monto del pago tiene que ser mayor que 0"),
        ({"amount": "15000,555"}, "Monto ambiguo '15000,555'"),
        ({"amount": "15000,5555"}, "redondealo a 2 decimales"),
        (
            {"amount": "100.000.000.000.000"},
            "tiene que ser menor que 100.000.000.000.000",
        ),
        ({"paid_on": "2026-03-19"}, "La fecha del pago, 19/03/2026, es futura."),
    ],
)
def test_bad_payment_writes_nothing(
    app: FastAPI,
    client_for,
    tenant: Tenant,
    engine: Engine,
    values: dict[str, str],
    expected: str,
) -> None:  # type: ignore[no-untyped-def]
    case_id = _waiting_for_payment_check(engine, tenant)
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/pago", data=_form(**values, csrf_token=token)
    )

    with transaction(engine) as session:
        payments = session.scalars(select(Payment)).all()
        invoice = session.get_one(Document, tenant.invoice_id)
        case = session.get_one(Case, case_id)
    assert expected in _notice(ERROR, page.text)
    assert payments == []
    assert invoice.open_amount == Decimal("15000.00")
    assert case.handoff_reason == "payment_to_verify"


def test_same_reference_records_once(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    path = f"/clientes/{tenant.customer_id}/pago"

    client.post(path, data=_form(amount="1.000", csrf_token=token))
    again = client.post(path, data=_form(amount="1.000", csrf_token=token))

    with transaction(engine) as session:
        payments = session.scalars(select(Payment)).all()
        invoice = session.get_one(Document, tenant.invoice_id)
    assert len(payments) == 1
    assert invoice.open_amount == Decimal("14000.00")
    assert "Ya hay un pago registrado con la referencia «000123»" in _notice(
        ERROR, again.text
    )


def test_payment_without_csrf_is_rejected(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.post(f"/clientes/{tenant.customer_id}/pago", data=_form())

    with transaction(engine) as session:
        payments = session.scalars(select(Payment)).all()
    assert page.status_code == 403
    assert payments == []


def test_other_business_customer_is_not_found(
    app: FastAPI, client_for, tenant: Tenant, other_tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{other_tenant.customer_id}/pago", data=_form(csrf_token=token)
    )

    with transaction(engine) as session:
        payments = session.scalars(select(Payment)).all()
    assert page.status_code == 404
    assert payments == []


def test_pages_offer_payment_form(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _waiting_for_payment_check(engine, tenant)
    client, _ = client_for(tenant)
    action = f'action="/clientes/{tenant.customer_id}/pago"'

    customer_page = client.get(f"/clientes/{tenant.customer_id}").text
    conversation_page = client.get(f"/conversaciones/{tenant.customer_id}").text

    assert action in customer_page
    assert '<input type="hidden" name="back" value="cliente">' in customer_page
    assert action in conversation_page
    assert '<input type="hidden" name="back" value="conversacion">' in conversation_page
    # A case waiting for a payment check shows the form already open.
    assert '<details class="card" id="registrar-pago" open>' in conversation_page


def _dollar_invoice(engine: Engine, tenant: Tenant) -> int:
    with transaction(engine) as session:
        invoice = Document(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            kind="invoice",
            number="E-1",
            issued_on=NOW.date() - timedelta(days=40),
            due_on=NOW.date() - timedelta(days=10),
            amount=Decimal("500.00"),
            currency="USD",
            open_amount=Decimal("500.00"),
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(invoice)
        session.flush()
        return invoice.id


def test_payment_in_customer_currency(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Given a customer who also owes a dollar invoice
    invoice_id = _dollar_invoice(engine, tenant)
    client, token = client_for(tenant)
    form = client.get(f"/clientes/{tenant.customer_id}").text

    # When the owner records 200 dollars
    page = client.post(
        f"/clientes/{tenant.customer_id}/pago",
        data=_form(csrf_token=token, amount="200,00", currency="USD"),
    )

    # Then the dollars settle the dollar invoice, and the notice names them
    notice = _notice(OK, page.text)
    with transaction(engine) as session:
        payment = session.scalars(select(Payment)).one()
        invoice = session.get_one(Document, invoice_id)
    assert '<option value="USD">USD</option>' in form
    assert payment.currency == "USD"
    assert invoice.open_amount == Decimal("300.00")
    assert "US$ 200,00" in notice


def test_payment_currency_outside_customer_rejected(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/pago",
        data=_form(csrf_token=token, currency="EUR"),
    )

    with transaction(engine) as session:
        payments = session.scalars(select(Payment)).all()
    assert "Moneda inválida: «EUR». Elegí una de estas: ARS." in _notice(
        ERROR, page.text
    )
    assert payments == []


def _in_colombian_pesos(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        business.country, business.currency, business.locale = "CO", "COP", "es_CO"
        session.get_one(Document, tenant.invoice_id).currency = "COP"


def test_whole_peso_form_has_no_cents(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Colombian pesos are whole, so the sample amount and the fix have no cents.
    _in_colombian_pesos(engine, tenant)
    _waiting_for_payment_check(engine, tenant)
    client, token = client_for(tenant)

    form = client.get(f"/clientes/{tenant.customer_id}").text
    page = client.post(
        f"/clientes/{tenant.customer_id}/pago",
        data=_form(csrf_token=token, amount="15.000,50"),
    )

    assert 'name="amount" inputmode="decimal" required' in form
    assert 'placeholder="15.000"' in form
    assert 'placeholder="15.000,00"' not in form
    error = _notice(ERROR, page.text)
    assert "tiene más decimales de los que admite COP" in error
    assert "escríbelo sin decimales" in error
    assert "0 decimales" not in error


def test_dollar_payment_names_pesos_still_owed(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Given a case waiting for a payment check, over pesos and dollars
    _waiting_for_payment_check(engine, tenant)
    _dollar_invoice(engine, tenant)
    client, token = client_for(tenant)

    # When the owner records the whole dollar invoice
    page = client.post(
        f"/clientes/{tenant.customer_id}/pago",
        data=_form(csrf_token=token, amount="500,00", currency="USD"),
    )

    # Then the notice names the pesos still owed, not zero dollars
    notice = _notice(OK, page.text)
    assert "E-1 US$ 500,00 (saldada)" in notice
    assert "con un saldo pendiente de $ 15.000,00." in notice
    assert "US$ 0,00" not in notice


def test_dollar_sign_with_pesos_chosen_rejected(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _dollar_invoice(engine, tenant)
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/pago",
        data=_form(csrf_token=token, amount="US$ 500", currency="ARS"),
    )

    notice = _notice(ERROR, page.text)
    with transaction(engine) as session:
        payments = session.scalars(select(Payment)).all()
    assert payments == []
    assert "El monto US$ 500 está en USD y la moneda elegida es ARS" in notice
