from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.accounts import create_api_token, token_hash
from cobranza.compliance import contact_zones
from cobranza.compliance.erasure import erase_customer
from cobranza.db.engine import transaction
from cobranza.db.models import ApiToken, Business, Customer
from tests.fakes.dns import PUBLIC, dns
from tests.web.conftest import NOW, Tenant
from tests.web.factories import make_customer


def _client(app: FastAPI, engine: Engine, business_id: int) -> TestClient:
    with transaction(engine) as session:
        issued = create_api_token(session, business_id, "zapier", NOW)
    return TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {issued.token}"},
    )


def test_token_is_stored_hashed(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        issued = create_api_token(session, tenant.business_id, "zapier", NOW)
        stored = session.scalars(select(ApiToken)).one()

    assert issued.token.startswith("cbz_")
    assert stored.token_hash == token_hash(issued.token)
    assert issued.token not in stored.token_hash


def test_missing_or_bad_token_is_401(app: FastAPI, tenant: Tenant) -> None:
    client = TestClient(app, base_url="https://testserver")

    missing = client.get("/api/v1/customers")
    bad = client.get("/api/v1/customers", headers={"Authorization": "Bearer nope"})

    assert missing.status_code == 401
    assert bad.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"


def test_revoked_token_is_401(app: FastAPI, engine: Engine, tenant: Tenant) -> None:
    client = _client(app, engine, tenant.business_id)
    with transaction(engine) as session:
        session.scalars(select(ApiToken)).one().revoked_at = NOW

    assert client.get("/api/v1/customers").status_code == 401


def test_customers_paginate_with_cursor(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        for index in range(3):
            make_customer(session, business, NOW, f"P-{index}", f"Paginado {index}")
    client = _client(app, engine, tenant.business_id)

    first = client.get("/api/v1/customers", params={"limit": 2}).json()
    second = client.get(
        "/api/v1/customers", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    third = client.get(
        "/api/v1/customers", params={"limit": 2, "cursor": second["next_cursor"]}
    ).json()

    ids = [row["id"] for page in (first, second, third) for row in page["data"]]
    assert len(ids) == 5
    assert ids == sorted(set(ids))
    assert third["next_cursor"] is None


def test_create_customer_checks_tax_id(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    # The tenant is Argentine: a CUIT is stored compact and checked, as an
    # import stores it.
    client = _client(app, engine, tenant.business_id)

    valid = client.post(
        "/api/v1/customers",
        json={"external_id": "API-T1", "name": "Bar Sur", "tax_id": "30-71234567-1"},
    )
    invalid = client.post(
        "/api/v1/customers",
        json={"external_id": "API-T2", "name": "Bar Norte", "tax_id": "30-71234567-0"},
    )
    without = client.post(
        "/api/v1/customers", json={"external_id": "API-T3", "name": "Bar Este"}
    )

    assert valid.status_code == 201, valid.text
    assert valid.json()["tax_id"] == "30712345671"
    assert valid.json()["tax_id_valid"] is True
    assert invalid.status_code == 201, invalid.text
    assert invalid.json()["tax_id"] == "30712345670"
    assert invalid.json()["tax_id_valid"] is False
    assert without.json()["tax_id"] is None
    assert without.json()["tax_id_valid"] is None
    listed = client.get("/api/v1/customers", params={"external_id": "API-T2"})
    assert listed.json()["data"][0]["tax_id_valid"] is False


def test_create_customer_and_invoice(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    client = _client(app, engine, tenant.business_id)

    customer = client.post(
        "/api/v1/customers",
        json={"external_id": "API-1", "name": "Desde la API", "phone": "11 4567 8901"},
    )
    duplicate = client.post(
        "/api/v1/customers", json={"external_id": "API-1", "name": "Otra vez"}
    )
    invoice = client.post(
        "/api/v1/invoices",
        json={
            "customer_id": customer.json()["id"],
            "number": "API-F1",
            "due_on": "2026-04-01",
            "amount": "1234.5",
        },
    )
    wrong_sign = client.post(
        "/api/v1/invoices",
        json={
            "customer_id": customer.json()["id"],
            "kind": "credit_note",
            "number": "NC-1",
            "due_on": "2026-04-01",
            "amount": "10",
        },
    )
    listed = client.get(
        "/api/v1/invoices", params={"customer_id": customer.json()["id"]}
    ).json()

    assert customer.status_code == 201
    assert customer.json()["phone"] == "+5491145678901"
    assert duplicate.status_code == 409
    assert invoice.status_code == 201
    assert invoice.json()["amount"] == "1234.50"
    assert invoice.json()["open_amount"] == "1234.50"
    assert wrong_sign.status_code == 422
    assert [row["number"] for row in listed["data"]] == ["API-F1"]


def test_consents_and_filters(app: FastAPI, engine: Engine, tenant: Tenant) -> None:
    client = _client(app, engine, tenant.business_id)

    created = client.post(
        "/api/v1/consents",
        json={
            "customer_id": tenant.customer_id,
            "action": "grant",
            "source": "formulario",
            "evidence": "F-22",
        },
    )
    mine = client.get("/api/v1/consents", params={"customer_id": tenant.customer_id})
    others = client.get(
        "/api/v1/consents", params={"customer_id": tenant.script_customer_id}
    )
    open_invoices = client.get("/api/v1/invoices", params={"open": "true"}).json()
    cases = client.get("/api/v1/cases", params={"state": "open"})
    messages = client.get("/api/v1/messages")
    payments = client.get("/api/v1/payments")

    assert created.status_code == 201
    assert created.json()["action"] == "grant"
    assert len(mine.json()["data"]) == 1
    assert others.json()["data"] == []
    assert len(open_invoices["data"]) == 2
    assert cases.status_code == 200
    assert messages.status_code == 200
    assert payments.status_code == 200


def test_unknown_filter_value_is_422(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    # An empty list would read as "no such cases" to a client with a typo.
    client = _client(app, engine, tenant.business_id)

    cases = client.get("/api/v1/cases", params={"state": "handedoff"})
    payments = client.get("/api/v1/payments", params={"status": "paid"})
    messages = client.get("/api/v1/messages", params={"state": "delivred"})
    closed = client.get("/api/v1/cases", params={"state": "closed"})
    approved = client.get("/api/v1/payments", params={"status": "approved"})

    assert cases.status_code == 422
    assert "handed_off" in cases.text
    assert payments.status_code == 422
    assert "approved" in payments.text
    assert messages.status_code == 422
    assert closed.status_code == 200
    assert approved.status_code == 200


def test_import_through_api(app: FastAPI, engine: Engine, tenant: Tenant) -> None:
    client = _client(app, engine, tenant.business_id)
    export = b"Cliente,Factura,Vencimiento,Importe\r\nAna,F-9,10/03/2026,100\r\n"

    dry = client.post(
        "/api/v1/imports",
        params={"dry_run": "true"},
        files={"file": ("api.csv", export, "text/csv")},
    )
    real = client.post(
        "/api/v1/imports", files={"file": ("api.csv", export, "text/csv")}
    )
    runs = client.get("/api/v1/imports").json()

    assert dry.status_code == 200
    assert dry.json()["dry_run"] is True
    assert real.json()["documents_imported"] == 1
    assert [run["file_name"] for run in runs["data"]] == ["api.csv"]


def test_openapi_lists_the_api(app: FastAPI) -> None:
    schema = TestClient(app).get("/openapi.json").json()

    assert "/api/v1/customers" in schema["paths"]
    assert "CustomerPublic" in schema["components"]["schemas"]
    assert "CustomerCreate" in schema["components"]["schemas"]
    assert "/clientes" not in schema["paths"]


def test_webhook_endpoints(app: FastAPI, engine: Engine, tenant: Tenant) -> None:
    app.state.resolver = dns({"hooks.example.test": [PUBLIC]})
    client = _client(app, engine, tenant.business_id)

    created = client.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.test/a", "event_types": ["case.resolved"]},
    )
    bad = client.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.test/a", "event_types": ["nope"]},
    )
    listed = client.get("/api/v1/webhooks").json()
    deleted = client.delete(f"/api/v1/webhooks/{created.json()['id']}")
    after = client.get("/api/v1/webhooks").json()

    assert created.status_code == 201
    assert len(created.json()["secret"]) >= 32
    assert "secret" not in listed["data"][0]
    assert bad.status_code == 422
    assert deleted.status_code == 204
    assert after["data"][0]["active"] is False


def test_no_cdn_documentation_pages(app: FastAPI) -> None:
    client = TestClient(app)

    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200


def test_create_erased_customer_is_409(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    # given: a customer whose data was erased on request
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        customer = make_customer(session, business, NOW, "ERASED-1", "Ana Borrada")
        erase_customer(session, business, customer, NOW, force=True)
        placeholder = customer.external_id
    client = _client(app, engine, tenant.business_id)

    # when: an integration creates it again, by its old code or its new one
    again = client.post(
        "/api/v1/customers",
        json={"external_id": "ERASED-1", "name": "Ana Borrada", "phone": "1155550001"},
    )
    by_placeholder = client.post(
        "/api/v1/customers", json={"external_id": placeholder, "name": "Ana"}
    )

    # then: both are rejected and nothing of hers is stored again
    assert again.status_code == 409
    assert "ERASED-1" in again.json()["detail"]
    assert "erased" in again.json()["detail"]
    assert by_placeholder.status_code == 409
    with transaction(engine) as session:
        names = set(session.scalars(select(Customer.name)))
    assert "Ana Borrada" not in names


def test_create_customer_rejects_bidi_and_control_characters(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    # Given an id and a name that a right-to-left override or an escape code
    # would make look like other ones
    client = _client(app, engine, tenant.business_id)

    bidi_id = client.post(
        "/api/v1/customers", json={"external_id": "C-\u202e100", "name": "Ana"}
    )
    bidi_name = client.post(
        "/api/v1/customers", json={"external_id": "C-101", "name": "Ana \u2067Gómez"}
    )
    escape = client.post(
        "/api/v1/customers", json={"external_id": "C-102", "name": "Ana\x1b[31m"}
    )
    blank = client.post("/api/v1/customers", json={"external_id": "  ", "name": "Ana"})

    # Then each is a 422 that names the field and the character, and nothing
    # is stored
    assert bidi_id.status_code == 422, bidi_id.text
    assert "external_id" in bidi_id.json()["detail"]
    assert "U+202E" in bidi_id.json()["detail"]
    assert "\u202e" not in bidi_id.json()["detail"]
    assert bidi_name.status_code == 422
    assert "U+2067" in bidi_name.json()["detail"]
    assert escape.status_code == 422
    assert "U+001B" in escape.json()["detail"]
    assert blank.status_code == 422
    assert "vacío" in blank.json()["detail"]
    with transaction(engine) as session:
        stored = session.scalars(
            select(Customer.external_id).where(
                Customer.business_id == tenant.business_id,
                Customer.name.like("Ana%"),
            )
        ).all()
    assert stored == []


def test_create_customer_checks_locale(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    # Given a locale the messages have, written with a hyphen, and one they
    # lack, which would make every reminder to the customer fail
    client = _client(app, engine, tenant.business_id)

    known = client.post(
        "/api/v1/customers",
        json={"external_id": "API-L1", "name": "Ana", "locale": "es-MX"},
    )
    unknown = client.post(
        "/api/v1/customers",
        json={"external_id": "API-L2", "name": "Ana", "locale": "zz_ZZ"},
    )

    assert known.status_code == 201, known.text
    assert known.json()["locale"] == "es_MX"
    assert unknown.status_code == 422
    assert "'zz_ZZ'" in unknown.json()["detail"]
    assert "pt_BR" in unknown.json()["detail"]


def test_create_invoice_checks_number_currency_amount_date(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    client = _client(app, engine, tenant.business_id)
    customer = client.post(
        "/api/v1/customers", json={"external_id": "API-M", "name": "Montos"}
    ).json()

    def post(**fields: str) -> dict[str, object]:
        body = {
            "customer_id": customer["id"],
            "number": "API-M1",
            "due_on": "2026-04-01",
            "amount": "100",
            **fields,
        }
        response = client.post("/api/v1/invoices", json=body)
        return {"status": response.status_code, "detail": response.json()}

    bidi = post(number="F-\u202e1000")
    huge = post(amount="1e30")
    currency = post(currency="ZZ1")
    decimals = post(amount="100.123")
    usd = post(currency="usd", number="API-M2", amount="10.5")
    year_one = post(due_on="0001-01-01")

    # Then a bad value is a 422 in Spanish, not a server error, and a valid
    # code in lower case is stored in upper case
    assert bidi["status"] == 422
    assert "U+202E" in str(bidi["detail"])
    assert huge["status"] == 422
    assert "demasiado grande" in str(huge["detail"])
    assert currency["status"] == 422
    assert "ISO 4217" in str(currency["detail"])
    assert decimals["status"] == 422
    assert "100.12" in str(decimals["detail"])
    assert year_one["status"] == 422
    assert "0001-01-01 está fuera del rango posible" in str(year_one["detail"])
    assert usd["status"] == 201, usd
    assert usd["detail"]["currency"] == "USD"  # type: ignore[index]


def test_read_amounts_have_currency_decimals(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    # Given invoices in ARS (two decimals) and CLP (none), read back after
    # the database stored them with four decimals
    client = _client(app, engine, tenant.business_id)
    customer = client.post(
        "/api/v1/customers", json={"external_id": "API-D", "name": "Decimales"}
    ).json()
    ids = [
        client.post(
            "/api/v1/invoices",
            json={
                "customer_id": customer["id"],
                "number": f"API-D{currency}",
                "due_on": "2026-04-01",
                "amount": amount,
                "currency": currency,
            },
        ).json()["id"]
        for currency, amount in (("ARS", "1234.5"), ("CLP", "1500"))
    ]

    ars, clp = (client.get(f"/api/v1/invoices/{id_}").json() for id_ in ids)

    # Then a read shows what the POST showed
    assert ars["amount"] == "1234.50"
    assert ars["open_amount"] == "1234.50"
    assert clp["amount"] == "1500"


def test_create_customer_checks_email(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    # Given a valid address with spaces around it and two malformed ones
    client = _client(app, engine, tenant.business_id)

    valid = client.post(
        "/api/v1/customers",
        json={"external_id": "API-E1", "name": "Ana", "email": " ana@bar.com.ar "},
    )
    no_at = client.post(
        "/api/v1/customers",
        json={"external_id": "API-E2", "name": "Beto", "email": "beto.bar.com"},
    )
    no_domain = client.post(
        "/api/v1/customers",
        json={"external_id": "API-E3", "name": "Caro", "email": "caro@bar"},
    )

    # Then the valid one is stored trimmed, and each bad one is a 422 that
    # names the field, the value and the expected form
    assert valid.status_code == 201, valid.text
    assert valid.json()["email"] == "ana@bar.com.ar"
    assert no_at.status_code == 422, no_at.text
    detail = no_at.json()["detail"]
    assert "email" in detail
    assert "'beto.bar.com'" in detail
    assert "le falta la @" in detail
    assert "nombre@dominio.com" in detail
    assert no_domain.status_code == 422, no_domain.text
    assert "'caro@bar'" in no_domain.json()["detail"]
    with transaction(engine) as session:
        stored = session.scalars(
            select(Customer.external_id).where(
                Customer.business_id == tenant.business_id,
                Customer.external_id.in_(["API-E2", "API-E3"]),
            )
        ).all()
    assert stored == []


def test_create_customer_brazil_ddd_zones(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    # An import stores a Brazilian customer's zone from the DDD. A customer
    # created through the API with DDD 97 must get the same zone, or its
    # contact hours follow São Paulo's clock: 08:00 there is 06:00 in
    # Eirunepé, outside the hours of both of the DDD's zones.
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        business.country, business.timezone = "BR", "America/Sao_Paulo"
    client = _client(app, engine, tenant.business_id)

    response = client.post(
        "/api/v1/customers",
        json={"external_id": "API-BR97", "name": "Loja Tefé", "phone": "97 99123-4567"},
    )

    assert response.status_code == 201, response.text
    with transaction(engine) as session:
        customer = session.get_one(Customer, response.json()["id"])
        stored_zone, phone = customer.timezone, customer.phone
    assert phone == "+5597991234567"
    assert stored_zone == "America/Manaus"
    assert contact_zones(stored_zone, phone, "America/Sao_Paulo") == (
        "America/Manaus",
        "America/Eirunepe",
    )
