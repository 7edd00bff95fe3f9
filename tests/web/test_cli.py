"""`cobranza user create`, `cobranza token create` and the serve check."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobranza.accounts import token_hash
from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import open_database, transaction
from cobranza.db.models import ApiToken, Business, User

runner = CliRunner()


@pytest.fixture
def cli_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_user_create_with_stdin(cli_url: str) -> None:
    result = runner.invoke(
        app,
        [
            "user",
            "create",
            "Ana@Demo.com",
            "--business",
            "Demo SRL",
            "--password-stdin",
        ],
        input="una clave larga 123\n",
    )

    engine = open_database(cli_url)
    with transaction(engine) as session:
        user = session.scalars(select(User)).one()
        business = session.get_one(Business, user.business_id)
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert user.email == "ana@demo.com"
    assert business.name == "Demo SRL"
    assert user.password_hash.startswith("$argon2id$")


def test_user_create_prompts_twice(cli_url: str) -> None:
    result = runner.invoke(
        app,
        ["user", "create", "b@demo.com"],
        input="una clave larga 123\notra clave larga 456\nuna clave larga 123\n"
        "una clave larga 123\n",
    )

    assert result.exit_code == 0, result.output
    assert "Repetí la contraseña" in result.output
    assert "Las dos contraseñas no coinciden" in result.output
    assert "do not match" not in result.output
    assert result.output.count("Contraseña:") == 2


def test_user_create_speaks_tu_for_mexico(
    cli_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", "MX")
    get_settings.cache_clear()

    result = runner.invoke(
        app,
        ["user", "create", "vos@demo.mx"],
        input="una clave larga 123\notra clave larga 456\nuna clave larga 123\n"
        "una clave larga 123\n",
    )

    printed = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "Repite la contraseña" in printed
    assert "Repetí" not in printed
    assert "escríbela de nuevo" in printed
    # The address is quoted, so the swap of "vos" leaves it as typed.
    assert "Usuario «vos@demo.mx» creado" in printed
    assert "Entra con 'cobranza serve' y abre" in printed


def test_short_password_is_rejected(cli_url: str) -> None:
    result = runner.invoke(
        app, ["user", "create", "c@demo.com", "--password-stdin"], input="corta\n"
    )

    assert result.exit_code == 1
    assert "contraseña demasiado corta" in result.output


def test_token_create_prints_once(cli_url: str) -> None:
    runner.invoke(
        app,
        ["user", "create", "d@demo.com", "--business", "Demo SRL", "--password-stdin"],
        input="una clave larga 123\n",
    )

    result = runner.invoke(app, ["token", "create", "--business", "Demo SRL"])
    missing = runner.invoke(app, ["token", "create", "--business", "Nadie"])

    token = result.output.strip().splitlines()[-1]
    engine = open_database(cli_url)
    with transaction(engine) as session:
        stored = session.scalars(select(ApiToken)).one()
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert token.startswith("cbz_")
    assert stored.token_hash == token_hash(token)
    assert missing.exit_code == 1
    assert "No se encontró el negocio 'Nadie'" in missing.output


def test_serve_refuses_whatsapp_without_secret(
    cli_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_WHATSAPP_PHONE_NUMBER_ID", "123456")
    get_settings.cache_clear()

    result = runner.invoke(app, ["serve", "--port", "1"])

    assert result.exit_code == 2
    assert "COBRANZA_WHATSAPP_APP_SECRET" in result.output


def test_serve_refuses_whatsapp_without_business_account(
    cli_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given WhatsApp with its webhook secrets but no business account id,
    # which the channel for the inbox's replies needs
    monkeypatch.setenv("COBRANZA_WHATSAPP_PHONE_NUMBER_ID", "123456")
    monkeypatch.setenv("COBRANZA_WHATSAPP_ACCESS_TOKEN", "token")
    monkeypatch.setenv("COBRANZA_WHATSAPP_APP_SECRET", "secreto")
    monkeypatch.setenv("COBRANZA_WHATSAPP_VERIFY_TOKEN", "verificar")
    get_settings.cache_clear()

    result = runner.invoke(app, ["serve", "--port", "1"])

    # Then the server names the setting before it starts, without a traceback
    assert result.exit_code == 2, result.output
    assert "El servidor no arranca" in result.output
    assert "COBRANZA_WHATSAPP_BUSINESS_ACCOUNT_ID" in result.output


def test_serve_on_taken_port_stops_first(cli_url: str) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = int(holder.getsockname()[1])

        result = runner.invoke(app, ["serve", "--port", str(port)])

    assert result.exit_code == 2
    assert f"El puerto {port} ya está en uso" in result.output
    assert "Errno" not in result.output


def test_serve_warns_links_on_other_port(
    cli_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given payment links built for port 8000 and a server started on another
    served: list[int] = []
    monkeypatch.setattr(
        "cobranza.web.serve.serve",
        lambda settings, engine, host, port, *flags: served.append(port),
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])

    result = runner.invoke(app, ["serve", "--port", str(port)])

    # Then the warning names the URL that makes the links match
    assert result.exit_code == 0, result.output
    assert served == [port]
    message = " ".join(result.output.split())
    assert "COBRANZA_PUBLIC_BASE_URL=http://127.0.0.1:8000" in message
    assert f"COBRANZA_PUBLIC_BASE_URL=http://127.0.0.1:{port}" in message


def test_serve_quiet_when_links_match(
    cli_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "cobranza.web.serve.serve", lambda settings, engine, host, port, *flags: None
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    monkeypatch.setenv("COBRANZA_PUBLIC_BASE_URL", f"http://localhost:{port}")
    get_settings.cache_clear()

    result = runner.invoke(app, ["serve", "--port", str(port)])

    assert result.exit_code == 0, result.output
    assert "Aviso" not in result.output


def test_user_create_keeps_enye_address(cli_url: str) -> None:
    result = runner.invoke(
        app,
        ["user", "create", "Dueña@Negocio.com", "--business", "Demo SRL"]
        + ["--password-stdin"],
        input="una clave larga 123\n",
    )

    engine = open_database(cli_url)
    with transaction(engine) as session:
        user = session.scalars(select(User)).one()
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert user.email == "dueña@negocio.com"
