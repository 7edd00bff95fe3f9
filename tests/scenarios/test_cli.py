"""`cobranza run` and the sandbox commands, through the command line."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cobranza import cli
from cobranza.cli import app
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.db.models import InboundMessage, OutboxMessage
from tests.channels.factories import PAYMENT_INSTRUCTIONS, make_customer, make_document
from tests.scenarios.helpers import AR_TZ, local_instant

runner = CliRunner()
TUESDAY = "2026-03-03T10:00"


@dataclass(frozen=True)
class CliDatabase:
    url: str
    business_id: int


@pytest.fixture
def cli_database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliDatabase]:
    """Point the CLI at a database with two customers owing since 2 March.

    C1 gave consent and C2 never did. The database is SQLite and PostgreSQL.
    """
    yield from _cli_database(db_url, monkeypatch)


@pytest.fixture
def cli_sqlite(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliDatabase]:
    """The same database on SQLite only, for checks of output and input."""
    yield from _cli_database(sqlite_url, monkeypatch)


def _cli_database(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliDatabase]:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    setup = local_instant(date(2026, 2, 1), 10, AR_TZ)
    engine = make_engine(db_url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        business.settings = {"payment_instructions": PAYMENT_INSTRUCTIONS}
        for index, consent in ((1, True), (2, False)):
            customer = make_customer(
                session,
                business,
                setup,
                f"C{index}",
                f"+549115555010{index}",
                name=f"Cliente {index} (ficticio)",
                segment="punctual",
                consent=consent,
            )
            make_document(
                session, customer, setup, f"A-{index}", "1000.00", date(2026, 3, 2)
            )
        business_id = business.id
    engine.dispose()
    yield CliDatabase(db_url, business_id)
    get_settings.cache_clear()


def _outbox_count(url: str) -> int:
    engine = make_engine(url)
    with transaction(engine) as session:
        count = session.scalar(select(func.count(OutboxMessage.id))) or 0
    engine.dispose()
    return count


def _run_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["run", "--json", *args])
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = json.loads(result.output)
    return parsed


def test_run_json_counts(cli_database: CliDatabase) -> None:
    counts = _run_json("--now", TUESDAY)

    assert counts["planned"] == 2
    assert counts["sent"] == 1
    assert counts["suppressed"] == {"no_consent": 1}
    assert counts["deferred"] == 0
    assert counts["deferred_by_reason"] == {}
    assert counts["failed"] == {}
    assert counts["reconciled"] == {}
    assert counts["dry_run"] is False


def test_run_twice_sends_nothing_new(cli_database: CliDatabase) -> None:
    _run_json("--now", TUESDAY)
    rows = _outbox_count(cli_database.url)

    again = _run_json("--now", TUESDAY)

    assert again["planned"] == 0
    assert again["sent"] == 0
    assert again["suppressed"] == {}
    assert _outbox_count(cli_database.url) == rows


def test_run_dry_run_writes_nothing(cli_database: CliDatabase) -> None:
    counts = _run_json("--now", TUESDAY, "--dry-run")

    assert counts["dry_run"] is True
    assert counts["planned"] == 2
    assert counts["sent"] == 1
    assert counts["suppressed"] == {"no_consent": 1}
    assert _outbox_count(cli_database.url) == 0


def test_run_days_through_cli(cli_database: CliDatabase) -> None:
    # Saturday's message waits for Monday, and Tuesday brings nothing new.
    saturday = _run_json("--now", "2026-03-07T10:00")
    monday = _run_json("--now", "2026-03-09T10:00")
    tuesday = _run_json("--now", "2026-03-10T10:00")

    assert saturday["deferred_by_reason"] == {"day_not_allowed": 1}
    assert saturday["sent"] == 0
    assert monday["sent"] == 1
    assert tuesday["sent"] == 0


def test_run_table_in_spanish(
    cli_sqlite: CliDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli.console, "_width", 200)

    result = runner.invoke(app, ["run", "--now", TUESDAY])

    assert result.exit_code == 0, result.output
    assert "Enviados" in result.output
    assert "Suprimidos" in result.output
    assert "El cliente no dio su consentimiento para recibir mensajes" in result.output
    assert "no_consent" not in result.output


def test_dry_run_table_says_would_send(cli_sqlite: CliDatabase) -> None:
    result = runner.invoke(app, ["run", "--now", TUESDAY, "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Se enviarían" in result.output
    assert "Enviados" not in result.output


def test_run_invalid_now_rejected(cli_sqlite: CliDatabase) -> None:
    result = runner.invoke(app, ["run", "--now", "martes"])

    assert result.exit_code == 2
    assert "fecha u hora inválida 'martes'" in result.output


@pytest.mark.parametrize(
    "rate", ["nan", "inf", "-inf", "1e999", "0", "0.05", "１０", "1_0", "diez"]
)
def test_run_invalid_rate_rejected(cli_sqlite: CliDatabase, rate: str) -> None:
    result = runner.invoke(app, ["run", "--now", TUESDAY, "--rate", rate])

    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"--rate inválido: {rate!r}" in result.stderr
    assert "de 0.1 en adelante" in result.stderr
    assert _outbox_count(cli_sqlite.url) == 0


def test_run_decimal_rate_accepted(cli_sqlite: CliDatabase) -> None:
    counts = _run_json("--now", TUESDAY, "--rate", "2.5")

    assert counts["sent"] == 1


def test_run_invalid_policy_rejected(cli_sqlite: CliDatabase, tmp_path: Path) -> None:
    policy = tmp_path / "politica.yaml"
    policy.write_text("version: 1\nname: rota\nsteps: 3\n", encoding="utf-8")

    result = runner.invoke(app, ["run", "--now", TUESDAY, "--policy", str(policy)])

    assert result.exit_code == 2
    assert "línea 3" in result.output
    assert _outbox_count(cli_sqlite.url) == 0


def test_sandbox_outbox_lists_sent(cli_database: CliDatabase) -> None:
    _run_json("--now", TUESDAY)

    result = runner.invoke(app, ["sandbox", "outbox", "--json"])

    assert result.exit_code == 0, result.output
    [message] = json.loads(result.output)
    assert message["customer"] == {
        "external_id": "C1",
        "name": "Cliente 1 (ficticio)",
    }
    assert message["phone"] == "+5491155550101"
    assert message["step"] == "reminder_soft"
    assert "$ 1.000,00" in message["text"]
    assert message["sent_at"] == "2026-03-03T13:00:00+00:00"


def test_sandbox_outbox_table(cli_sqlite: CliDatabase) -> None:
    _run_json("--now", TUESDAY)

    result = runner.invoke(app, ["sandbox", "outbox"])

    assert result.exit_code == 0, result.output
    assert "Cliente 1 (ficticio)" in result.output
    assert "03/03/2026 10:00" in result.output
    assert "paso recordatorio amable (reminder_soft)" in result.output


def test_sandbox_reply_matched(cli_database: CliDatabase) -> None:
    result = runner.invoke(
        app,
        ["sandbox", "reply", "11 5555-0101", "Ya pagué", "--now", "2026-03-03T11:00"],
    )

    assert result.exit_code == 0, result.output
    assert "cliente C1" in result.output
    engine = make_engine(cli_database.url)
    with transaction(engine) as session:
        inbound = session.scalars(select(InboundMessage)).one()
        assert inbound.customer_id is not None
        assert inbound.text == "Ya pagué"
        assert inbound.sender == "+5491155550101"
    engine.dispose()


def test_sandbox_reply_shows_reaction(cli_sqlite: CliDatabase) -> None:
    # Given a reminder sent, so C1 has an open case
    _run_json("--now", TUESDAY)

    result = runner.invoke(
        app,
        [
            "sandbox",
            "reply",
            "11 5555-0101",
            "te pago 500 el viernes",
            "--now",
            "2026-03-03T11:00",
        ],
    )

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "  Entendió: promete pagar",
        "  Fecha prometida: viernes 06/03/2026",
        "  Monto: $ 500,00",
        "  Hizo: anotó la promesa",
        "  Dejó en cola un mensaje al cliente, que sale con el próximo `cobranza run`.",
        "El historial completo: cobranza case show C1",
    ]


def _add_customer_without_code(url: str) -> None:
    """Add a customer as an import without a code column stores it.

    Its external id is its folded name, "jose nunez".
    """
    engine = make_engine(url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        setup = local_instant(date(2026, 2, 1), 10, AR_TZ)
        customer = make_customer(
            session, business, setup, "jose nunez", "+5491155550103", name="José Núñez"
        )
        make_document(session, customer, setup, "A-3", "500.00", date(2026, 3, 2))
    engine.dispose()


def test_sandbox_reply_quotes_customer_command(cli_sqlite: CliDatabase) -> None:
    # Given a customer imported without a code, with a reminder sent
    _add_customer_without_code(cli_sqlite.url)
    _run_json("--now", TUESDAY)

    # When the customer replies
    result = runner.invoke(
        app,
        ["sandbox", "reply", "11 5555-0103", "ya pagué", "--now", "2026-03-03T11:00"],
    )

    # Then the suggested command can be pasted into a shell as it is
    assert result.exit_code == 0, result.output
    suggestion = result.output.splitlines()[-1]
    assert suggestion == "El historial completo: cobranza case show 'jose nunez'"
    command = shlex.split(suggestion.removeprefix("El historial completo: "))
    timeline = runner.invoke(app, command[1:])
    assert timeline.exit_code == 0, timeline.output
    assert "José Núñez" in timeline.output


def test_outbox_names_customer_without_code(cli_sqlite: CliDatabase) -> None:
    _add_customer_without_code(cli_sqlite.url)
    _run_json("--now", TUESDAY)

    result = runner.invoke(app, ["sandbox", "outbox"])

    assert result.exit_code == 0, result.output
    assert "03/03/2026 10:00 · José Núñez · +5491155550103" in result.output
    assert "jose nunez" not in result.output
    # A customer with a code keeps it before the name.
    assert "03/03/2026 10:00 · C1 Cliente 1 (ficticio) · " in result.output


def test_sandbox_reply_says_receipt_request_queued(cli_sqlite: CliDatabase) -> None:
    # Given a reminder sent, so C1 has an open case
    _run_json("--now", TUESDAY)

    # When C1 says it paid
    result = runner.invoke(
        app,
        ["sandbox", "reply", "11 5555-0101", "ya pagué", "--now", "2026-03-03T11:00"],
    )
    outbox = runner.invoke(app, ["sandbox", "outbox", "--json"])

    # Then the request for the receipt is reported as queued, not as sent
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  Dejó en cola: pedir el comprobante" in lines
    assert "  El mensaje al cliente sale con el próximo `cobranza run`." in lines
    assert not any(line.startswith("  Hizo:") for line in lines)
    # and the sandbox has sent only the reminder so far
    assert outbox.exit_code == 0, outbox.output
    assert [message["step"] for message in json.loads(outbox.output)] == [
        "reminder_soft"
    ]


def test_sandbox_reply_unknown_number(cli_sqlite: CliDatabase) -> None:
    result = runner.invoke(app, ["sandbox", "reply", "+5491144449999", "Hola"])

    assert result.exit_code == 0, result.output
    assert "no coincide con ningún cliente" in result.output
    engine = make_engine(cli_sqlite.url)
    with transaction(engine) as session:
        inbound = session.scalars(select(InboundMessage)).one()
        assert inbound.customer_id is None
    engine.dispose()


def test_sandbox_reply_shared_phone(cli_sqlite: CliDatabase) -> None:
    engine = make_engine(cli_sqlite.url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        setup = local_instant(date(2026, 2, 1), 10, AR_TZ)
        make_customer(session, business, setup, "C3", "+5491155550101")
    engine.dispose()

    result = runner.invoke(app, ["sandbox", "reply", "11 5555-0101", "Ya pagué"])

    output = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "El número +5491155550101 es de 2 clientes (C1, C3)" in output
    assert "quedó sin cliente asignado" in output


@pytest.mark.parametrize(
    ("phone", "problem"),
    [
        ("abc", "el teléfono «abc» no tiene dígitos."),
        (
            "+5491199998888",
            "el teléfono «+5491199998888» no es válido en Argentina: revisá la "
            "característica y la cantidad de dígitos.",
        ),
    ],
)
def test_sandbox_reply_invalid_phone(
    cli_sqlite: CliDatabase, phone: str, problem: str
) -> None:
    result = runner.invoke(app, ["sandbox", "reply", phone, "Hola"])

    output = " ".join(result.output.split())
    assert result.exit_code == 2
    assert output.startswith(f"No se guardó la respuesta: {problem}")
    assert "Escribilo con el código de país, por ejemplo +54 9 11 5555-6666." in output
    assert output.count(f"«{phone}»") == 1
    assert "inválido" not in output


def test_sandbox_reply_empty_text(cli_sqlite: CliDatabase) -> None:
    result = runner.invoke(app, ["sandbox", "reply", "+5491155550101", "  "])

    assert result.exit_code == 2
    assert "TEXT está vacío" in result.output
    engine = make_engine(cli_sqlite.url)
    with transaction(engine) as session:
        assert session.scalars(select(InboundMessage)).all() == []
    engine.dispose()


@pytest.fixture
def bad_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Read the settings afresh from a folder without a .env file."""
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("COBRANZA_LOCALE", "xx_YY", "idioma desconocido 'xx_YY': definí"),
        ("COBRANZA_COUNTRY", "ZZ", "país no soportado 'ZZ': definí"),
        (
            "COBRANZA_LLM_TIMEOUT_SECONDS",
            "abc",
            "COBRANZA_LLM_TIMEOUT_SECONDS='abc' es inválido: tiene que ser un número",
        ),
        (
            "COBRANZA_LLM_TIMEOUT_SECONDS",
            "-1",
            "COBRANZA_LLM_TIMEOUT_SECONDS='-1' es inválido: tiene que ser mayor que 0",
        ),
        (
            "COBRANZA_SEGMENT_CHRONIC_LATE_SHARE",
            "nan",
            "COBRANZA_SEGMENT_CHRONIC_LATE_SHARE='nan' es inválido: tiene que ser "
            "un número finito (ni nan, ni inf, ni más de 1e308), como 0.5",
        ),
        (
            "COBRANZA_SCHEDULER_INTERVAL_SECONDS",
            "1e999",
            "COBRANZA_SCHEDULER_INTERVAL_SECONDS='1e999' es inválido: tiene que ser "
            "un número finito (ni nan, ni inf, ni más de 1e308), como 60.0",
        ),
        (
            "COBRANZA_SEGMENT_MONTH_END_SHARE",
            "7",
            "COBRANZA_SEGMENT_MONTH_END_SHARE='7' es inválido: tiene que ser menor "
            "o igual que 1",
        ),
    ],
)
def test_invalid_setting_message_only(
    bad_settings: None,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(variable, value)

    result = runner.invoke(app, ["channel", "show"])

    assert result.exit_code == 2
    assert result.stderr.startswith("Configuración inválida:\n")
    assert message in result.stderr
    assert "validation error" not in result.stderr
    assert "Value error" not in result.stderr
    assert "pydantic.dev" not in result.stderr


def test_invalid_settings_one_per_line(
    bad_settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_LOCALE", "xx_YY")
    monkeypatch.setenv("COBRANZA_COUNTRY", "ZZ")

    result = runner.invoke(app, ["channel", "show"])

    lines = result.stderr.splitlines()
    assert result.exit_code == 2
    assert lines[0] == "Configuración inválida:"
    assert len(lines) == 3
    assert any(line.startswith("país no soportado 'ZZ'") for line in lines)
    assert any(line.startswith("idioma desconocido 'xx_YY'") for line in lines)


def test_placeholder_secrets_listed_together(
    bad_settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_ENVIRONMENT", "production")
    monkeypatch.setenv("COBRANZA_WHATSAPP_APP_SECRET", "changeme")
    monkeypatch.setenv("COBRANZA_WHATSAPP_VERIFY_TOKEN", "xxx")
    monkeypatch.setenv("COBRANZA_STRIPE_SECRET_KEY", "placeholder")

    result = runner.invoke(app, ["channel", "show"])

    lines = result.stderr.splitlines()
    assert result.exit_code == 2
    assert lines[0] == "Configuración inválida:"
    assert len(lines) == 4
    for variable in (
        "COBRANZA_WHATSAPP_APP_SECRET",
        "COBRANZA_WHATSAPP_VERIFY_TOKEN",
        "COBRANZA_STRIPE_SECRET_KEY",
    ):
        assert any(
            line.startswith(f"{variable} tiene un valor de ejemplo") for line in lines
        ), variable


@pytest.mark.parametrize(
    "args",
    [
        ["case", "show", "[/]"],
        ["audit", "--as-of", "[/]"],
        ["audit", "--currency", "[/]"],
        ["demo", "--now", "[/]"],
        ["nlu", "hola", "--tz", "[/]"],
        ["payment", "add", "C1", "[/]"],
    ],
)
def test_markup_in_bad_value_is_printed(
    cli_database: CliDatabase, args: list[str]
) -> None:
    result = runner.invoke(app, args)

    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "[/]" in result.output


def test_unparsable_database_url_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", "not a url")
    get_settings.cache_clear()

    result = runner.invoke(app, ["customers"])
    get_settings.cache_clear()

    assert result.exit_code == 2
    assert "no es una URL de base de datos: 'not a url'" in result.output
    assert "Traceback" not in result.output


def test_unreachable_database_hides_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "COBRANZA_DATABASE_URL", "postgresql://cobranza:secreto@127.0.0.1:1/nada"
    )
    get_settings.cache_clear()

    result = runner.invoke(app, ["customers"])
    get_settings.cache_clear()

    printed = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "No se pudo abrir la base de datos" in printed
    assert "cobranza:***@127.0.0.1:1/nada" in printed
    assert "secreto" not in printed


@pytest.mark.parametrize(
    ("environment", "note", "carries_instructions"),
    [
        (
            "development",
            "Ahora los recordatorios llevan un link de prueba del sandbox, no "
            "estos datos, porque COBRANZA_ENVIRONMENT es development.",
            False,
        ),
        (
            "production",
            "Ahora los recordatorios llevan estos datos en lugar de un link.",
            True,
        ),
    ],
)
def test_settings_show_says_what_reminders_carry(
    cli_sqlite: CliDatabase,
    monkeypatch: pytest.MonkeyPatch,
    environment: str,
    note: str,
    carries_instructions: bool,
) -> None:
    # Given no Mercado Pago nor Stripe, in either environment
    monkeypatch.setenv("COBRANZA_ENVIRONMENT", environment)
    # Wide enough for the description on one line.
    monkeypatch.setattr(cli.console, "_width", 600)
    get_settings.cache_clear()

    settings_table = runner.invoke(app, ["settings", "show"])
    _run_json("--now", TUESDAY)
    sent = json.loads(runner.invoke(app, ["sandbox", "outbox", "--json"]).output)

    # Then the note matches what the reminder that went out carries
    assert settings_table.exit_code == 0, settings_table.output
    row = next(
        line for line in settings_table.output.splitlines() if "payment_instr" in line
    )
    assert "cuando tu proveedor de pagos no puede crear links" in row
    assert note in row
    [reminder] = sent
    assert (PAYMENT_INSTRUCTIONS in reminder["text"]) is carries_instructions
    assert ("/pagar/" in reminder["text"]) is not carries_instructions
