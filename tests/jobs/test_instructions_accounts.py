"""`cobranza settings set payment_instructions` checks the account numbers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, open_database, transaction
from cobranza.db.models import AuditEvent, Business

runner = CliRunner()
WIDE = {"COLUMNS": "300"}
PREVIOUS = "transferencia al alias MI.NEGOCIO"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _business(url: str, country: str, locale: str) -> None:
    engine = open_database(url)
    with transaction(engine) as session:
        business = default_business(session, Settings(database_url=url, _env_file=None))
        business.country = country
        business.locale = locale
        business.settings = {"payment_instructions": PREVIOUS}
    engine.dispose()


def _stored(url: str) -> tuple[str, int]:
    engine = open_database(url)
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        changes = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "business_settings.changed")
        ).all()
        stored = (business.settings["payment_instructions"], len(changes))
    engine.dispose()
    return stored


def _set(text: str) -> object:
    return runner.invoke(
        app, ["settings", "set", "payment_instructions", text], env=WIDE
    )


@pytest.mark.parametrize(
    ("country", "locale", "text"),
    [
        ("MX", "es_MX", "Transferencia SPEI a la CLABE 002180701234567895"),
        ("MX", "es_MX", "CLABE: 002 180 70123456789 5, dudas al 55 1234 5678"),
        ("MX", "es_MX", "depósito en OXXO, referencia 002180701234567891"),
        ("MX", "es_MX", "transferencia a la CLABE 032180000118359719, factura A-1234"),
        ("AR", "es_AR", "alias MI.NEGOCIO (CBU 0000003100000000000000)"),
        ("AR", "es_AR", "alias MI.NEGOCIO, dudas al +54 9 11 5555-1234"),
        ("AR", "es_AR", "alias MI.NEGOCIO, factura 0001-00001234"),
        ("BR", "pt_BR", "Pix, chave CNPJ 11.222.333/0001-81"),
    ],
)
def test_valid_or_other_numbers_stored(
    database: str, country: str, locale: str, text: str
) -> None:
    _business(database, country, locale)

    result = _set(text)

    assert result.exit_code == 0, result.output
    assert _stored(database) == (text, 1)


def test_wrong_clabe_rejected_in_tu(database: str) -> None:
    _business(database, "MX", "es_MX")

    result = _set("Transferencia SPEI a la CLABE 002180701234567890")

    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "No se cambió el ajuste: la CLABE «002180701234567890»" in message
    assert "el último dígito, el verificador" in message
    assert "copia el número de tu banca en línea" in message
    assert "copiá" not in message
    assert _stored(database) == (PREVIOUS, 0)


def test_wrong_card_rejected(database: str) -> None:
    # Mexican customers deposit to a debit card at OXXO, so a mistyped card
    # number sends their money nowhere.
    _business(database, "MX", "es_MX")

    result = _set("depósito en OXXO a la tarjeta 4152 3138 1234 5678")
    valid = _set("depósito en OXXO a la tarjeta 4111 1111 1111 1111")

    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "la tarjeta «4152 3138 1234 5678» de las instrucciones de pago" in message
    assert "no es válida (el último dígito, el verificador" in message
    assert "copia el número de tu tarjeta o la app de tu banco" in message
    assert valid.exit_code == 0, valid.output
    assert _stored(database) == ("depósito en OXXO a la tarjeta 4111 1111 1111 1111", 1)


def test_wrong_cbu_rejected_in_voseo(database: str) -> None:
    _business(database, "AR", "es_AR")

    result = _set("alias MI.NEGOCIO (CBU 0000003100000000000001)")

    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "el CBU «0000003100000000000001»" in message
    assert "segundo bloque" in message
    assert "copiá el número de tu home banking" in message
    assert _stored(database) == (PREVIOUS, 0)


def test_short_cbu_rejected(database: str) -> None:
    _business(database, "AR", "es_AR")

    result = _set("CBU 000000310000000000000")

    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert (
        "«000000310000000000000» de las instrucciones de pago tiene 21 dígitos "
        "en lugar de 22" in message
    )
    assert _stored(database) == (PREVIOUS, 0)


def test_unnamed_clabe_rejected_with_escape(database: str) -> None:
    _business(database, "MX", "es_MX")

    result = _set("transferencia a 002180701234567890")

    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "«002180701234567890»" in message
    assert "si ese número no es una CLABE, escribe antes qué es" in message
    assert _stored(database) == (PREVIOUS, 0)

    named = _set("transferencia a la referencia 002180701234567890")

    assert named.exit_code == 0, named.output


def test_wrong_pix_key_rejected(database: str) -> None:
    _business(database, "BR", "pt_BR")

    result = _set("Pix, chave CNPJ 11.222.333/0001-82")

    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "el CNPJ «11.222.333/0001-82»" in message
    assert _stored(database) == (PREVIOUS, 0)


def test_country_change_checks_stored_instructions(database: str) -> None:
    _business(database, "CO", "es_CO")
    assert _set("Nequi 3001234567, transferencia a 002180701234567890").exit_code == 0

    moved = runner.invoke(app, ["settings", "set", "country", "MX"], env=WIDE)

    assert moved.exit_code == 2
    message = " ".join(moved.output.split())
    assert "las instrucciones de pago guardadas tienen la CLABE" in message
    assert "«002180701234567890»" in message
    assert "corrígelas con cobranza settings set payment_instructions" in message
    engine = open_database(database)
    with transaction(engine) as session:
        country = session.scalars(select(Business)).one().country
    engine.dispose()
    assert country == "CO"


def test_wrong_cci_rejected(database: str) -> None:
    _business(database, "PE", "es_PE")

    result = _set("Yape al 987654321 o CCI 00392401319240299684")

    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "el CCI «00392401319240299684»" in message
    assert "el verificador de la cuenta" in message
    assert "copia el número de tu banca por internet" in message
    assert _stored(database) == (PREVIOUS, 0)


def test_short_brou_account_rejected(database: str) -> None:
    _business(database, "UY", "es_UY")

    result = _set("caja de ahorro BROU 00123456-00001")

    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "la cuenta del BROU «00123456-00001»" in message
    assert "tiene 13 dígitos en lugar de 14" in message
    assert _stored(database) == (PREVIOUS, 0)


# Instructions an older release stored without checking the CCI.
OLD_CCI = "Yape al 987654321 o CCI 00392401319240299684"


def _old_instructions(url: str) -> None:
    """Store instructions with a wrong CCI as a release without the check did."""
    _business(url, "PE", "es_PE")
    engine = open_database(url)
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        business.settings = {"payment_instructions": OLD_CCI}
    engine.dispose()


def _kept(url: str) -> str:
    engine = open_database(url)
    with transaction(engine) as session:
        stored = session.scalars(select(Business)).one().settings
    engine.dispose()
    return str(stored["payment_instructions"])


def test_settings_show_warns_of_stored_cci(database: str) -> None:
    _old_instructions(database)

    result = runner.invoke(app, ["settings", "show"], env=WIDE)

    assert result.exit_code == 0, result.output
    message = " ".join(result.output.split())
    assert (
        "Aviso: las instrucciones de pago guardadas tienen el CCI "
        "«00392401319240299684», que no es válido" in message
    )
    assert "hasta que las corrijas con: cobranza settings set" in message
    assert _kept(database) == OLD_CCI


def test_run_warns_of_stored_cci(database: str) -> None:
    _old_instructions(database)

    result = runner.invoke(app, ["run", "--dry-run", "--json"], env=WIDE)

    assert result.exit_code == 0, result.output
    assert "el CCI «00392401319240299684»" in " ".join(result.output.split())
    assert _kept(database) == OLD_CCI


def test_db_upgrade_warns_of_stored_cci(database: str) -> None:
    _old_instructions(database)

    result = runner.invoke(app, ["db", "upgrade"], env=WIDE)

    assert result.exit_code == 0, result.output
    message = " ".join(result.output.split())
    assert "Negocio «Mi negocio». Aviso: las instrucciones de pago" in message
    assert "«00392401319240299684»" in message
    assert _kept(database) == OLD_CCI


def test_valid_stored_instructions_no_warning(database: str) -> None:
    _business(database, "PE", "es_PE")
    assert _set("Yape al 987654321 o CCI 00392401319240299683").exit_code == 0

    for command in (["settings", "show"], ["db", "upgrade"]):
        result = runner.invoke(app, command, env=WIDE)

        assert result.exit_code == 0, result.output
        assert "Aviso" not in result.output
