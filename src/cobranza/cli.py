"""The `cobranza` command line: thin commands over the services."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shlex
import shutil
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine, func, make_url, select
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from cobranza.channels.base import Channel
from cobranza.channels.errors import ChannelError
from cobranza.channels.sandbox import prepare_reply, record_reply, sent_messages
from cobranza.channels.sandbox.store import normalise_phone
from cobranza.channels.twilio import TWILIO
from cobranza.channels.twilio.client import (
    TwilioClient,
    TwilioConfig,
    TwilioConfigError,
)
from cobranza.channels.twilio.templates import (
    ContentKeyError,
    ContentTemplate,
    list_content_templates,
    sync_content_templates,
)
from cobranza.channels.twilio.terminal import content_templates_table
from cobranza.channels.twilio.terminal import (
    waiting_summary as twilio_waiting_summary,
)
from cobranza.channels.whatsapp import GraphClient, WhatsAppConfig, WhatsAppConfigError
from cobranza.channels.whatsapp import templates as whatsapp_templates
from cobranza.channels.whatsapp.terminal import (
    push_table,
    templates_table,
    waiting_summary,
)
from cobranza.cli_errors import SpanishTyper
from cobranza.cli_help import configured_locale, use_spanish_help_labels
from cobranza.compliance import (
    ComplianceError,
    consent_history,
    current_consent,
    record_consent,
    resolve_customer,
)
from cobranza.config import COUNTRY_DEFAULTS, Settings, get_settings
from cobranza.conversations.dates import payment_days
from cobranza.conversations.inbox import (
    BALANCE_SETTLED,
    REASON_LABELS,
    RECEIPT_NOT_DOWNLOADED,
    UnknownSenderMessage,
    WaitingCase,
)
from cobranza.db.engine import (
    business_names,
    find_business,
    has_migrations,
    make_engine,
    open_database,
    sqlite_file_missing,
    transaction,
    upgrade,
)
from cobranza.db.engine import default_business as engine_default_business
from cobranza.db.models import (
    Business,
    ConsentAction,
    Customer,
    InboundMessage,
    OutboxMessage,
    OutboxState,
    PhoneStatus,
    WhatsAppTemplate,
)
from cobranza.dunning.errors import HoldError, PolicyError
from cobranza.dunning.holds import (
    held_invoices,
    hold_day,
    hold_invoices,
    open_invoices,
    release_invoices,
)
from cobranza.dunning.policy import Policy
from cobranza.dunning.policy_loader import (
    default_policy_path,
    load_policy,
)
from cobranza.dunning.preview import compose_step_preview, validate_policy
from cobranza.dunning.terminal import case_tables, invoices_table, policy_table
from cobranza.dunning.timeline import case_timeline
from cobranza.ingest.amounts import marked_currency
from cobranza.ingest.rows import customer_label
from cobranza.jobs import run_cycle, sandbox_dispatcher
from cobranza.jobs.channels import (
    CHANNELS,
    SANDBOX,
    ChannelSetupError,
    build_dispatcher,
    business_channel,
    use_channel,
)
from cobranza.jobs.cycle import SANDBOX_MESSAGES_PER_SECOND, CycleReport
from cobranza.jobs.dry_run import DryRunMessage, Outcome
from cobranza.jobs.terminal import (
    OUTCOME_LABELS,
    render_cycle,
    render_dry_run_messages,
    render_sandbox_outbox,
    template_wait_line,
)
from cobranza.jobs.wiring import install_hooks
from cobranza.messages import (
    MessageError,
    supported_locales,
    whatsapp_template_definitions,
)
from cobranza.money import parse_amount_input
from cobranza.payments import import_payments, link_for_outbox_row, record_payment
from cobranza.payments.credits import customer_credits
from cobranza.payments.errors import PaymentError
from cobranza.payments.inbox import process_pending
from cobranza.payments.manual import parse_column_map
from cobranza.payments.outcome import payment_outcome
from cobranza.payments.plan_rows import latest_plan_rows
from cobranza.payments.plans import cancelled_plans
from cobranza.payments.providers import build_services
from cobranza.payments.terminal import (
    link_for_customer,
    render_balances,
    render_import_report,
    render_payment_result,
    render_plan,
)
from cobranza.terminal_text import OwnerConsole, markup_safe, visible
from cobranza.timeutil import local_date, parse_instant, utcnow
from cobranza.voseo import owner_text
from cobranza.wording import label_in_voice

app = SpanishTyper(
    help="cobranza: cobrá tus facturas vencidas por WhatsApp, con el tono justo "
    "y dentro de la ley.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = SpanishTyper(
    help="La base de datos: aplicar sus migraciones.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
consent_app = SpanishTyper(
    help="Consentimiento y baja de WhatsApp de cada cliente.", no_args_is_help=True
)
app.add_typer(consent_app, name="consent")

console = OwnerConsole()
err_console = OwnerConsole(stderr=True)
use_spanish_help_labels()

if TYPE_CHECKING:
    from cobranza.simulate.demo import DemoContext


def load_settings() -> Settings:
    """Read the settings, turning a bad value into a clear exit.

    The messages that follow take the voice of the configured locale.
    """
    try:
        settings = get_settings()
    except ValidationError as exc:
        err_console.print("[red]Configuración inválida:[/red]")
        for line in _settings_problems(exc):
            err_console.print(line, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    except ValueError as exc:
        err_console.print(f"[red]Configuración inválida:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    _speak_to(settings.locale)
    return settings


def _speak_to(locale: str | None) -> None:
    """Print the following messages in the voice of a business in `locale`."""
    console.locale = locale
    err_console.locale = locale


@app.callback()
def _start_in_configured_voice() -> None:
    # Option checks run before a command reads its business, so they take the
    # voice of the configured locale, as usage errors do. Setting it here also
    # keeps a process that runs several commands (a test runner) from carrying
    # one command's business voice into the next.
    _speak_to(configured_locale())


def default_business(session: Session, settings: Settings) -> Business:
    """Return the CLI's business, creating it from the settings, and take its voice."""
    business = engine_default_business(session, settings)
    _speak_to(business.locale)
    return business


# Spanish words for pydantic's type and bound errors, keyed by error type.
# The bound comes from the error's context, and the example is the default.
_SETTINGS_PROBLEMS = {
    "int_parsing": "tiene que ser un número entero",
    "float_parsing": "tiene que ser un número",
    "finite_number": "tiene que ser un número finito (ni nan, ni inf, ni más de "
    "1e308), como {default}",
    "bool_parsing": "tiene que ser true o false",
    "greater_than": "tiene que ser mayor que {gt}",
    "greater_than_equal": "tiene que ser mayor o igual que {ge}",
    "less_than": "tiene que ser menor que {lt}",
    "less_than_equal": "tiene que ser menor o igual que {le}",
}


def _settings_problems(exc: ValidationError) -> list[str]:
    """Return one line per invalid setting, without pydantic's frame.

    The validators in `cobranza.config` raise Spanish messages that name the
    variable, so those are printed as raised. Type and bound errors get the
    variable's name, its value and Spanish words; other errors keep
    pydantic's own message.
    """
    lines = []
    for error in exc.errors():
        context = error.get("ctx") or {}
        if error["type"] == "value_error" and "error" in context:
            lines.append(str(context["error"]))
            continue
        variable = "COBRANZA_" + "_".join(str(part) for part in error["loc"]).upper()
        template = _SETTINGS_PROBLEMS.get(error["type"])
        field = (
            Settings.model_fields.get(str(error["loc"][0])) if error["loc"] else None
        )
        default = field.default if field is not None else None
        problem = (
            template.format(**context, default=default) if template else error["msg"]
        )
        lines.append(f"{variable}={error['input']!r} es inválido: {problem}")
    return lines


def open_engine(
    settings: Settings,
    *,
    pooled: bool = False,
    read_only: bool = False,
    empty_json: str | None = None,
) -> Engine:
    """Open the configured database, applying pending migrations.

    Replies recorded by a command are acted on by the conversation engine,
    and imported invoices take the customers' credits. A command that runs
    once keeps no connection pool, so none of its connections is left
    open; the server and the worker pass `pooled`. A command that only
    reads passes `read_only`, so that a database no migration ever touched
    is left as it is and the command exits naming the commands that create
    it, after printing `empty_json` when it is given. A migrated database is
    still brought to the newest schema, because the code reads only that one.
    """
    install_hooks(settings)
    try:
        if read_only and not _has_tables(settings.database_url):
            _exit_without_tables(settings.database_url, empty_json)
        return open_database(settings.database_url, pooled=pooled)
    except ArgumentError as exc:
        err_console.print(
            f"COBRANZA_DATABASE_URL no es una URL de base de datos: "
            f"{settings.database_url!r}. Usá, por ejemplo, sqlite:///cobranza.db "
            "o postgresql://usuario@servidor/base.",
            markup=False,
        )
        raise typer.Exit(2) from exc
    except OperationalError as exc:
        safe_url = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(exc.orig or exc).splitlines()[0]
        err_console.print(
            f"No se pudo abrir la base de datos {safe_url}: {reason}. Revisá que el "
            "servidor esté andando y que COBRANZA_DATABASE_URL sea la correcta.",
            markup=False,
        )
        raise typer.Exit(2) from exc


def _has_tables(url: str) -> bool:
    if sqlite_file_missing(url):
        return False
    engine = make_engine(url, pooled=False)
    try:
        return has_migrations(engine)
    finally:
        engine.dispose()


def _exit_without_tables(url: str, empty_json: str | None) -> NoReturn:
    safe_url = make_url(url).render_as_string(hide_password=True)
    _exit_with_nothing_stored(
        f"Todavía no hay datos en la base {safe_url}: nunca se importó nada en "
        "ella. Empezá importando tus facturas con «cobranza import ARCHIVO», que "
        "crea las tablas, o crealas antes con «cobranza db upgrade».",
        empty_json,
    )


def _exit_with_nothing_stored(message: str, empty_json: str | None) -> NoReturn:
    """Exit with status 0 after printing `message` on stderr.

    A command with --json passes the JSON of an empty result, such as "[]",
    which goes to stdout, so that a program reading it needs no special case.
    """
    if empty_json is not None:
        typer.echo(empty_json)
    err_console.print(message, markup=False)
    raise typer.Exit(0)


def read_business(
    session: Session, settings: Settings, empty_json: str | None = None
) -> Business:
    """Return the settings' business, or exit with a message when it is missing.

    Commands that only read call this instead of `default_business`, so
    they never create a business. `empty_json` is printed as for
    `open_engine` when the database holds no business at all.
    """
    business = find_business(session, settings.business_name)
    if business is not None:
        _speak_to(business.locale)
        return business
    name = visible(repr(settings.business_name))
    others = [visible(repr(other)) for other in business_names(session)]
    if others:
        listed = ", ".join(others[:5]) + (" y otros" if len(others) > 5 else "")
        err_console.print(
            f"No hay ningún negocio llamado {name} en esta base, que tiene "
            f"{listed}. Definí COBRANZA_BUSINESS_NAME con uno de ellos para ver "
            "sus datos.",
            markup=False,
        )
        raise typer.Exit(2)
    _exit_with_nothing_stored(
        f"Todavía no hay datos del negocio {name}: nunca se importó nada en esta "
        "base. Empezá importando tus facturas con «cobranza import ARCHIVO».",
        empty_json,
    )


def require_business(
    engine: Engine, settings: Settings, empty_json: str | None = None
) -> None:
    """Exit as `read_business` does when the settings' business is missing."""
    with transaction(engine) as session:
        read_business(session, settings, empty_json)


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Argument(
        "heads", help="Revisión de Alembic hasta la que se migra."
    ),
) -> None:
    """Aplica las migraciones de la base de datos (también se hace sola al usarla)."""
    from alembic.script.revision import ResolutionError
    from alembic.util import CommandError

    settings = load_settings()
    try:
        upgrade(make_engine(settings.database_url), revision)
    except CommandError as exc:
        problem = (
            f"la revisión «{revision}» no existe"
            if isinstance(exc.__cause__, ResolutionError)
            else f"no se pudo llegar a la revisión «{revision}» ({exc})"
        )
        err_console.print(
            f"[red]No se migró la base:[/red] {escape(problem)}. Usá heads, el "
            "valor por defecto, para aplicar todas las migraciones."
        )
        raise typer.Exit(2) from exc
    console.print(f"Base de datos en la revisión {revision}.")
    _warn_stored_accounts(settings)


def _warn_stored_accounts(settings: Settings, engine: Engine | None = None) -> None:
    """Warn about each business whose stored payment instructions name a wrong
    account, as instructions stored by an older release may.

    Without `engine`, one is made for the check and disposed of after it.
    """
    from cobranza.jobs.business_settings import stored_accounts_warning

    checked = engine or make_engine(settings.database_url)
    try:
        with transaction(checked) as session:
            businesses = session.scalars(select(Business).order_by(Business.id))
            warnings = [
                (business.name, warning)
                for business in businesses
                if (warning := stored_accounts_warning(business)) is not None
            ]
    finally:
        if engine is None:
            checked.dispose()
    for name, warning in warnings:
        err_console.print(f"Negocio «{name}». {warning}", markup=False, soft_wrap=True)


CUSTOMER_ARGUMENT = typer.Argument(
    ...,
    help=(
        "Código del cliente en la importación, o su teléfono. Sin código en la "
        "importación, su nombre."
    ),
)
SOURCE_OPTION = typer.Option(
    ...,
    "--source",
    help="De dónde salió el consentimiento o la baja, como 'formulario firmado'.",
)
EVIDENCE_OPTION = typer.Option(
    None,
    "--evidence",
    help="Qué lo prueba: el número de formulario, el identificador del mensaje "
    "u otra prueba.",
)


@consent_app.command("grant")
def consent_grant(
    customer: str = CUSTOMER_ARGUMENT,
    source: str = SOURCE_OPTION,
    evidence: str | None = EVIDENCE_OPTION,
) -> None:
    """Registra que el cliente aceptó recibir mensajes por WhatsApp."""
    _change_consent(customer, ConsentAction.GRANT, source, evidence)


@consent_app.command("revoke")
def consent_revoke(
    customer: str = CUSTOMER_ARGUMENT,
    source: str = SOURCE_OPTION,
    evidence: str | None = EVIDENCE_OPTION,
) -> None:
    """Registra la baja del cliente: no se le escribe hasta un nuevo consentimiento."""
    _change_consent(customer, ConsentAction.REVOKE, source, evidence)


# Spanish names shown for the consent actions and states. The stored codes stay.
CONSENT_CHANGES = {
    ConsentAction.GRANT: "el consentimiento",
    ConsentAction.REVOKE: "la baja",
}
CONSENT_ACTION_LABELS = {ConsentAction.GRANT: "alta", ConsentAction.REVOKE: "baja"}
CONSENT_STATES = {
    True: "consentimiento registrado",
    False: "baja registrada (no se le escribe)",
    None: "consentimiento nunca registrado (no se le escribe)",
}


def _change_consent(
    ref: str, action: ConsentAction, source: str, evidence: str | None
) -> None:
    settings = load_settings()
    try:
        with transaction(open_engine(settings)) as session:
            business = default_business(session, settings)
            found = resolve_customer(session, business.id, ref)
            record_consent(
                session,
                business.id,
                found.id,
                action,
                source,
                evidence,
                utcnow(),
                actor="cli",
            )
            external_id = found.external_id
            phone_status = found.phone_status
    except ComplianceError as exc:
        err_console.print(
            f"[red]No se registró {CONSENT_CHANGES[action]}:[/red] {escape(str(exc))}"
        )
        raise typer.Exit(1) from exc
    console.print(
        f"Se registró {CONSENT_CHANGES[action]} del cliente {markup_safe(external_id)}."
    )
    unreachable = _UNREACHABLE_PHONES.get(phone_status)
    if action == ConsentAction.GRANT and unreachable is not None:
        err_console.print(
            f"[yellow]Atención:[/yellow] el cliente {markup_safe(external_id)} "
            f"{unreachable}, así que igual no recibe mensajes. Cargá su "
            "teléfono en la columna del teléfono de tu archivo y volvé a "
            "importarlo, o en su página del panel."
        )


# The phone problem that keeps a consenting customer from getting messages.
_UNREACHABLE_PHONES = {
    PhoneStatus.MISSING: "no tiene teléfono cargado",
    PhoneStatus.INVALID: "tiene un teléfono inválido",
    PhoneStatus.NOT_ON_WHATSAPP: "tiene un teléfono que no usa WhatsApp",
    PhoneStatus.WRONG_PERSON: "tiene un teléfono marcado como equivocado",
}


@consent_app.command("show")
def consent_show(customer: str = CUSTOMER_ARGUMENT) -> None:
    """Muestra el consentimiento actual del cliente y cada cambio que tuvo."""
    from cobranza.wording import local_time

    settings = load_settings()
    try:
        with transaction(open_engine(settings, read_only=True)) as session:
            business = read_business(session, settings)
            found = resolve_customer(session, business.id, customer)
            state = current_consent(session, business.id, found.id)
            events = consent_history(session, business.id, found.id)
            external_id = found.external_id
            timezone = business.timezone
    except ComplianceError as exc:
        err_console.print(f"[red]Cliente no encontrado:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc

    console.print(f"Cliente {markup_safe(external_id)}: {CONSENT_STATES[state]}.")
    for event in events:
        evidence = f" ({event.evidence})" if event.evidence else ""
        label = CONSENT_ACTION_LABELS.get(event.action, event.action)
        source = visible(f"{event.source}{evidence}")
        console.print(
            f"  {local_time(event.at, timezone)}  {label:<4}  {source}",
            markup=False,
            highlight=False,
        )


@app.command("audit")
def audit(
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Día auditado (AAAA-MM-DD), en la zona horaria del negocio. "
        "Por defecto, hoy, y entonces también guarda el segmento de cada cliente.",
    ),
    period_days: int = typer.Option(
        90, "--period-days", min=1, help="Duración del período de DSO y CEI, en días."
    ),
    top: int = typer.Option(
        10, "--top", min=1, help="Cuántos deudores principales se listan."
    ),
    currency: str | None = typer.Option(
        None,
        "--currency",
        help="Código ISO 4217 de la moneda de los comprobantes auditados, como "
        "USD. Por defecto, la moneda del negocio.",
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Imprime el informe en JSON (las claves están en docs/auditoria.md).",
    ),
    html: Path | None = typer.Option(
        None,
        "--html",
        help="Además escribe el informe en este archivo HTML, que se abre sin "
        "conexión.",
    ),
) -> None:
    """Audita la cartera: antigüedad, morosidad, DSO, CEI, Pareto y segmentos."""
    # Imported here so that other commands start without loading pandas.
    from cobranza.compliance import effective_due_dates
    from cobranza.portfolio import PortfolioError, audit_business
    from cobranza.portfolio.html import write_html
    from cobranza.portfolio.service import last_issue_date
    from cobranza.portfolio.terminal import print_audit

    settings = load_settings()
    audit_date = _parse_date_option("--as-of", as_of)
    engine = open_engine(settings, read_only=True)
    try:
        require_business(engine, settings)
        report = audit_business(
            engine,
            settings,
            utcnow(),
            audit_date,
            period_days=period_days,
            top_debtors=top,
            currency=currency,
            effective_due_for=effective_due_dates,
        )
        last_issued = last_issue_date(engine, settings)
    except PortfolioError as exc:
        err_console.print(f"[red]La auditoría falló:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()

    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_audit(report, console, report.locale)
        if (
            report.open_invoices == 0
            and last_issued is not None
            and last_issued < report.period_start
        ):
            console.print(
                "Ningún comprobante de esta base cae en el período auditado: el "
                f"último se emitió el {last_issued:%d/%m/%Y}. Para auditar esa "
                f"fecha, usá --as-of {last_issued.isoformat()}."
            )
    if html is not None:
        try:
            write_html(report, html)
        except PortfolioError as exc:
            err_console.print(f"[red]La auditoría falló:[/red] {escape(str(exc))}")
            raise typer.Exit(1) from exc
        err_console.print(f"Informe HTML guardado en {html}.")


# A plain decimal number in ASCII digits. float() alone would also accept
# nan, inf, 1e999 (which overflows to inf), "1_0" and non-ASCII digits such
# as "１０".
_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _parse_number_option(option: str, text: str, minimum: float) -> float:
    """Parse a number typed for `option`, or exit with status 2 naming it."""
    value = text.strip()
    if _PLAIN_NUMBER.fullmatch(value) and float(value) >= minimum:
        return float(value)
    err_console.print(
        f"{option} inválido: {text!r}. Usá un número de {minimum:g} en adelante, "
        "escrito con los dígitos 0 a 9 y punto decimal, como 2.5.",
        markup=False,
        highlight=False,
    )
    raise typer.Exit(2)


def _parse_date_option(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    for parse in (date.fromisoformat, _day_month_year):
        try:
            return parse(value.strip())
        except ValueError:
            continue
    problem = "usá AAAA-MM-DD o DD/MM/AAAA"
    if any(char.isdecimal() and not char.isascii() for char in value):
        problem = (
            "tiene dígitos que no son los ASCII 0 a 9. Usá AAAA-MM-DD o "
            "DD/MM/AAAA con los dígitos 0 a 9"
        )
    err_console.print(
        f"[red]Fecha de {option} inválida[/red] {escape(repr(value))}: {problem}, "
        "como 2026-03-31 o 31/03/2026."
    )
    raise typer.Exit(2)


# DD/MM/AAAA in ASCII digits, because int() alone would also read "３０",
# "+30" and "3_0". The ISO form needs no such check, as date.fromisoformat
# takes ASCII digits only.
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _day_month_year(value: str) -> date:
    match = _DAY_MONTH_YEAR.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not DD/MM/YYYY in ASCII digits")
    day, month, year = (int(part) for part in match.groups())
    return date(year, month, day)


@app.command("demo")
def demo(
    database: Path = typer.Option(
        Path("cobranza-demo.db"),
        "--database",
        dir_okay=False,
        help="Archivo SQLite de la demo, que se borra y se vuelve a crear en cada "
        "corrida. No usa COBRANZA_DATABASE_URL, así que tus datos quedan intactos.",
    ),
    country: str = typer.Option(
        "AR",
        "--country",
        metavar="PAÍS",
        help="País del negocio ficticio, con su código ISO: AR, BR, CL, CO, MX, "
        "PE o UY. Cambia los nombres, teléfonos, identificaciones fiscales, "
        "moneda, zona horaria, días no laborables, trato y respuestas de los "
        "clientes.",
    ),
    now: str | None = typer.Option(
        None,
        "--now",
        help="Fecha o momento actual de la demo, en ISO 8601 (como 2026-03-20); "
        "sin zona, se lee en la hora del país de la demo (Buenos Aires, si no "
        "indicás --country). Por defecto, ahora.",
    ),
    seed: int = typer.Option(
        20260,
        "--seed",
        help="Semilla de la cartera generada: la misma semilla da los mismos datos.",
    ),
    html: Path | None = typer.Option(
        None,
        "--html",
        help="Además escribe la auditoría en este archivo HTML, que se abre sin "
        "conexión.",
    ),
    serve_after: bool = typer.Option(
        False,
        "--serve",
        help="Después abre el panel con los datos de la demo y una cuenta de prueba.",
    ),
    port: int = typer.Option(
        8000, "--port", min=1, max=65535, help="Puerto TCP del panel de --serve."
    ),
) -> None:
    """Carga una cartera generada y ficticia en una base nueva y la audita."""
    from cobranza.simulate.countries import demo_country
    from cobranza.simulate.demo import DEMO_YEARS, DemoContext
    from cobranza.timeutil import parse_instant

    try:
        business_country = demo_country(country)
    except ValueError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(2) from exc
    # The demo's messages take the voice of its business: voseo only in
    # Argentina and Uruguay.
    _speak_to(business_country.locale)
    try:
        instant = (
            utcnow() if now is None else parse_instant(now, business_country.timezone)
        )
    except ValueError as exc:
        err_console.print(f"[red]--now inválido:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    if not DEMO_YEARS[0] <= instant.year <= DEMO_YEARS[1]:
        err_console.print(
            f"--now inválido: {now!r} cae en el año {instant.year}. La demo "
            f"simula fechas entre {DEMO_YEARS[0]} y {DEMO_YEARS[1]}: usá, por "
            "ejemplo, --now 2026-03-20.",
            markup=False,
        )
        raise typer.Exit(2)
    if serve_after and now is not None and instant.date() != utcnow().date():
        err_console.print(
            "Aviso: el panel y su programador usan la fecha real, no la de --now, "
            "así que lo que muestren como reciente depende de hoy.",
            markup=False,
        )
    if serve_after:
        _require_free_port("127.0.0.1", port)
    context = DemoContext(
        database=database.resolve(),
        now=instant,
        console=console,
        seed=seed,
        html=html,
        port=port,
        country=business_country,
    )
    with _environment(context.environment()):
        _run_demo(context, serve_after, port)


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """Set environment variables and the settings read from them, then restore."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def _run_demo(context: DemoContext, serve_after: bool, port: int) -> None:
    from cobranza.jobs.demo import DEMO_STAGES_WITH_CYCLE
    from cobranza.simulate.demo import run_demo

    run_demo(context, DEMO_STAGES_WITH_CYCLE)
    # Each command is printed whole on its own line with this executable's
    # path, because the virtualenv is usually not on PATH and a wrapped line
    # pasted into a shell would set the variables without running anything.
    variables = (
        f"COBRANZA_DATABASE_URL=sqlite:///{context.database} "
        f"COBRANZA_BUSINESS_NAME='{context.settings.business_name}'"
    )
    for intro, command in (
        ("Para seguir explorando, copiá esta línea en la terminal:", "customers"),
        ("Y para ver todos los mensajes que envió el sandbox:", "sandbox outbox"),
    ):
        console.print(f"\n{intro}")
        console.print(
            f"{variables} {_own_command()} {command}",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )
    if serve_after:
        _serve_demo(context.settings, port)


DEMO_EMAIL = "demo@ejemplo.com"


def _port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Tell whether the dashboard could listen on `host`:`port` now.

    A host that does not resolve counts as free, so that the server itself
    reports it.
    """
    try:
        family, kind, _, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )[0]
    except socket.gaierror:
        return True
    with socket.socket(family, kind) as probe:
        # As asyncio servers, uvicorn among them, do on Unix: connections of a
        # server just stopped linger for a while and must not count as a server.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError:
            return False
    return True


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _loopback_port(url: str) -> int | None:
    """Return the port of a URL on this machine, or None for another host."""
    parts = urlsplit(url)
    if parts.hostname not in _LOOPBACK:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return port or (443 if parts.scheme == "https" else 80)


def _require_free_port(host: str, port: int) -> None:
    """Exit with a Spanish message when `host`:`port` is already taken."""
    if _port_free(port, host):
        return
    other = port + 1 if port < 65535 else 8001
    err_console.print(
        f"El puerto {port} ya está en uso: cerrá el programa que lo usa o "
        f"elegí otro, por ejemplo con --port {other}.",
        markup=False,
    )
    raise typer.Exit(2)


def _check_serve_port(settings: Settings, host: str, port: int) -> None:
    """Stop before serving on a taken port; warn when links name another port."""
    _require_free_port(host, port)
    link_port = _loopback_port(settings.public_base_url)
    if link_port is not None and link_port != port:
        err_console.print(
            f"Aviso: los links de pago de los mensajes usan "
            f"COBRANZA_PUBLIC_BASE_URL={settings.public_base_url}, que no es este "
            f"puerto ({port}). Definí COBRANZA_PUBLIC_BASE_URL=http://127.0.0.1:{port} "
            "o la dirección pública de este servidor.",
            markup=False,
        )


def _own_command() -> str:
    """Return how to run this command again: its path, or `cobranza` on PATH."""
    script = Path(sys.argv[0])
    if script.name == "cobranza" and script.exists():
        on_path = shutil.which("cobranza")
        if on_path is None or Path(on_path).resolve() != script.resolve():
            return shlex.quote(str(script))
    return "cobranza"


def _serve_demo(settings: Settings, port: int) -> None:
    """Serve the demo database with a new demo account whose password is printed."""
    from cobranza.accounts import create_user
    from cobranza.web.serve import serve

    password = secrets.token_urlsafe(12)
    engine = open_database(settings.database_url)
    with transaction(engine) as session:
        business = default_business(session, settings)
        create_user(session, business.id, DEMO_EMAIL, password, utcnow())
    # One value per line, so that a wrapped line never glues punctuation to
    # the password a reader copies.
    for line in (
        f"\nPanel de la demo: http://127.0.0.1:{port}/",
        f"Usuario: {DEMO_EMAIL}",
        f"Contraseña: {password}",
        "Ctrl+C para terminar.",
    ):
        console.print(line, soft_wrap=True, highlight=False, markup=False)
    serve(settings, engine, "127.0.0.1", port)


@app.command("import")
def import_command(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="Planilla de facturas exportada en CSV o XLSX.",
    ),
    column_map: list[str] = typer.Option(
        [],
        "--map",
        help="COLUMNA=CAMPO: lee COLUMNA como CAMPO (o la descarta con CAMPO "
        "'ignore'). Se puede repetir.",
    ),
    decimal: str | None = typer.Option(
        None,
        "--decimal",
        help="Separador decimal de los importes: comma o coma, point o punto.",
    ),
    date_format: str | None = typer.Option(
        None,
        "--date-format",
        help="Orden de las fechas numéricas: dmy, mdy, ymd o un patrón de strptime "
        "como %d/%m/%Y.",
    ),
    sheet: str | None = typer.Option(
        None,
        "--sheet",
        metavar="NOMBRE",
        help="Hoja del libro XLSX que se importa. Sin esta opción se usa la hoja "
        "que más se parece a un listado de facturas.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Muestra el informe sin guardar nada."
    ),
    full_snapshot: bool = typer.Option(
        False,
        "--full-snapshot",
        help="El archivo es el listado completo de comprobantes abiertos: los que "
        "faltan se dan por pagados.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Imprime el informe en JSON."),
) -> None:
    """Importa facturas, notas de crédito y pagos desde una planilla exportada."""
    from cobranza.ingest.cli_support import import_from_cli

    settings = load_settings()
    engine = _open_import_dry_run(settings) if dry_run else open_engine(settings)
    import_from_cli(
        engine,
        settings,
        file,
        column_map,
        decimal=decimal,
        date_format=date_format,
        sheet=sheet,
        dry_run=dry_run,
        full_snapshot=full_snapshot,
        as_json=as_json,
        console=console,
        err_console=err_console,
    )


def _open_import_dry_run(settings: Settings) -> Engine:
    """Open the database for `import --dry-run` without creating anything.

    A database without tables, or a SQLite file that does not exist yet, is
    left as it is and the dry run reads an empty in-memory one instead.
    """
    from cobranza.ingest.cli_support import dry_run_engine

    try:
        empty = not _has_tables(settings.database_url)
    except (ArgumentError, OperationalError):
        # open_engine checks the database again and explains the error.
        empty = False
    if empty:
        install_hooks(settings)
        return dry_run_engine()
    return open_engine(settings, read_only=True)


@app.command("customers")
def customers_command(
    as_json: bool = typer.Option(False, "--json", help="Imprime la lista en JSON."),
) -> None:
    """Lista los clientes con su teléfono, identificación fiscal, saldo y segmento."""
    from cobranza.ingest.cli_support import list_customers_from_cli
    from cobranza.portfolio.labels import SPANISH as SEGMENT_LABELS

    settings = load_settings()
    empty_json = "[]" if as_json else None
    engine = open_engine(settings, read_only=True, empty_json=empty_json)
    require_business(engine, settings, empty_json)
    list_customers_from_cli(engine, settings, as_json, console, SEGMENT_LABELS)


policy_app = SpanishTyper(
    help="Políticas de cobranza: explicarlas y validarlas.", no_args_is_help=True
)
app.add_typer(policy_app, name="policy")
case_app = SpanishTyper(help="Casos de cobranza de cada cliente.", no_args_is_help=True)
app.add_typer(case_app, name="case")

POLICY_FILE_ARGUMENT = typer.Argument(
    None,
    help="Archivo YAML de la política. Sin él, la política predeterminada de cobranza.",
)


def _load_policy_or_exit(file: Path | None) -> Policy:
    try:
        return load_policy(file if file is not None else default_policy_path())
    except PolicyError as exc:
        err_console.print(
            f"[red]Política inválida:[/red] {escape(str(exc))}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from exc


@policy_app.command("show")
def policy_show(
    file: Path | None = POLICY_FILE_ARGUMENT,
    preview: bool = typer.Option(
        False,
        "--preview",
        help="Además muestra el mensaje de cada paso en cada tono.",
    ),
    locale: list[str] | None = typer.Option(
        None,
        "--locale",
        help="Idioma de la vista previa, como es_AR o pt_BR; repetilo para ver "
        "varios. Por defecto, el de COBRANZA_LOCALE.",
    ),
) -> None:
    """Explica una política de cobranza en palabras simples, paso por paso."""
    policy = _load_policy_or_exit(file)
    locales = locale or [load_settings().locale]
    if preview:
        _check_locales(locales)
    console.print(policy_table(policy))
    if not preview:
        return

    for step in policy.steps:
        if step.step_kind is None:
            continue
        for tone in step.concrete_tones():
            for message_locale in locales:
                console.rule(f"{step.key} · {tone} · {message_locale}")
                try:
                    text = compose_step_preview(step, message_locale, tone).text
                except MessageError as exc:
                    err_console.print(
                        f"Este mensaje no se puede armar para el paso {step.key}: "
                        f"{exc}. Un envío real fallaría: cambiá el step_kind o el "
                        "offset_days del paso.",
                        markup=False,
                    )
                    continue
                console.print(text, markup=False, highlight=False)


def _check_locales(locales: list[str]) -> None:
    """Exit with status 2 if any of `locales` is not supported."""
    unknown = [code for code in locales if code not in supported_locales()]
    if unknown:
        err_console.print(
            f"--locale desconocido: {', '.join(unknown)}. Usá uno de "
            f"{', '.join(supported_locales())}.",
            markup=False,
        )
        raise typer.Exit(2)


@policy_app.command("validate")
def policy_validate(file: Path | None = POLICY_FILE_ARGUMENT) -> None:
    """Revisa una política: claves, valores, offset_days, step_kind y tono."""
    policy = _load_policy_or_exit(file)

    issues = validate_policy(policy, supported_locales())
    if issues:
        for issue in issues:
            err_console.print(f"{policy.source}, {issue}", markup=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print(
        f"La política {policy.name!r} es válida: {len(policy.steps)} pasos.",
        markup=False,
    )


@case_app.command("show")
def case_show(customer: str = CUSTOMER_ARGUMENT) -> None:
    """Muestra los casos de un cliente, sus facturas, mensajes y respuestas."""
    settings = load_settings()
    try:
        with transaction(open_engine(settings, read_only=True)) as session:
            business = read_business(session, settings)
            timeline = case_timeline(session, business.id, customer)
            balances = render_balances(session, business, timeline.customer.id)
            today = local_date(utcnow(), business.timezone)
            invoices = invoices_table(
                open_invoices(session, timeline.customer),
                business,
                hold_day(utcnow(), timeline.customer.timezone, business.timezone),
                _release_command(timeline.customer.external_id),
            )
            plan = latest_plan_rows(session, business, timeline.customer.id, today)
            tables = case_tables(timeline, business)
    except ComplianceError as exc:
        err_console.print(f"[red]Cliente no encontrado:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    console.print(balances)
    console.print(invoices)
    if plan is not None:
        console.print(render_plan(plan, business))
    console.print(tables)


INVOICE_OPTION = typer.Option(
    None,
    "--invoice",
    help="Número de una factura del cliente, tal como figura en la importación. "
    "Repetilo para varias; sin él, todas las facturas con saldo del cliente.",
)


@case_app.command("hold")
def case_hold(
    customer: str = CUSTOMER_ARGUMENT,
    invoice: list[str] | None = INVOICE_OPTION,
    until: str | None = typer.Option(
        None,
        "--until",
        help="Último día de la retención, como 2026-03-31 o 31/03/2026: desde el "
        "día siguiente el robot vuelve a cobrarlas.",
    ),
    no_end: bool = typer.Option(
        False,
        "--no-end",
        help="Retiene las facturas sin fecha de fin, hasta que las liberes con "
        "cobranza case release.",
    ),
    reason: str = typer.Option(
        ...,
        "--reason",
        help="Por qué dejás de cobrarlas, como 'arreglamos por teléfono'. Hasta "
        "200 caracteres.",
    ),
) -> None:
    """Deja de cobrar facturas de un cliente hasta una fecha o sin fecha de fin."""
    if until is not None and no_end:
        err_console.print(
            "Usá --until o --no-end, no los dos: --until retiene las facturas "
            "hasta ese día y --no-end sin fecha de fin.",
            markup=False,
        )
        raise typer.Exit(2)
    if until is None and not no_end:
        err_console.print(
            "Decí hasta cuándo: --until AAAA-MM-DD retiene las facturas hasta ese "
            "día, y --no-end las retiene sin fecha de fin.",
            markup=False,
        )
        raise typer.Exit(2)
    end = _parse_date_option("--until", until)

    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            found = _customer_or_exit(session, business.id, customer)
            now = utcnow()
            today = hold_day(now, found.timezone, business.timezone)
            earlier = {
                document.number: document.hold_until
                for document in held_invoices(session, business.id, found.id, today)
            }
            try:
                held = hold_invoices(
                    session,
                    found,
                    invoice or [],
                    end,
                    reason,
                    today,
                    now,
                    actor="cli",
                )
            except HoldError as exc:
                err_console.print(
                    f"[red]No se retuvo ninguna factura:[/red] {escape(str(exc))}.",
                    highlight=False,
                )
                raise typer.Exit(1) from exc
            numbers = [document.number for document in held]
            external_id = found.external_id
            plan_ids = [plan.id for plan in cancelled_plans(session, found.id, now)]
    finally:
        engine.dispose()

    console.print(
        visible(_held_text(numbers, external_id, end)), markup=False, highlight=False
    )
    for number in numbers:
        if number in earlier and earlier[number] != end:
            before = earlier[number]
            was = (
                "sin fecha de fin" if before is None else f"hasta el {before:%d/%m/%Y}"
            )
            console.print(
                visible(
                    f"La factura {number} ya estaba retenida {was}: esa "
                    "retención quedó reemplazada por esta."
                ),
                markup=False,
                highlight=False,
            )
    for plan_id in plan_ids:
        console.print(
            f"Se canceló el plan de cuotas n.º {plan_id}, que incluía "
            f"{'la factura retenida' if len(numbers) == 1 else 'facturas retenidas'}: "
            "sus cuotas ya no se recuerdan y el saldo que sigue en cobro vuelve a "
            "la gestión automática.",
            markup=False,
            highlight=False,
        )


@case_app.command("release")
def case_release(
    customer: str = CUSTOMER_ARGUMENT,
    invoice: list[str] | None = typer.Option(
        None,
        "--invoice",
        help="Número de una factura retenida del cliente. Repetilo para varias; "
        "sin él, todas las retenidas.",
    ),
) -> None:
    """Vuelve a cobrar facturas retenidas de un cliente."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            found = _customer_or_exit(session, business.id, customer)
            now = utcnow()
            today = hold_day(now, found.timezone, business.timezone)
            try:
                released = release_invoices(
                    session, found, invoice or [], today, now, actor="cli"
                )
            except HoldError as exc:
                err_console.print(
                    f"[red]No se liberó ninguna factura:[/red] {escape(str(exc))}.",
                    highlight=False,
                )
                raise typer.Exit(1) from exc
            numbers = [document.number for document in released]
            external_id = found.external_id
    finally:
        engine.dispose()

    console.print(
        visible(_released_text(numbers, external_id)), markup=False, highlight=False
    )


def _customer_or_exit(session: Session, business_id: int, ref: str) -> Customer:
    try:
        return resolve_customer(session, business_id, ref)
    except ComplianceError as exc:
        err_console.print(f"[red]Cliente no encontrado:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc


def _held_text(numbers: list[str], external_id: str, end: date | None) -> str:
    """Word the invoices just held, until when, and how to release them."""
    when = "sin fecha de fin" if end is None else f"hasta el {end:%d/%m/%Y} inclusive"
    release = _release_command(external_id)
    if len(numbers) == 1:
        return (
            f"Se retuvo la factura {numbers[0]} del cliente {external_id} {when}. "
            "El robot no la incluye en recordatorios, links de pago ni planes de "
            f"cuotas mientras esté retenida. Para volver a cobrarla: {release}"
        )
    return (
        f"Se retuvieron {len(numbers)} facturas del cliente {external_id} "
        f"({', '.join(numbers)}) {when}. El robot no las incluye en recordatorios, "
        "links de pago ni planes de cuotas mientras estén retenidas. Para volver "
        f"a cobrarlas: {release}"
    )


def _released_text(numbers: list[str], external_id: str) -> str:
    if len(numbers) == 1:
        return (
            f"Se liberó la factura {numbers[0]} del cliente {external_id}. El "
            "próximo ciclo (cobranza run) vuelve a incluirla en los recordatorios."
        )
    return (
        f"Se liberaron {len(numbers)} facturas del cliente {external_id} "
        f"({', '.join(numbers)}). El próximo ciclo (cobranza run) vuelve a "
        "incluirlas en los recordatorios."
    )


def _release_command(external_id: str) -> str:
    return f"cobranza case release {shlex.quote(external_id)}"


sandbox_app = SpanishTyper(
    help="El canal sandbox: los mensajes quedan guardados en la base local.",
    no_args_is_help=True,
)
app.add_typer(sandbox_app, name="sandbox")


def _parse_now(text: str | None, timezone: str) -> datetime:
    if text is None:
        return utcnow()
    try:
        return parse_instant(text, timezone)
    except ValueError as exc:
        err_console.print(f"[red]--now inválido:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc


# The number of messages the dry run's table lists without --limit or --all.
DRY_RUN_ROWS = 20


def _check_list_options(
    dry_run: bool, limit: int | None, show_all: bool, only: str | None
) -> Outcome | None:
    """Validate the dry run's list options and return the outcome `only` names."""
    given_options = [
        name
        for name, value in (("--limit", limit), ("--all", show_all), ("--only", only))
        if value
    ]
    if given_options and not dry_run:
        err_console.print(
            f"{given_options[0]} sirve solo con --dry-run, que lista los mensajes "
            "del ciclo. Agregá --dry-run, o sacá la opción para correr el ciclo.",
            markup=False,
        )
        raise typer.Exit(2)
    if limit is not None and show_all:
        err_console.print(
            "Usá --limit o --all, no los dos: --all lista todos los mensajes.",
            markup=False,
        )
        raise typer.Exit(2)
    if only is None:
        return None
    try:
        return Outcome(only.strip().lower())
    except ValueError:
        choices = ", ".join(
            f"{outcome.value} ({OUTCOME_LABELS[outcome].lower()})"
            for outcome in Outcome
        )
        err_console.print(
            f"--only inválido: {only!r}. Usá uno de: {choices}.", markup=False
        )
        raise typer.Exit(2) from None


@app.command("run")
def run_command(
    now: str | None = typer.Option(
        None,
        "--now",
        help="Momento del ciclo, en ISO 8601 como 2026-03-24T10:00 (una fecha sola "
        "son las 00:00 en la zona horaria del negocio). Por defecto, la hora actual.",
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Planifica y pasa cada mensaje por el control, y después deshace todo.",
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Imprime los números en JSON; con --dry-run, también los mensajes.",
    ),
    limit: int | None = typer.Option(
        None,
        "--limit",
        min=1,
        metavar="N",
        help=f"Con --dry-run, máximo de mensajes que lista la tabla ({DRY_RUN_ROWS} "
        "si no lo indicás). El JSON los trae todos.",
    ),
    show_all: bool = typer.Option(
        False, "--all", help="Con --dry-run, lista todos los mensajes en la tabla."
    ),
    only: str | None = typer.Option(
        None,
        "--only",
        metavar="RESULTADO",
        help="Con --dry-run, lista solo los mensajes con ese resultado, en la tabla "
        "y en el JSON: send (se enviaría), defer (diferido), suppress (suprimido) "
        "o fail (fallaría).",
    ),
    policy_file: Path | None = typer.Option(
        None,
        "--policy",
        help="Archivo YAML de una política para usar en lugar de la del negocio.",
    ),
    rate: str = typer.Option(
        f"{SANDBOX_MESSAGES_PER_SECOND:g}",
        "--rate",
        metavar="NÚMERO",
        help="Máximo de mensajes por segundo por el canal sandbox, de 0.1 en "
        "adelante (WhatsApp y Twilio usan la velocidad configurada para cada uno).",
    ),
) -> None:
    """Planifica y envía un ciclo de cobranza, y muestra los números por motivo.

    Con --dry-run no guarda ni envía nada, y lista cada mensaje del ciclo con
    lo que pasaría con él.
    """
    from cobranza.jobs import business_settings

    messages_per_second = _parse_number_option("--rate", rate, minimum=0.1)
    outcome = _check_list_options(dry_run, limit, show_all, only)
    settings = load_settings()
    policy = None
    if policy_file is not None:
        try:
            policy = load_policy(policy_file)
        except PolicyError as exc:
            err_console.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(2) from exc

    # A dry run writes nothing, so it creates no tables and no business either.
    engine = open_engine(settings, read_only=dry_run)
    try:
        with transaction(engine) as session:
            find = read_business if dry_run else default_business
            business = find(session, settings)
            business_id, timezone = business.id, business.timezone
            locale = business.locale
            channel = business_channel(business.settings)
            _check_stored_rules(business)
            legal_lines = business_settings.missing_legal_details(business)
            account_warning = business_settings.stored_accounts_warning(business)
        instant = _parse_now(now, timezone)
        if channel == SANDBOX:
            dispatcher = sandbox_dispatcher(
                engine, instant, messages_per_second, link_builder=link_for_outbox_row
            )
        else:
            try:
                dispatcher = build_dispatcher(
                    engine,
                    settings,
                    channel,
                    instant,
                    link_builder=link_for_outbox_row,
                )
            except ChannelSetupError as exc:
                err_console.print(
                    f"[red]El canal {channel} no está listo:[/red] {escape(str(exc))}"
                )
                raise typer.Exit(2) from exc
        try:
            report = run_cycle(
                engine,
                business_id,
                instant,
                dry_run,
                policy=policy,
                dispatcher=dispatcher,
            )
        finally:
            dispatcher.close()
    finally:
        engine.dispose()
    # On standard error, so that it shows with --json too.
    if account_warning is not None:
        err_console.print(account_warning, markup=False, soft_wrap=True)

    messages = [
        message
        for message in report.messages
        if outcome is None or message.outcome is outcome
    ]
    if as_json:
        values = report.as_dict()
        if dry_run:
            values["messages"] = [message.as_dict() for message in messages]
        typer.echo(json.dumps(values, ensure_ascii=False, indent=2))
        return
    console.print(render_cycle(report, timezone, locale))
    missing = business_settings.missing_detail_lines(
        report.dispatch.missing_details, locale
    )
    waiting = template_wait_line(
        report.dispatch.deferred,
        channel,
        locale,
        held_templates=report.held_templates,
        sync=report.template_sync,
    )
    if waiting is not None:
        missing.append(waiting)
    if "business_tax_id" in report.dispatch.missing_details:
        # The counted line above already names the missing tax id.
        legal_lines = [
            line
            for line in legal_lines
            if line != business_settings.MISSING_TAX_ID_LINE
        ]
    for line in missing + legal_lines:
        console.print(line, markup=False, soft_wrap=True)
    if dry_run:
        rows = None if show_all else (limit or DRY_RUN_ROWS)
        _print_dry_run_messages(report, messages, outcome, rows, timezone, locale)


def _print_dry_run_messages(
    report: CycleReport,
    messages: list[DryRunMessage],
    outcome: Outcome | None,
    rows: int | None,
    timezone: str,
    locale: str,
) -> None:
    """Print the first `rows` messages (all for None) and how many are left out."""
    title = f"Mensajes del ciclo: {len(messages)}"
    if outcome is not None:
        label = OUTCOME_LABELS[outcome].lower()
        title = (
            f"Mensajes del ciclo con resultado «{label}»: "
            f"{len(messages)} de {len(report.messages)}"
        )
        if not messages:
            console.print(
                f"Ningún mensaje del ciclo tiene el resultado «{label}».",
                markup=False,
            )
            return
    if not messages:
        console.print("El ciclo no trataría ningún mensaje.", markup=False)
        return

    listed = messages if rows is None else messages[:rows]
    console.print(render_dry_run_messages(listed, report.now, timezone, locale, title))
    hidden = len(messages) - len(listed)
    if hidden:
        console.print(
            f"… y {hidden} mensajes más: --all los lista todos, --limit N los "
            "primeros N, y --only send, defer, suppress o fail solo los de ese "
            "resultado.",
            markup=False,
        )


@contextmanager
def business_session(
    *, read_only: bool = False
) -> Iterator[tuple[Session, Business, Settings]]:
    """Yield a transaction on the configured database and the CLI's business.

    With `read_only`, a missing database or business is not created, and
    the command exits with a message instead.
    """
    settings = load_settings()
    engine = open_engine(settings, read_only=read_only)
    find = read_business if read_only else default_business
    try:
        with transaction(engine) as session:
            yield session, find(session, settings), settings
    finally:
        engine.dispose()


rules_app = SpanishTyper(
    help="Reglas de contacto: el horario y los topes legales del país, y los tuyos "
    "si son más estrictos.",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")


def _check_stored_rules(business: Business) -> None:
    """Exit with the fix when the business's saved contact rules are unusable.

    Rules are checked when saved, but a database edited by hand or saved by
    an older version may hold rules that now fail, which would stop every
    message of the cycle.
    """
    from cobranza.compliance.business_rules import current_rules
    from cobranza.compliance.errors import RuleOverrideError

    try:
        current_rules(business)
    except RuleOverrideError as exc:
        err_console.print(
            f"[red]Las reglas de contacto guardadas no sirven:[/red] "
            f"{escape(str(exc))}. Corregilas con `cobranza rules set ARCHIVO`; un "
            "archivo con {} vuelve a las reglas de la ley."
        )
        raise typer.Exit(2) from exc


@rules_app.command("show")
def rules_show() -> None:
    """Muestra el horario de contacto, los feriados y los topes que rigen ahora."""
    from cobranza.compliance.business_rules import current_rules, describe_rules

    with business_session(read_only=True) as (_, business, _settings):
        _check_stored_rules(business)
        lines = describe_rules(current_rules(business))
    for label, value in lines:
        console.print(f"{label}: {markup_safe(value)}")


@rules_app.command("set")
def rules_set(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="Archivo JSON con las reglas más estrictas, como "
        '{"hours": {"start": "10:00", "end": "18:00"}, "max_per_week": 2}; '
        "{} vuelve a las reglas de la ley.",
    ),
) -> None:
    """Guarda reglas de contacto más estrictas; rechaza las más laxas que la ley."""
    from cobranza.compliance.business_rules import describe_rules, set_business_rules
    from cobranza.compliance.errors import RuleOverrideError

    try:
        overrides = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        # The decoder's own message (exc.msg) is in English, so only its
        # position is shown.
        err_console.print(
            f"[red]JSON inválido en {escape(str(file))}:[/red] el error está en "
            f"la línea {exc.lineno}, columna {exc.colno}. Corregí el archivo: "
            'tiene que ser un objeto JSON, como {"max_per_week": 2}.'
        )
        raise typer.Exit(2) from exc
    except UnicodeDecodeError as exc:
        err_console.print(
            f"[red]{escape(str(file))} no es texto UTF-8[/red] (byte "
            f"{exc.start + 1}): guardalo como UTF-8 desde tu editor."
        )
        raise typer.Exit(2) from exc
    if (
        isinstance(overrides, dict)
        and list(overrides) == ["compliance"]
        and isinstance(overrides["compliance"], dict)
    ):
        # The rules are stored under this key, and a file may copy it.
        overrides = overrides["compliance"]
    try:
        with business_session() as (session, business, _settings):
            rules = set_business_rules(session, business, overrides, utcnow())
    except RuleOverrideError as exc:
        err_console.print(f"[red]No se cambiaron las reglas:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    for label, value in describe_rules(rules):
        console.print(f"{label}: {markup_safe(value)}")


settings_app = SpanishTyper(
    help="Ajustes del negocio: cómo pagarte, días de gracia y límites de las cuotas.",
    no_args_is_help=True,
)
app.add_typer(settings_app, name="settings")


@settings_app.command("show")
def settings_show() -> None:
    """Muestra cada ajuste del negocio, su valor y qué significa."""
    from cobranza.jobs.business_settings import (
        OPTIONS,
        describe_option,
        display_value,
        option_note,
        stored_accounts_warning,
    )

    table = Table(title="Ajustes del negocio")
    table.add_column("Ajuste", no_wrap=True)
    for header in ("Valor", "Qué significa"):
        table.add_column(header, overflow="fold")
    with business_session(read_only=True) as (_, business, settings):
        for option in OPTIONS:
            stored = display_value(business, option)
            if stored is not None:
                value = str(stored)
            elif option.default is not None:
                value = f"{option.default} (predeterminado)"
            else:
                value = "sin definir"
            note = option_note(business, option, settings)
            meaning = describe_option(option, business.locale)
            if note:
                meaning += f". {note}"
            meaning = owner_text(meaning, business.locale)
            table.add_row(option.key, markup_safe(value), meaning)
        warning = stored_accounts_warning(business)
    console.print(table)
    if warning is not None:
        err_console.print(warning, markup=False, soft_wrap=True)


@settings_app.command("set")
def settings_set(
    key: str = typer.Argument(
        ..., help="Nombre del ajuste, como payment_instructions."
    ),
    value: str = typer.Argument(
        ..., help="Valor nuevo, entre comillas si tiene espacios."
    ),
) -> None:
    """Cambia un ajuste del negocio; queda registrado en la auditoría."""
    _change_setting(key, value)


@settings_app.command("unset")
def settings_unset(
    key: str = typer.Argument(..., help="Nombre del ajuste, como promise_grace_days."),
) -> None:
    """Vuelve un ajuste a su valor predeterminado."""
    _change_setting(key, None)


def _change_setting(key: str, value: str | None) -> None:
    from cobranza.jobs.business_settings import SettingError, set_option

    try:
        with business_session() as (session, business, _settings):
            stored = set_option(session, business, key, value, utcnow(), "cli")
    except SettingError as exc:
        err_console.print(f"No se cambió el ajuste: {exc}.", markup=False)
        raise typer.Exit(2) from exc
    if stored is None:
        console.print(f"{key.strip()} vuelve a su valor predeterminado.", markup=False)
    else:
        console.print(f"{key.strip()} = {stored}", markup=False, soft_wrap=True)


channel_app = SpanishTyper(
    help="El canal por el que salen los recordatorios: sandbox, whatsapp o twilio.",
    no_args_is_help=True,
)
app.add_typer(channel_app, name="channel")


@channel_app.command("show")
def channel_show() -> None:
    """Muestra el canal por el que envía el negocio."""
    with business_session(read_only=True) as (_, business, _settings):
        channel = business_channel(business.settings)
    console.print(channel)


@channel_app.command("use")
def channel_use(
    name: str = typer.Argument(..., help="Uno de: " + ", ".join(CHANNELS) + "."),
) -> None:
    """Envía los recordatorios por otro canal; los mensajes en cola pasan a él."""
    try:
        with business_session() as (session, business, settings):
            moved = use_channel(session, business, name, settings, utcnow())
    except ChannelSetupError as exc:
        err_console.print(f"[red]No se cambió el canal:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    console.print(
        f"Los recordatorios ahora salen por {name}; {moved} mensajes en cola "
        "pasaron a este canal."
    )


@sandbox_app.command("outbox")
def sandbox_outbox(
    as_json: bool = typer.Option(False, "--json", help="Imprime los mensajes en JSON."),
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="Muestra solo esta cantidad de los más nuevos."
    ),
) -> None:
    """Lista los mensajes que envió el canal sandbox, del más viejo al más nuevo."""
    settings = load_settings()
    empty_json = "[]" if as_json else None
    engine = open_engine(settings, read_only=True, empty_json=empty_json)
    try:
        with transaction(engine) as session:
            business = read_business(session, settings, empty_json)
            timezone = business.timezone
            messages = sent_messages(session, business.id, limit)
    finally:
        engine.dispose()

    if as_json:
        payload = [message.as_dict() for message in messages]
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    console.print(render_sandbox_outbox(messages, timezone))


@sandbox_app.command("reply")
def sandbox_reply(
    phone: str = typer.Argument(
        ...,
        help="Teléfono de quien responde, en formato internacional: "
        "+5491155550101 en Argentina, +5511987654321 en Brasil.",
    ),
    text: str = typer.Argument(..., help="Texto de la respuesta."),
    now: str | None = typer.Option(
        None,
        "--now",
        help="Momento en que llegó la respuesta, en ISO 8601. Por defecto, ahora.",
    ),
) -> None:
    """Registra una respuesta en el sandbox como si la hubiera escrito el cliente."""
    if not text.strip():
        err_console.print(
            "[red]TEXT está vacío:[/red] pasá la respuesta entre comillas, como "
            '"ya pagué".'
        )
        raise typer.Exit(2)
    from cobranza.conversations.terminal import reply_outcome_lines

    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            received_at = _parse_now(now, business.timezone)
            try:
                normalise_phone(phone, business.country)
            except ValueError as exc:
                err_console.print(
                    f"[red]No se guardó la respuesta:[/red] {escape(str(exc))}."
                )
                raise typer.Exit(2) from exc
        # A configured LLM is asked here, before the transaction that stores
        # the reply, so that a slow one holds no lock.
        prepared = prepare_reply(engine, business.id, phone, text, received_at)
        with transaction(engine) as session:
            business = session.get_one(Business, business.id)
            last_outbox_id = _last_outbox_id(session, business.id)
            reply = record_reply(
                session, business, phone, text, received_at, prepared=prepared
            )
            inbound = session.get_one(InboundMessage, reply.inbound_id)
            outcome = reply_outcome_lines(
                inbound.intent,
                inbound.entities,
                inbound.action_taken,
                business.currency,
                business.locale,
                queued=_queued_since(session, business.id, last_outbox_id),
            )
    finally:
        engine.dispose()

    if reply.shared_by:
        console.print(
            f"Respuesta {reply.inbound_id} guardada. El número "
            f"{markup_safe(reply.sender)} es de {len(reply.shared_by)} clientes "
            f"({markup_safe(', '.join(reply.shared_by))}), así que quedó sin "
            "cliente asignado, como con WhatsApp. Dale a cada cliente su "
            "teléfono en su ficha del panel o en tu próxima importación."
        )
        return
    if reply.customer_external_id is None:
        console.print(
            f"Respuesta {reply.inbound_id} guardada. El número "
            f"{markup_safe(reply.sender)} no "
            "coincide con ningún cliente, así que quedó sin cliente asignado."
        )
        return
    console.print(
        f"Respuesta {reply.inbound_id} guardada para el cliente "
        f"{markup_safe(reply.customer_external_id)}."
    )
    for line in outcome:
        console.print(markup_safe(line), highlight=False)
    if outcome:
        console.print(
            f"El historial completo: cobranza case show "
            f"{markup_safe(shlex.quote(reply.customer_external_id))}",
            highlight=False,
        )


def _last_outbox_id(session: Session, business_id: int) -> int:
    last = session.scalar(
        select(func.max(OutboxMessage.id)).where(
            OutboxMessage.business_id == business_id
        )
    )
    return int(last or 0)


def _queued_since(session: Session, business_id: int, last_outbox_id: int) -> bool:
    """Tell whether a message was queued in the outbox after `last_outbox_id`."""
    queued = session.scalar(
        select(func.count()).where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.id > last_outbox_id,
            OutboxMessage.state == OutboxState.QUEUED,
        )
    )
    return bool(queued)


@app.command("nlu")
def nlu_command(
    text: str | None = typer.Argument(None, help="Respuesta del cliente a analizar."),
    file: Path | None = typer.Option(
        None,
        "--file",
        help="Archivo UTF-8 con una respuesta por línea, en lugar de TEXT.",
    ),
    now: str | None = typer.Option(
        None,
        "--now",
        help="Momento en que llegó la respuesta, en ISO 8601 como 2026-03-19T10:00 "
        "(sin zona, se lee en --tz). Por defecto, la hora actual.",
    ),
    tz: str | None = typer.Option(
        None,
        "--tz",
        help="Zona horaria IANA con la que se resuelven fechas relativas como "
        "'mañana'. Por defecto, la del negocio (COBRANZA_TIMEZONE).",
    ),
    locale: str | None = typer.Option(
        None,
        "--locale",
        help="Idioma, como es_AR o pt_BR. Por defecto, el de COBRANZA_LOCALE.",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Imprime un objeto JSON por respuesta, uno por línea."
    ),
) -> None:
    """Muestra intención, confianza, fecha, monto, moneda y cuotas de cada respuesta."""
    # Imported here so that other commands do not pay for loading scikit-learn.
    from cobranza.conversations.amounts import SEVERAL_CURRENCIES, find_currency
    from cobranza.conversations.llm import LLMClassifier
    from cobranza.conversations.terminal import understanding_lines
    from cobranza.conversations.understand import understand

    settings = load_settings()
    if (text is None) == (file is None):
        err_console.print(
            "[red]Pasá TEXT o --file:[/red] uno de los dos, no ambos ni ninguno."
        )
        raise typer.Exit(2)
    if text is not None and not text.strip():
        err_console.print(
            "[red]TEXT está vacío:[/red] pasá la respuesta entre comillas, como "
            '"te pago el viernes".'
        )
        raise typer.Exit(2)
    timezone = tz or settings.timezone
    try:
        ZoneInfo(timezone)
    except (KeyError, ValueError) as exc:
        err_console.print(
            f"[red]Zona horaria --tz {escape(repr(timezone))} desconocida:[/red] "
            "usá un nombre "
            "IANA, como America/Argentina/Buenos_Aires."
        )
        raise typer.Exit(2) from exc
    if locale is not None:
        _check_locales([locale])
    instant = _parse_now(now, timezone)
    if file is not None:
        try:
            replies = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            err_console.print(
                f"[red]No se puede leer --file {escape(str(file))}:[/red] "
                f"{escape(str(exc))}. Revisá la ruta "
                "y que el archivo sea texto UTF-8."
            )
            raise typer.Exit(2) from exc
    else:
        replies = [text or ""]

    llm = LLMClassifier.from_settings(settings)
    results = [
        understand(reply, instant, timezone, locale or settings.locale, llm=llm)
        for reply in replies
    ]
    # "pesos" and "lucas" name the peso of --locale's country, else the
    # business's currency.
    local_currency = _locale_currency(locale) or settings.currency
    currencies = [find_currency(reply, local_currency) for reply in replies]
    if as_json:
        today = local_date(instant, timezone)
        for reply, result, currency in zip(replies, results, currencies, strict=True):
            fields = result.to_dict()
            fields["payment_days"] = _payment_days(
                reply, result.intent, today, locale or settings.locale
            )
            # An ISO code, or null when the reply names none or several.
            fields["currency"] = None if currency == SEVERAL_CURRENCIES else currency
            typer.echo(json.dumps(fields, ensure_ascii=False))
        return
    for reply, result, currency in zip(replies, results, currencies, strict=True):
        for line in understanding_lines(reply, result, settings.locale, currency):
            console.print(line, markup=False, highlight=False, soft_wrap=True)


def _payment_days(reply: str, intent: str, today: date, locale: str) -> list[str]:
    """Return every day `reply` commits to pay on, as ISO dates, earliest first.

    "la mitad hoy y el resto el viernes" names two. An `already_paid` reply
    names none, as its `promised_date` is None: its day is a past payment.
    """
    if intent == "already_paid":
        return []
    return [day.isoformat() for day in payment_days(reply, today, locale)]


def _locale_currency(locale: str | None) -> str | None:
    """Return the currency of the country of `locale` ("es_CL": CLP), or None."""
    for _, currency, country_locale in COUNTRY_DEFAULTS.values():
        if country_locale == locale:
            return currency
    return None


whatsapp_app = SpanishTyper(
    help="API de WhatsApp Cloud: las plantillas de mensajes del número.",
    no_args_is_help=True,
)
app.add_typer(whatsapp_app, name="whatsapp")
whatsapp_templates_app = SpanishTyper(
    help="Registrar las plantillas de mensajes en Meta y seguir su revisión.",
    no_args_is_help=True,
)
whatsapp_app.add_typer(whatsapp_templates_app, name="templates")


def _graph_client_or_exit(settings: Settings) -> GraphClient:
    try:
        return GraphClient(WhatsAppConfig.from_settings(settings))
    except WhatsAppConfigError as exc:
        err_console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc


@whatsapp_templates_app.command("push")
def whatsapp_templates_push() -> None:
    """Registra en Meta cada traducción de plantilla que todavía no tiene."""
    settings = load_settings()
    client = _graph_client_or_exit(settings)
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            results = whatsapp_templates.push_templates(
                session, business.id, client, utcnow()
            )
    finally:
        client.close()
        engine.dispose()
    console.print(push_table(results))
    if any(result.error for result in results):
        raise typer.Exit(1)


@whatsapp_templates_app.command("sync")
def whatsapp_templates_sync() -> None:
    """Consulta a Meta el estado de revisión de cada plantilla."""
    settings = load_settings()
    client = _graph_client_or_exit(settings)
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            templates = whatsapp_templates.sync_templates(
                session, business.id, client, utcnow()
            )
            waiting = whatsapp_templates.deferred_counts(session, business.id)
            _print_templates(templates, waiting, business.locale)
    except ChannelError as exc:
        err_console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from exc
    finally:
        client.close()
        engine.dispose()


@whatsapp_templates_app.command("list")
def whatsapp_templates_list() -> None:
    """Muestra el estado de cada plantilla por idioma y los mensajes que la esperan."""
    settings = load_settings()
    engine = open_engine(settings, read_only=True)
    try:
        with transaction(engine) as session:
            business = read_business(session, settings)
            templates = whatsapp_templates.list_templates(session, business.id)
            waiting = whatsapp_templates.deferred_counts(session, business.id)
            _print_templates(templates, waiting, business.locale)
    finally:
        engine.dispose()


def _print_templates(
    templates: list[WhatsAppTemplate],
    waiting: dict[tuple[str, str], int],
    locale: str,
) -> None:
    definitions = whatsapp_template_definitions()
    console.print(templates_table(templates, waiting, definitions))
    summary = waiting_summary(waiting, locale)
    if summary is not None:
        console.print(summary, markup=False, highlight=False)


twilio_app = SpanishTyper(
    help="Twilio: la revisión de WhatsApp de las plantillas de Content.",
    no_args_is_help=True,
)
app.add_typer(twilio_app, name="twilio")
twilio_templates_app = SpanishTyper(
    help="Seguir la revisión de WhatsApp de cada Content SID de "
    "COBRANZA_TWILIO_CONTENT_SIDS.",
    no_args_is_help=True,
)
twilio_app.add_typer(twilio_templates_app, name="templates")


@twilio_templates_app.command("sync")
def twilio_templates_sync() -> None:
    """Consulta a Twilio el estado de revisión de cada plantilla de Content."""
    settings = load_settings()
    try:
        config = TwilioConfig.from_settings(settings)
    except TwilioConfigError as exc:
        err_console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    if not config.content_sids:
        err_console.print(
            "[red]COBRANZA_TWILIO_CONTENT_SIDS está vacío:[/red] agregá el Content "
            "SID de cada plantilla, como "
            '{"cobranza_reminder_soft_friendly:es_AR": "HX..."}',
            markup=True,
        )
        raise typer.Exit(2)
    client = TwilioClient(config)
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            templates = sync_content_templates(
                session, business.id, client, config.content_sids, utcnow()
            )
            _print_twilio_templates(session, business, templates)
    except ContentKeyError as exc:
        err_console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    finally:
        client.close()
        engine.dispose()
    if any(template.error_code for template in templates):
        raise typer.Exit(1)


@twilio_templates_app.command("list")
def twilio_templates_list() -> None:
    """Muestra el estado guardado de cada plantilla de Content, sin consultar."""
    settings = load_settings()
    engine = open_engine(settings, read_only=True)
    try:
        with transaction(engine) as session:
            business = read_business(session, settings)
            templates = list_content_templates(
                session, business.id, settings.twilio_content_sids
            )
            _print_twilio_templates(session, business, templates)
    except ContentKeyError as exc:
        err_console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()


def _print_twilio_templates(
    session: Session, business: Business, templates: list[ContentTemplate]
) -> None:
    waiting = whatsapp_templates.deferred_counts(session, business.id, TWILIO)
    console.print(content_templates_table(templates, waiting, business.locale))
    summary = twilio_waiting_summary(waiting, business.locale)
    if summary is not None:
        console.print(summary, markup=False, highlight=False)


payment_app = SpanishTyper(
    help="Pagos: registrarlos, importarlos y crear links de pago.",
    no_args_is_help=True,
)
app.add_typer(payment_app, name="payment")


@payment_app.command("add")
def payment_add(
    customer: str = CUSTOMER_ARGUMENT,
    amount: str = typer.Argument(
        ...,
        help="Monto recibido, como 12500.50, o 125000 en pesos chilenos o "
        "colombianos, que no tienen centavos; con separador de miles según el "
        "idioma del negocio (12,500.50 en México, 12.500,50 en Argentina, "
        "125.000 en Chile).",
    ),
    paid_on: str | None = typer.Option(
        None,
        "--date",
        help="Día o momento del pago (ISO 8601). Por defecto, ahora.",
    ),
    method: str | None = typer.Option(
        None, "--method", help="Cómo se pagó, como transferencia o efectivo."
    ),
    reference: str | None = typer.Option(
        None,
        "--reference",
        help="Número de transferencia o de recibo; cada referencia se registra una "
        "sola vez.",
    ),
    currency: str | None = typer.Option(
        None,
        "--currency",
        help="Moneda del pago, como USD (código ISO 4217). Por defecto, la del "
        "negocio. Salda solo facturas en esa moneda.",
    ),
) -> None:
    """Registra un pago recibido por fuera de los proveedores y salda facturas."""
    settings = load_settings()
    now = utcnow()
    try:
        paid_at = parse_instant(paid_on, settings.timezone) if paid_on else now
    except ValueError as exc:
        err_console.print(f"[red]--date inválido:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            # The amount's thousands and decimal marks depend on the locale.
            try:
                value = parse_amount_input(
                    amount, business.locale, currency or business.currency
                )
            except ValueError as exc:
                message = f"[red]No se registró el pago:[/red] {escape(str(exc))}."
                err_console.print(message)
                raise typer.Exit(2) from exc
            # A sign or code typed with the amount ("US$ 500") names the
            # currency, since the parse above drops it.
            marked = marked_currency(amount)
            if marked is not None and currency and currency.strip().upper() != marked:
                err_console.print(
                    f"[red]No se registró el pago:[/red] el monto "
                    f"{escape(amount.strip())} está en {marked} y --currency dice "
                    f"{escape(currency.strip().upper())}: dejá uno solo."
                )
                raise typer.Exit(2)
            found = resolve_customer(session, business.id, customer)
            result = record_payment(
                session, business, found, value, paid_at, now,
                currency=currency or marked, method=method, reference=reference,
            )  # fmt: skip
            outcome = payment_outcome(session, result)
            credits = customer_credits(session, business.id, found.id)
            locale, timezone = business.locale, business.timezone
    except ComplianceError as exc:
        err_console.print(f"[red]Cliente no encontrado:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    except PaymentError as exc:
        err_console.print(f"[red]No se registró el pago:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    console.print(render_payment_result(result, outcome, credits, locale, timezone))


@payment_app.command("import")
def payment_import(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="CSV o .xlsx con las columnas cliente, monto y fecha.",
    ),
    column_map: list[str] = typer.Option(
        [],
        "--map",
        help="COLUMNA=CAMPO: lee la columna COLUMNA del archivo como CAMPO "
        "(cliente, monto, fecha, medio, referencia o moneda). Se puede repetir.",
    ),
    sheet: str | None = typer.Option(
        None,
        "--sheet",
        metavar="NOMBRE",
        help="Hoja del libro XLSX que se lee. Sin esta opción se lee la primera.",
    ),
) -> None:
    """Registra los pagos de un CSV o Excel; lista y saltea las líneas con errores."""
    try:
        mapping = parse_column_map(column_map)
    except PaymentError as exc:
        err_console.print(f"[red]No se importó ningún pago:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    if sheet is not None:
        sheet = _payment_sheet(file, sheet)
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            report = import_payments(
                session, business, file, utcnow(), mapping, sheet=sheet
            )
            currency, locale = business.currency, business.locale
    except PaymentError as exc:
        err_console.print(f"[red]No se importó ningún pago:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    console.print(render_import_report(report, currency, locale))
    if report.errors:
        raise typer.Exit(1)


def _payment_sheet(file: Path, sheet: str) -> str:
    """Return the title of the sheet that --sheet names, as `cobranza import`
    matches it, or exit with status 2 naming the workbook's sheets."""
    from cobranza.ingest.errors import IngestError
    from cobranza.ingest.hints import FIRST_SHEET
    from cobranza.ingest.readers import find_sheet

    try:
        return find_sheet(file, sheet, FIRST_SHEET)
    except IngestError as exc:
        err_console.print(f"[red]No se importó ningún pago:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc


@payment_app.command("link")
def payment_link(customer: str = CUSTOMER_ARGUMENT) -> None:
    """Muestra el link de pago del caso abierto del cliente."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            url = link_for_customer(session, business, customer, utcnow())
    except ComplianceError as exc:
        err_console.print(f"[red]Cliente no encontrado:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    except PaymentError as exc:
        err_console.print(f"[red]No hay link de pago:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    typer.echo(url)


@payment_app.command("process")
def payment_process(
    limit: int = typer.Option(
        100, "--limit", min=1, help="Máximo de avisos procesados en esta corrida."
    ),
) -> None:
    """Procesa los avisos de pago guardados que siguen pendientes (reintentos)."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        services = build_services(settings)
        processed = process_pending(engine, services.handlers, utcnow(), limit)
    finally:
        engine.dispose()
    typer.echo(f"{processed} avisos de pago procesados")


user_app = SpanishTyper(
    help="Cuentas de los dueños para entrar al panel web.", no_args_is_help=True
)
app.add_typer(user_app, name="user")
token_app = SpanishTyper(help="Tokens de la API REST.", no_args_is_help=True)
app.add_typer(token_app, name="token")
BUSINESS_OPTION = typer.Option(
    None,
    "--business",
    help="Nombre del negocio. Por defecto, el de COBRANZA_BUSINESS_NAME.",
)


@app.command("serve")
def serve_command(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Dirección en la que escucha."
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Puerto TCP."),
    scheduler: bool = typer.Option(
        True,
        "--scheduler/--no-scheduler",
        help="Hace en segundo plano el ciclo de cobranza, el procesamiento de los "
        "avisos y los webhooks salientes (cada COBRANZA_SCHEDULER_INTERVAL_SECONDS "
        "segundos).",
    ),
    process_events: bool = typer.Option(
        True,
        "--process-events/--no-process-events",
        help="Procesa en este proceso los avisos de WhatsApp y Twilio. Con "
        "--no-process-events solo se guardan, para 'cobranza worker'.",
    ),
) -> None:
    """Sirve el panel, la API y los webhooks, y hace el trabajo periódico."""
    from cobranza.channels.whatsapp.config import WhatsAppConfigError
    from cobranza.web.serve import check_serve_settings, serve

    settings = load_settings()
    try:
        check_serve_settings(settings)
    except WhatsAppConfigError as exc:
        err_console.print(
            f"El servidor no arranca: {exc}", markup=False, soft_wrap=True
        )
        raise typer.Exit(2) from exc
    _check_serve_port(settings, host, port)
    engine = open_engine(settings, pooled=True)
    _warn_stored_accounts(settings, engine)
    serve(settings, engine, host, port, scheduler, process_events)


@app.command("worker")
def worker_command(
    poll: str = typer.Option(
        "1",
        "--poll",
        metavar="SEGUNDOS",
        help="Segundos entre dos búsquedas de avisos guardados, de 0.1 en adelante.",
    ),
) -> None:
    """Procesa los avisos guardados y hace el trabajo periódico, sin servidor web.

    Usalo junto con 'cobranza serve --no-process-events --no-scheduler' para
    recibir los avisos y procesarlos en procesos separados.
    """
    from cobranza.web.serve import run_worker

    poll_seconds = _parse_number_option("--poll", poll, minimum=0.1)
    settings = load_settings()
    engine = open_engine(settings, pooled=True)
    _warn_stored_accounts(settings, engine)
    run_worker(settings, engine, poll_seconds)


@user_app.command("create")
def user_create_command(
    email: str = typer.Argument(..., help="Email con el que entra el dueño."),
    business: str | None = BUSINESS_OPTION,
    password_stdin: bool = typer.Option(
        False,
        "--password-stdin",
        help="Lee la contraseña de la primera línea de la entrada estándar.",
    ),
) -> None:
    """Crea la cuenta de un dueño (pide la contraseña dos veces)."""
    from cobranza.web.cli_support import read_password, user_create

    settings = load_settings()
    password = read_password(password_stdin, err_console)
    user_create(
        open_engine(settings), settings, email, business, password, console, err_console
    )


@token_app.command("create")
def token_create_command(
    business: str | None = BUSINESS_OPTION,
    name: str = typer.Option(
        "api", "--name", help="Para qué es el token, como zapier."
    ),
) -> None:
    """Crea un token para la API REST; se muestra una sola vez."""
    from cobranza.web.cli_support import token_create

    settings = load_settings()
    token_create(open_engine(settings), settings, business, name, console, err_console)


def main() -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    app()


inbox_app = SpanishTyper(
    help="Casos que esperan a una persona: listarlos, responderlos y resolverlos.",
    invoke_without_command=True,
)
app.add_typer(inbox_app, name="inbox")


# Messages from unknown numbers that `cobranza inbox` lists, newest first.
UNKNOWN_SENDERS_LISTED = 20


@inbox_app.callback()
def inbox_list(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Imprime los casos en JSON."),
    unknown: bool = typer.Option(
        False,
        "--unknown",
        help="Lista solo los mensajes de números que no son de ningún cliente, "
        "todos, del más nuevo al más viejo.",
    ),
) -> None:
    """Lista los casos que esperan a una persona y los remitentes desconocidos."""
    if ctx.invoked_subcommand is not None:
        return
    from cobranza.conversations.inbox import (
        count_unknown_sender_messages,
        unknown_sender_messages,
        waiting_cases,
    )

    settings = load_settings()
    empty_json = "[]" if as_json else None
    engine = open_engine(settings, read_only=True, empty_json=empty_json)
    try:
        with transaction(engine) as session:
            business = read_business(session, settings, empty_json)
            timezone = business.timezone
            cases = [] if unknown else waiting_cases(session, business.id, utcnow())
            total = count_unknown_sender_messages(session, business.id)
            limit = total if unknown else UNKNOWN_SENDERS_LISTED
            messages = unknown_sender_messages(session, business.id, limit)
    finally:
        engine.dispose()

    if as_json:
        items = messages if unknown else cases
        payload = [item.as_dict() for item in items]
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not unknown:
        console.print(_inbox_table(cases, timezone))
    console.print(_unknown_senders_table(messages, timezone, business.locale))
    if len(messages) < total:
        console.print(
            f"Son los {len(messages)} más nuevos de {total}: `cobranza inbox "
            "--unknown` los lista todos."
        )


def _inbox_table(cases: list[WaitingCase], timezone: str) -> Table | str:
    if not cases:
        return "No hay casos esperando a una persona."
    zone = ZoneInfo(timezone)
    table = Table(title="Casos para atender")
    for header in ("Caso", "Cliente", "Motivo", "Último mensaje", "Espera desde"):
        table.add_column(header)
    for case in cases:
        last = case.last_message or "-"
        if not case.window_open:
            last += " (fuera de la ventana de 24 h)"
        # A table prints as built, so its labels take the business's voice here.
        label = REASON_LABELS.get(case.reason, case.reason)
        reason = label_in_voice(label, case.reason, console.locale)
        if case.receipt_not_downloaded:
            reason += f"; {owner_text(RECEIPT_NOT_DOWNLOADED, console.locale)}"
        if case.nothing_owed:
            reason += f"; {owner_text(BALANCE_SETTLED, console.locale)}"
        table.add_row(
            str(case.case_id),
            # Names come from imports and messages from debtors: text, not markup.
            markup_safe(f"{case.customer_name} ({case.customer_external_id})"),
            markup_safe(reason),
            markup_safe(last, keep_newlines=True),
            case.waiting_since.astimezone(zone).strftime("%d/%m %H:%M"),
        )
    return table


def _unknown_senders_table(
    messages: list[UnknownSenderMessage], timezone: str, locale: str
) -> Table | str:
    if not messages:
        return "Ningún mensaje de un número que no sea de un cliente."
    zone = ZoneInfo(timezone)
    table = Table(
        title="Remitentes desconocidos",
        caption=owner_text(
            "Mensajes de números que no coinciden con ningún cliente, o que "
            "comparten varios clientes. Si es un cliente que cambió de número, "
            "o si varios clientes tienen el mismo, cargá el número de cada uno "
            "en su ficha del panel o en tu próxima importación.",
            locale,
        ),
    )
    for header in ("Recibido", "Número", "Mensaje"):
        table.add_column(header)
    for message in messages:
        sender = message.sender
        if message.shared_by:
            sender += (
                f" (de {len(message.shared_by)} clientes: "
                f"{', '.join(message.shared_by)})"
            )
        table.add_row(
            message.received_at.astimezone(zone).strftime("%d/%m %H:%M"),
            # Names come from imports: text, not markup.
            markup_safe(sender),
            # Text from an unknown sender: never markup.
            markup_safe(message.text),
        )
    return table


@inbox_app.command("reply")
def inbox_reply(
    case_id: int = typer.Argument(..., help="Número de caso que muestra `inbox`."),
    text: str = typer.Argument(..., help="Texto de la respuesta para el cliente."),
) -> None:
    """Envía una respuesta al cliente de un caso, dentro de la ventana de 24 h."""
    from cobranza.conversations.inbox import InboxError, reply_channel, waiting_case
    from cobranza.web.dashboard.replies import ReplyRejected, send_owner_reply

    settings = load_settings()
    engine = open_engine(settings)
    now = utcnow()
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            try:
                case = waiting_case(session, business.id, case_id)
                business_id, customer_id = business.id, case.customer_id
                customer = session.get_one(Customer, customer_id)
                addressee = customer_label(customer.external_id, customer.name)
                channel_name = reply_channel(session, business_id, customer_id)
            except InboxError as exc:
                err_console.print(
                    f"[red]No se envió:[/red] {escape(str(exc))}", highlight=False
                )
                raise typer.Exit(1) from exc
        channel = _reply_channel(engine, settings, channel_name, now)
        try:
            sent = send_owner_reply(
                engine, channel, business_id, customer_id, case_id, text, now, "cli"
            )
        except ReplyRejected as exc:
            err_console.print(
                f"[red]No se envió:[/red] {escape(str(exc))}", highlight=False
            )
            raise typer.Exit(1) from exc
        finally:
            channel.close()
    finally:
        engine.dispose()
    # Names come from imports: text, not markup.
    console.print(
        f"Respuesta enviada a {markup_safe(addressee)} (caso {case_id}, "
        f"mensaje {sent.id})."
    )


def _reply_channel(
    engine: Engine, settings: Settings, name: str, now: datetime
) -> Channel:
    from cobranza.channels.sandbox import SandboxChannel
    from cobranza.channels.whatsapp import WhatsAppChannel

    if name == "whatsapp":
        try:
            config = WhatsAppConfig.from_settings(settings)
        except WhatsAppConfigError as exc:
            err_console.print(
                f"[red]No se puede responder por WhatsApp:[/red] {escape(str(exc))}"
            )
            raise typer.Exit(2) from exc
        return WhatsAppChannel(engine, config)
    if name == "sandbox":
        return SandboxChannel(engine, clock=lambda: now)
    err_console.print(
        f"[red]El canal {escape(repr(name))} todavía no envía respuestas de una "
        "persona:[/red] "
        "respondé desde la consola del proveedor."
    )
    raise typer.Exit(2)


@inbox_app.command("resolve")
def inbox_resolve(
    case_id: int = typer.Argument(..., help="Número de caso que muestra `inbox`."),
    resume: bool = typer.Option(
        False,
        "--resume",
        help="Devuelve el caso a los recordatorios automáticos. Si el cliente ya "
        "no debe nada, lo cierra como pagado.",
    ),
    close: bool = typer.Option(
        False,
        "--close",
        help="Cierra el caso y deja de cobrar, sin fecha de fin, las facturas que "
        "el cliente todavía debe.",
    ),
    reason: str | None = typer.Option(
        None,
        "--reason",
        help="Con --close: por qué dejás de cobrarle, como 'pasó al abogado'. "
        "Hasta 200 caracteres. Por defecto, 'cerrado por una persona'.",
    ),
) -> None:
    """Resuelve un caso: vuelve a la automatización (--resume) o se cierra (--close)."""
    from cobranza.conversations.inbox import CLOSED_HOLD_REASON, InboxError, resolve

    if resume == close:
        err_console.print("[red]Elegí una opción:[/red] --resume o --close.")
        raise typer.Exit(2)
    if reason is not None and resume:
        err_console.print(
            "--reason sirve solo con --close, que retiene las facturas con ese "
            "motivo. Sacá --reason para volver a la automatización.",
            markup=False,
        )
        raise typer.Exit(2)
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            try:
                resolution = resolve(
                    session,
                    business.id,
                    case_id,
                    utcnow(),
                    resume=resume,
                    actor="cli",
                    reason=CLOSED_HOLD_REASON if reason is None else reason,
                )
            except (InboxError, HoldError) as exc:
                err_console.print(
                    f"[red]No se resolvió el caso:[/red] {escape(str(exc))}",
                    highlight=False,
                )
                raise typer.Exit(1) from exc
            external_id = session.get_one(
                Customer, resolution.case.customer_id
            ).external_id
    finally:
        engine.dispose()
    if resume and resolution.closed_as_paid:
        console.print(
            f"El caso {case_id} quedó cerrado como pagado: el cliente "
            f"{markup_safe(external_id)} ya no debe nada, así que no hay nada que "
            "la automatización pueda cobrarle."
        )
        return
    if resume:
        console.print(f"El caso {case_id} vuelve a la automatización.")
        return
    console.print(
        visible(
            _closed_text(
                case_id, [document.number for document in resolution.held], external_id
            )
        ),
        markup=False,
        highlight=False,
    )


def _closed_text(case_id: int, held: list[str], external_id: str) -> str:
    """Word a closed case and the invoices that closing it put on hold."""
    if not held:
        return (
            f"El caso {case_id} quedó cerrado. El cliente {external_id} no debía "
            "ninguna factura, así que no se retuvo nada."
        )
    invoices = (
        f"La factura {held[0]} quedó retenida"
        if len(held) == 1
        else f"Las facturas {', '.join(held)} quedaron retenidas"
    )
    pronoun = "ella" if len(held) == 1 else "ellas"
    return (
        f"El caso {case_id} quedó cerrado. {invoices} sin fecha de fin, así que el "
        f"robot no vuelve a escribirle al cliente {external_id} por {pronoun}. Las "
        "facturas que importes después sí se cobran. Para volver a cobrar las "
        f"retenidas: {_release_command(external_id)}"
    )


data_app = SpanishTyper(
    help="Pedidos sobre datos personales de un cliente: exportarlos o borrarlos.",
    no_args_is_help=True,
)
app.add_typer(data_app, name="data")


@data_app.command("export")
def data_export(
    customer: str = CUSTOMER_ARGUMENT,
    output: Path | None = typer.Option(
        None,
        "--output",
        help="Archivo JSON donde se escribe la exportación. Sin él, se imprime.",
    ),
) -> None:
    """Exporta en JSON todo lo que se guarda sobre un cliente."""
    from cobranza.compliance.subject_export import customer_export, export_json

    settings = load_settings()
    with transaction(open_engine(settings, read_only=True)) as session:
        business = read_business(session, settings)
        found = _customer_or_exit(session, business.id, customer)
        text = export_json(customer_export(session, business, found, utcnow()))
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        err_console.print(
            f"No se pudo escribir {output}: {exc.strerror or exc}. Elegí otra "
            "carpeta con --output, o imprimí la exportación sin --output.",
            markup=False,
        )
        raise typer.Exit(1) from exc
    err_console.print(
        f"Se exportaron los datos del cliente {visible(found.external_id)} a {output}.",
        markup=False,
    )


@data_app.command("erase")
def data_erase(
    customer: str = CUSTOMER_ARGUMENT,
    force: bool = typer.Option(
        False,
        "--force",
        help="Borra aunque el cliente todavía deba plata. Sin esto, un cliente "
        "con saldo abierto no se borra.",
    ),
    yes: bool = typer.Option(
        False,
        "--yes",
        help="No pide que escribas el código del cliente para confirmar.",
    ),
) -> None:
    """Borra los datos personales de un cliente y deja su contabilidad."""
    from cobranza.compliance.erasure import (
        ErasureError,
        OpenBalanceError,
        delete_media_files,
        erase_customer,
    )

    settings = load_settings()
    engine = open_engine(settings, read_only=True)
    with transaction(engine) as session:
        business = read_business(session, settings)
        external_id = _customer_or_exit(session, business.id, customer).external_id
    if not yes:
        _confirm_erasure(external_id)

    try:
        with transaction(engine) as session:
            business = read_business(session, settings)
            found = _customer_or_exit(session, business.id, external_id)
            result = erase_customer(
                session, business, found, utcnow(), force=force, actor="cli"
            )
    except ErasureError as exc:
        fix = (
            ". Si igual querés borrarlos, repetí el comando con --force"
            if isinstance(exc, OpenBalanceError)
            else ""
        )
        err_console.print(f"[red]No se borró nada:[/red] {escape(str(exc))}{fix}.")
        raise typer.Exit(1) from exc
    failures = delete_media_files(result.media_paths)

    counts = result.counts
    received = _count_of(
        counts.get("inbound_messages", 0), "mensaje recibido", "mensajes recibidos"
    )
    sent = _count_of(
        counts.get("outbox_messages", 0),
        "mensaje enviado o programado",
        "mensajes enviados o programados",
    )
    files = _count_of(counts.get("media_files", 0), "archivo", "archivos")
    console.print(
        f"Se borraron los datos personales del cliente {markup_safe(external_id)}, "
        f"que ahora figura como {result.placeholder_id}: {received}, {sent} y "
        f"{files}. Sus facturas y pagos quedan, sin sus datos personales."
    )
    for path, error in failures:
        err_console.print(
            f"[yellow]Atención:[/yellow] no se pudo borrar el archivo "
            f"{markup_safe(path)}: {markup_safe(error)}. Buscalo en la carpeta de "
            "COBRANZA_MEDIA_DIR y, si sigue ahí, borralo a mano.",
        )


def _count_of(count: int, singular: str, plural: str) -> str:
    """Return "1 archivo" or "3 archivos": a count with its noun's number."""
    return f"{count} {singular if count == 1 else plural}"


def _confirm_erasure(external_id: str) -> None:
    """Exit unless the person types the customer's external id."""
    # Typer prints the prompt itself, so it gets the business's voice here.
    prompt = owner_text(
        "Esto borra para siempre los datos personales del cliente "
        f"{external_id}. Escribí su código para confirmar",
        err_console.locale,
    )
    typed = typer.prompt(prompt, default="", show_default=False)
    if typed.strip() != external_id:
        err_console.print(
            f"No se borró nada: escribiste {typed.strip()!r} y el código del "
            f"cliente es {external_id!r}. Repetí el comando y escribilo igual, o "
            "agregá --yes.",
            markup=False,
        )
        raise typer.Exit(1)


if __name__ == "__main__":
    main()
