"""Spanish text for the command line's usage errors and for Ctrl-C.

Typer 0.29 (which vendors Click as `typer._click`) builds its usage errors
("No such option: --foo", "Missing argument 'FILE'", "Invalid value for
'--tz'", "Got unexpected extra argument(s)") with f-strings and prints them
under an English "Usage:" line, so no gettext catalog can translate them.
`SpanishErrorsGroup`, the class of each group of a `SpanishTyper` app,
catches each error before Typer prints it and writes its own Spanish from
the exception's attributes: the parameter, the option name, the close
matches and the command path. Typer's messages without such attributes
(extra arguments, an unknown command, a value of the wrong type) are
matched against the templates of Typer 0.29, and a message that matches
none is printed as it is. A message raised by the project's own code is
already Spanish and is kept.

Errors print to stderr with exit status 2, as Click does. Ctrl-C prints
"Cancelado." with status 130, and `typer.Abort` (raised by a prompt on
Ctrl-C or at the end of its input) prints it with status 1.

The voice is the configured locale's (COBRANZA_LOCALE or COBRANZA_COUNTRY),
because parsing fails before any command has read its business.
"""

from __future__ import annotations

import ast
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from difflib import get_close_matches
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from rich.markup import escape
from typer._click.core import Context, Parameter
from typer._click.exceptions import (
    BadArgumentUsage,
    BadOptionUsage,
    BadParameter,
    ClickException,
    FileError,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperArgument, TyperGroup, TyperOption
from typer.models import CommandFunctionType

from cobranza.cli_help import (
    SpanishCommand,
    SpanishHelpMixin,
    argument_name,
    configured_locale,
    usage_line,
)
from cobranza.terminal_text import OwnerConsole, visible

logger = logging.getLogger(__name__)

# Exit statuses: Click's for a usage error and for an abort, and the
# shell's for a process stopped by SIGINT (128 + 2).
USAGE_ERROR_STATUS = 2
ABORT_STATUS = 1
INTERRUPT_STATUS = 130

CANCELLED_TEXT = "Cancelado."

# Typer 0.29's messages that carry their values only in the text.
_EXTRA_ARGUMENTS = re.compile(
    r"Got unexpected extra argument(?P<plural>s?)(?:\(s\))? \((?P<values>.*)\)"
)
_UNKNOWN_COMMAND = re.compile(r"No such command (?P<name>'.*'|\".*\")\.")
_MISSING_COMMAND = "Missing command."
_OPTION_NEEDS_VALUES = re.compile(
    r"Option (?:'.*'|\".*\") requires (?:an argument|(?P<count>\d+) arguments)\."
)
_OPTION_TAKES_NO_VALUE = re.compile(r"Option (?:'.*'|\".*\") does not take a value\.")
_ARGUMENT_COUNT = re.compile(
    r"Argument (?P<name>'.*'|\".*\") takes (?P<count>\d+) values\."
)
_NOT_ONE_OF = re.compile(
    r"(?:Value error, )?(?P<value>.*) is not one of (?P<choices>.*)\."
)
_NO_DATE_FORMAT = re.compile(
    r"(?:Value error, )?(?P<value>.*) does not match the formats (?P<formats>.*)\."
)
_NOT_VALID_TYPE = re.compile(r"Value (?P<value>.*) is not a valid (?P<type>\w+)\.")
_PATH_PROBLEM = re.compile(
    r"(?P<kind>file|dir|path) (?P<name>'.*'|\".*\") "
    r"(?P<problem>does not exist|is a file|is a directory|is not readable"
    r"|is not writable)\."
)

_PATH_KINDS = {"file": "el archivo", "dir": "la carpeta", "path": "la ruta"}
_PATH_PROBLEMS = {
    "does not exist": "{kind} {name} no existe. Revisá la ruta.",
    "is a file": "{name} es un archivo: pasá la ruta de una carpeta.",
    "is a directory": "{name} es una carpeta: pasá la ruta de un archivo.",
    "is not readable": "no hay permiso para leer {name}.",
    "is not writable": "no hay permiso para escribir en {name}.",
}

# Spanish for the pydantic error types behind Typer's type conversion,
# keyed by error type. `{value}` is the quoted input, the rest comes from
# the error's context.
_CONVERSION_PROBLEMS = {
    "int_parsing": "{value} no es un número entero.",
    "int_from_float": "{value} no es un número entero.",
    "int_type": "{value} no es un número entero.",
    "float_parsing": "{value} no es un número.",
    "float_type": "{value} no es un número.",
    "finite_number": "{value} no es un número finito.",
    "bool_parsing": "{value} no es un valor de sí o no: usá true o false.",
    "greater_than": "{value} tiene que ser mayor que {gt}.",
    "greater_than_equal": "{value} tiene que ser {ge} o más.",
    "less_than": "{value} tiene que ser menor que {lt}.",
    "less_than_equal": "{value} tiene que ser {le} o menos.",
    "date_parsing": "{value} no es una fecha: escribila como 2026-03-31.",
    "date_from_datetime_parsing": "{value} no es una fecha: escribila como 2026-03-31.",
    "datetime_parsing": "{value} no es una fecha y hora: escribila como "
    "2026-03-31 o 2026-03-31T14:30:00.",
    "datetime_from_date_parsing": "{value} no es una fecha y hora: escribila como "
    "2026-03-31 o 2026-03-31T14:30:00.",
}


class SpanishTyper(typer.Typer):
    """A Typer app whose groups and commands print help and errors in Spanish."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", SpanishErrorsGroup)
        super().__init__(**kwargs)

    def command(
        self, name: str | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        kwargs.setdefault("cls", SpanishCommand)
        return super().command(name, **kwargs)


class SpanishErrorsGroup(SpanishHelpMixin, TyperGroup):
    """A command group that prints usage errors and Ctrl-C in Spanish.

    `make_context` parses the group's own options and `invoke` runs its
    subcommands, so at the root the two cover each error Typer would print.
    Exiting there with `sys.exit` skips Typer's English handler in `main`,
    for the `cobranza` script, `python -m cobranza` and `CliRunner` alike.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: Any,
    ) -> Context:
        with spanish_errors(None):
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Context) -> Any:
        with spanish_errors(ctx):
            return super().invoke(ctx)


@contextmanager
def spanish_errors(group_ctx: Context | None) -> Iterator[None]:
    """Print a usage error, an abort or Ctrl-C raised inside in Spanish and exit.

    An error raised without a context (by Typer's option parser, or by a
    command's own `BadParameter`) gets the context of `group_ctx`'s
    subcommand, so that its usage line and help hint can be printed.
    """
    try:
        yield
    except NoArgsIsHelpError:
        # Typer has already printed the help, and exits with status 2.
        raise
    except UsageError as error:
        if error.ctx is None and group_ctx is not None:
            error.ctx = _subcommand_context(group_ctx)
        _exit_with_usage_error(error)
    except ClickException as error:
        _error_console().print(
            f"[red]Error:[/red] {click_error_text(error)}", soft_wrap=True
        )
        sys.exit(error.exit_code)
    except (typer.Abort, EOFError):
        _print_cancelled()
        sys.exit(ABORT_STATUS)
    except KeyboardInterrupt:
        _print_cancelled()
        sys.exit(INTERRUPT_STATUS)


def _subcommand_context(group_ctx: Context) -> Context | None:
    name = group_ctx.invoked_subcommand
    if name is None or not isinstance(group_ctx.command, TyperGroup):
        return None
    command = group_ctx.command.commands.get(name)
    if command is None:
        return None
    return Context(command, parent=group_ctx, info_name=name)


def _exit_with_usage_error(error: UsageError) -> NoReturn:
    console = _error_console()
    ctx = error.ctx
    if ctx is not None:
        console.print(f"Uso: {escape(usage_line(ctx))}", highlight=False)
    console.print(f"[red]Error:[/red] {usage_error_text(error)}", soft_wrap=True)
    if ctx is not None and ctx.command.get_help_option(ctx) is not None:
        listed = (
            "los comandos" if isinstance(ctx.command, TyperGroup) else "las opciones"
        )
        help_command = f"{ctx.command_path} {ctx.help_option_names[0]}"
        console.print(
            f"Probá `{escape(help_command)}` para ver {listed}.", highlight=False
        )
    sys.exit(USAGE_ERROR_STATUS)


def _print_cancelled() -> None:
    _error_console().print(f"[red]{CANCELLED_TEXT}[/red]")


def _error_console() -> OwnerConsole:
    console = OwnerConsole(stderr=True)
    console.locale = configured_locale()
    return console


def usage_error_text(error: UsageError) -> str:
    """Return the Spanish sentence for a usage error, with Rich markup."""
    if isinstance(error, NoSuchOption):
        return _unknown_option_text(error)
    if isinstance(error, BadOptionUsage):
        return _option_usage_text(error)
    if isinstance(error, MissingParameter):
        return _missing_parameter_text(error)
    if isinstance(error, BadParameter):
        return _bad_parameter_text(error)
    if isinstance(error, BadArgumentUsage):
        return _argument_usage_text(error)
    return _plain_usage_text(error)


def click_error_text(error: ClickException) -> str:
    """Return the Spanish sentence for an error that is not a usage error."""
    if isinstance(error, FileError):
        return (
            f"no se pudo abrir el archivo {_quoted(error.filename)}: "
            f"{escape(visible(error.message))}"
        )
    return escape(visible(error.format_message()))


def _unknown_option_text(error: NoSuchOption) -> str:
    text = f"la opción {_quoted(error.option_name)} no existe."
    if _NEGATIVE_NUMBER.fullmatch(error.option_name):
        # The parser reads a value that starts with a dash as an option.
        return (
            f"{text} Si {_quoted(error.option_name)} es un valor, escribí -- "
            "antes de los valores: después de -- nada se lee como opción."
        )
    if error.possibilities:
        text += f" ¿Quisiste decir {_either(sorted(error.possibilities))}?"
    return text


# An option name that is really a negative number, such as "-1" or "-2.5".
_NEGATIVE_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?")


def _option_usage_text(error: BadOptionUsage) -> str:
    # Typer's parser raises these without a context. The option's metavar
    # is known only when `spanish_errors` could add the subcommand's context.
    name = escape(error.option_name)
    if _OPTION_TAKES_NO_VALUE.fullmatch(error.message):
        return f"la opción {name} no lleva valor: escribí solo {name}."
    needs = _OPTION_NEEDS_VALUES.fullmatch(error.message)
    if needs is None:
        return f"la opción {name} está mal usada: {escape(visible(error.message))}"
    option = _find_option(error.ctx, error.option_name)
    metavar = _metavar(option) if option is not None else "VALOR"
    if needs["count"] is None:
        return f"la opción {name} necesita un valor, como {name} {metavar}."
    return f"la opción {name} necesita {needs['count']} valores."


def _missing_parameter_text(error: MissingParameter) -> str:
    param = error.param
    if param is None:
        return f"falta {_hint_text(error)}."
    text = f"falta {_parameter_description(param)}"
    # Typer's arguments and options both carry `help`, Click's base class not.
    help_text = getattr(param, "help", None)
    if help_text:
        text += f": {escape(help_text.rstrip('.'))}"
    choices = _choices(param)
    if choices:
        text += f". Elegí {_either(choices)}"
    return f"{text}."


def _bad_parameter_text(error: BadParameter) -> str:
    problem = _parameter_problem(error)
    if error.param_hint is None and error.param is None:
        return f"valor inválido: {problem}"
    return f"valor inválido para {_hint_text(error)}: {problem}"


def _argument_usage_text(error: BadArgumentUsage) -> str:
    match = _ARGUMENT_COUNT.fullmatch(error.message)
    if match is None:
        return escape(visible(error.message))
    name = _unquoted(match["name"]).upper()
    return f"el argumento {escape(name)} necesita {match['count']} valores."


def _plain_usage_text(error: UsageError) -> str:
    message = error.message
    extra = _EXTRA_ARGUMENTS.fullmatch(message)
    if extra is not None:
        if " " in extra["values"]:
            return (
                f"sobran {_quoted(extra['values'])}: este comando no los usa. Si "
                "son un valor con espacios, escribilo entre comillas."
            )
        return f"sobra {_quoted(extra['values'])}: este comando no lo usa."
    unknown = _UNKNOWN_COMMAND.match(message)
    if unknown is not None:
        return _unknown_command_text(error.ctx, _unquoted(unknown["name"]))
    if message == _MISSING_COMMAND:
        commands = _command_names(error.ctx)
        return (
            f"falta el comando. Elegí {_either(commands)}."
            if commands
            else ("falta el comando.")
        )
    return escape(visible(message))


def _unknown_command_text(ctx: Context | None, name: str) -> str:
    text = f"el comando {_quoted(name)} no existe."
    matches = get_close_matches(name, _command_names(ctx))
    if matches:
        text += f" ¿Quisiste decir {_either(matches)}?"
    return text


def _parameter_problem(error: BadParameter) -> str:
    """Return the problem of a bad value, translating Typer's own English."""
    cause = error.__cause__
    if isinstance(cause, ValidationError) and cause.errors():
        return _conversion_problem(cause)
    message = error.message
    path = _PATH_PROBLEM.fullmatch(message)
    if path is not None:
        name = _quoted(_unquoted(path["name"]))
        return _PATH_PROBLEMS[path["problem"]].format(
            kind=_PATH_KINDS[path["kind"]], name=name
        )
    not_valid = _NOT_VALID_TYPE.fullmatch(message)
    if not_valid is not None:
        return f"{_quoted(not_valid['value'])} no es un valor válido."
    # The project's own callbacks and commands raise Spanish messages.
    return escape(visible(message))


def _conversion_problem(cause: ValidationError) -> str:
    detail = cause.errors()[0]
    value = _quoted(str(detail.get("input", "")))
    template = _CONVERSION_PROBLEMS.get(detail["type"])
    if template is not None:
        return template.format(value=value, **detail.get("ctx", {}))
    message = str(detail["msg"])
    choice = _NOT_ONE_OF.fullmatch(message)
    if choice is not None:
        choices = [_unquoted(item) for item in choice["choices"].split(", ")]
        return f"{value} no es una de las opciones: elegí {_either(choices)}."
    dated = _NO_DATE_FORMAT.fullmatch(message)
    if dated is not None:
        return (
            f"{value} no es una fecha y hora con el formato {escape(dated['formats'])}."
        )
    # NOTE: a pydantic error type missing from _CONVERSION_PROBLEMS loses its
    # English detail here, which goes to the debug log.
    logger.debug("untranslated conversion error type=%s", detail["type"])
    return f"{value} no es un valor válido."


def _hint_text(error: BadParameter) -> str:
    hint = error.param_hint
    if isinstance(hint, str):
        return escape(hint)
    if hint is not None:
        return escape(" / ".join(hint))
    if error.param is not None:
        return escape(_parameter_name(error.param))
    return "un valor"


def _parameter_description(param: Parameter) -> str:
    if isinstance(param, TyperArgument):
        return f"el argumento {escape(argument_name(param))}"
    return f"la opción {escape(_parameter_name(param))}"


def _parameter_name(param: Parameter) -> str:
    if isinstance(param, TyperArgument):
        return argument_name(param)
    return " / ".join(param.opts) if param.opts else str(param.name)


def _metavar(option: TyperOption) -> str:
    return escape(option.metavar) if option.metavar else "VALOR"


def _choices(param: Parameter) -> list[str]:
    descriptor = getattr(param, "type_descriptor", None)
    choices = getattr(descriptor, "choices", None) or ()
    return [str(getattr(choice, "value", choice)) for choice in choices]


def _find_option(ctx: Context | None, name: str) -> TyperOption | None:
    if ctx is None:
        return None
    for param in ctx.command.get_params(ctx):
        if isinstance(param, TyperOption) and name in (
            *param.opts,
            *param.secondary_opts,
        ):
            return param
    return None


def _command_names(ctx: Context | None) -> list[str]:
    if ctx is None or not isinstance(ctx.command, TyperGroup):
        return []
    return [
        name for name, command in ctx.command.commands.items() if not command.hidden
    ]


def _either(names: Sequence[str]) -> str:
    """Join names as a Spanish alternative: "a", "a o b", "a, b o c"."""
    escaped = [escape(name) for name in names]
    if len(escaped) == 1:
        return escaped[0]
    return f"{', '.join(escaped[:-1])} o {escaped[-1]}"


def _unquoted(text: str) -> str:
    """Return the value of a Python string literal that Typer printed with repr."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return str(value)


def _quoted(value: str) -> str:
    # Quoted, so OwnerConsole never rewrites what the owner typed.
    return f"«{escape(visible(value))}»"
