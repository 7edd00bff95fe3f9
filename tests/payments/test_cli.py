"""`cobranza payment add|import|link`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobranza import cli
from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import default_business, open_database, session_factory
from cobranza.db.models import Business, Case, Customer, Document, Payment
from tests.channels.factories import make_customer, make_document
from tests.payments.conftest import NOW

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.console, "_width", 200)
    monkeypatch.setattr(cli.err_console, "_width", 200)


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database with customer C1 owing 1500 in two invoices, and an open case."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    monkeypatch.setenv("COBRANZA_PUBLIC_BASE_URL", "https://cobros.example.com")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    engine = open_database(url)
    with session_factory(engine).begin() as session:
        business = default_business(session, get_settings())
        customer = make_customer(session, business, NOW, "C1", "+5491155550001")
        make_document(session, customer, NOW, "A-1", "1000.00", date(2026, 2, 1))
        make_document(session, customer, NOW, "A-2", "500.00", date(2026, 3, 1))
        session.add(
            Case(
                business_id=business.id,
                customer_id=customer.id,
                state="open",
                opened_at=NOW,
            )
        )
    engine.dispose()
    yield url
    get_settings.cache_clear()


def _rows(url: str, model: type) -> list:  # type: ignore[type-arg]
    engine = open_database(url)
    with session_factory(engine)() as session:
        rows = list(session.scalars(select(model)))
    engine.dispose()
    return rows


def test_payment_add_settles_oldest(cli_db: str) -> None:
    result = runner.invoke(
        app,
        [
            "payment",
            "add",
            "C1",
            "1200.00",
            "--date",
            "2026-03-09",
            "--reference",
            "T1",
        ],
    )

    assert result.exit_code == 0, result.output
    assert "Pago registrado" in result.output
    open_amounts = sorted(str(row.open_amount) for row in _rows(cli_db, Document))
    assert open_amounts == ["0.0000", "300.0000"]
    payment = _rows(cli_db, Payment)[0]
    assert payment.provider_payment_id == "T1"
    assert payment.paid_at.date() == date(2026, 3, 9)


def test_payment_add_names_invoices_and_balance(cli_db: str) -> None:
    result = runner.invoke(
        app, ["payment", "add", "C1", "1200.00", "--date", "2026-03-09"]
    )

    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split("│")).split() for line in result.output.splitlines()]
    assert ["Pago", "$", "1.200,00", "del", "09/03/2026", "(n.º", "1)"] in lines
    assert ["Saldo", "del", "cliente", "$", "300,00"] in lines
    assert ["A-1", "$", "1.000,00", "$", "0,00", "saldada"] in lines
    assert ["A-2", "$", "200,00", "$", "300,00", "pagada", "en", "parte"] in lines
    assert "saldadas" not in result.output


def test_payment_add_rejects_future_date(cli_db: str) -> None:
    result = runner.invoke(
        app, ["payment", "add", "C1", "1200.00", "--date", "2099-01-02"]
    )

    assert result.exit_code == 1
    assert "la fecha del pago, 02/01/2099, es futura" in result.stderr
    assert "usá el día en que recibiste el pago, hoy o antes" in result.stderr
    assert _rows(cli_db, Payment) == []


def test_payment_add_rejects_bad_date(cli_db: str) -> None:
    result = runner.invoke(
        app, ["payment", "add", "C1", "1200.00", "--date", "2026-02-30"]
    )

    assert result.exit_code == 2
    assert "--date inválido" in result.stderr
    assert "'2026-02-30'" in result.stderr
    assert _rows(cli_db, Payment) == []


@pytest.mark.parametrize(
    "amount",
    ["mil", "NaN", "Infinity", "-Infinity", "sNaN", "1e999", "1e3", "1_000"],
)
def test_payment_add_rejects_bad_amount(cli_db: str, amount: str) -> None:
    result = runner.invoke(app, ["payment", "add", "C1", "--", amount])

    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"monto inválido {amount!r}" in result.stderr
    assert "como 12500,50 o 12.500,50" in result.stderr
    assert _rows(cli_db, Payment) == []


def test_payment_add_reads_thousands_for_mexico(cli_db: str) -> None:
    _set_locale(cli_db, "es_MX")

    result = runner.invoke(app, ["payment", "add", "C1", "1,200.50"])

    assert result.exit_code == 0, result.output
    assert [payment.amount for payment in _rows(cli_db, Payment)] == [
        Decimal("1200.50")
    ]


def test_payment_add_drops_currency_sign(cli_db: str) -> None:
    # Owners copy amounts as the messages and the panel print them.
    _set_locale(cli_db, "es_MX")

    result = runner.invoke(app, ["payment", "add", "C1", "$ 1,200.50"])

    assert result.exit_code == 0, result.output
    assert [payment.amount for payment in _rows(cli_db, Payment)] == [
        Decimal("1200.50")
    ]


def test_payment_add_reads_thousands_for_argentina(cli_db: str) -> None:
    result = runner.invoke(app, ["payment", "add", "C1", "1.200,50"])

    assert result.exit_code == 0, result.output
    assert [payment.amount for payment in _rows(cli_db, Payment)] == [
        Decimal("1200.50")
    ]


@pytest.mark.parametrize(("locale", "amount"), [("es_MX", "1.200"), ("es_AR", "1,200")])
def test_payment_add_rejects_ambiguous_amount(
    cli_db: str, locale: str, amount: str
) -> None:
    _set_locale(cli_db, locale)

    result = runner.invoke(app, ["payment", "add", "C1", amount])

    message = " ".join(result.stderr.split())
    assert result.exit_code == 2
    assert f"monto ambiguo {amount!r}" in message
    assert "puede ser 1200" in message
    assert "1 con 200 milésimos" in message
    assert _rows(cli_db, Payment) == []


def test_payment_import_reads_thousands_for_mexico(cli_db: str, tmp_path: Path) -> None:
    _set_locale(cli_db, "es_MX")
    path = tmp_path / "pagos.csv"
    path.write_text('cliente,monto,fecha\nC1,"1,200.50",2026-03-09\n', encoding="utf-8")

    result = runner.invoke(app, ["payment", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert [payment.amount for payment in _rows(cli_db, Payment)] == [
        Decimal("1200.50")
    ]


def _set_locale(url: str, locale: str) -> None:
    engine = open_database(url)
    with session_factory(engine).begin() as session:
        session.scalars(select(Business)).one().locale = locale
    engine.dispose()


@pytest.mark.parametrize("amount", ["１２３", "١٢٣", "1２3"])
def test_payment_add_rejects_non_ascii_digits(cli_db: str, amount: str) -> None:
    result = runner.invoke(app, ["payment", "add", "C1", amount])

    assert result.exit_code == 2
    assert f"monto inválido {amount!r}" in result.stderr
    assert "dígitos que no son los ASCII 0 a 9" in result.stderr
    assert _rows(cli_db, Payment) == []


def test_payment_add_rejects_huge_amount(cli_db: str) -> None:
    result = runner.invoke(app, ["payment", "add", "C1", "100000000000000"])

    assert result.exit_code == 1
    assert "menor que 100.000.000.000.000" in result.stderr
    assert _rows(cli_db, Payment) == []


def test_payment_add_unknown_customer(cli_db: str) -> None:
    result = runner.invoke(app, ["payment", "add", "C404", "10"])

    assert result.exit_code == 1
    assert "Cliente no encontrado" in result.output


def test_payment_import_lists_bad_lines(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "pagos.csv"
    path.write_text(
        "cliente,monto,fecha\nC1,1500.00,2026-03-09\nC1,,2026-03-09\n", encoding="utf-8"
    )

    result = runner.invoke(app, ["payment", "import", str(path)])

    assert result.exit_code == 1
    assert "Pagos registrados" in result.output
    assert "línea 3: monto inválido" in result.output
    assert _rows(cli_db, Case)[0].close_reason == "paid"


def test_payment_link_prints_url(cli_db: str) -> None:
    first = runner.invoke(app, ["payment", "link", "C1"])
    second = runner.invoke(app, ["payment", "link", "C1"])

    assert first.exit_code == 0, first.output
    assert first.output.startswith("https://cobros.example.com/pagar/")
    assert first.output == second.output


def test_payment_link_paid_customer_owes_nothing(cli_db: str) -> None:
    paid = runner.invoke(app, ["payment", "add", "C1", "1500.00"])

    result = runner.invoke(app, ["payment", "link", "C1"])

    assert paid.exit_code == 0, paid.output
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert output == (
        "No hay link de pago: el cliente C1 no debe nada: no tiene facturas "
        "abiertas, así que no hace falta un link de pago"
    )


def test_payment_link_needs_usable_provider(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_PAYMENT_PROVIDER", "stripe")
    get_settings.cache_clear()

    result = runner.invoke(app, ["payment", "link", "C1"])

    assert result.exit_code == 1
    assert "el proveedor de pagos 'stripe' no puede abrir links" in result.output


def test_overpayment_shows_credit(cli_db: str) -> None:
    add_output = runner.invoke(
        app, ["payment", "add", "C1", "1800.00", "--reference", "T9"]
    )

    case_output = runner.invoke(app, ["case", "show", "C1"])

    assert add_output.exit_code == 0, add_output.output
    assert "Saldo a favor" in add_output.output
    assert "$ 300,00" in add_output.output
    assert case_output.exit_code == 0, case_output.output
    assert "Saldo a favor" in case_output.output
    assert "$ 0,00" in case_output.output
    assert "$ 300,00" in case_output.output


def test_payment_import_missing_columns_once(cli_db: str, tmp_path: Path) -> None:
    # Given a bank export whose columns have other names
    path = tmp_path / "pagos.csv"
    path.write_text(
        "Código,Importe cobrado,Día\nC1,1500.00,2026-03-09\n", encoding="utf-8"
    )

    result = runner.invoke(app, ["payment", "import", str(path)])

    # Then the error names each missing column once, lists the columns found
    # and shows the --map fix
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "le faltan las columnas cliente, monto y fecha." in output
    assert output.count("cliente, monto y fecha") == 1
    assert "Columnas encontradas: Código, Importe cobrado, Día." in output
    assert '--map "Código=cliente"' in output
    assert _rows(cli_db, Payment) == []


def test_payment_import_map_reads_columns(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "pagos.csv"
    path.write_text(
        "Código,Importe cobrado,Día\nC1,1500.00,2026-03-09\n", encoding="utf-8"
    )

    result = runner.invoke(
        app,
        [
            "payment",
            "import",
            str(path),
            "--map",
            "Código=cliente",
            "--map",
            "importe cobrado=amount",
            "--map",
            "Día=fecha",
        ],
    )

    assert result.exit_code == 0, result.output
    assert "Pagos registrados" in result.output
    assert [payment.amount for payment in _rows(cli_db, Payment)] == [
        Decimal("1500.00")
    ]
    assert _rows(cli_db, Case)[0].close_reason == "paid"


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        ("Código", "no tiene la forma COLUMNA=CAMPO"),
        ("Código=saldo", "el campo 'saldo' no existe"),
        ("Otra=cliente", "no tiene la columna 'Otra'"),
    ],
)
def test_payment_import_rejects_bad_map(
    cli_db: str, tmp_path: Path, pair: str, expected: str
) -> None:
    path = tmp_path / "pagos.csv"
    path.write_text("Código,monto,fecha\nC1,1500.00,2026-03-09\n", encoding="utf-8")

    result = runner.invoke(app, ["payment", "import", str(path), "--map", pair])

    assert result.exit_code != 0
    assert expected in " ".join(result.output.split())
    assert _rows(cli_db, Payment) == []


def test_payment_import_rejects_field_mapped_twice(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "pagos.csv"
    path.write_text("A,B,fecha\nC1,1500.00,2026-03-09\n", encoding="utf-8")

    result = runner.invoke(
        app, ["payment", "import", str(path), "--map", "A=monto", "--map", "B=monto"]
    )

    assert result.exit_code == 2
    assert "otra columna ya se lee como monto" in " ".join(result.output.split())


def _payments_workbook(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    """Save a workbook with one sheet per entry, in order."""
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


PAYMENT_HEADER = ["cliente", "monto", "fecha"]
NOTES_SHEET = [["Pagos de marzo, cargados por administración"]]
MARCH_SHEET = [PAYMENT_HEADER, ["C1", "400.00", "2026-03-09"]]
APRIL_SHEET = [PAYMENT_HEADER, ["C1", "250.00", "2026-03-10"]]


def _amounts(url: str) -> list[Decimal]:
    return sorted(payment.amount for payment in _rows(url, Payment))


def test_payment_import_sheet_reads_named(cli_db: str, tmp_path: Path) -> None:
    path = _payments_workbook(
        tmp_path / "pagos.xlsx", {"Marzo": MARCH_SHEET, "Abril": APRIL_SHEET}
    )

    result = runner.invoke(app, ["payment", "import", str(path), "--sheet", "Abril"])

    assert result.exit_code == 0, result.output
    assert _amounts(cli_db) == [Decimal("250.00")]


def test_payment_import_reads_first_sheet(cli_db: str, tmp_path: Path) -> None:
    path = _payments_workbook(
        tmp_path / "pagos.xlsx", {"Marzo": MARCH_SHEET, "Abril": APRIL_SHEET}
    )

    first = runner.invoke(app, ["payment", "import", str(path)])
    # The same sheet named with other case and spaces is the same lines, so
    # their references match and nothing is recorded twice.
    named = runner.invoke(app, ["payment", "import", str(path), "--sheet", " marzo "])

    assert first.exit_code == 0, first.output
    assert named.exit_code == 0, named.output
    assert _amounts(cli_db) == [Decimal("400.00")]


def test_payment_import_unknown_sheet_stops(cli_db: str, tmp_path: Path) -> None:
    path = _payments_workbook(
        tmp_path / "pagos.xlsx", {"Notas": NOTES_SHEET, "Marzo": MARCH_SHEET}
    )

    result = runner.invoke(app, ["payment", "import", str(path), "--sheet", "Abril"])

    assert result.exit_code == 2
    assert " ".join(result.output.split()) == (
        'No se importó ningún pago: pagos.xlsx no tiene una hoja "Abril". Sus '
        'hojas son "Notas" y "Marzo". Indicá una de ellas con --sheet, o sacá '
        "--sheet para leer la primera."
    )
    assert _rows(cli_db, Payment) == []


def test_payment_import_ambiguous_sheet_stops(cli_db: str, tmp_path: Path) -> None:
    path = _payments_workbook(
        tmp_path / "pagos.xlsx", {"Marzo": MARCH_SHEET, "Marzo ": APRIL_SHEET}
    )

    loose = runner.invoke(app, ["payment", "import", str(path), "--sheet", "marzo"])
    exact = runner.invoke(app, ["payment", "import", str(path), "--sheet", "Marzo "])

    assert loose.exit_code == 2
    assert "Indicá el nombre exacto con --sheet." in " ".join(loose.output.split())
    assert exact.exit_code == 0, exact.output
    assert _amounts(cli_db) == [Decimal("250.00")]


def test_payment_import_sheet_of_csv_stops(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "pagos.csv"
    path.write_text("cliente,monto,fecha\nC1,1500.00,2026-03-09\n", encoding="utf-8")

    result = runner.invoke(app, ["payment", "import", str(path), "--sheet", "Hoja1"])

    assert result.exit_code == 2
    assert " ".join(result.output.split()) == (
        'No se importó ningún pago: Pediste la hoja "Hoja1" con --sheet, pero '
        "pagos.csv es un archivo de texto (CSV), que no tiene hojas. Importalo "
        "sin --sheet."
    )
    assert _rows(cli_db, Payment) == []


def test_payment_import_sheet_needs_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "nueva.db"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", f"sqlite:///{database}")
    get_settings.cache_clear()
    path = _payments_workbook(tmp_path / "pagos.xlsx", {"Marzo": MARCH_SHEET})

    result = runner.invoke(app, ["payment", "import", str(path), "--sheet", "Abril"])
    get_settings.cache_clear()

    assert result.exit_code == 2
    assert not database.exists()


def test_payment_add_in_other_currency(cli_db: str) -> None:
    # given: C1 also owes dollars, which a reminder names beside the pesos
    engine = open_database(cli_db)
    with session_factory(engine).begin() as session:
        customer = session.scalars(select(Customer)).one()
        make_document(
            session, customer, NOW, "U-1", "800.00", date(2026, 2, 1), currency="USD"
        )
    engine.dispose()

    # when
    result = runner.invoke(
        app,
        ["payment", "add", "C1", "800", "--currency", "usd", "--date", "2026-03-09"],
    )

    # then: the dollars are paid and the pesos still owed
    assert result.exit_code == 0, result.output
    assert "US$ 800,00 del 09/03/2026" in result.stdout
    [payment] = _rows(cli_db, Payment)
    assert payment.currency == "USD"
    open_amounts = {doc.number: doc.open_amount for doc in _rows(cli_db, Document)}
    assert open_amounts["U-1"] == Decimal("0")
    assert open_amounts["A-1"] == Decimal("1000")
    assert open_amounts["A-2"] == Decimal("500")
    # The pesos still owed are shown beside the dollars' zero balance.
    lines = [" ".join(line.split("│")).split() for line in result.output.splitlines()]
    assert ["Saldo", "del", "cliente", "US$", "0,00"] in lines
    assert ["Saldo", "en", "otras", "monedas", "$", "1.500,00"] in lines


def test_payment_add_rejects_bad_currency(cli_db: str) -> None:
    result = runner.invoke(app, ["payment", "add", "C1", "800", "--currency", "dólar"])

    assert result.exit_code == 1
    assert "moneda inválida 'dólar'" in result.stderr
    assert _rows(cli_db, Payment) == []


def test_payment_add_currency_from_sign(cli_db: str) -> None:
    # given: C1 also owes dollars
    engine = open_database(cli_db)
    with session_factory(engine).begin() as session:
        customer = session.scalars(select(Customer)).one()
        make_document(
            session, customer, NOW, "U-1", "800.00", date(2026, 2, 1), currency="USD"
        )
    engine.dispose()

    # when: the amount carries the dollar sign, and then also another --currency
    signed = runner.invoke(
        app, ["payment", "add", "C1", "US$ 800", "--date", "2026-03-09"]
    )
    clash = runner.invoke(
        app,
        ["payment", "add", "C1", "U$S 10", "--currency", "ARS", "--date", "2026-03-09"],
    )

    # then: the first is in dollars and the second is not recorded
    assert signed.exit_code == 0, signed.output
    [payment] = _rows(cli_db, Payment)
    assert (payment.currency, payment.amount) == ("USD", Decimal("800"))
    assert clash.exit_code == 2
    assert "está en USD y --currency dice ARS" in clash.output


def test_payment_import_currency_from_sign(cli_db: str, tmp_path: Path) -> None:
    # given: C1 also owes dollars, and a statement writes the dollar sign
    engine = open_database(cli_db)
    with session_factory(engine).begin() as session:
        customer = session.scalars(select(Customer)).one()
        make_document(
            session, customer, NOW, "U-1", "800.00", date(2026, 2, 1), currency="USD"
        )
    engine.dispose()
    path = tmp_path / "pagos.csv"
    path.write_text(
        "cliente;monto;fecha;moneda;referencia\n"
        "C1;U$S 500;2026-03-09;;R-1\n"
        "C1;US$ 10;2026-03-09;ARS;R-2\n",
        encoding="utf-8",
    )

    # when
    result = runner.invoke(app, ["payment", "import", str(path)])

    # then: the first line is in dollars, the contradictory one is listed
    assert result.exit_code == 1, result.output
    [payment] = _rows(cli_db, Payment)
    assert (payment.currency, payment.amount) == ("USD", Decimal("500"))
    assert "línea 3" in result.output
    assert "está en USD" in result.output
    assert "US$ 500,00" in result.output


def _set_chilean_pesos(url: str) -> None:
    engine = open_database(url)
    with session_factory(engine).begin() as session:
        business = session.scalars(select(Business)).one()
        business.country = "CL"
        business.currency = "CLP"
        business.locale = "es_CL"
    engine.dispose()


def test_payment_add_clp_example_is_whole(cli_db: str) -> None:
    _set_chilean_pesos(cli_db)

    result = runner.invoke(app, ["payment", "add", "C1", "--", "mil"])

    message = " ".join(result.stderr.split())
    assert result.exit_code == 2
    assert "como 12500 o 12.500" in message
    assert "12.500,50" not in message
    assert _rows(cli_db, Payment) == []


def test_payment_add_usd_example_keeps_cents(cli_db: str) -> None:
    _set_chilean_pesos(cli_db)

    result = runner.invoke(
        app, ["payment", "add", "C1", "--currency", "USD", "--", "mil"]
    )

    message = " ".join(result.stderr.split())
    assert result.exit_code == 2
    assert "como 12500,50 o 12.500,50" in message
