"""Usage errors, aborts and Ctrl-C of the command line, printed in Spanish."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import pytest
import typer
from typer._click.exceptions import BadArgumentUsage
from typer.testing import CliRunner, Result

from cobranza.cli import app
from cobranza.cli_errors import (
    INTERRUPT_STATUS,
    SpanishErrorsGroup,
    spanish_errors,
    usage_error_text,
)
from cobranza.config import get_settings

runner = CliRunner()

SRC_DIR = Path(__file__).parents[1] / "src"

# Typer's own English, which no usage error may print.
ENGLISH_FRAGMENTS = (
    "Usage:",
    "Error ─",
    "No such",
    "Missing",
    "Invalid value",
    "Try '",
    "for help",
    "Did you mean",
    "Possible options",
    "unexpected extra",
    "requires",
    "does not",
    "is not",
    "Input should",
    "Aborted",
)


@pytest.fixture(autouse=True)
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("COBRANZA_COUNTRY", raising=False)
    monkeypatch.delenv("COBRANZA_LOCALE", raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _invoke(*args: str) -> Result:
    return runner.invoke(app, list(args), prog_name="cobranza")


def _error_lines(result: Result) -> str:
    """Return stderr with each run of spaces and line breaks made one space."""
    return " ".join(result.stderr.split())


def _assert_spanish_usage_error(result: Result) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    for fragment in ENGLISH_FRAGMENTS:
        assert fragment not in result.stderr, fragment


def test_unknown_option_suggests_close_one() -> None:
    result = _invoke("import", "--dry")

    _assert_spanish_usage_error(result)
    printed = _error_lines(result)
    assert "Uso: cobranza import [OPCIONES] FILE" in printed
    assert "Error: la opción «--dry» no existe. ¿Quisiste decir --dry-run?" in printed
    assert "Probá `cobranza import --help` para ver las opciones." in printed


def test_unknown_root_option_has_no_suggestion() -> None:
    result = _invoke("--zzz")

    _assert_spanish_usage_error(result)
    printed = _error_lines(result)
    assert "Error: la opción «--zzz» no existe." in printed
    assert "Quisiste" not in printed
    assert "Uso: cobranza [OPCIONES] COMANDO [ARGUMENTOS]..." in printed
    assert "Probá `cobranza --help` para ver los comandos." in printed


def test_unknown_command_suggests_close_one() -> None:
    result = _invoke("improt", "facturas.csv")

    _assert_spanish_usage_error(result)
    assert "el comando «improt» no existe. ¿Quisiste decir import?" in _error_lines(
        result
    )


def test_unknown_subcommand_names_its_group() -> None:
    result = _invoke("consent", "grnat", "C-1")

    _assert_spanish_usage_error(result)
    printed = _error_lines(result)
    assert "el comando «grnat» no existe. ¿Quisiste decir grant?" in printed
    assert "Probá `cobranza consent --help` para ver los comandos." in printed


def test_missing_argument_names_it_with_its_help() -> None:
    result = _invoke("import")

    _assert_spanish_usage_error(result)
    assert (
        "Error: falta el argumento FILE: Planilla de facturas exportada en CSV o XLSX."
        in _error_lines(result)
    )


def test_missing_option_names_it_with_its_help() -> None:
    result = _invoke("consent", "grant", "C-1")

    _assert_spanish_usage_error(result)
    printed = _error_lines(result)
    assert "Error: falta la opción --source: De dónde salió el consentimiento" in (
        printed
    )
    assert "Uso: cobranza consent grant [OPCIONES] CUSTOMER" in printed


def test_option_without_value_shows_its_metavar() -> None:
    result = _invoke("import", "facturas.csv", "--sheet")

    _assert_spanish_usage_error(result)
    printed = _error_lines(result)
    assert "Error: la opción --sheet necesita un valor, como --sheet NOMBRE." in printed
    assert "Probá `cobranza import --help` para ver las opciones." in printed


def test_flag_given_a_value() -> None:
    result = _invoke("import", "--dry-run=sí", "facturas.csv")

    _assert_spanish_usage_error(result)
    assert (
        "Error: la opción --dry-run no lleva valor: escribí solo --dry-run."
        in _error_lines(result)
    )


def test_integer_option_rejects_text() -> None:
    result = _invoke("audit", "--top", "diez")

    _assert_spanish_usage_error(result)
    assert "Error: valor inválido para --top: «diez» no es un número entero." in (
        _error_lines(result)
    )


def test_integer_option_below_minimum() -> None:
    result = _invoke("audit", "--top", "0")

    _assert_spanish_usage_error(result)
    assert "Error: valor inválido para --top: «0» tiene que ser 1 o más." in (
        _error_lines(result)
    )


def test_missing_file_is_named() -> None:
    result = _invoke("import", "no-existe.csv")

    _assert_spanish_usage_error(result)
    assert (
        "Error: valor inválido para FILE: el archivo «no-existe.csv» no existe. "
        "Revisá la ruta." in _error_lines(result)
    )


def test_extra_arguments_suggest_quotes() -> None:
    result = _invoke("customers", "Casa", "Central")

    _assert_spanish_usage_error(result)
    printed = _error_lines(result)
    assert "Error: sobran «Casa Central»: este comando no los usa." in printed
    assert "escribilo entre comillas" in printed


def test_extra_argument_alone() -> None:
    result = _invoke("customers", "todos")

    _assert_spanish_usage_error(result)
    assert "Error: sobra «todos»: este comando no lo usa." in _error_lines(result)


def test_project_message_passes_through(cli_env: Path) -> None:
    sheet = cli_env / "facturas.csv"
    sheet.write_text("numero,cliente\n1,A\n", encoding="utf-8")

    result = _invoke("import", "--dry-run", "--map", "sin-igual", str(sheet))

    _assert_spanish_usage_error(result)
    printed = _error_lines(result)
    assert (
        'Error: valor inválido para --map: "sin-igual" no tiene la forma '
        "COLUMNA=CAMPO" in printed
    )
    assert "Uso: cobranza import [OPCIONES] FILE" in printed
    assert not (cli_env / "cli.db").exists()


def test_typed_value_keeps_its_voseo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", "MX")
    get_settings.cache_clear()

    result = _invoke("customers", "revisá")

    _assert_spanish_usage_error(result)
    assert "sobra «revisá»" in _error_lines(result)


def test_tu_form_for_configured_mexico(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", "MX")
    get_settings.cache_clear()

    result = _invoke("import", "no-existe.csv")

    _assert_spanish_usage_error(result)
    printed = _error_lines(result)
    assert "Revisa la ruta." in printed
    assert "Prueba `cobranza import --help` para ver las opciones." in printed
    assert "Probá" not in printed


def test_invalid_settings_fall_back_to_voseo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", "ZZ")
    get_settings.cache_clear()

    result = _invoke("import", "--dry")

    _assert_spanish_usage_error(result)
    assert "Probá `cobranza import --help`" in _error_lines(result)


def test_help_without_command_is_unchanged() -> None:
    result = _invoke("consent")

    assert result.exit_code == 2
    assert "grant" in result.stdout
    assert "Error" not in result.output


class Tone(StrEnum):
    FORMAL = "formal"
    FRIENDLY = "friendly"


def _typed_app() -> typer.Typer:
    """Build an app with the parameter types that cobranza's commands lack."""
    typed = typer.Typer(cls=SpanishErrorsGroup)

    @typed.callback()
    def root(verbose: bool = typer.Option(False, "--verbose")) -> None:
        del verbose

    @typed.command("set")
    def set_command(
        rate: float = typer.Option(1.0, "--rate"),
        tone: Tone = typer.Option(Tone.FORMAL, "--tone"),
        since: datetime | None = typer.Option(None, "--since"),
        folder: Path | None = typer.Option(None, "--folder", file_okay=False),
        sheet: Path | None = typer.Option(None, "--sheet", exists=True, dir_okay=False),
    ) -> None:
        del rate, tone, since, folder, sheet

    @typed.command("show")
    def show_command(mode: Tone) -> None:
        del mode

    return typed


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["set", "--rate", "uno"],
            "valor inválido para --rate: «uno» no es un número.",
        ),
        (
            ["set", "--tone", "seco"],
            "valor inválido para --tone: «seco» no es una de las opciones: elegí "
            "formal o friendly.",
        ),
        (
            ["set", "--since", "ayer"],
            "valor inválido para --since: «ayer» no es una fecha y hora: escribila "
            "como 2026-03-31 o 2026-03-31T14:30:00.",
        ),
        (
            ["set", "--sheet", "."],
            "valor inválido para --sheet: «.» es una carpeta: pasá la ruta de un "
            "archivo.",
        ),
        (["show"], "falta el argumento MODE. Elegí formal o friendly."),
        (["--verbose"], "falta el comando. Elegí set o show."),
    ],
)
def test_typer_conversion_errors(args: list[str], expected: str) -> None:
    result = runner.invoke(_typed_app(), args, prog_name="prueba")

    _assert_spanish_usage_error(result)
    assert f"Error: {expected}" in _error_lines(result)


def test_argument_count_error() -> None:
    error = BadArgumentUsage("Argument 'pair' takes 2 values.")

    assert usage_error_text(error) == "el argumento PAIR necesita 2 valores."


def test_ctrl_c_is_cancelled(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped, spanish_errors(None):
        raise KeyboardInterrupt

    assert stopped.value.code == INTERRUPT_STATUS
    assert capsys.readouterr().err == "Cancelado.\n"


def _run_module(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(SRC_DIR), os.environ.get("PYTHONPATH")])
        ),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "cobranza", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["improt"], "Error: el comando «improt» no existe. ¿Quisiste decir import?"),
        (
            ["import", "--dry"],
            "Error: la opción «--dry» no existe. ¿Quisiste decir --dry-run?",
        ),
        (["import"], "Error: falta el argumento FILE"),
        (
            ["audit", "--top", "x"],
            "Error: valor inválido para --top: «x» no es un número entero.",
        ),
    ],
)
def test_module_prints_spanish(args: list[str], expected: str) -> None:
    result = _run_module(*args)

    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    printed = " ".join(result.stderr.split())
    assert expected in printed
    assert "Probá `python -m cobranza" in printed
    assert "Usage" not in printed


def test_module_speaks_tu_for_mexico(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", "MX")

    result = _run_module("import", "--dry")

    assert result.returncode == 2, result.stderr
    assert "Prueba `python -m cobranza import --help`" in " ".join(
        result.stderr.split()
    )


@pytest.mark.parametrize(
    ("args", "expected", "voseo"),
    [
        (("run", "--limit", "5"), "Agrega --dry-run, o saca la opción", "Agregá"),
        (("run", "--dry-run", "--limit", "3", "--all"), "Usa --limit o --all", "Usá"),
        (("run", "--rate", "0"), "Usa un número de 0.1 en adelante", "Usá"),
        (("run", "--dry-run", "--only", "enviar"), "Usa uno de: send", "Usá"),
        (("worker", "--poll", "0"), "Usa un número de 0.1 en adelante", "Usá"),
    ],
)
def test_option_check_speaks_tu_for_mexico(
    monkeypatch: pytest.MonkeyPatch,
    cli_env: Path,
    args: tuple[str, ...],
    expected: str,
    voseo: str,
) -> None:
    # These checks run before the command reads its business, so the voice
    # comes from COBRANZA_COUNTRY, as it does for usage errors.
    monkeypatch.setenv("COBRANZA_COUNTRY", "MX")
    get_settings.cache_clear()

    result = _invoke(*args)

    assert result.exit_code == 2, result.output
    printed = _error_lines(result)
    assert expected in printed
    assert voseo not in printed
    assert not (cli_env / "cli.db").exists()


def test_option_check_keeps_voseo_for_argentina() -> None:
    result = _invoke("run", "--rate", "0")

    assert result.exit_code == 2, result.output
    assert "Usá un número de 0.1 en adelante" in _error_lines(result)


def test_negative_value_read_as_option_explained() -> None:
    result = _invoke("settings", "set", "promise_grace_days", "-1")

    _assert_spanish_usage_error(result)
    printed = _error_lines(result)
    assert "la opción «-1» no existe." in printed
    assert "Si «-1» es un valor, escribí -- antes de los valores" in printed


def test_unknown_dash_word_gets_no_value_hint() -> None:
    result = _invoke("settings", "set", "promise_grace_days", "-x")

    _assert_spanish_usage_error(result)
    printed = _error_lines(result)
    assert "la opción «-x» no existe." in printed
    assert "es un valor" not in printed


def test_unknown_revision_is_named(cli_env: Path) -> None:
    result = _invoke("db", "upgrade", "0099_nueva")

    assert result.exit_code == 2, result.output
    printed = _error_lines(result)
    assert "No se migró la base: la revisión «0099_nueva» no existe" in printed
    assert "heads" in printed
