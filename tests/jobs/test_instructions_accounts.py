"""`cobranza settings set payment_instructions` checks the account numbers."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import cobranza
from cobranza.cli import app
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, open_database, transaction
from cobranza.db.models import AuditEvent, Business

runner = CliRunner()
SOURCE_ROOT = Path(cobranza.__file__).resolve().parents[1]
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _first_lines_of(command: list[str], cwd: Path) -> list[str]:
    """Start `python -m cobranza COMMAND` and return its stderr lines up to the
    stored-instructions warning or its first log line, and stop the process."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cobranza", *command],
        cwd=cwd,
        # The source tree under test, wherever the process starts.
        env={**os.environ, "COLUMNS": "300", "PYTHONPATH": str(SOURCE_ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        # The timeout only keeps a hung process from hanging the suite.
        while (line := lines.get(timeout=120)) is not None:
            seen.append(line)
            # The first log line means that the work has started.
            if "instrucciones de pago" in line or line.startswith("INFO"):
                break
    finally:
        process.terminate()
        process.wait(timeout=60)
        reader.join(timeout=60)
        process.stderr.close()
    return seen


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["serve", "--no-scheduler", "--port"], id="serve"),
        pytest.param(["worker", "--poll", "5"], id="worker"),
    ],
)
def test_long_running_commands_warn_of_stored_cci(
    database: str, tmp_path: Path, command: list[str]
) -> None:
    # Given instructions stored with a wrong CCI by an older release
    _old_instructions(database)
    if command[-1] == "--port":
        command = [*command, str(_free_port())]

    # When the server or the worker starts
    lines = _first_lines_of(command, tmp_path)

    # Then it warns before it starts its work, and keeps the stored text
    message = " ".join(" ".join(lines).split())
    assert "Negocio «Mi negocio». Aviso: las instrucciones de pago" in message
    assert "el CCI «00392401319240299684»" in message
    assert _kept(database) == OLD_CCI


def test_valid_stored_instructions_no_warning(database: str) -> None:
    _business(database, "PE", "es_PE")
    assert _set("Yape al 987654321 o CCI 00392401319240299683").exit_code == 0

    for command in (["settings", "show"], ["db", "upgrade"]):
        result = runner.invoke(app, command, env=WIDE)

        assert result.exit_code == 0, result.output
        assert "Aviso" not in result.output
