"""The command line's `--help` pages, with Spanish headings and labels.

The help texts are written in voseo and printed in tú forms when the
configured locale is not es_AR or es_UY.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer
import typer.rich_utils
from typer._click.core import Command
from typer.core import TyperGroup
from typer.main import get_command
from typer.testing import CliRunner, Result

from cobranza.cli import app
from cobranza.cli_errors import SpanishTyper
from cobranza.cli_help import SpanishHelpMixin
from cobranza.config import get_settings

runner = CliRunner()
# Wide enough that no help text wraps, so a phrase is found on one line.
WIDE = {"COLUMNS": "300"}

# Typer's English labels, which no help page may print.
ENGLISH_LABELS = (
    "Usage",
    "Arguments",
    "Options",
    "Commands",
    "[required]",
    "[default:",
    "Show this message",
    "Install completion",
    "Show completion",
)


def _help(*args: str) -> Result:
    return runner.invoke(app, [*args, "--help"], prog_name="cobranza", env=WIDE)


@pytest.fixture
def country(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let a test set COBRANZA_COUNTRY, with the settings read again."""
    monkeypatch.delenv("COBRANZA_COUNTRY", raising=False)
    monkeypatch.delenv("COBRANZA_LOCALE", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _set_country(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", code)
    get_settings.cache_clear()


def _assert_no_english(result: Result) -> None:
    for label in ENGLISH_LABELS:
        assert label not in result.stdout, label


def test_command_help_is_spanish() -> None:
    result = _help("import")

    assert result.exit_code == 0, result.output
    _assert_no_english(result)
    assert "Uso: cobranza import [OPCIONES] FILE" in result.stdout
    assert "Argumentos" in result.stdout
    assert "Opciones" in result.stdout
    assert "[obligatorio]" in result.stdout
    assert "Muestra esta ayuda y termina." in result.stdout


def test_command_help_shows_defaults() -> None:
    result = _help("audit")

    assert result.exit_code == 0, result.output
    _assert_no_english(result)
    assert "[por defecto: 90]" in result.stdout


def test_root_help_is_spanish() -> None:
    result = _help()

    assert result.exit_code == 0, result.output
    _assert_no_english(result)
    assert "Uso: cobranza [OPCIONES] COMANDO [ARGUMENTOS]..." in result.stdout
    assert "Comandos" in result.stdout
    assert "Instala el autocompletado" in result.stdout


def test_group_help_is_spanish() -> None:
    result = _help("consent")

    assert result.exit_code == 0, result.output
    _assert_no_english(result)
    assert "Uso: cobranza consent [OPCIONES] COMANDO [ARGUMENTOS]..." in result.stdout


def _commands(command: Command, path: str) -> Iterator[tuple[str, Command]]:
    yield path, command
    if isinstance(command, TyperGroup):
        for name, child in command.commands.items():
            yield from _commands(child, f"{path} {name}")


@pytest.mark.parametrize(
    ("path", "command"), list(_commands(get_command(app), "cobranza"))
)
def test_every_command_has_spanish_help(path: str, command: Command) -> None:
    assert isinstance(command, SpanishHelpMixin), path


# Help texts of real commands, in voseo and in tú forms: an option's help, a
# command's docstring and the root's help.
HELP_VOICES = (
    (("case", "hold"), "Repetilo para varias", "Repítelo para varias"),
    (("case", "hold"), "Por qué dejás de cobrarlas", "Por qué dejas de cobrarlas"),
    (("policy", "show"), "repetilo para ver varios", "repítelo para ver varios"),
    (("worker",), "Usalo junto con", "Úsalo junto con"),
    ((), "cobranza: cobrá tus facturas", "cobranza: cobra tus facturas"),
)


@pytest.mark.parametrize(("args", "voseo", "tu_form"), HELP_VOICES)
def test_help_in_tu_for_mexico(
    country: None,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    voseo: str,
    tu_form: str,
) -> None:
    _set_country(monkeypatch, "MX")

    result = _help(*args)

    assert result.exit_code == 0, result.output
    assert tu_form in result.stdout
    assert voseo not in result.stdout


@pytest.mark.parametrize("code", ["AR", "UY"])
@pytest.mark.parametrize(("args", "voseo", "tu_form"), HELP_VOICES)
def test_help_in_voseo_for_rio_de_la_plata(
    country: None,
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    args: tuple[str, ...],
    voseo: str,
    tu_form: str,
) -> None:
    unconfigured = _help(*args).stdout
    _set_country(monkeypatch, code)

    result = _help(*args)

    assert result.exit_code == 0, result.output
    assert voseo in result.stdout
    assert result.stdout == unconfigured


def test_group_lists_commands_in_tu(
    country: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = SpanishTyper()

    @app.command("retain")
    def retain() -> None:
        """Retené las facturas. Probá con «Volvé SRL» o "podés"."""

    @app.command("show")
    def show() -> None:
        """Muestra los casos."""

    _set_country(monkeypatch, "MX")

    result = runner.invoke(app, ["--help"], env=WIDE)

    assert result.exit_code == 0, result.output
    assert 'Retén las facturas. Prueba con «Volvé SRL» o "podés".' in result.stdout


def test_help_keeps_quoted_values(
    country: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = SpanishTyper()

    @app.command()
    def retain(
        reason: str = typer.Option(
            ..., help="Poné el motivo, como «tenés que pagar» o 'volvé'."
        ),
    ) -> None:
        """Retené las facturas."""

    _set_country(monkeypatch, "MX")

    result = runner.invoke(app, ["--help"], env=WIDE)

    assert result.exit_code == 0, result.output
    assert "Retén las facturas." in result.stdout
    assert "Pon el motivo, como «tenés que pagar» o 'volvé'." in result.stdout


def test_help_with_invalid_settings_in_voseo(
    country: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_country(monkeypatch, "ZZ")

    result = _help("case", "hold")

    assert result.exit_code == 0, result.output
    assert "Repetilo para varias" in result.stdout


def test_help_restores_typer_formatting(
    country: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_rich_text = typer.rich_utils._make_rich_text
    _set_country(monkeypatch, "MX")

    _help("case", "hold")

    assert typer.rich_utils._make_rich_text is make_rich_text


def test_payment_add_help_has_whole_amount() -> None:
    result = _help("payment", "add")

    assert result.exit_code == 0, result.output
    assert "125000 en pesos chilenos o colombianos" in result.stdout
    assert "125.000 en Chile" in result.stdout


def test_sandbox_reply_help_has_brazilian_phone() -> None:
    result = _help("sandbox", "reply")

    assert result.exit_code == 0, result.output
    assert "+5491155550101 en Argentina" in result.stdout
    assert "+5511987654321 en Brasil" in result.stdout
