"""`cobranza case hold|release|show` through the command line, then `cobranza run`.

The CLI checks `--until` against the real clock, so the invoices fall due a
few days before the real today and each cycle runs on a day counted from it.
The tests count the rows the planner queues, which the day of the week and
holidays do not change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobranza import cli
from cobranza.compliance.business_days import (
    business_day_on_or_before,
    overdue_cutoff,
)
from cobranza.compliance.rules import legal_rules
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.db.models import AuditEvent, Case, Customer, Document, OutboxMessage
from cobranza.payments import create_plan
from cobranza.timeutil import local_date, utcnow
from tests.channels.factories import PAYMENT_INSTRUCTIONS, make_customer, make_document

runner = CliRunner()
AR_TZ = "America/Argentina/Buenos_Aires"
AR_RULES = legal_rules("AR")


@dataclass(frozen=True)
class CliWorld:
    """The database the CLI uses: customer C1 owes A-1 and A-2, and A-0 is paid."""

    url: str
    customer_id: int
    ids: dict[str, int]
    # The business's real today, which `--until` is checked against.
    today: date


@pytest.fixture
def cli_world(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[CliWorld]:
    """The world on SQLite and PostgreSQL."""
    yield from _cli_world(db_url, monkeypatch, tmp_path)


@pytest.fixture
def cli_sqlite(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[CliWorld]:
    """The world on SQLite only, for checks of output and input."""
    yield from _cli_world(sqlite_url, monkeypatch, tmp_path)


def _cli_world(
    url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[CliWorld]:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli.console, "_width", 200)
    monkeypatch.setattr(cli.err_console, "_width", 200)
    get_settings.cache_clear()

    today = local_date(utcnow(), AR_TZ)
    setup = utcnow() - timedelta(days=60)
    engine = make_engine(url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        business.settings = {"payment_instructions": PAYMENT_INSTRUCTIONS}
        customer = make_customer(
            session, business, setup, "C1", "+5491155550101", name="Ana Prueba"
        )
        # Each invoice falls due on a business day, so that the weekday the
        # test runs on does not move its effective due date.
        ids = {
            number: make_document(
                session,
                customer,
                setup,
                number,
                amount,
                business_day_on_or_before(AR_RULES, today - timedelta(days=late)),
            ).id
            for number, amount, late in (("A-1", "1000.00", 5), ("A-2", "500.00", 2))
        }
        ids["A-0"] = make_document(
            session,
            customer,
            setup,
            "A-0",
            "300.00",
            today - timedelta(days=40),
            open_amount="0",
        ).id
        customer_id = customer.id
    engine.dispose()

    yield CliWorld(url, customer_id, ids, today)
    get_settings.cache_clear()


def _invoke(*args: str) -> tuple[int, str]:
    """Run the CLI; return its exit code and output with whitespace collapsed."""
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, " ".join(result.output.split())


def _run(day: date) -> dict[str, object]:
    result = runner.invoke(cli.app, ["run", "--json", "--now", f"{day}T10:00"])
    assert result.exit_code == 0, result.output
    counts: dict[str, object] = json.loads(result.output)
    return counts


def _reminders(world: CliWorld) -> list[list[int]]:
    """Return the invoices of each row queued for C1, oldest row first."""
    engine = make_engine(world.url)
    with transaction(engine) as session:
        rows = session.scalars(
            select(OutboxMessage.document_ids)
            .where(OutboxMessage.customer_id == world.customer_id)
            .order_by(OutboxMessage.id)
        )
        found = [sorted(ids) for ids in rows]
    engine.dispose()
    return found


def _holds(world: CliWorld) -> dict[str, tuple[date | None, bool, str | None]]:
    """Return (hold_until, held, hold_reason) by invoice number."""
    engine = make_engine(world.url)
    with transaction(engine) as session:
        rows = session.execute(
            select(
                Document.number,
                Document.hold_until,
                Document.held_at,
                Document.hold_reason,
            ).where(Document.customer_id == world.customer_id)
        ).all()
    engine.dispose()
    return {
        number: (until, held_at is not None, reason)
        for number, until, held_at, reason in rows
    }


def _hold_events(world: CliWorld) -> list[tuple[str, str, str | None]]:
    engine = make_engine(world.url)
    with transaction(engine) as session:
        events = [
            (event.kind, event.actor, event.reason)
            for event in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.kind.in_(["invoice_held", "invoice_released"]))
                .order_by(AuditEvent.id)
            )
        ]
    engine.dispose()
    return events


def test_hold_no_end_until_release(cli_world: CliWorld) -> None:
    # given
    tomorrow = cli_world.today + timedelta(days=1)
    both = sorted([cli_world.ids["A-1"], cli_world.ids["A-2"]])

    # when
    code, held = _invoke(
        "case", "hold", "C1", "--no-end", "--reason", "arreglamos por teléfono"
    )
    while_held = _run(tomorrow)
    _, shown = _invoke("case", "show", "C1")

    # then
    assert code == 0, held
    assert "Se retuvieron 2 facturas del cliente C1 (A-1, A-2) sin fecha de fin" in held
    assert "Para volver a cobrarlas: cobranza case release C1" in held
    assert while_held["planned"] == 0
    assert _reminders(cli_world) == []
    assert "sin fecha de fin" in shown
    assert "arreglamos por teléfono" in shown
    assert "Para volver a cobrar las retenidas: cobranza case release C1" in shown
    assert _hold_events(cli_world) == [
        ("invoice_held", "cli", "arreglamos por teléfono"),
        ("invoice_held", "cli", "arreglamos por teléfono"),
    ]

    # when
    code, released = _invoke("case", "release", "C1")
    after_release = _run(tomorrow)

    # then
    assert code == 0, released
    assert "Se liberaron 2 facturas del cliente C1 (A-1, A-2)" in released
    assert after_release["planned"] == 1
    assert _reminders(cli_world) == [both]
    assert _holds(cli_world)["A-1"] == (None, False, None)
    assert [kind for kind, _, _ in _hold_events(cli_world)][-2:] == [
        "invoice_released",
        "invoice_released",
    ]


def test_hold_until_ends_next_day(cli_world: CliWorld) -> None:
    # given
    until = cli_world.today + timedelta(days=3)

    # when
    code, held = _invoke(
        "case", "hold", "C1", "--until", until.isoformat(), "--reason", "viaja"
    )
    last_day = _run(until)
    next_day = _run(until + timedelta(days=1))

    # then
    assert code == 0, held
    assert f"hasta el {until:%d/%m/%Y} inclusive" in held
    assert _holds(cli_world)["A-2"] == (until, True, "viaja")
    assert last_day["planned"] == 0
    assert next_day["planned"] == 1
    assert _reminders(cli_world) == [
        sorted([cli_world.ids["A-1"], cli_world.ids["A-2"]])
    ]


def test_hold_named_invoice_only(cli_world: CliWorld) -> None:
    code, held = _invoke(
        "case", "hold", "C1", "--invoice", "A-1", "--no-end", "--reason", "abogado"
    )
    counts = _run(cli_world.today + timedelta(days=1))

    assert code == 0, held
    assert "Se retuvo la factura A-1 del cliente C1 sin fecha de fin" in held
    assert counts["planned"] == 1
    assert _reminders(cli_world) == [[cli_world.ids["A-2"]]]
    assert _holds(cli_world)["A-2"] == (None, False, None)


def test_show_dated_hold(cli_sqlite: CliWorld) -> None:
    until = cli_sqlite.today + timedelta(days=30)
    hold = ["case", "hold", "C1", "--invoice", "A-2", "--until", until.isoformat()]
    _invoke(*hold, "--reason", "viaja hasta fin de mes")

    code, shown = _invoke("case", "show", "C1")

    assert code == 0, shown
    assert f"hasta el {until:%d/%m/%Y}" in shown
    assert "viaja hasta fin de mes" in shown
    assert "se cobra" in shown
    # The paid invoice has no balance, so it is not listed.
    assert "A-0" not in shown


def test_imported_later_not_held(cli_sqlite: CliWorld, tmp_path: Path) -> None:
    # given: every invoice held, then an import that lists them and a new one
    _invoke("case", "hold", "C1", "--no-end", "--reason", "abogado")
    # The last business day before the cycle, so the new invoice is overdue
    # then whatever day of the week the test runs on.
    run_day = cli_sqlite.today + timedelta(days=1)
    due = overdue_cutoff(AR_RULES, run_day)
    export = tmp_path / "facturas.csv"
    rows = [("A-1", "1000,00"), ("A-2", "500,00"), ("A-3", "200,00")]
    export.write_text(
        "Código;Cliente;Celular;Factura;Vencimiento;Importe\n"
        + "".join(
            f"C1;Ana Prueba;11 5555 0101;{number};{due:%d/%m/%Y};{amount}\n"
            for number, amount in rows
        ),
        encoding="utf-8",
    )

    # when
    code, imported = _invoke("import", str(export))
    counts = _run(run_day)

    # then
    holds = _holds(cli_sqlite)
    assert code == 0, imported
    assert holds["A-1"] == (None, True, "abogado")
    assert holds["A-3"] == (None, False, None)
    assert counts["planned"] == 1
    assert _reminders(cli_sqlite) == [[_document_id(cli_sqlite, "A-3")]]


def _document_id(world: CliWorld, number: str) -> int:
    engine = make_engine(world.url)
    with transaction(engine) as session:
        found = session.scalars(
            select(Document.id).where(
                Document.customer_id == world.customer_id, Document.number == number
            )
        ).one()
    engine.dispose()
    return found


@pytest.mark.parametrize(
    ("args", "code", "messages"),
    [
        (
            ["C9", "--no-end", "--reason", "x"],
            1,
            ["Cliente no encontrado", "ningún cliente con el código 'C9'"],
        ),
        (
            ["C1", "--invoice", "A-9", "--no-end", "--reason", "x"],
            1,
            [
                "No se retuvo ninguna factura",
                "el cliente C1 no tiene la factura A-9",
                "cobranza case show C1",
            ],
        ),
        (
            ["C1", "--invoice", "A-0", "--no-end", "--reason", "x"],
            1,
            ["la factura A-0 del cliente C1 no tiene saldo pendiente"],
        ),
        (
            ["C1", "--until", "2020-01-31", "--reason", "x"],
            1,
            ["la fecha de fin 31/01/2020 ya pasó", "Elegí hoy o un día futuro"],
        ),
        (
            ["C1", "--until", "2099-01-31", "--no-end", "--reason", "x"],
            2,
            ["Usá --until o --no-end, no los dos"],
        ),
        (["C1", "--reason", "x"], 2, ["Decí hasta cuándo", "--no-end"]),
        (
            ["C1", "--until", "31-01-2099", "--reason", "x"],
            2,
            ["Fecha de --until inválida '31-01-2099'", "como 2026-03-31"],
        ),
        (["C1", "--no-end", "--reason", " "], 1, ["falta el motivo"]),
        (["C1", "--no-end", "--reason", "x" * 201], 1, ["201 caracteres"]),
    ],
)
def test_hold_bad_input(
    cli_sqlite: CliWorld, args: list[str], code: int, messages: list[str]
) -> None:
    # when
    exit_code, output = _invoke("case", "hold", *args)

    # then
    assert exit_code == code, output
    for message in messages:
        assert message in output
    assert "Traceback" not in output
    assert all(not held for _, held, _ in _holds(cli_sqlite).values())
    assert _hold_events(cli_sqlite) == []


@pytest.mark.parametrize(
    ("args", "messages"),
    [
        (["C1"], ["No se liberó ninguna factura", "no tiene facturas retenidas"]),
        (
            ["C1", "--invoice", "A-2"],
            ["la factura A-2 del cliente C1 no está retenida"],
        ),
        (["C1", "--invoice", "A-9"], ["el cliente C1 no tiene la factura A-9"]),
        (["C9"], ["Cliente no encontrado"]),
    ],
)
def test_release_bad_input(
    cli_sqlite: CliWorld, args: list[str], messages: list[str]
) -> None:
    # given: only A-1 is held
    if args != ["C1"]:
        _invoke("case", "hold", "C1", "--invoice", "A-1", "--no-end", "--reason", "x")
    before = _holds(cli_sqlite)
    events = len(_hold_events(cli_sqlite))

    # when
    exit_code, output = _invoke("case", "release", *args)

    # then
    assert exit_code == 1, output
    for message in messages:
        assert message in output
    assert _holds(cli_sqlite) == before
    assert len(_hold_events(cli_sqlite)) == events


def test_case_show_without_holds(cli_sqlite: CliWorld) -> None:
    code, shown = _invoke("case", "show", "C1")

    assert code == 0, shown
    assert "Facturas con saldo" in shown
    assert "se cobra" in shown
    assert "cobranza case release" not in shown


def test_hold_names_cancelled_plan(cli_sqlite: CliWorld) -> None:
    # given a plan over both invoices
    _run(cli_sqlite.today)
    engine = make_engine(cli_sqlite.url)
    with transaction(engine) as session:
        case = session.scalars(
            select(Case).where(Case.customer_id == cli_sqlite.customer_id)
        ).one()
        plan_id = create_plan(session, case, 2, utcnow()).id
    engine.dispose()

    # when one of them is held
    code, output = _invoke(
        "case", "hold", "C1", "--invoice", "A-1", "--no-end", "--reason", "abogado"
    )

    # then the output names the cancelled plan
    assert code == 0, output
    assert (
        f"Se canceló el plan de cuotas n.º {plan_id}, que incluía la factura "
        "retenida" in output
    )


def test_hold_end_on_customer_day(
    cli_sqlite: CliWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a customer in Madrid, where it is already the next day
    late_evening = datetime.combine(cli_sqlite.today, time(23, 30), tzinfo=UTC)
    monkeypatch.setattr(cli, "utcnow", lambda: late_evening)
    engine = make_engine(cli_sqlite.url)
    with transaction(engine) as session:
        session.get_one(Customer, cli_sqlite.customer_id).timezone = "Europe/Madrid"
    engine.dispose()

    # when a person sets a hold until the business's today
    code, output = _invoke(
        "case", "hold", "C1", "--until", cli_sqlite.today.isoformat(), "--reason", "x"
    )

    # then the end is already past on the customer's day, which the gate reads
    assert code == 1, output
    assert "No se retuvo ninguna factura" in output


def test_rehold_names_replaced_hold(cli_sqlite: CliWorld) -> None:
    # given A-1 held with no end
    _invoke("case", "hold", "C1", "--invoice", "A-1", "--no-end", "--reason", "x")
    until = cli_sqlite.today + timedelta(days=10)

    # when both invoices are held until a day
    code, output = _invoke(
        "case", "hold", "C1", "--until", until.isoformat(), "--reason", "acuerdo"
    )

    # then the output names the hold it replaced, and only that one
    assert code == 0, output
    assert (
        "La factura A-1 ya estaba retenida sin fecha de fin: esa retención quedó "
        "reemplazada por esta." in output
    )
    assert "La factura A-2 ya estaba" not in output
