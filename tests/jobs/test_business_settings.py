"""`cobranza settings`: the business's own options, checked, stored and audited."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.compliance.business_rules import set_business_rules
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, open_database, transaction
from cobranza.db.models import AuditEvent, Business
from cobranza.dunning.promises import grace_days
from cobranza.jobs.business_settings import SettingError, set_option
from cobranza.jobs.channels import use_channel
from cobranza.payments.plans import limits_for
from tests.channels.factories import make_customer, make_document

NOW = datetime(2026, 3, 20, 13, tzinfo=UTC)
AR_TIMEZONE = "America/Argentina/Buenos_Aires"
runner = CliRunner()


@pytest.fixture
def business_id(engine: Engine) -> int:
    with transaction(engine) as session:
        business = default_business(
            session, Settings(database_url="sqlite://", _env_file=None)
        )
        business.settings = {"installments": {"grace_days": 5}}
        return business.id


def _set(engine: Engine, business_id: int, key: str, text: str | None) -> object:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        return set_option(session, business, key, text, NOW, "test")


def test_clp_min_installment_example_is_whole(engine: Engine, business_id: int) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        business.currency = "CLP"
        business.locale = "es_CL"

    with pytest.raises(SettingError) as caught:
        _set(engine, business_id, "installments.min_installment", "cinco mil")

    message = str(caught.value)
    assert message.endswith("como 12500 o 12.500")
    assert "12.500,50" not in message


def test_set_reaches_readers(engine: Engine, business_id: int) -> None:
    _set(engine, business_id, "installments.max_count", "12")
    _set(engine, business_id, "installments.fee_percent", "2,5")
    _set(engine, business_id, "promise_grace_days", "0")
    _set(engine, business_id, "installments.first_due_days", "7")

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        limits = limits_for(business)
        grace = grace_days(business)

    assert limits.max_count == 12
    assert limits.fee_percent == Decimal("2.5")
    assert limits.first_due_days == 7
    # The nested group keeps the options set before.
    assert limits.grace_days == 5
    assert grace == 0


def test_unset_restores_default(engine: Engine, business_id: int) -> None:
    _set(engine, business_id, "installments.grace_days", None)

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        limits = limits_for(business)

    assert limits.grace_days == 3


def test_change_is_audited(engine: Engine, business_id: int) -> None:
    _set(engine, business_id, "installments.grace_days", "7")

    with transaction(engine) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "business_settings.changed")
        ).one()

    assert event.actor == "test"
    assert event.details == {"key": "installments.grace_days", "from": 5, "to": 7}


@pytest.mark.parametrize(
    ("key", "text", "words"),
    [
        ("installments.max_count", "100", "entre 2 y 48"),
        ("installments.first_due_days", "2", "entre 3 y 60"),
        ("installments.max_count", "６", "no es un número entero"),
        ("promise_grace_days", "-1", "entre 0 y 30"),
        ("installments.fee_percent", "nan", "no es un porcentaje"),
        ("installments.fee_percent", "150", "entre 0 y 100"),
        ("installments.min_installment", "1e999", "monto inválido '1e999'"),
        ("installments.min_installment", "5,000", "monto ambiguo '5,000'"),
        ("installments.min_installment", "-5", "número positivo"),
        ("payment_instructions", "alias\nMI.NEGOCIO", "salto de línea"),
        ("payment_instructions", "alias      MI.NEGOCIO", "cuatro espacios"),
        ("payment_instructions", "x" * 201, "201 caracteres"),
        ("payment_instructions", "   ", "están vacías"),
        ("statement_descriptor", "ABC", "de 5 a 22"),
        ("statement_descriptor", "MI <NEGOCIO>", "no sirve como texto"),
        ("statement_descriptor", "12345", "no sirve como texto"),
        ("sin_ajuste", "1", "no existe el ajuste «sin_ajuste»"),
        ("country", "ES", "«ES» no es un país que cobranza conozca"),
        ("timezone", "America/Mexico_Cty", "no es una zona horaria"),
        ("currency", "PESOS", "no es un código de moneda ISO 4217"),
        ("currency", "XYZ", "no es un código de moneda ISO 4217"),
        ("locale", "es_ES", "no es un idioma de los mensajes"),
        ("tax_id", "20-12345678-0", "el CUIT .* tiene mal el dígito verificador"),
        ("tax_id", "20-1234", "«20-1234» no es un CUIT"),
        ("tax_id", "20-123456789-6", "no tiene la cantidad de caracteres correcta"),
        ("tax_id", "  ", "la identificación fiscal está vacía"),
        ("address", "Av. Corrientes 1234\nCABA", "salto de línea"),
        ("address", "Av. Corrientes \u202e1234", "carácter de control"),
        ("address", "A" * 101, "101 caracteres y el máximo es 100"),
        ("address", " \t ", "la dirección está vacía"),
    ],
)
def test_bad_value_stores_nothing(
    engine: Engine, business_id: int, key: str, text: str, words: str
) -> None:
    with pytest.raises(SettingError, match=words):
        _set(engine, business_id, key, text)

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        stored = dict(business.settings)
        tax_id = business.tax_id
        events = session.scalars(select(AuditEvent)).all()

    assert stored == {"installments": {"grace_days": 5}}
    assert tax_id is None
    assert (business.country, business.timezone) == ("AR", AR_TIMEZONE)
    assert (business.currency, business.locale) == ("ARS", "es_AR")
    assert events == []


def test_creation_values_changed(engine: Engine, business_id: int) -> None:
    _set(engine, business_id, "country", " mx ")
    _set(engine, business_id, "timezone", "America/Mexico_City")
    _set(engine, business_id, "currency", "mxn")
    _set(engine, business_id, "locale", "es-MX")

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        values = (business.country, business.timezone, business.currency)
        locale = business.locale
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        keys = [event.reason for event in events]

    assert values == ("MX", "America/Mexico_City", "MXN")
    assert locale == "es_MX"
    assert keys == ["country", "timezone", "currency", "locale"]


def test_environment_mismatch_warned(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert (
        runner.invoke(app, ["settings", "set", "promise_grace_days", "2"]).exit_code
        == 0
    )
    monkeypatch.setenv("COBRANZA_COUNTRY", "MX")
    get_settings.cache_clear()

    with caplog.at_level("WARNING", logger="cobranza.db.engine"):
        result = runner.invoke(app, ["settings", "set", "promise_grace_days", "3"])

    assert result.exit_code == 0, result.output
    [warning] = [
        r.getMessage() for r in caplog.records if "ya existe" in r.getMessage()
    ]
    assert "COBRANZA_COUNTRY es MX, el negocio tiene AR" in warning
    assert "COBRANZA_TIMEZONE es America/Mexico_City" in warning
    assert "cobranza settings set country MX" in warning
    assert "cobranza settings set currency MXN" in warning


def test_tax_id_stored_compact(engine: Engine, business_id: int) -> None:
    stored = _set(engine, business_id, "tax_id", " 20-12345678-6 ")

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        tax_id = business.tax_id
        settings = dict(business.settings)
        event = session.scalars(select(AuditEvent)).one()

    assert stored == "20123456786"
    assert tax_id == "20123456786"
    # The tax id is stored in its column, not in the settings mapping.
    assert "tax_id" not in settings
    assert event.details == {"key": "tax_id", "from": None, "to": "20123456786"}


def test_cli_shows_tax_id_written(cli_database: str) -> None:
    changed = runner.invoke(app, ["settings", "set", "tax_id", "20123456786"])
    shown = runner.invoke(app, ["settings", "show"], env={"COLUMNS": "200"})

    assert changed.exit_code == 0, changed.output
    assert shown.exit_code == 0, shown.output
    assert "20-12345678-6" in shown.output


def test_tax_id_unset(engine: Engine, business_id: int) -> None:
    _set(engine, business_id, "tax_id", "20-12345678-6")
    _set(engine, business_id, "tax_id", None)

    with transaction(engine) as session:
        tax_id = session.get_one(Business, business_id).tax_id

    assert tax_id is None


def test_address_spaces_collapsed(engine: Engine, business_id: int) -> None:
    stored = _set(engine, business_id, "address", "  Av. Corrientes   1234,  CABA ")

    with transaction(engine) as session:
        settings = dict(session.get_one(Business, business_id).settings)

    assert stored == "Av. Corrientes 1234, CABA"
    assert settings["address"] == "Av. Corrientes 1234, CABA"


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_cli_set_then_show(cli_database: str) -> None:
    instructions = "transferencia al alias MI.NEGOCIO (CBU 0000003100000000000000)"

    changed = runner.invoke(
        app, ["settings", "set", "payment_instructions", instructions]
    )
    shown = runner.invoke(app, ["settings", "show"], env={"COLUMNS": "200"})

    assert changed.exit_code == 0, changed.output
    assert f"payment_instructions = {instructions}" in changed.output
    assert shown.exit_code == 0, shown.output
    assert instructions in shown.output
    assert "6 (predeterminado)" in shown.output
    engine = open_database(cli_database)
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        stored = business.settings["payment_instructions"]
    engine.dispose()
    assert stored == instructions


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("es_AR", "5.000,50"),
        ("es_MX", "5,000.50"),
        ("es_AR", "$ 5.000,50"),
        ("es_PE", "S/ 5,000.50"),
    ],
)
def test_cli_amount_with_thousands(cli_database: str, locale: str, text: str) -> None:
    engine = open_database(cli_database)
    with transaction(engine) as session:
        default_business(
            session, Settings(database_url=cli_database, _env_file=None)
        ).locale = locale
    engine.dispose()

    result = runner.invoke(
        app, ["settings", "set", "installments.min_installment", text]
    )

    assert result.exit_code == 0, result.output
    engine = open_database(cli_database)
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        stored = business.settings["installments"]["min_installment"]
    engine.dispose()
    assert stored == "5000.50"


def test_cli_rejects_bad_value(cli_database: str) -> None:
    result = runner.invoke(app, ["settings", "set", "installments.max_count", "1"])

    message = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "No se cambió el ajuste: «1» no es un número entero entre 2 y 48" in (
        message
    )


def test_concurrent_changes_both_kept(engine: Engine, business_id: int) -> None:
    first_read = threading.Event()
    results: list[object] = []

    def change_slowly() -> None:
        with transaction(engine) as session:
            business = session.get_one(Business, business_id)
            set_option(session, business, "promise_grace_days", "7", NOW, "a")
            first_read.set()
            # The other change starts while this one is still uncommitted.
            time.sleep(0.5)

    slow = threading.Thread(target=change_slowly)
    slow.start()
    first_read.wait(timeout=10)
    results.append(_set(engine, business_id, "installments.max_count", "12"))
    slow.join(timeout=30)

    with transaction(engine) as session:
        stored = dict(session.get_one(Business, business_id).settings)

    assert results == [12]
    assert stored["promise_grace_days"] == 7
    assert stored["installments"] == {"grace_days": 5, "max_count": 12}


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("payment_instructions", "alias MI.NEGOCIO\u2028CBU 0000003100000000000000"),
        ("payment_instructions", "alias MI.NEGOCIO\x0bCBU 123"),
        ("payment_instructions", "alias MI.NEGOCIO \x1b[31m CBU 123"),
        ("payment_instructions", "alias \u202eOICOGEN.IM"),
        ("statement_descriptor", "MI\nNEGOCIO"),
        ("statement_descriptor", "NEGOCIO\u202e"),
    ],
)
def test_control_characters_rejected(
    engine: Engine, business_id: int, key: str, text: str
) -> None:
    with pytest.raises(SettingError):
        _set(engine, business_id, key, text)


def test_huge_whole_number_rejected(engine: Engine, business_id: int) -> None:
    with pytest.raises(SettingError, match="no es un número entero entre 0 y 30"):
        _set(engine, business_id, "promise_grace_days", "9" * 5000)


def _change_alongside(engine: Engine, business_id: int, change: object) -> None:
    """Run `change(session, business)` while settings set changes another key."""
    first_read = threading.Event()

    def change_slowly() -> None:
        with transaction(engine) as session:
            business = session.get_one(Business, business_id)
            change(session, business)  # type: ignore[operator]
            first_read.set()
            # The settings change starts while this one is still uncommitted.
            time.sleep(0.5)

    slow = threading.Thread(target=change_slowly)
    slow.start()
    first_read.wait(timeout=10)
    _set(engine, business_id, "installments.max_count", "12")
    slow.join(timeout=30)


def test_rules_change_alongside_settings(engine: Engine, business_id: int) -> None:
    _change_alongside(
        engine,
        business_id,
        lambda session, business: set_business_rules(
            session, business, {"max_per_week": 2}, NOW
        ),
    )

    with transaction(engine) as session:
        stored = dict(session.get_one(Business, business_id).settings)

    assert stored["compliance"] == {"max_per_week": 2}
    assert stored["installments"]["max_count"] == 12


def test_channel_change_alongside_settings(engine: Engine, business_id: int) -> None:
    settings = Settings(database_url="sqlite://", _env_file=None)
    _change_alongside(
        engine,
        business_id,
        lambda session, business: use_channel(
            session, business, "sandbox", settings, NOW
        ),
    )

    with transaction(engine) as session:
        stored = dict(session.get_one(Business, business_id).settings)

    assert stored["channel"] == "sandbox"
    assert stored["installments"]["max_count"] == 12


@pytest.mark.parametrize(
    ("key", "default"),
    [
        ("timezone", AR_TIMEZONE),
        ("currency", "ARS"),
        ("locale", "es_AR"),
    ],
)
def test_unset_column_takes_country_default(
    engine: Engine, business_id: int, key: str, default: str
) -> None:
    _set(
        engine, business_id, key, {"timezone": "UTC", "currency": "USD"}.get(key, "es")
    )

    stored = _set(engine, business_id, key, None)

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        value = getattr(business, key)
    assert stored == default
    assert value == default


def test_unset_country_rejected(engine: Engine, business_id: int) -> None:
    with pytest.raises(SettingError, match="el país no se puede borrar.*AR, BR"):
        _set(engine, business_id, "country", None)

    with transaction(engine) as session:
        country = session.get_one(Business, business_id).country
    assert country == "AR"


def test_cli_unset_country_names_fix(cli_database: str) -> None:
    result = runner.invoke(app, ["settings", "unset", "country"])

    message = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "No se cambió el ajuste: el país no se puede borrar" in message


@pytest.mark.parametrize(
    ("tax_id", "country"),
    [("20-12345678-6", "BR"), ("20-12345678-6", "MX")],
)
def test_country_change_keeps_tax_id_valid(
    engine: Engine, business_id: int, tax_id: str, country: str
) -> None:
    # A CUIT is no CNPJ, so every Brazilian message would fail to compose.
    _set(engine, business_id, "tax_id", tax_id)

    with pytest.raises(SettingError) as raised:
        _set(engine, business_id, "country", country)

    message = str(raised.value)
    assert "20-12345678-6" in message
    assert f"no es válida en {country}" in message
    assert "cobranza settings unset tax_id" in message
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        stored = (business.country, business.tax_id)
    assert stored == ("AR", "20123456786")


def test_country_change_after_tax_id_unset(engine: Engine, business_id: int) -> None:
    _set(engine, business_id, "tax_id", "20-12345678-6")
    _set(engine, business_id, "tax_id", None)

    _set(engine, business_id, "country", "BR")
    _set(engine, business_id, "tax_id", "11.222.333/0001-81")

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        stored = (business.country, business.tax_id)
    assert stored == ("BR", "11222333000181")


def _open_invoice(engine: Engine, business_id: int, currency: str, number: str) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        customer = make_customer(
            session, business, NOW, f"C-{number}", "+5491155550101", consent=False
        )
        make_document(
            session, customer, NOW, number, "1500.00", date(2026, 3, 1),
            currency=currency,
        )  # fmt: skip


def test_currency_change_with_open_invoices_rejected(
    engine: Engine, business_id: int
) -> None:
    # A promise counts the balance in the business's currency, so with USD
    # every open promise on these invoices would be taken as kept.
    _open_invoice(engine, business_id, "ARS", "A-1")

    with pytest.raises(SettingError) as raised:
        _set(engine, business_id, "currency", "USD")

    message = str(raised.value)
    assert "1 factura con saldo en ARS" in message
    assert "columna de moneda" in message
    with transaction(engine) as session:
        currency = session.get_one(Business, business_id).currency
    assert currency == "ARS"


def test_currency_change_to_invoiced_currency(engine: Engine, business_id: int) -> None:
    _open_invoice(engine, business_id, "ARS", "A-1")
    _open_invoice(engine, business_id, "USD", "U-1")

    stored = _set(engine, business_id, "currency", "usd")

    assert stored == "USD"


def test_cop_amount_with_cents_rejected(engine: Engine, business_id: int) -> None:
    # Colombian pesos are whole: a minimum installment of 50000.50 COP
    # could never be charged.
    _set(engine, business_id, "country", "CO")
    _set(engine, business_id, "currency", "COP")

    with pytest.raises(SettingError, match="más decimales de los que admite COP"):
        _set(engine, business_id, "installments.min_installment", "50.000,50")

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        stored = dict(business.settings)
    assert stored == {"installments": {"grace_days": 5}}
    assert _set(engine, business_id, "installments.min_installment", "50.000") == (
        "50000"
    )


@pytest.mark.parametrize(
    ("country", "document"),
    [
        ("AR", "constancia de inscripción"),
        ("BR", "cartão CNPJ"),
        ("CL", "e-RUT"),
        ("CO", "RUT"),
        ("MX", "situación fiscal"),
        ("PE", "ficha RUC"),
    ],
)
def test_tax_id_error_names_country_document(
    engine: Engine, business_id: int, country: str, document: str
) -> None:
    _set(engine, business_id, "country", country)
    bad = {
        "AR": "20-12345678-0",
        "BR": "33.445.566/0001-00",
        "CL": "76.999.888-0",
        "CO": "900.123.456-7",
        "MX": "GODE561231GR9",
        "PE": "20123456780",
    }

    with pytest.raises(SettingError) as wrong_digit:
        _set(engine, business_id, "tax_id", bad[country])
    with pytest.raises(SettingError) as empty:
        _set(engine, business_id, "tax_id", " ")

    assert document in str(wrong_digit.value)
    assert document in str(empty.value)


def test_generic_rfc_rejected_for_business(engine: Engine, business_id: int) -> None:
    _set(engine, business_id, "country", "MX")

    with pytest.raises(SettingError) as error:
        _set(engine, business_id, "tax_id", "XAXX010101000")

    assert "«XAXX010101000» es el RFC genérico" in str(error.value)
    assert "constancia de situación fiscal" in str(error.value)


def test_peruvian_dni_rejected_as_business_tax_id(
    engine: Engine, business_id: int
) -> None:
    with transaction(engine) as session:
        session.get_one(Business, business_id).country = "PE"

    with pytest.raises(SettingError, match="«45678912» no es un RUC"):
        _set(engine, business_id, "tax_id", "45678912")
    stored = _set(engine, business_id, "tax_id", "20131312955")

    assert stored == "20131312955"


def test_uruguayan_ci_rejected_as_business_tax_id(
    engine: Engine, business_id: int
) -> None:
    with transaction(engine) as session:
        session.get_one(Business, business_id).country = "UY"

    with pytest.raises(SettingError, match="«1.234.567-2» no es un RUT"):
        _set(engine, business_id, "tax_id", "1.234.567-2")
    stored = _set(engine, business_id, "tax_id", "21 555666 0014")

    assert stored == "215556660014"
