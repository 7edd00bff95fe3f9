"""`cobranza policy show|validate` and `cobranza case show`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobranza import cli
from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import default_business, open_database, session_factory
from cobranza.db.models import Case, CaseState
from cobranza.dunning.planner import plan
from cobranza.dunning.policy import Policy

from .conftest import NOW, TODAY, Portfolio

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Print tables 200 columns wide, so no cell wraps inside a phrase."""
    monkeypatch.setattr(cli.console, "_width", 200)
    monkeypatch.setattr(cli.err_console, "_width", 200)


BAD_POLICY = """\
version: 1
name: mala
steps:
  - key: second
    offset_days: 15
    action: send
    step_kind: second_notice
  - key: first
    offset_days: 1
    action: send
    step_kind: reminder_soft
    tono: friendly
"""


@pytest.fixture
def cli_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_policy: Policy
) -> Iterator[str]:
    """A database with one planned case, named by COBRANZA_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    engine = open_database(url)
    with session_factory(engine).begin() as session:
        business = default_business(session, get_settings())
        portfolio = Portfolio(session, business)
        customer = portfolio.customer("CLI-9", phone="+5491123456789")
        portfolio.invoice(customer, "1000", TODAY - timedelta(days=16))
        plan(session, business, NOW, default_policy)
    engine.dispose()
    yield url
    get_settings.cache_clear()


def test_policy_show_default() -> None:
    result = runner.invoke(app, ["policy", "show"])

    assert result.exit_code == 0, result.output
    assert "predeterminada" in result.output
    assert "3 días antes del vencimiento" in result.output
    assert "60 días después del vencimiento" in result.output


def test_policy_show_names_steps() -> None:
    result = runner.invoke(app, ["policy", "show"])

    assert result.exit_code == 0, result.output
    assert _first_column(result.output) == [
        "aviso preventivo (preventive)",
        "aviso de vencimiento (due_today)",
        "recordatorio amable (reminder_soft)",
        "recordatorio con oferta de cuotas (reminder_empathetic)",
        "segundo aviso (second_notice)",
        "oferta de plan de cuotas (plan_offer)",
        "último recordatorio (final_notice)",
        "aviso de que lo atiende una persona (handoff)",
    ]


def _first_column(output: str) -> list[str]:
    """Return the text of each row's first cell, its folded lines joined."""
    cells: list[list[str]] = [[]]
    for line in output.splitlines():
        if line.startswith("├"):
            cells.append([])
        elif line.startswith("│"):
            cells[-1].append(line.split("│")[1].strip())
    return [" ".join(part for part in cell if part) for cell in cells]


def test_policy_show_preview() -> None:
    result = runner.invoke(
        app,
        ["policy", "show", "--preview", "--locale", "es_AR"],
    )

    assert result.exit_code == 0, result.output
    assert "reminder_soft · friendly · es_AR" in result.output
    assert "reminder_soft · formal · es_AR" in result.output
    assert "Respondé BAJA" in result.output
    # Each step is previewed with its own installment limit and delay.
    previews = " ".join(result.output.split("plan_offer · friendly · es_AR")[1].split())
    assert "hasta 6 cuotas" in previews.split(" · ")[0]


def test_policy_show_preview_unknown_locale() -> None:
    result = runner.invoke(
        app,
        ["policy", "show", "--preview", "--locale", "xx_YY"],
    )

    assert result.exit_code == 2
    assert "--locale desconocido: xx_YY" in result.output
    assert "es_AR" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_policy_validate_default() -> None:
    result = runner.invoke(app, ["policy", "validate"])

    assert result.exit_code == 0, result.output
    assert "es válida: 8 pasos" in result.output


def test_policy_validate_reports_lines(tmp_path: Path) -> None:
    path = tmp_path / "mala.yaml"
    path.write_text(BAD_POLICY, encoding="utf-8")

    result = runner.invoke(app, ["policy", "validate", str(path)])

    assert result.exit_code == 1
    assert "línea 8: paso 'first': offset_days 1 no es mayor que 15" in (result.output)
    assert "línea 12: clave desconocida 'tono'" in result.output


def test_policy_validate_huge_offset(tmp_path: Path) -> None:
    path = tmp_path / "lejos.yaml"
    path.write_text(
        "version: 1\nname: lejos\nsteps:\n  - key: far\n"
        "    offset_days: 99999999999999999999\n    action: send\n"
        "    step_kind: reminder_soft\n",
        "utf-8",
    )

    result = runner.invoke(app, ["policy", "validate", str(path)])

    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "línea 5: `offset_days` 99999999999999999999 está fuera de rango" in (
        result.output
    )


def test_policy_validate_unknown_kind(tmp_path: Path) -> None:
    path = tmp_path / "tipo.yaml"
    path.write_text(
        BAD_POLICY.replace("    tono: friendly\n", "")
        .replace("offset_days: 1\n", "offset_days: 20\n")
        .replace("step_kind: reminder_soft", "step_kind: recordatorio"),
        "utf-8",
    )

    result = runner.invoke(app, ["policy", "validate", str(path)])

    assert result.exit_code == 1
    assert (
        "línea 8: paso 'first': step_kind desconocido 'recordatorio'" in result.output
    )


def test_case_show_timeline(cli_db: str) -> None:
    result = runner.invoke(app, ["case", "show", "CLI-9"])

    assert result.exit_code == 0, result.output
    assert "Casos de Cliente CLI-9 (CLI-9)" in result.output
    assert "abierto" in result.output
    assert "paso planificado" in result.output
    assert "planificador (caso 1)" in result.output
    # Due on Sunday 22 February, so the days count from Monday 23.
    assert "15 días de atraso, saldo $ 1.000,00" in result.output
    assert "paso «second_notice» (tono amable): en cola" in result.output
    assert "step_planned" not in result.output
    assert "→ queued" not in result.output


def test_case_show_without_case_says_why(cli_db: str) -> None:
    engine = open_database(cli_db)
    with session_factory(engine).begin() as session:
        business = default_business(session, get_settings())
        portfolio = Portfolio(session, business)
        # A new customer with no reminder planned yet.
        portfolio.customer("CLI-10", phone="+5491123456780")
    engine.dispose()

    result = runner.invoke(app, ["case", "show", "CLI-10"])

    assert result.exit_code == 0, result.output
    assert "Casos de Cliente CLI-10 (CLI-10)" in result.output
    assert "Todavía no tiene casos" in " ".join(result.output.split())


def test_case_show_spanish_local_time(cli_db: str) -> None:
    # Given a reminder deferred at night and a reply that promises to pay.
    night = runner.invoke(app, ["run", "--now", "2026-03-10T22:30"])
    reply = runner.invoke(
        app,
        [
            "sandbox",
            "reply",
            "+5491123456789",
            "te pago el viernes",
            "--now",
            "2026-03-10T23:00",
        ],
    )

    # When the owner reads the customer's history.
    result = runner.invoke(app, ["case", "show", "CLI-9"])

    # Then it reads in Spanish, in Buenos Aires time (UTC-3).
    assert night.exit_code == 0, night.output
    assert reply.exit_code == 0, reply.output
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Historial (hora de America/Argentina/Buenos_Aires)" in output
    assert "10/03/2026 22:30" in output
    assert "control de envío (mensaje 1)" in output
    assert "mensaje demorado" in output
    assert "Fuera del horario de contacto permitido" in output
    assert "saldo $ 1.000,00, hasta el 11/03/2026 09:00" in output
    assert "cliente (sandbox)" in output
    assert "te pago el viernes · entendido: promete pagar" in output
    assert "confirmación de la promesa de pago (tono amable): en cola" in output
    assert "en pausa" in output
    for stored in (
        "message_deferred",
        "outside_contact_window",
        "promise_to_pay",
        "friendly",
        "(UTC)",
        "+00:00",
        "2026-03-11T",
    ):
        assert stored not in output, stored


def test_case_show_closed_case(cli_db: str) -> None:
    # 01:30 UTC on the 12th is still the 11th in Buenos Aires.
    engine = open_database(cli_db)
    with session_factory(engine).begin() as session:
        case = session.scalars(select(Case)).one()
        case.state = CaseState.CLOSED
        case.closed_at = datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
        case.close_reason = "paid"
    engine.dispose()

    result = runner.invoke(app, ["case", "show", "CLI-9"])

    assert result.exit_code == 0, result.output
    assert "│ cerrado │" in result.output
    assert "11/03/2026 (pagado)" in result.output
    assert "(paid)" not in result.output


def test_case_show_paid_case_last_step(cli_db: str) -> None:
    # Given a reminder sent, then a payment that closes the case before the
    # thank-you goes out
    sent = runner.invoke(app, ["run", "--now", "2026-03-10T13:00"])
    paid = runner.invoke(
        app, ["payment", "add", "CLI-9", "1000", "--date", "2026-03-10"]
    )

    result = runner.invoke(app, ["case", "show", "CLI-9"])

    assert sent.exit_code == 0, sent.output
    assert paid.exit_code == 0, paid.output
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "│ cerrado" in line)
    assert [cell.strip() for cell in row.split("│")[1:4]] == [
        "1",
        "cerrado",
        "second_notice",
    ]


def test_case_show_by_phone(cli_db: str) -> None:
    result = runner.invoke(app, ["case", "show", "011 2345-6789"])

    assert result.exit_code == 0, result.output
    assert "Casos de Cliente CLI-9 (CLI-9)" in result.output


def test_case_show_unknown(cli_db: str) -> None:
    result = runner.invoke(app, ["case", "show", "NADIE"])

    assert result.exit_code == 1
    assert "Cliente no encontrado" in result.output


UNSENDABLE_POLICY = """\
version: 1
name: imposible
steps:
  - key: too_soon
    offset_days: 0
    action: send
    step_kind: final_notice
  - key: plan_plain
    offset_days: 5
    action: send
    step_kind: plan_offer
  - key: fine
    offset_days: 10
    action: send
    step_kind: second_notice
"""


def test_policy_validate_composes_each_step(tmp_path: Path) -> None:
    path = tmp_path / "imposible.yaml"
    path.write_text(UNSENDABLE_POLICY, encoding="utf-8")

    result = runner.invoke(app, ["policy", "validate", str(path)])

    printed = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "línea 8: paso 'plan_plain'" in printed
    assert "necesita max_installments" in printed
    assert "línea 4: paso 'too_soon'" in printed
    assert "con offset_days 0" in printed
    assert "'fine'" not in printed


def test_case_show_lists_plan(cli_db: str) -> None:
    # Given a plan asked for at 11:06 whose first installment is never paid.
    asked = runner.invoke(
        app,
        [
            "sandbox",
            "reply",
            "+5491123456789",
            "¿Puedo pagarlo en 3 cuotas?",
            "--now",
            "2026-03-10T11:06",
        ],
    )
    broken = runner.invoke(app, ["run", "--now", "2026-03-20T10:00"])

    # When the owner reads the customer's history.
    result = runner.invoke(app, ["case", "show", "CLI-9"])

    # Then the plan, its installments and its end are listed in Spanish.
    assert asked.exit_code == 0, asked.output
    assert broken.exit_code == 0, broken.output
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Plan de cuotas 1 (caso 1): incumplido, armado el 10/03/2026" in output
    # The title wraps before the closing date.
    assert "cerrado el" in output
    assert "20/03/2026" in output
    assert "│ 1 de 3 │ $ 333,34 │ 13/03/2026  │ impaga después de los días" in output
    assert "│ 2 de 3 │ $ 333,33 │ 13/04/2026  │ sin efecto" in output
    assert "│ 3 de 3 │ $ 333,33 │ 12/05/2026  │ sin efecto" in output
    assert "pagos (plan de cuotas 1)" in output
    assert "plan de cuotas incumplido" in output
    assert "no se pagó una cuota a tiempo" in output
