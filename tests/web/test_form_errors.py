"""Bad form, filter and address values on the dashboard read in Spanish.

Each message names the field by its label on the page, quotes the value and
gives the fix. No internal parameter name or English library text reaches
the owner.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import Engine, select

from cobranza.channels.base import Channel, OutgoingMessage, SendResult
from cobranza.channels.errors import (
    ChannelUnavailableError,
    InvalidRecipientError,
    TemplateRejectedError,
)
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    ConsentEvent,
    InboundMedia,
    InboundMessage,
    Payment,
)
from cobranza.web import signin
from cobranza.web.dashboard import (
    audit_log,
    conversations,
    customers,
    imports,
    payment_form,
    policy_page,
    settings_page,
    summary,
)
from cobranza.wording import field_label
from tests.web.conftest import NOW, Tenant

DETAIL = re.compile(r"<li>(.*?)</li>")
NOTICE = re.compile(r'<p class="notice error" role="alert">(.*?)</p>')
INTERNAL_NAMES = ("customer_id", "document_id", "due_on", "until", "page", "q")


def _details(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [html.unescape(item) for item in DETAIL.findall(page.text)]


def _notice(page) -> str:  # type: ignore[no-untyped-def]
    found = NOTICE.search(page.text)
    assert found is not None, "no error notice on the page"
    return html.unescape(found.group(1))


@pytest.mark.parametrize(
    ("method", "path", "data", "status", "expected"),
    [
        (
            "GET",
            "/clientes?page=dos",
            None,
            400,
            "«Página»: «dos» no es un número entero. Escribí solo dígitos, por "
            "ejemplo 2.",
        ),
        (
            "GET",
            "/auditoria?page=0",
            None,
            400,
            "«Página»: «0» es menor que 1. Usá un número desde 1.",
        ),
        (
            "GET",
            "/auditoria?since=ayer",
            None,
            400,
            "«Desde»: «ayer» no es una fecha. Elegila en el calendario o escribila "
            "como 2026-03-31.",
        ),
        (
            "GET",
            "/clientes?overdue=quizas",
            None,
            400,
            "«Solo vencidos»: «quizas» no es sí ni no. Usá las opciones de la página.",
        ),
        (
            "GET",
            "/clientes?q=" + "x" * 201,
            None,
            400,
            "«Buscar»: el texto tiene 201 caracteres y el máximo es 200. Acortalo y "
            "volvé a enviar el formulario.",
        ),
        (
            "POST",
            "/conversaciones/{customer}/promesa",
            {},
            400,
            "«Fecha de la promesa»: falta este dato. Completalo y volvé a enviar el "
            "formulario.",
        ),
        (
            "POST",
            "/clientes/{customer}/pausa",
            {"until": "31/12/2026"},
            400,
            "«Hasta»: «31/12/2026» no es una fecha. Elegila en el calendario o "
            "escribila como 2026-03-31.",
        ),
        (
            "GET",
            "/clientes/abc",
            None,
            404,
            "La dirección pide el cliente «abc», que no existe. Buscalo en la lista "
            "de clientes.",
        ),
        (
            "POST",
            "/clientes/{customer}/facturas/A-1/disputa",
            {},
            404,
            "La dirección pide la factura «A-1», que no existe. Buscala en la página "
            "del cliente.",
        ),
    ],
)
def test_invalid_value_names_label(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    method: str,
    path: str,
    data: dict[str, str] | None,
    status: int,
    expected: str,
) -> None:
    client, csrf = client_for(tenant)
    form = None if data is None else {**data, "csrf_token": csrf}

    page = client.request(method, path.format(customer=tenant.customer_id), data=form)

    details = _details(page)
    assert page.status_code == status
    assert details == [expected]
    for name in INTERNAL_NAMES:
        assert f"«{name}»" not in page.text


def test_long_value_is_shortened(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/clientes", params={"page": "9" * 30 + "x" * 200})

    details = _details(page)
    assert page.status_code == 400
    assert len(details) == 1
    assert "x" * 100 not in details[0]
    assert "…»" in details[0]


DASHBOARD_ROUTERS = [
    module.router
    for module in (
        audit_log,
        conversations,
        customers,
        imports,
        payment_form,
        policy_page,
        settings_page,
        summary,
        signin,
    )
]


def _dashboard_fields() -> set[str]:
    names = set()
    for router in DASHBOARD_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            dependant = route.dependant
            params = [
                *dependant.path_params,
                *dependant.query_params,
                *dependant.body_params,
            ]
            names.update(param.alias for param in params)
    return names


def test_every_dashboard_field_has_label() -> None:
    fields = _dashboard_fields()

    unlabeled = sorted(name for name in fields if field_label(name) is None)

    assert "customer_id" in fields
    assert "due_on" in fields
    assert unlabeled == []


def test_unknown_consent_action_is_spanish(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, csrf = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/consentimiento",
        data={"action": "grnat", "source": "formulario", "csrf_token": csrf},
    )

    with transaction(engine) as session:
        events = session.scalars(select(ConsentEvent)).all()
    assert _notice(page) == (
        "La acción «grnat» no existe. Elegí «Otorga consentimiento» o «Revoca (baja)»."
    )
    assert events == []


def _receipt(engine: Engine, tenant: Tenant, customer_id: int) -> int:
    with transaction(engine) as session:
        session.add(
            Case(
                business_id=tenant.business_id,
                customer_id=customer_id,
                state=CaseState.OPEN,
                opened_at=NOW - timedelta(days=2),
            )
        )
        inbound = InboundMessage(
            business_id=tenant.business_id,
            customer_id=customer_id,
            channel="sandbox",
            provider="sandbox",
            provider_message_id=f"in-{customer_id}",
            sender="+5491155550001",
            text="[image]",
            received_at=NOW - timedelta(hours=1),
        )
        session.add(inbound)
        session.flush()
        media = InboundMedia(
            business_id=tenant.business_id,
            inbound_message_id=inbound.id,
            provider="sandbox",
            media_id=f"m-{customer_id}",
            mime_type="image/jpeg",
            file_name="comprobante.jpg",
        )
        session.add(media)
        session.flush()
        return media.id


def test_receipt_zero_amount_is_spanish(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    media_id = _receipt(engine, tenant, tenant.customer_id)
    client, csrf = client_for(tenant)

    page = client.post(
        f"/conversaciones/{tenant.customer_id}/comprobante/{media_id}",
        data={"amount": "0", "csrf_token": csrf},
    )

    with transaction(engine) as session:
        payments = session.scalars(select(Payment)).all()
    assert _notice(page) == (
        "El monto recibido tiene que ser mayor que 0: escribí el importe del "
        "comprobante, por ejemplo 15000,50."
    )
    assert payments == []


@pytest.mark.parametrize(
    ("amount", "notice"),
    [
        (
            "0",
            "El monto recibido tiene que ser mayor que 0: escribe el importe del "
            "comprobante, por ejemplo 15000.",
        ),
        (
            "diez",
            "Monto inválido 'diez': escríbelo con dígitos y, si quieres, separador "
            "de miles, como 12500 o 12.500.",
        ),
    ],
)
def test_receipt_amount_examples_for_clp(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine, amount: str, notice: str
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        business.country = "CL"
        business.currency = "CLP"
        business.locale = "es_CL"
    media_id = _receipt(engine, tenant, tenant.customer_id)
    client, csrf = client_for(tenant)

    page = client.post(
        f"/conversaciones/{tenant.customer_id}/comprobante/{media_id}",
        data={"amount": amount, "csrf_token": csrf},
    )

    with transaction(engine) as session:
        payments = session.scalars(select(Payment)).all()
    assert _notice(page) == notice
    assert payments == []


def test_receipt_accepted_twice_is_spanish(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    media_id = _receipt(engine, tenant, tenant.customer_id)
    client, csrf = client_for(tenant)
    path = f"/conversaciones/{tenant.customer_id}/comprobante/{media_id}"
    client.post(path, data={"amount": "100", "csrf_token": csrf})

    again = client.post(path, data={"amount": "100", "csrf_token": csrf})

    with transaction(engine) as session:
        payments = session.scalars(select(Payment)).all()
    assert _notice(again) == (
        "Este comprobante ya se aceptó o se rechazó, así que no cambió nada. "
        "Mirá su estado en la conversación."
    )
    assert len(payments) == 1


def test_receipt_of_other_customer_is_404(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    media_id = _receipt(engine, tenant, tenant.script_customer_id)
    client, csrf = client_for(tenant)

    page = client.post(
        f"/conversaciones/{tenant.customer_id}/comprobante/{media_id}",
        data={"amount": "100", "csrf_token": csrf},
    )

    with transaction(engine) as session:
        payments = session.scalars(select(Payment)).all()
    assert page.status_code == 404
    assert "Comprobante no encontrado." in page.text
    assert payments == []


class RejectingChannel(Channel):
    """A channel whose provider rejects every send with an English message."""

    name = "sandbox"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def send(self, message: OutgoingMessage) -> SendResult:
        raise self.error

    def lookup(self, outbox_id: int) -> SendResult | None:
        return None


def _reply_window(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        session.add(
            Case(
                business_id=tenant.business_id,
                customer_id=tenant.customer_id,
                state=CaseState.OPEN,
                opened_at=NOW - timedelta(days=2),
            )
        )
        session.add(
            InboundMessage(
                business_id=tenant.business_id,
                customer_id=tenant.customer_id,
                channel="sandbox",
                provider="sandbox",
                provider_message_id="in-window",
                sender="+5491155550001",
                text="hola",
                received_at=NOW - timedelta(hours=1),
            )
        )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            InvalidRecipientError("(#131026) Message undeliverable"),
            "El canal no pudo entregar el mensaje a este número. Revisá el "
            "teléfono del cliente.",
        ),
        (
            ChannelUnavailableError("Graph API timed out after 10 s"),
            "El canal no respondió o pidió esperar. Esperá unos minutos y mirá la "
            "conversación antes de volver a escribir, porque el mensaje puede "
            "haber llegado igual.",
        ),
        (
            TemplateRejectedError("(#132000) Number of parameters does not match"),
            "El canal rechazó el mensaje. Volvé a intentar y, si se repite, revisá "
            "la conexión del canal en Configuración.",
        ),
    ],
)
def test_channel_error_reply_is_spanish(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    engine: Engine,
    error: Exception,
    expected: str,
) -> None:
    _reply_window(engine, tenant)
    app.state.reply_channel = RejectingChannel(error)
    client, csrf = client_for(tenant)

    page = client.post(
        f"/conversaciones/{tenant.customer_id}/responder",
        data={"text": "Hola", "csrf_token": csrf},
    )

    assert _notice(page) == expected


def test_promise_in_the_past_is_rejected(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, csrf = client_for(tenant)
    yesterday = (NOW - timedelta(days=1)).date()

    page = client.post(
        f"/conversaciones/{tenant.customer_id}/promesa",
        data={"due_on": yesterday.isoformat(), "csrf_token": csrf},
    )

    assert _notice(page) == (
        "La fecha de la promesa, 17/03/2026, ya pasó. Elegí hoy o un día futuro."
    )
