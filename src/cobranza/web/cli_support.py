"""The work behind the `user create` and `token create` commands."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobranza.accounts import AccountError, create_api_token, create_user
from cobranza.config import Settings
from cobranza.db.engine import default_business, transaction
from cobranza.db.models import Business
from cobranza.terminal_text import OwnerConsole
from cobranza.timeutil import utcnow
from cobranza.voseo import owner_text


def read_password(password_stdin: bool, err_console: OwnerConsole) -> str:
    """Read the password from stdin (one line) or prompt for it twice.

    The prompts repeat until both entries match. They are asked here, not
    with Typer's confirmation prompt, whose mismatch error is in English.
    """
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    repeat_prompt = owner_text("Repetí la contraseña", err_console.locale)
    while True:
        password: str = typer.prompt("Contraseña", hide_input=True)
        repeated: str = typer.prompt(repeat_prompt, hide_input=True)
        if password == repeated:
            return password
        err_console.print(
            "Las dos contraseñas no coinciden: escribila de nuevo.", markup=False
        )


def _business_named(session: Session, name: str) -> Business | None:
    return session.scalars(select(Business).where(Business.name == name)).first()


def user_create(
    engine: Engine,
    settings: Settings,
    email: str,
    business_name: str | None,
    password: str,
    console: Console,
    err_console: Console,
) -> None:
    """Create an owner account, creating the business when it is new."""
    named = (
        settings.model_copy(update={"business_name": business_name})
        if (business_name)
        else settings
    )
    try:
        with transaction(engine) as session:
            business = default_business(session, named)
            user = create_user(session, business.id, email, password, utcnow())
            business_label = business.name
            address = user.email
    except AccountError as exc:
        err_console.print(
            f"[red]No se creó la cuenta:[/red] {escape(str(exc))}", markup=True
        )
        raise typer.Exit(1) from exc
    console.print(
        f"Usuario «{address}» creado para {business_label!r}. Entrá con "
        "'cobranza serve' y abrí http://127.0.0.1:8000/entrar",
        markup=False,
    )


def token_create(
    engine: Engine,
    settings: Settings,
    business_name: str | None,
    name: str,
    console: Console,
    err_console: Console,
) -> None:
    """Create an API token for an existing business and print it once."""
    target = business_name or settings.business_name
    try:
        with transaction(engine) as session:
            business = _business_named(session, target)
            if business is None:
                err_console.print(
                    f"No se encontró el negocio {target!r}: importá un archivo o "
                    "corré antes 'cobranza user create' para ese negocio.",
                    markup=False,
                )
                raise typer.Exit(1)
            issued = create_api_token(session, business.id, name, utcnow())
            token = issued.token
    except AccountError as exc:
        err_console.print(f"No se creó el token: {exc}", markup=False)
        raise typer.Exit(1) from exc
    console.print(
        f"Token para {target!r} (se muestra una sola vez; guardalo):", markup=False
    )
    console.print(token, markup=False, highlight=False, soft_wrap=True)
