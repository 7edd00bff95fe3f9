"""The `cobranza` command line: thin commands over the services."""

from __future__ import annotations

import logging

import typer
from rich.console import Console
from sqlalchemy import Engine

from cobranza.config import Settings, get_settings
from cobranza.db.engine import make_engine, open_database, upgrade

app = typer.Typer(
    help="cobranza: collections over WhatsApp for small businesses.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console()
err_console = Console(stderr=True)


def load_settings() -> Settings:
    """Read the settings, turning a bad value into a clear exit."""
    try:
        return get_settings()
    except ValueError as exc:
        err_console.print(f"[red]Invalid setting:[/red] {exc}")
        raise typer.Exit(2) from exc


def open_engine(settings: Settings) -> Engine:
    """Open the configured database, applying pending migrations."""
    return open_database(settings.database_url)


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Argument("head", help="Alembic revision to upgrade to."),
) -> None:
    """Apply the database migrations (also done automatically on first use)."""
    settings = load_settings()
    upgrade(make_engine(settings.database_url), revision)
    console.print(f"Database at {revision}.")


def main() -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    app()


if __name__ == "__main__":
    main()
