"""The command line's `--help` pages, with Spanish headings and labels."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer._click.core import Command
from typer.core import TyperGroup
from typer.main import get_command
from typer.testing import CliRunner, Result

from cobranza.cli import app
from cobranza.cli_help import SpanishHelpMixin

runner = CliRunner()

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
    return runner.invoke(app, [*args, "--help"], prog_name="cobranza")


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
