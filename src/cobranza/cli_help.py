"""Spanish labels for the command line's `--help` pages.

Typer 0.29 titles the help panels "Arguments", "Options" and "Commands",
marks parameters "[required]" and "[default: ...]", and starts each page
with "Usage:". The panel titles and marks are module constants of
`typer.rich_utils`, read each time a page is printed, so
`use_spanish_help_labels` replaces them once. The usage line and the help
of the options Typer adds itself (`--help`, `--install-completion`,
`--show-completion`) belong to each command, so `SpanishHelpMixin` writes
them for the command classes that cobranza's Typer apps use.

The help texts of the commands and options are written in es-AR voseo
("probá", "repetilo"). For a tú locale `SpanishHelpMixin.format_help`
rewrites each one with `cobranza.voseo.to_tu` as Typer formats it, so
quoted values keep their words. The locale is the configured one
(COBRANZA_LOCALE or COBRANZA_COUNTRY), as for the usage errors, because
a help page is printed before any command reads its business.

NOTE: the type marks Typer prints beside each option (`<bool>`, `<str>`,
`<int>`) are Python type names and stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer.rich_utils
from pydantic import ValidationError
from typer._click.core import Context, Parameter
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from cobranza.config import get_settings
from cobranza.voseo import to_tu, uses_voseo

# Help of the options that Typer adds to every command or to the root.
_OWN_OPTION_HELP = {
    "help": "Muestra esta ayuda y termina.",
    "install_completion": "Instala el autocompletado para la shell actual.",
    "show_completion": "Muestra el autocompletado para la shell actual, para "
    "copiarlo o ajustarlo.",
}


def use_spanish_help_labels() -> None:
    """Replace Typer's English panel titles and parameter marks in `--help`."""
    typer.rich_utils.ARGUMENTS_PANEL_TITLE = "Argumentos"
    typer.rich_utils.OPTIONS_PANEL_TITLE = "Opciones"
    typer.rich_utils.COMMANDS_PANEL_TITLE = "Comandos"
    typer.rich_utils.REQUIRED_LONG_STRING = "[obligatorio]"
    typer.rich_utils.DEFAULT_STRING = "[por defecto: {}]"
    typer.rich_utils.ENVVAR_STRING = "[variable de entorno: {}]"
    typer.rich_utils.DEPRECATED_STRING = "(obsoleto) "


class SpanishHelpMixin:
    """A mixin for command classes: the usage line and Typer's options in Spanish.

    The help texts are printed in the voice of the configured locale.
    """

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        with help_in_voice(configured_locale()):
            super().format_help(ctx, formatter)  # type: ignore[misc]

    def get_usage(self, ctx: Context) -> str:
        return f"Uso: {usage_line(ctx)}"

    def get_params(self, ctx: Context) -> list[Parameter]:
        params: list[Parameter] = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            spanish = _OWN_OPTION_HELP.get(param.name or "")
            if spanish is not None and isinstance(param, TyperOption):
                param.help = spanish
        return params


class SpanishCommand(SpanishHelpMixin, TyperCommand):
    """A Typer command whose `--help` page is in Spanish."""


def configured_locale() -> str | None:
    """Return the locale of the settings, or None (es-AR) when they are invalid."""
    # Settings that fail to load get their own error once a command reads
    # them. Until then the default voice is the only one known.
    try:
        return get_settings().locale
    except (ValidationError, ValueError):
        return None


@contextmanager
def help_in_voice(locale: str | None) -> Iterator[None]:
    """Print the help texts formatted inside in the voice of `locale`.

    Typer 0.29 turns every help text of a page into Rich text through
    `typer.rich_utils._make_rich_text`: the command's, each option's and
    argument's, each subcommand's line and the epilog. Wrapping that
    function rewrites them all, and the option names, defaults and usage
    line, which Typer builds without it, stay as they are.
    """
    if uses_voseo(locale):
        yield
        return
    make_rich_text = typer.rich_utils._make_rich_text

    def make_tu_rich_text(*, text: str, **kwargs: Any) -> Any:
        return make_rich_text(text=to_tu(text), **kwargs)

    typer.rich_utils._make_rich_text = make_tu_rich_text
    try:
        yield
    finally:
        typer.rich_utils._make_rich_text = make_rich_text


def usage_line(ctx: Context) -> str:
    """Return the command's usage, the text after Click's "Usage:", in Spanish."""
    params = ctx.command.get_params(ctx)
    pieces = [ctx.command_path]
    if any(isinstance(param, TyperOption) and not param.hidden for param in params):
        pieces.append("[OPCIONES]")
    for param in params:
        if isinstance(param, TyperArgument):
            name = argument_name(param)
            if param.nargs == -1:
                name = f"{name}..."
            pieces.append(name if param.required else f"[{name}]")
    if isinstance(ctx.command, TyperGroup):
        pieces.append("COMANDO [ARGUMENTOS]...")
    return " ".join(pieces)


def argument_name(param: Parameter) -> str:
    """Return an argument's name as usage lines show it: FILE for `file`."""
    return str(param.metavar or param.name or "").upper()
