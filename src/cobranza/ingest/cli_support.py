"""The work behind `cobranza import` and `cobranza customers`.

`cli.py` validates options and calls these; they own the transaction, the
progress bar and the output format.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cobranza.config import Settings
from cobranza.db.engine import (
    default_business,
    find_business,
    make_engine,
    session_factory,
)
from cobranza.db.models import Base, Business
from cobranza.ingest.console import render_customers, render_report
from cobranza.ingest.customers import list_customers
from cobranza.ingest.errors import IngestError
from cobranza.ingest.issue_texts import quoted
from cobranza.ingest.report import ImportReport
from cobranza.ingest.service import ImportOptions, ProgressCallback, import_file
from cobranza.terminal_text import markup_safe
from cobranza.timeutil import local_date, utcnow
from cobranza.voseo import owner_text

logger = logging.getLogger(__name__)

# Files with fewer rows than this finish before a progress bar would help.
PROGRESS_MIN_ROWS = 20_000


def parse_map_options(values: Sequence[str]) -> dict[str, str]:
    """Turn repeated `--map COLUMN=FIELD` values into {column: field}."""
    mapping: dict[str, str] = {}
    for value in values:
        column, separator, field = value.rpartition("=")
        if not separator or not column.strip() or not field.strip():
            raise typer.BadParameter(
                f'"{value}" no tiene la forma COLUMNA=CAMPO, como '
                "--map 'Nro. Cbte=number'.",
                param_hint="--map",
            )
        mapping[column.strip()] = field.strip()
    return mapping


def import_from_cli(
    engine: Engine,
    settings: Settings,
    path: Path,
    column_map: Sequence[str],
    *,
    decimal: str | None,
    date_format: str | None,
    sheet: str | None,
    dry_run: bool,
    full_snapshot: bool,
    as_json: bool,
    console: Console,
    err_console: Console,
) -> None:
    """Run one import in one transaction and print its report.

    Exits with status 2 when the file needs `--map`, `--decimal`,
    `--date-format` or another `--sheet`. A dry run rolls back and creates
    no business, so it writes nothing at all. Its `engine` comes from
    `dry_run_engine` when the database has no tables yet.
    """
    options = ImportOptions(
        mapping=parse_map_options(column_map),
        decimal=decimal.lower() if decimal else None,
        date_format=date_format,
        sheet=sheet,
        dry_run=dry_run,
        full_snapshot=full_snapshot,
    )
    # The configured voice, until the business is read.
    locale = settings.locale
    with (
        session_factory(engine)() as session,
        _progress(err_console, enabled=not as_json) as progress,
    ):
        options.progress = progress
        try:
            if dry_run:
                business, created = _dry_run_business(session, settings)
            else:
                business, created = default_business(session, settings), False
            # Read before the rollback or commit expires the business.
            locale = business.locale
            report = import_file(session, business, path, options, utcnow())
            if created:
                _note_new_business(report, business)
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except IngestError as exc:
            session.rollback()
            _print_error(exc, as_json, locale, console, err_console)
            raise typer.Exit(2) from exc
        except SQLAlchemyError as exc:
            session.rollback()
            logger.error("import failed in the database: %s", type(exc).__name__)
            # The driver's message, without the SQL and its thousands of values.
            cause = getattr(exc, "orig", None) or exc
            err_console.print(
                "[red]La importación falló y no se guardó nada:[/red] "
                f"{markup_safe(str(cause))}. "
                "Volvé a correrla; si vuelve a fallar, revisá la base de datos."
            )
            raise typer.Exit(1) from exc

    if as_json:
        payload = _report_in_voice(report.to_dict(), locale)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        render_report(console, report, locale)


def _report_in_voice(data: dict[str, Any], locale: str) -> dict[str, Any]:
    """Return the `--json` report with its texts in the business's voice.

    The table words the same texts with `owner_text`, and each `message`
    must read as it does there.
    """
    for key in ("rows_rejected", "rows_flagged"):
        data[key] = [
            {**issue, "message": owner_text(issue["message"], locale)}
            for issue in data[key]
        ]
    data["notes"] = [owner_text(note, locale) for note in data["notes"]]
    for key in ("decimal", "date_format"):
        if "note" in data[key]:
            data[key] = {**data[key], "note": owner_text(data[key]["note"], locale)}
    return data


def dry_run_engine() -> Engine:
    """Return an empty in-memory database with the current schema.

    A dry run on a database without tables reads this instead, so that it
    creates no SQLite file and no tables on the server, and still reports
    the file as a first import into an empty business would.
    """
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    return engine


def _dry_run_business(session: Session, settings: Settings) -> tuple[Business, bool]:
    """Return the settings' business, or an unsaved one built from the settings.

    The unsaved business is never added to `session` and has no id, so the
    stored state loaded for it is empty. The flag is True for that business.
    """
    if find_business(session, settings.business_name) is not None:
        return default_business(session, settings), False
    business = Business(
        name=settings.business_name,
        country=settings.country,
        timezone=settings.timezone,
        currency=settings.currency,
        locale=settings.locale,
        settings={},
        created_at=datetime.now(UTC),
    )
    return business, True


def _note_new_business(report: ImportReport, business: Business) -> None:
    report.notes.append(
        f"El negocio {quoted(business.name)} todavía no existe en la base: la "
        f"importación lo crearía con el país {business.country} y la moneda "
        f"{business.currency}, que vienen de COBRANZA_COUNTRY y "
        "COBRANZA_CURRENCY."
    )


def _print_error(
    exc: IngestError,
    as_json: bool,
    locale: str,
    console: Console,
    err_console: Console,
) -> None:
    if as_json:
        message = owner_text(str(exc), locale)
        error = {"error": exc.code, "message": message, "details": exc.details}
        typer.echo(json.dumps(error, ensure_ascii=False, indent=2))
        return
    err_console.print(
        "[red]La importación se detuvo y no se guardó nada.[/red] "
        f"{markup_safe(str(exc))}"
    )


@contextmanager
def _progress(console: Console, *, enabled: bool) -> Iterator[ProgressCallback]:
    """Yield a progress callback that shows a bar once a file is large."""
    bar: Progress | None = None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if not enabled or total < PROGRESS_MIN_ROWS:
            return
        if bar is None:
            bar = Progress(console=console, transient=True)
            bar.start()
            task = bar.add_task("Importando", total=total)
        assert task is not None
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


def list_customers_from_cli(
    engine: Engine,
    settings: Settings,
    as_json: bool,
    console: Console,
    segment_labels: Mapping[str, str] | None = None,
) -> None:
    """Print the customers of the CLI's business."""
    with session_factory(engine)() as session:
        business = default_business(session, settings)
        today = local_date(utcnow(), business.timezone)
        customers = list_customers(session, business.id, today)
        currency, locale = business.currency, business.locale
        country = business.country
        session.commit()
    if as_json:
        payload = [customer.to_dict() for customer in customers]
        for row in payload:
            if row["phone_problem"]:
                row["phone_problem"] = owner_text(row["phone_problem"], locale)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    render_customers(
        console, customers, currency, locale, segment_labels, today, country
    )
