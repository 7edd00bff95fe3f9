"""A hostile customer name reaches every terminal screen escaped and literal.

The name carries a right-to-left override, isolates, marks, zero-width
characters, an escape sequence, a blank letter and Rich markup. Each screen
must show each hidden character as its escape (`\\u202e`) and the markup as
typed, and the stored name and the JSON output must keep the raw text.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobranza import cli
from cobranza.cli import app
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.db.models import Customer
from tests.channels.factories import PAYMENT_INSTRUCTIONS, make_customer, make_document
from tests.ingest.conftest import write_csv
from tests.scenarios.helpers import AR_TZ, local_instant

runner = CliRunner()
SETUP = local_instant(date(2026, 2, 1), 10, AR_TZ)
DUE_ON = date(2026, 3, 2)
CYCLE = "2026-03-10T10:00"
PHONE = "+5491155550101"
CODE = "C-1"
NAME = (
    "Ana \u202eDíaz 0001$\u202c [bold red]Rojo[/] \u2066x\u2069 "
    "\x1b[31mY \u200eZ\u200d\u200f\u3164"
)
ESCAPES = (
    "\\u202e",
    "\\u202c",
    "\\u2066",
    "\\u2069",
    "\\x1b",
    "\\u200e",
    "\\u200d",
    "\\u200f",
    "\\u3164",
)
MARKUP = "[bold red]Rojo[/]"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Print 250 columns wide, so no escape is folded across two lines."""
    monkeypatch.setattr(cli.console, "_width", 250)
    monkeypatch.setattr(cli.err_console, "_width", 250)


@pytest.fixture
def hostile(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the CLI at one customer with the hostile name and an overdue invoice."""
    monkeypatch.setenv("COBRANZA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    engine = make_engine(db_url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        business.settings = {"payment_instructions": PAYMENT_INSTRUCTIONS}
        customer = make_customer(session, business, SETUP, CODE, PHONE, name=NAME)
        make_document(session, customer, SETUP, "F-1", "1000.00", DUE_ON)
    engine.dispose()
    yield db_url
    get_settings.cache_clear()


def _output(*command: str) -> str:
    result = runner.invoke(app, list(command))
    assert result.exit_code == 0, (command, result.output)
    return result.output


def _assert_shown_escaped(output: str, escapes: tuple[str, ...] = ESCAPES) -> None:
    hidden = [
        f"U+{ord(char):04X}"
        for char in output
        if char != "\n"
        and (unicodedata.category(char) in ("Cc", "Cf") or char == "\u3164")
    ]
    assert hidden == []
    for escape in escapes:
        assert escape in output, escape
    assert MARKUP in output


def test_customers_escapes_name(hostile: str) -> None:
    _assert_shown_escaped(_output("customers"))


def test_customers_json_keeps_name(hostile: str) -> None:
    listed = json.loads(_output("customers", "--json"))

    assert listed[0]["name"] == NAME


def test_dry_run_escapes_name(hostile: str) -> None:
    _assert_shown_escaped(_output("run", "--dry-run", "--now", CYCLE))


def test_sandbox_outbox_escapes_name(hostile: str) -> None:
    _output("run", "--now", CYCLE)

    _assert_shown_escaped(_output("sandbox", "outbox"))


def test_audit_escapes_name(hostile: str) -> None:
    _assert_shown_escaped(_output("audit", "--as-of", "2026-03-10"))


def test_inbox_and_case_show_escape_reply(hostile: str) -> None:
    reply = (
        "\u202equiero hablar con una persona \x1b[2J [link=https://x.invalid]y[/link]"
    )
    _output("run", "--now", CYCLE)
    _output("sandbox", "reply", PHONE, reply, "--now", "2026-03-10T11:00")

    inbox = _output("inbox")
    case = _output("case", "show", CODE)

    _assert_shown_escaped(inbox)
    assert "\\u202equiero hablar" in inbox
    assert "[link=https://x.invalid]y[/link]" in inbox
    assert "\\x1b[2J" in case
    assert "[link=https://x.invalid]y[/link]" in case


def test_stored_name_unchanged(hostile: str) -> None:
    _output("customers")
    _output("run", "--dry-run", "--now", CYCLE)

    engine = make_engine(hostile)
    with transaction(engine) as session:
        stored = session.scalars(select(Customer.name)).one()
    engine.dispose()
    assert stored == NAME


def test_import_report_escapes_cells(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", db_url)
    monkeypatch.setenv("COBRANZA_COUNTRY", "AR")
    get_settings.cache_clear()
    rows = [
        ["Cliente", "Celular", "Factura", "Vencimiento", "Importe"],
        [NAME, "011 15 4567-8901", "F-1", "10/03/2026", "1000,00"],
        ["Bar Sur", "011 15 4567-8902", "F-2", "31/02\u202e/2026 [b]x[/b]", "10,00"],
    ]
    path = write_csv(tmp_path / "saldos.csv", rows, separator=";")

    report = _output("import", str(path))
    listed = _output("customers")
    get_settings.cache_clear()

    assert "31/02\\u202e/2026 [b]x[/b]" in report
    assert "\u202e" not in report
    # The import stores control characters as spaces, so no \\x1b is left.
    _assert_shown_escaped(listed, tuple(e for e in ESCAPES if e != "\\x1b"))
