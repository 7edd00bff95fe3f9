"""Bad form, filter and address values on the dashboard read in Spanish.

Each message names the field by its label on the page, quotes the value and
gives the fix. No internal parameter name or English library text reaches
the owner.
"""

from __future__ import annotations

import html
import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from cobranza.web import signin
from cobranza.web.dashboard import (
    audit_log,
    conversations,
    customers,
    imports,
    policy_page,
    settings_page,
    summary,
)
from cobranza.wording import field_label
from tests.web.conftest import Tenant

DETAIL = re.compile(r"<li>(.*?)</li>")
INTERNAL_NAMES = ("customer_id", "document_id", "due_on", "until", "page", "q")


def _details(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [html.unescape(item) for item in DETAIL.findall(page.text)]


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
