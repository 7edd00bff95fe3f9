"""The owner reads the nouns and payment examples of the business's country.

A Colombian owner reads "festivo", a Mexican one "día festivo" and a CLABE,
and only an Argentine owner reads "salteado", an alias and a CBU. The CLI
tests run the real commands on a business of each country. The scan fails
on an Argentine-only word that reaches the owner's literals without going
through `cobranza.country_words`.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy import select
from stdnum.br import cnpj
from stdnum.cl import rut
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.compliance.reasons import Reason
from cobranza.config import (
    COUNTRY_DEFAULTS,
    SUPPORTED_COUNTRIES,
    Settings,
    get_settings,
)
from cobranza.country_words import (
    ARGENTINA,
    COUNTRY_WORDS,
    NEUTRAL,
    words_for,
    words_for_country,
)
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.db.models import Business
from cobranza.jobs.dry_run import DryRunMessage, Outcome
from cobranza.jobs.terminal import render_dry_run_messages
from cobranza.messages.preview import sample_variables
from cobranza.timeutil import utcnow
from cobranza.web.app import create_app
from cobranza.web.templating import TEMPLATES_DIR
from cobranza.wording import KIND_LABELS, kind_label, reason_label
from tests.channels.factories import make_customer, make_document
from tests.ingest.conftest import write_csv
from tests.scenarios.helpers import local_instant
from tests.test_voseo import (
    SOURCE_DIR,
    owner_sources,
    python_literals,
    template_literals,
)
from tests.web.conftest import sign_in
from tests.web.factories import make_owner

runner = CliRunner()
OWNER_EMAIL = "duenia@ejemplo.com"
# A wide terminal, so that Rich wraps no table cell.
WIDE = {"COLUMNS": "250"}

# Argentine-only words, lower case, that the owner must not read from
# another country's business.
ARGENTINE_WORDS = frozenset(
    {"feriado", "feriados", "salteado", "salteados", "salteada", "salteadas", "cbu"}
)
# Modules, relative to the package, whose literals may keep an Argentine
# word, with the reason.
ARGENTINE_WORD_EXEMPTIONS = {
    # The table of each country's words.
    "country_words.py",
    # The demo's business is Argentine, and its instructions are its own.
    "jobs/demo.py",
    # Payment words that the reply reader looks for, and the LLM's intent list.
    "conversations/actions.py",
    "conversations/llm.py",
    # The names of the account numbers the owner writes: a CBU is named only
    # when the owner wrote one, or when the business is Argentine.
    "payments/account_numbers.py",
}


@dataclass(frozen=True)
class Country:
    """A business in one country and what its owner reads."""

    code: str
    phone: str
    # A weekday that is a public holiday, and the next business day.
    holiday: date
    business_day: date
    holiday_reason: str
    holidays: str
    duplicates: str
    payment_means: str
    payment_example: str
    payment_command: str


COUNTRIES = (
    Country(
        "AR",
        "+5491155550001",
        date(2026, 3, 24),
        date(2026, 3, 25),
        "es feriado en el país del cliente",
        "feriados",
        "Duplicados salteados",
        "(alias, CBU, CLABE…)",
        "transferencia al alias MI.NEGOCIO (CBU 0000003100000000000000)",
        'payment_instructions "transferencia al alias MI.NEGOCIO"',
    ),
    Country(
        "CO",
        "+573001234567",
        date(2026, 7, 20),
        date(2026, 7, 21),
        "es festivo en el país del cliente",
        "festivos",
        "Duplicados omitidos",
        "(Nequi, Daviplata, cuenta Bancolombia…)",
        "Nequi 3001234567 o cuenta de ahorros Bancolombia 123-456789-01",
        'payment_instructions "Nequi 3001234567"',
    ),
    Country(
        "MX",
        "+5215512345678",
        date(2026, 9, 16),
        date(2026, 9, 17),
        "es día festivo en el país del cliente",
        "días festivos",
        "Duplicados omitidos",
        "(CLABE, banco, titular…)",
        "transferencia a la CLABE 002180701234567895 a nombre de Mi Negocio",
        'payment_instructions "transferencia a la CLABE 002180701234567895"',
    ),
    Country(
        "CL",
        "+56912345678",
        date(2026, 9, 18),
        date(2026, 9, 21),
        "es feriado en el país del cliente",
        "feriados",
        "Duplicados omitidos",
        "(cuenta RUT, cuenta corriente, RUT del titular…)",
        "transferencia a la cuenta RUT 12345678 de BancoEstado, RUT 12.345.678-5",
        'payment_instructions "cuenta RUT 12345678 de BancoEstado"',
    ),
    Country(
        "BR",
        "+5511987654321",
        date(2026, 9, 7),
        date(2026, 9, 8),
        "es feriado en el país del cliente",
        "feriados",
        "Duplicados omitidos",
        "(clave Pix, banco, agencia y cuenta…)",
        "Pix, chave CNPJ 11.222.333/0001-81",
        'payment_instructions "Pix, chave CNPJ 11.222.333/0001-81"',
    ),
)


def _flat(output: str) -> str:
    """Return the output on one line, without table borders."""
    return " ".join(output.replace("│", " ").replace("┃", " ").split())


@pytest.fixture(params=COUNTRIES, ids=[country.code for country in COUNTRIES])
def country(
    request: pytest.FixtureRequest, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Country]:
    """Point the CLI at a business of the country without a payment provider.

    Its one consenting customer owes an invoice that fell due 20 days before
    the country's holiday.
    """
    country: Country = request.param
    monkeypatch.setenv("COBRANZA_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COBRANZA_COUNTRY", country.code)
    monkeypatch.setenv("COBRANZA_ENVIRONMENT", "production")
    get_settings.cache_clear()
    timezone = COUNTRY_DEFAULTS[country.code][0]
    due_on = country.holiday - timedelta(days=20)
    setup = local_instant(due_on - timedelta(days=10), 10, timezone)
    engine = make_engine(sqlite_url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        customer = make_customer(session, business, setup, "C1", country.phone)
        make_document(session, customer, setup, "F-1", "150000", due_on)
    engine.dispose()
    yield country
    get_settings.cache_clear()


def _invoke(*arguments: str) -> str:
    result = runner.invoke(app, list(arguments), env=WIDE)
    assert result.exit_code == 0, result.output
    return _flat(result.output)


def test_dry_run_names_country_holiday(country: Country) -> None:
    output = _invoke("run", "--now", f"{country.holiday}T10:00", "--dry-run")

    # The cycle's table, then the list of messages.
    reason = country.holiday_reason
    assert f"Diferidos {reason[:1].upper()}{reason[1:]}" in output
    assert f"Diferido hasta {country.business_day:%d/%m}" in output
    assert reason in output
    if "feriado" not in reason:
        assert "feriado en el país" not in output


def test_dry_run_names_country_payment_example(country: Country) -> None:
    if country.code == "BR":
        # A Brazilian message waits for the CNPJ first.
        _invoke("settings", "set", "tax_id", "11.222.333/0001-81")

    output = _invoke("run", "--now", f"{country.business_day}T10:00", "--dry-run")

    assert "una forma de pagarte" in output
    assert country.payment_command in output
    if country.code != "AR":
        assert "alias" not in output


def test_summary_page_payment_example(country: Country) -> None:
    if country.code == "BR":
        _invoke("settings", "set", "tax_id", "11.222.333/0001-81")
    _invoke("run", "--now", f"{country.business_day}T10:00")
    engine = make_engine(get_settings().database_url)
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        make_owner(session, business, utcnow(), OWNER_EMAIL)
    app = create_app(Settings(_env_file=None, environment="development"), engine)  # type: ignore[call-arg]

    with TestClient(app, base_url="https://testserver") as client:
        sign_in(client, OWNER_EMAIL)
        page = html.unescape(client.get("/").text)
    engine.dispose()

    assert "1 mensaje espera una forma de pagarte" in page
    assert country.payment_command in page


def test_settings_show_country_words(country: Country) -> None:
    output = _invoke("settings", "show")

    assert f"cómo pagarte sin link de pago {country.payment_means}" in output
    assert f"fija el horario de contacto, los {country.holidays} y los" in output


def test_empty_instructions_country_example(country: Country) -> None:
    result = runner.invoke(
        app, ["settings", "set", "payment_instructions", " "], env=WIDE
    )

    assert result.exit_code == 2
    assert f"por ejemplo «{country.payment_example}»" in _flat(result.output)


def test_rules_show_country_holidays(country: Country) -> None:
    output = _invoke("rules", "show")

    assert f"{country.holidays}: no se envía" in output


def test_import_report_country_words(country: Country, tmp_path: Path) -> None:
    row = ["Cliente Dos (ficticio)", "F-2", "10/03/2026", "1000", "1000"]
    rows = [["Cliente", "Factura", "Vencimiento", "Importe", "Saldo"], row, row]
    path = write_csv(tmp_path / "saldos.csv", rows, separator=";")

    output = _invoke("import", str(path), "--dry-run")

    assert f"{country.duplicates} 1" in output
    if country.code != "AR":
        assert "saltead" not in output


def test_argentina_words_as_before() -> None:
    assert words_for(None) is ARGENTINA
    assert words_for("es_AR") is ARGENTINA
    assert Reason.HOLIDAY.label == "Es feriado en el país del cliente"
    assert reason_label("holiday") == Reason.HOLIDAY.label
    assert reason_label("holiday", "es_AR") == Reason.HOLIDAY.label
    assert kind_label("step_skipped", "es_AR") == KIND_LABELS["step_skipped"]
    assert KIND_LABELS["step_skipped"] == "paso salteado"
    assert sample_variables("es_AR").payment_instructions == (
        "Transferencia al alias tornillo.mp"
    )


@pytest.mark.parametrize(
    ("locale", "holiday_reason", "skipped_step"),
    [
        ("es_CO", "Es festivo en el país del cliente", "paso omitido"),
        ("es-MX", "Es día festivo en el país del cliente", "paso omitido"),
        ("es_CL", "Es feriado en el país del cliente", "paso omitido"),
        ("es_PE", "Es feriado en el país del cliente", "paso omitido"),
        ("es_UY", "Es feriado en el país del cliente", "paso salteado"),
        ("pt_BR", "Es feriado en el país del cliente", "paso omitido"),
        ("es", "Es feriado en el país del cliente", "paso omitido"),
    ],
)
def test_labels_by_locale(locale: str, holiday_reason: str, skipped_step: str) -> None:
    assert reason_label("holiday", locale) == holiday_reason
    assert kind_label("step_skipped", locale) == skipped_step


def test_unknown_country_neutral() -> None:
    assert words_for("es_ES") is NEUTRAL
    assert words_for("es") is NEUTRAL
    assert words_for_country("XX") is NEUTRAL
    assert words_for_country(" co ") is COUNTRY_WORDS["CO"]


def test_every_supported_country_has_words() -> None:
    assert set(COUNTRY_WORDS) == set(SUPPORTED_COUNTRIES)


def test_salteado_only_rio_de_la_plata() -> None:
    salteado = {
        code
        for code, words in COUNTRY_WORDS.items()
        if words.skipped(plural=True, feminine=True) == "salteadas"
    }

    assert salteado == {"AR", "UY"}
    assert COUNTRY_WORDS["MX"].skipped(plural=True) == "omitidos"
    assert COUNTRY_WORDS["CO"].skipped(feminine=True) == "omitida"


def test_only_argentina_has_alias() -> None:
    for code, words in COUNTRY_WORDS.items():
        examples = " ".join(
            (
                words.payment_example,
                words.payment_example_short,
                words.sample_instructions,
            )
        ).lower()
        if code == "AR":
            assert "alias" in examples
        else:
            assert "alias" not in examples, code
            assert "cbu" not in examples, code


def test_examples_have_valid_check_digits() -> None:
    clabe = "002180701234567895"
    weights = ((3, 7, 1) * 6)[:17]
    total = sum(
        int(digit) * weight % 10
        for digit, weight in zip(clabe[:17], weights, strict=True)
    )

    assert str((10 - total % 10) % 10) == clabe[17]
    assert clabe in COUNTRY_WORDS["MX"].payment_example
    assert rut.is_valid("12.345.678-5")
    assert "12.345.678-5" in COUNTRY_WORDS["CL"].payment_example
    assert cnpj.is_valid("11.222.333/0001-81")
    assert "11.222.333/0001-81" in COUNTRY_WORDS["BR"].payment_example


def test_previews_use_country_instructions() -> None:
    assert "CLABE" in str(sample_variables("es_MX").payment_instructions)
    assert "Nequi" in str(sample_variables("es_CO").payment_instructions)
    assert "Yape" in str(sample_variables("es_PE").payment_instructions)
    assert "Pix" in str(sample_variables("pt_BR").payment_instructions)


def test_holidays_after_weekend_colombia() -> None:
    message = DryRunMessage(
        customer_external_id="C1",
        customer_name="Ana (ficticia)",
        step="reminder_soft",
        step_kind="reminder_soft",
        channel="sandbox",
        amount=Decimal("125000"),
        currency="COP",
        outcome=Outcome.DEFER,
        reason="day_not_allowed",
        until=datetime(2026, 8, 19, 12, 0, tzinfo=UTC),
        holidays=(
            (date(2026, 8, 17), "La Asunción de la Virgen"),
            # A calendar's name keeps its words.
            (date(2026, 8, 18), "Feriado puente"),
        ),
    )
    console = Console(record=True, width=250)

    console.print(
        render_dry_run_messages(
            [message],
            datetime(2026, 8, 15, 15, tzinfo=UTC),
            "America/Bogota",
            "es_CO",
            "Mensajes",
        )
    )

    text = _flat(console.export_text())
    assert "y martes 18/08 (Feriado puente) son festivos" in text


def _argentine_words(literal: str) -> set[str]:
    words = {word.strip(".,;:()«»\"'").lower() for word in literal.split()}
    return words & ARGENTINE_WORDS


def test_owner_literals_have_no_argentine_words() -> None:
    found: dict[str, set[str]] = {}
    for path in owner_sources():
        if path.relative_to(SOURCE_DIR).as_posix() in ARGENTINE_WORD_EXEMPTIONS:
            continue
        for literal in python_literals(path):
            for word in _argentine_words(literal):
                found.setdefault(word, set()).add(path.name)
    for path in sorted(TEMPLATES_DIR.glob("*.html")):
        for literal in template_literals(path):
            for word in _argentine_words(literal):
                found.setdefault(word, set()).add(path.name)

    assert found == {}, (
        "take each word from cobranza.country_words (words_for) so that owners "
        f"in other countries read their own: {found}"
    )


def test_scan_finds_argentine_words() -> None:
    assert _argentine_words("Duplicados salteados: 2 (CBU)") == {"salteados", "cbu"}
