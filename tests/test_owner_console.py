"""The terminal's messages in voseo for Argentina and in tú forms elsewhere."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.conversations.handoff import hand_off
from cobranza.db.engine import open_database, transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    InboundMessage,
)
from cobranza.terminal_text import OwnerConsole
from tests.ingest.conftest import write_csv
from tests.web.factories import make_business, make_customer

runner = CliRunner()


def _printed(locale: str | None, *objects: object) -> str:
    output = io.StringIO()
    console = OwnerConsole(file=output, width=200, color_system=None)
    console.locale = locale
    console.print(*objects)
    return output.getvalue()


def test_console_prints_tu_for_mexico() -> None:
    printed = _printed("es_MX", "Revisá el monto de «Volvé SRL» y volvé a importar.")

    assert printed == "Revisa el monto de «Volvé SRL» y vuelve a importar.\n"


def test_console_prints_voseo_by_default() -> None:
    assert _printed(None, "Revisá el monto.") == "Revisá el monto.\n"
    assert _printed("es_UY", "Revisá el monto.") == "Revisá el monto.\n"


def test_console_keeps_renderables() -> None:
    table = Table("Cliente")
    table.add_row("Volvé Pronto SRL")

    printed = _printed("es_MX", Text("¿podés esperar?"), table)

    assert "¿podés esperar?" in printed
    assert "Volvé Pronto SRL" in printed


@pytest.fixture
def cli_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    monkeypatch.delenv("COBRANZA_COUNTRY", raising=False)
    monkeypatch.delenv("COBRANZA_LOCALE", raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("MX", "Empieza importando tus facturas"),
        ("AR", "Empezá importando tus facturas"),
    ],
)
def test_cli_speaks_in_configured_voice(
    cli_url: str, monkeypatch: pytest.MonkeyPatch, country: str, expected: str
) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", country)
    get_settings.cache_clear()

    result = runner.invoke(app, ["customers"])

    assert result.exit_code == 0, result.output
    assert expected in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es_MX", "'volvé', y tampoco es un teléfono válido: revisa el código"),
        ("es_AR", "'volvé', y tampoco es un teléfono válido: revisá el código"),
    ],
)
def test_cli_speaks_in_business_voice(cli_url: str, locale: str, expected: str) -> None:
    # The stored business's locale wins over the configured one (es_AR).
    engine = open_database(cli_url)
    with transaction(engine) as session:
        session.add(
            Business(
                name=get_settings().business_name,
                country="AR",
                timezone="America/Argentina/Buenos_Aires",
                currency="ARS",
                locale=locale,
                settings={},
                created_at=datetime(2026, 3, 1, tzinfo=UTC),
            )
        )
    engine.dispose()

    result = runner.invoke(app, ["case", "show", "volvé"])

    assert result.exit_code == 1, result.output
    assert expected in " ".join(result.output.split())


def test_next_command_starts_in_voseo(
    cli_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", "MX")
    get_settings.cache_clear()
    runner.invoke(app, ["customers"])
    monkeypatch.delenv("COBRANZA_COUNTRY")
    get_settings.cache_clear()

    # The check of --until and --no-end runs before the settings are read, so
    # it speaks in the configured voice, not in the last command's.
    result = runner.invoke(app, ["case", "hold", "C-1", "--reason", "x"])

    assert result.exit_code == 2, result.output
    assert "Decí hasta cuándo" in result.output


def test_option_check_speaks_configured_voice(
    cli_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", "MX")
    get_settings.cache_clear()

    result = runner.invoke(app, ["case", "hold", "C-1", "--reason", "x"])

    assert result.exit_code == 2, result.output
    assert "Di hasta cuándo" in result.output


@pytest.mark.parametrize(
    ("locale", "expected", "caption"),
    [
        ("es_MX", "verifica el pago", "carga el número de cada uno"),
        ("es_AR", "verificá el pago", "cargá el número de cada uno"),
    ],
)
def test_inbox_reasons_in_business_voice(
    cli_url: str,
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
    expected: str,
    caption: str,
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    at = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    engine = open_database(cli_url)
    with transaction(engine) as session:
        business, case = _open_case(session, locale, at)
        hand_off(session, case, "payment_to_verify", at)
        session.add(
            InboundMessage(
                business_id=business.id,
                customer_id=None,
                channel="whatsapp",
                provider="sandbox",
                provider_message_id="wamid.unknown-1",
                sender="+5491155559999",
                text="soy Volvé, cambié de número",
                received_at=at,
            )
        )
    engine.dispose()

    result = runner.invoke(app, ["inbox"])

    assert result.exit_code == 0, result.output
    assert f"dice que ya pagó: {expected}" in result.output
    assert "Volvé Pronto SRL" in result.output
    assert "soy Volvé, cambié de número" in result.output
    assert caption in " ".join(result.output.split())


def _open_case(session: Session, locale: str, at: datetime) -> tuple[Business, Case]:
    """Store a business in `locale` and an open case of its customer C-1."""
    business = make_business(session, at, get_settings().business_name)
    business.locale = locale
    customer = make_customer(session, business, at, "C-1", "Volvé Pronto SRL")
    case = Case(
        business_id=business.id,
        customer_id=customer.id,
        state=CaseState.OPEN,
        opened_at=at,
    )
    session.add(case)
    session.flush()
    return business, case


def _store_business(url: str, locale: str) -> None:
    engine = open_database(url)
    with transaction(engine) as session:
        business = make_business(
            session, datetime(2026, 3, 1, tzinfo=UTC), get_settings().business_name
        )
        business.locale = locale
    engine.dispose()


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "es_MX",
            (
                "El importe está vacío. Complétalo en el archivo.",
                "Complétala si la tienes.",
                "Agrega una columna Celular o Teléfono y vuelve a importar.",
            ),
        ),
        (
            "es_AR",
            (
                "El importe está vacío. Completalo en el archivo.",
                "Completala si la tenés.",
                "Agregá una columna Celular o Teléfono y volvé a importar.",
            ),
        ),
    ],
)
def test_import_report_in_business_voice(
    cli_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    locale: str,
    expected: tuple[str, ...],
) -> None:
    # The configured locale is es_AR; the stored business's locale wins.
    monkeypatch.setenv("COLUMNS", "400")
    _store_business(cli_url, locale)
    header = ["Cliente", "Factura", "Emisión", "Vencimiento", "Importe"]
    rows = [
        header,
        ["Volvé Pronto SRL", "F-1", "", "", "1000"],
        ["Volvé Pronto SRL", "F-2", "01/03/2026", "10/03/2026", ""],
    ]
    path = write_csv(tmp_path / "facturas.csv", rows, separator=";")

    result = runner.invoke(app, ["import", str(path)])

    assert result.exit_code == 0, result.output
    for phrase in expected:
        assert phrase in result.output


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es_MX", "tú (caso"),
        ("es_AR", "vos (caso"),
    ],
)
def test_case_show_in_business_voice(
    cli_url: str, monkeypatch: pytest.MonkeyPatch, locale: str, expected: str
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    at = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    engine = open_database(cli_url)
    with transaction(engine) as session:
        business, case = _open_case(session, locale, at)
        session.add(
            AuditEvent(
                business_id=business.id,
                at=at,
                actor="owner",
                kind="case_paused",
                subject_type="case",
                subject_id=case.id,
                reason="opt_in_ignored_owner_revocation",
                details={},
            )
        )
    engine.dispose()

    result = runner.invoke(app, ["case", "show", "C-1"])

    assert result.exit_code == 0, result.output
    assert expected in result.output
