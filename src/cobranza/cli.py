"""The `cobranza` command line: thin commands over the services."""

from __future__ import annotations

import json
import logging
import secrets
import shlex
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cobranza.channels.base import Channel
from cobranza.channels.errors import ChannelError
from cobranza.channels.sandbox import record_reply, sent_messages
from cobranza.channels.whatsapp import GraphClient, WhatsAppConfig, WhatsAppConfigError
from cobranza.channels.whatsapp import templates as whatsapp_templates
from cobranza.channels.whatsapp.terminal import push_table, templates_table
from cobranza.compliance import (
    ComplianceError,
    consent_history,
    current_consent,
    record_consent,
    resolve_customer,
)
from cobranza.compliance.tone import lint_text
from cobranza.config import Settings, get_settings
from cobranza.conversations.inbox import REASON_LABELS, WaitingCase
from cobranza.db.engine import (
    default_business,
    make_engine,
    open_database,
    transaction,
    upgrade,
)
from cobranza.db.models import Business, ConsentAction
from cobranza.dunning.errors import PolicyError
from cobranza.dunning.policy import Policy, Step, Tone
from cobranza.dunning.policy_loader import (
    check_step_kinds,
    check_templates,
    default_policy_path,
    load_policy,
)
from cobranza.dunning.terminal import case_tables, policy_table
from cobranza.dunning.timeline import case_timeline
from cobranza.jobs import run_cycle, sandbox_dispatcher
from cobranza.jobs.channels import (
    CHANNELS,
    SANDBOX,
    ChannelSetupError,
    build_dispatcher,
    business_channel,
    use_channel,
)
from cobranza.jobs.cycle import SANDBOX_MESSAGES_PER_SECOND
from cobranza.jobs.terminal import render_cycle, render_sandbox_outbox
from cobranza.jobs.wiring import install_hooks
from cobranza.messages import (
    available_step_kinds,
    compose,
    sample_variables,
    supported_locales,
)
from cobranza.payments import import_payments, link_for_outbox_row, record_payment
from cobranza.payments.credits import customer_credits
from cobranza.payments.errors import PaymentError
from cobranza.payments.inbox import process_pending
from cobranza.payments.providers import build_services
from cobranza.payments.terminal import (
    link_for_customer,
    render_balances,
    render_import_report,
    render_payment_result,
)
from cobranza.timeutil import parse_instant, utcnow

app = typer.Typer(
    help="cobranza: collections over WhatsApp for small businesses.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
consent_app = typer.Typer(
    help="WhatsApp consent and opt-out of each customer.", no_args_is_help=True
)
app.add_typer(consent_app, name="consent")

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
    """Open the configured database, applying pending migrations.

    Replies recorded by a command are acted on by the conversation engine,
    and imported invoices take the customers' credits.
    """
    install_hooks(settings)
    return open_database(settings.database_url)


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Argument("heads", help="Alembic revision to upgrade to."),
) -> None:
    """Apply the database migrations (also done automatically on first use)."""
    settings = load_settings()
    upgrade(make_engine(settings.database_url), revision)
    console.print(f"Database at {revision}.")


CUSTOMER_ARGUMENT = typer.Argument(
    ..., help="The customer's external id from the import, or its phone."
)
SOURCE_OPTION = typer.Option(
    ..., "--source", help="Where the consent or opt-out came from."
)
EVIDENCE_OPTION = typer.Option(
    None, "--evidence", help="What proves it: a document, a message id."
)


@consent_app.command("grant")
def consent_grant(
    customer: str = CUSTOMER_ARGUMENT,
    source: str = SOURCE_OPTION,
    evidence: str | None = EVIDENCE_OPTION,
) -> None:
    """Record that the customer agreed to receive WhatsApp messages."""
    _change_consent(customer, ConsentAction.GRANT, source, evidence)


@consent_app.command("revoke")
def consent_revoke(
    customer: str = CUSTOMER_ARGUMENT,
    source: str = SOURCE_OPTION,
    evidence: str | None = EVIDENCE_OPTION,
) -> None:
    """Record the customer's opt-out: no message until a new grant."""
    _change_consent(customer, ConsentAction.REVOKE, source, evidence)


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
    except ComplianceError as exc:
        err_console.print(f"[red]Consent not recorded:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    console.print(f"Consent {action} recorded for customer {escape(external_id)}.")


@consent_app.command("show")
def consent_show(customer: str = CUSTOMER_ARGUMENT) -> None:
    """Show the customer's current consent and every change to it."""
    settings = load_settings()
    try:
        with transaction(open_engine(settings)) as session:
            business = default_business(session, settings)
            found = resolve_customer(session, business.id, customer)
            state = current_consent(session, business.id, found.id)
            events = consent_history(session, business.id, found.id)
            external_id = found.external_id
    except ComplianceError as exc:
        err_console.print(f"[red]Customer not found:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc

    summary = {True: "granted", False: "revoked (opted out)", None: "never recorded"}
    console.print(f"Customer {escape(external_id)}: consent {summary[state]}.")
    for event in events:
        evidence = f" ({event.evidence})" if event.evidence else ""
        console.print(
            f"  {event.at:%Y-%m-%d %H:%M} UTC  {event.action:<6}  "
            f"{event.source}{evidence}",
            markup=False,
            highlight=False,
        )


@app.command("audit")
def audit(
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Date to audit (YYYY-MM-DD) in the business's time zone. "
        "Default: today, which also stores each customer's segment.",
    ),
    period_days: int = typer.Option(
        90, "--period-days", min=1, help="Length of the DSO and CEI period, in days."
    ),
    top: int = typer.Option(10, "--top", min=1, help="Number of top debtors listed."),
    currency: str | None = typer.Option(
        None,
        "--currency",
        help="ISO 4217 code of the documents whose amounts are audited. "
        "Default: the business's currency.",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the report as JSON (keys in docs/auditoria.md)."
    ),
    html: Path | None = typer.Option(
        None, "--html", help="Also write the report to this self-contained HTML file."
    ),
) -> None:
    """Audit the portfolio: aging, delinquency, DSO, CEI, Pareto and segments."""
    # Imported here so that other commands start without loading pandas.
    from cobranza.portfolio import PortfolioError, audit_business
    from cobranza.portfolio.html import write_html
    from cobranza.portfolio.terminal import print_audit

    settings = load_settings()
    audit_date = _parse_date_option("--as-of", as_of)
    engine = open_engine(settings)
    try:
        report = audit_business(
            engine,
            settings,
            utcnow(),
            audit_date,
            period_days=period_days,
            top_debtors=top,
            currency=currency,
        )
    except PortfolioError as exc:
        err_console.print(f"[red]Audit failed:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()

    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_audit(report, console, report.locale)
    if html is not None:
        try:
            write_html(report, html)
        except PortfolioError as exc:
            err_console.print(f"[red]Audit failed:[/red] {exc}")
            raise typer.Exit(1) from exc
        err_console.print(f"HTML report written to {html}.")


def _parse_date_option(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        err_console.print(
            f"[red]Invalid {option} date[/red] {value!r}: use YYYY-MM-DD, "
            "such as 2026-03-31."
        )
        raise typer.Exit(2) from exc


@app.command("demo")
def demo(
    database: Path = typer.Option(
        Path("cobranza-demo.db"),
        "--database",
        dir_okay=False,
        help="SQLite file for the demo, deleted and recreated on every run. "
        "COBRANZA_DATABASE_URL is not used, so your own data stays untouched.",
    ),
    now: str | None = typer.Option(
        None,
        "--now",
        help="The demo's current date or instant, ISO 8601 (such as 2026-03-20); "
        "read in Buenos Aires time when it has no zone. Default: now.",
    ),
    seed: int = typer.Option(
        20260, "--seed", help="Seed of the generated portfolio; same seed, same data."
    ),
    html: Path | None = typer.Option(
        None, "--html", help="Also write the audit to this self-contained HTML file."
    ),
    serve_after: bool = typer.Option(
        False,
        "--serve",
        help="Then serve the dashboard on the demo data, with a demo account.",
    ),
    port: int = typer.Option(
        8000, "--port", min=1, max=65535, help="TCP port for --serve."
    ),
) -> None:
    """Load a generated, fictitious portfolio into a fresh database and audit it."""
    from cobranza.jobs.demo import DEMO_STAGES_WITH_CYCLE
    from cobranza.simulate.demo import DEMO_TIMEZONE, DemoContext, run_demo
    from cobranza.timeutil import parse_instant

    try:
        instant = utcnow() if now is None else parse_instant(now, DEMO_TIMEZONE)
    except ValueError as exc:
        err_console.print(f"[red]Invalid --now:[/red] {exc}")
        raise typer.Exit(2) from exc
    context = DemoContext(
        database=database.resolve(), now=instant, console=console, seed=seed, html=html
    )
    run_demo(context, DEMO_STAGES_WITH_CYCLE)
    # The command is printed whole on its own line with this executable's
    # path, because the virtualenv is usually not on PATH and a wrapped line
    # pasted into a shell would set the variables without running anything.
    console.print("\nPara seguir explorando, copiá esta línea en la terminal:")
    console.print(
        f"COBRANZA_DATABASE_URL=sqlite:///{context.database} "
        f"COBRANZA_BUSINESS_NAME='{context.settings.business_name}' "
        f"{_own_command()} customers",
        soft_wrap=True,
        highlight=False,
        markup=False,
    )
    if serve_after:
        _serve_demo(context.settings, port)


DEMO_EMAIL = "demo@ejemplo.com"


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
    console.print(
        f"\nPanel de la demo: http://127.0.0.1:{port}/  "
        f"(usuario {DEMO_EMAIL}, contraseña {password}). Ctrl+C para terminar."
    )
    serve(settings, engine, "127.0.0.1", port)


@app.command("import")
def import_command(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="CSV or XLSX export of invoices."
    ),
    column_map: list[str] = typer.Option(
        [],
        "--map",
        help="COLUMN=FIELD: read COLUMN as FIELD (or FIELD 'ignore'). Repeatable.",
    ),
    decimal: str | None = typer.Option(
        None, "--decimal", help="Decimal mark of the amounts: comma or point."
    ),
    date_format: str | None = typer.Option(
        None,
        "--date-format",
        help="Order of numeric dates: dmy, mdy, ymd, or a strptime pattern.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show the report and write nothing."
    ),
    full_snapshot: bool = typer.Option(
        False,
        "--full-snapshot",
        help="The file lists every open document: mark the missing ones settled.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Import invoices, credit notes and payments from a spreadsheet export."""
    from cobranza.ingest.cli_support import import_from_cli

    settings = load_settings()
    import_from_cli(
        open_engine(settings),
        settings,
        file,
        column_map,
        decimal=decimal,
        date_format=date_format,
        dry_run=dry_run,
        full_snapshot=full_snapshot,
        as_json=as_json,
        console=console,
        err_console=err_console,
    )


@app.command("customers")
def customers_command(
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List customers with their phone, tax id, balance and segment."""
    from cobranza.ingest.cli_support import list_customers_from_cli
    from cobranza.portfolio.labels import SPANISH as SEGMENT_LABELS

    settings = load_settings()
    list_customers_from_cli(
        open_engine(settings), settings, as_json, console, SEGMENT_LABELS
    )


policy_app = typer.Typer(
    help="Dunning policies: explain and validate them.", no_args_is_help=True
)
app.add_typer(policy_app, name="policy")
case_app = typer.Typer(help="Dunning cases of each customer.", no_args_is_help=True)
app.add_typer(case_app, name="case")

POLICY_FILE_ARGUMENT = typer.Argument(
    None, help="Policy YAML file. Without it, the policy shipped with cobranza."
)


def _load_policy_or_exit(file: Path | None) -> Policy:
    try:
        return load_policy(file if file is not None else default_policy_path())
    except PolicyError as exc:
        err_console.print(
            f"[red]Política inválida:[/red] {exc}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(1) from exc


@policy_app.command("show")
def policy_show(
    file: Path | None = POLICY_FILE_ARGUMENT,
    preview: bool = typer.Option(
        False, "--preview", help="Also render each step's message per tone."
    ),
    locale: list[str] | None = typer.Option(
        None,
        "--locale",
        help="Locale of the preview, such as es_AR or pt_BR; repeat it for "
        "several. Default: the configured COBRANZA_LOCALE.",
    ),
) -> None:
    """Explain a dunning policy in plain words, step by step."""
    policy = _load_policy_or_exit(file)
    console.print(policy_table(policy))
    if not preview:
        return

    locales = locale or [load_settings().locale]
    for step in policy.steps:
        if step.step_kind is None:
            continue
        for tone in step.concrete_tones():
            for message_locale in locales:
                text = compose(
                    step.step_kind,
                    message_locale,
                    tone,
                    sample_variables(message_locale, step.offset_days),
                ).text
                console.rule(f"{step.key} · {tone} · {message_locale}")
                console.print(text, markup=False, highlight=False)


@policy_app.command("validate")
def policy_validate(file: Path | None = POLICY_FILE_ARGUMENT) -> None:
    """Check a policy: keys, types, offsets, step kinds and message tone."""
    policy = _load_policy_or_exit(file)

    def render(step: Step, tone: Tone) -> list[tuple[str, str]]:
        assert step.step_kind is not None
        return [
            (code, compose(step.step_kind, code, tone, sample_variables(code)).text)
            for code in supported_locales()
        ]

    def lint(text: str, code: str) -> list[str]:
        return [problem.why for problem in lint_text(text, code)]

    issues = check_step_kinds(policy, available_step_kinds())
    if not issues:
        issues = check_templates(policy, render, lint)
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
    """Show a customer's cases, messages with their state and reason, and replies."""
    settings = load_settings()
    try:
        with transaction(open_engine(settings)) as session:
            business = default_business(session, settings)
            timeline = case_timeline(session, business.id, customer)
            balances = render_balances(session, business, timeline.customer.id)
    except ComplianceError as exc:
        err_console.print(f"[red]Customer not found:[/red] {exc}")
        raise typer.Exit(1) from exc
    console.print(balances)
    console.print(case_tables(timeline))


sandbox_app = typer.Typer(
    help="The sandbox channel: messages kept in the local database.",
    no_args_is_help=True,
)
app.add_typer(sandbox_app, name="sandbox")


def _parse_now(text: str | None, timezone: str) -> datetime:
    if text is None:
        return utcnow()
    try:
        return parse_instant(text, timezone)
    except ValueError as exc:
        err_console.print(f"[red]Invalid --now:[/red] {exc}")
        raise typer.Exit(2) from exc


@app.command("run")
def run_command(
    now: str | None = typer.Option(
        None,
        "--now",
        help="Instant of the cycle, ISO 8601 such as 2026-03-24T10:00 (a bare "
        "date is 00:00 in the business's time zone). Default: the current time.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Plan and run the gate, then roll back everything."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
    policy_file: Path | None = typer.Option(
        None, "--policy", help="Policy YAML file to use instead of the business's."
    ),
    rate: float = typer.Option(
        SANDBOX_MESSAGES_PER_SECOND,
        "--rate",
        min=0.1,
        help="Maximum messages per second sent through the sandbox channel "
        "(WhatsApp and Twilio use their own configured throughput).",
    ),
) -> None:
    """Plan and send one dunning cycle, then print the counts by reason."""
    settings = load_settings()
    policy = None
    if policy_file is not None:
        try:
            policy = load_policy(policy_file)
        except PolicyError as exc:
            err_console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc

    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            business_id, timezone = business.id, business.timezone
            channel = business_channel(business.settings)
        instant = _parse_now(now, timezone)
        if channel == SANDBOX:
            dispatcher = sandbox_dispatcher(
                engine, instant, rate, link_builder=link_for_outbox_row
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
                err_console.print(f"[red]Channel {channel} is not ready:[/red] {exc}")
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

    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    console.print(render_cycle(report, timezone))


@contextmanager
def business_session() -> Iterator[tuple[Session, Business, Settings]]:
    """Yield a transaction on the configured database and the CLI's business."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            yield session, default_business(session, settings), settings
    finally:
        engine.dispose()


rules_app = typer.Typer(
    help="Contact rules: the country's legal window and caps, and your stricter ones.",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")


@rules_app.command("show")
def rules_show() -> None:
    """Print the contact window, holidays and caps that apply now."""
    from cobranza.compliance.business_rules import current_rules, describe_rules

    with business_session() as (_, business, _settings):
        lines = describe_rules(current_rules(business))
    for label, value in lines:
        console.print(f"{label}: {escape(value)}")


@rules_app.command("set")
def rules_set(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="JSON file with the stricter rules, such as "
        '{"hours": {"start": "10:00", "end": "18:00"}, "max_per_week": 2}; '
        "{} goes back to the law's rules.",
    ),
) -> None:
    """Store stricter contact rules; a value looser than the law is rejected."""
    from cobranza.compliance.business_rules import describe_rules, set_business_rules
    from cobranza.compliance.errors import RuleOverrideError

    try:
        overrides = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        err_console.print(f"[red]Invalid JSON in {escape(str(file))}:[/red] {exc}")
        raise typer.Exit(2) from exc
    try:
        with business_session() as (session, business, _settings):
            rules = set_business_rules(session, business, overrides, utcnow())
    except RuleOverrideError as exc:
        err_console.print(f"[red]Rules not changed:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    for label, value in describe_rules(rules):
        console.print(f"{label}: {escape(value)}")


channel_app = typer.Typer(
    help="The channel reminders go out through: sandbox, whatsapp or twilio.",
    no_args_is_help=True,
)
app.add_typer(channel_app, name="channel")


@channel_app.command("show")
def channel_show() -> None:
    """Print the channel the business sends through."""
    with business_session() as (_, business, _settings):
        channel = business_channel(business.settings)
    console.print(channel)


@channel_app.command("use")
def channel_use(
    name: str = typer.Argument(..., help="One of: " + ", ".join(CHANNELS) + "."),
) -> None:
    """Send reminders through another channel; queued messages move to it."""
    try:
        with business_session() as (session, business, settings):
            moved = use_channel(session, business, name, settings, utcnow())
    except ChannelSetupError as exc:
        err_console.print(f"[red]Channel not changed:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"Reminders now go out through {name}; {moved} queued moved.")


@sandbox_app.command("outbox")
def sandbox_outbox(
    as_json: bool = typer.Option(False, "--json", help="Print the messages as JSON."),
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="Show at most this many messages."
    ),
) -> None:
    """List the messages the sandbox channel sent, oldest first."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
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
    phone: str = typer.Argument(..., help="Sender's phone, such as +5491155550101."),
    text: str = typer.Argument(..., help="The reply's text."),
    now: str | None = typer.Option(
        None, "--now", help="Instant the reply arrived, ISO 8601. Default: now."
    ),
) -> None:
    """Record a reply to the sandbox as if the customer had written it."""
    if not text.strip():
        err_console.print(
            '[red]TEXT is empty:[/red] pass the reply in quotes, such as "ya pagué".'
        )
        raise typer.Exit(2)
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            received_at = _parse_now(now, business.timezone)
            try:
                reply = record_reply(session, business, phone, text, received_at)
            except ValueError as exc:
                err_console.print(f"[red]Teléfono inválido:[/red] {exc}")
                raise typer.Exit(2) from exc
    finally:
        engine.dispose()

    if reply.customer_external_id is None:
        console.print(
            f"Respuesta {reply.inbound_id} guardada. El número {reply.sender} no "
            "coincide con ningún cliente, así que quedó sin cliente asignado."
        )
        return
    console.print(
        f"Respuesta {reply.inbound_id} guardada para el cliente "
        f"{escape(reply.customer_external_id)}."
    )


@app.command("nlu")
def nlu_command(
    text: str | None = typer.Argument(None, help="The reply to understand."),
    file: Path | None = typer.Option(
        None, "--file", help="UTF-8 file with one reply per line, instead of TEXT."
    ),
    now: str | None = typer.Option(
        None,
        "--now",
        help="Instant the reply arrived, ISO 8601 such as 2026-03-19T10:00 "
        "(naive values are read in --tz). Default: the current time.",
    ),
    tz: str | None = typer.Option(
        None,
        "--tz",
        help="IANA time zone that resolves relative dates such as 'mañana'. "
        "Default: the business's (COBRANZA_TIMEZONE).",
    ),
    locale: str | None = typer.Option(
        None,
        "--locale",
        help="Locale such as es_AR or pt_BR. Default: COBRANZA_LOCALE.",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print one JSON object per reply, one per line."
    ),
) -> None:
    """Print the intent, confidence, date, amount and installments of replies."""
    # Imported here so that other commands do not pay for loading scikit-learn.
    from cobranza.conversations.llm import LLMClassifier
    from cobranza.conversations.understand import understand

    settings = load_settings()
    if (text is None) == (file is None):
        err_console.print("[red]Give either TEXT or --file, not both or neither.[/red]")
        raise typer.Exit(2)
    if text is not None and not text.strip():
        err_console.print(
            "[red]TEXT is empty:[/red] pass the reply in quotes, such as "
            '"te pago el viernes".'
        )
        raise typer.Exit(2)
    timezone = tz or settings.timezone
    try:
        ZoneInfo(timezone)
    except (KeyError, ValueError) as exc:
        err_console.print(
            f"[red]Unknown --tz {timezone!r}:[/red] use an IANA name such as "
            "America/Argentina/Buenos_Aires."
        )
        raise typer.Exit(2) from exc
    instant = _parse_now(now, timezone)
    if file is not None:
        try:
            replies = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            err_console.print(
                f"[red]Cannot read --file {file}:[/red] {exc}. Check the path and "
                "that the file is UTF-8 text."
            )
            raise typer.Exit(2) from exc
    else:
        replies = [text or ""]

    llm = LLMClassifier.from_settings(settings)
    results = [
        understand(reply, instant, timezone, locale or settings.locale, llm=llm)
        for reply in replies
    ]
    if as_json:
        for result in results:
            typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    for reply, result in zip(replies, results, strict=True):
        row = result.to_dict()
        console.print(f"reply: {reply}", markup=False, highlight=False)
        console.print(
            f"  intent: {result.intent} ({result.source}, "
            f"confidence {result.confidence:.2f})",
            highlight=False,
        )
        for key in ("promised_date", "amount", "installments"):
            value = "null" if row[key] is None else row[key]
            console.print(f"  {key}: {value}", highlight=False)
        if result.possible_opt_out:
            console.print(
                "  possible_opt_out: true (a person checks it; no rule matched)",
                highlight=False,
            )


whatsapp_app = typer.Typer(
    help="WhatsApp Cloud API: the number's message templates.", no_args_is_help=True
)
app.add_typer(whatsapp_app, name="whatsapp")
whatsapp_templates_app = typer.Typer(
    help="Register the message templates with Meta and track their review.",
    no_args_is_help=True,
)
whatsapp_app.add_typer(whatsapp_templates_app, name="templates")


def _graph_client_or_exit(settings: Settings) -> GraphClient:
    try:
        return GraphClient(WhatsAppConfig.from_settings(settings))
    except WhatsAppConfigError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@whatsapp_templates_app.command("push")
def whatsapp_templates_push() -> None:
    """Register every template translation that Meta does not have yet."""
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
    """Read each template's review status from Meta."""
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
            console.print(templates_table(templates, waiting))
    except ChannelError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    finally:
        client.close()
        engine.dispose()


@whatsapp_templates_app.command("list")
def whatsapp_templates_list() -> None:
    """Show the stored templates, their status and the messages waiting for them."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            templates = whatsapp_templates.list_templates(session, business.id)
            waiting = whatsapp_templates.deferred_counts(session, business.id)
            console.print(templates_table(templates, waiting))
    finally:
        engine.dispose()


payment_app = typer.Typer(
    help="Payments: record them, import them, make payment links.",
    no_args_is_help=True,
)
app.add_typer(payment_app, name="payment")


@payment_app.command("add")
def payment_add(
    customer: str = CUSTOMER_ARGUMENT,
    amount: str = typer.Argument(..., help="Amount received, such as 12500.50."),
    paid_on: str | None = typer.Option(
        None, "--date", help="Day or instant paid (ISO 8601); default: now."
    ),
    method: str | None = typer.Option(
        None, "--method", help="How it was paid, such as transfer or cash."
    ),
    reference: str | None = typer.Option(
        None,
        "--reference",
        help="Transfer or receipt number; a reference is recorded only once.",
    ),
) -> None:
    """Record a payment received outside the providers and settle invoices."""
    settings = load_settings()
    try:
        value = Decimal(amount)
    except InvalidOperation as exc:
        err_console.print(f"[red]Invalid amount[/red] {amount!r}: write it as 12500.50")
        raise typer.Exit(2) from exc
    now = utcnow()
    paid_at = _parse_now(paid_on, settings.timezone) if paid_on else now
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            found = resolve_customer(session, business.id, customer)
            result = record_payment(
                session, business, found, value, paid_at, now,
                method=method, reference=reference,
            )  # fmt: skip
            credits = customer_credits(session, business.id, found.id)
            locale = business.locale
    except ComplianceError as exc:
        err_console.print(f"[red]Customer not found:[/red] {exc}")
        raise typer.Exit(1) from exc
    except PaymentError as exc:
        err_console.print(f"[red]Payment not recorded:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    console.print(render_payment_result(result, credits, locale))


@payment_app.command("import")
def payment_import(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="CSV or .xlsx with cliente, monto, fecha.",
    ),
) -> None:
    """Record the payments of a CSV or Excel file; bad lines are listed and skipped."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            report = import_payments(session, business, file, utcnow())
    except PaymentError as exc:
        err_console.print(f"[red]Import failed:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    console.print(render_import_report(report))
    if report.errors:
        raise typer.Exit(1)


@payment_app.command("link")
def payment_link(customer: str = CUSTOMER_ARGUMENT) -> None:
    """Print the payment link of the customer's open case."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            url = link_for_customer(session, business, customer, utcnow())
    except ComplianceError as exc:
        err_console.print(f"[red]Customer not found:[/red] {exc}")
        raise typer.Exit(1) from exc
    except PaymentError as exc:
        err_console.print(f"[red]No payment link:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    typer.echo(url)


@payment_app.command("process")
def payment_process(
    limit: int = typer.Option(
        100, "--limit", min=1, help="Maximum notifications processed in this run."
    ),
) -> None:
    """Process stored payment notifications that are still pending (retries)."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        services = build_services(settings)
        processed = process_pending(engine, services.handlers, utcnow(), limit)
    finally:
        engine.dispose()
    typer.echo(f"{processed} payment notifications processed")


user_app = typer.Typer(
    help="Owner accounts of the web dashboard.", no_args_is_help=True
)
app.add_typer(user_app, name="user")
token_app = typer.Typer(help="API tokens for the REST API.", no_args_is_help=True)
app.add_typer(token_app, name="token")
BUSINESS_OPTION = typer.Option(
    None, "--business", help="Business name. Default: COBRANZA_BUSINESS_NAME."
)


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    scheduler: bool = typer.Option(
        True,
        "--scheduler/--no-scheduler",
        help="Run the dunning cycle, webhook processing and outgoing webhooks "
        "in the background (every COBRANZA_SCHEDULER_INTERVAL_SECONDS).",
    ),
    process_events: bool = typer.Option(
        True,
        "--process-events/--no-process-events",
        help="Act on WhatsApp and Twilio webhook events in this process. With "
        "--no-process-events they are only stored, for 'cobranza worker'.",
    ),
) -> None:
    """Serve the dashboard, the API and the webhooks, with the scheduler."""
    from cobranza.channels.whatsapp.config import WhatsAppConfigError
    from cobranza.web.serve import check_serve_settings, serve

    settings = load_settings()
    try:
        check_serve_settings(settings)
    except WhatsAppConfigError as exc:
        err_console.print(f"Not starting: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    serve(settings, open_engine(settings), host, port, scheduler, process_events)


@app.command("worker")
def worker_command(
    poll: float = typer.Option(
        1.0, "--poll", min=0.1, help="Seconds between polls for stored events."
    ),
) -> None:
    """Process stored webhook events and run the scheduler, without a web server.

    Pair it with 'cobranza serve --no-process-events --no-scheduler' to keep
    webhook ingest and processing on separate processes.
    """
    from cobranza.web.serve import run_worker

    settings = load_settings()
    run_worker(settings, open_engine(settings), poll)


@user_app.command("create")
def user_create_command(
    email: str = typer.Argument(..., help="Email the owner signs in with."),
    business: str | None = BUSINESS_OPTION,
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first stdin line."
    ),
) -> None:
    """Create an owner account (the password is prompted twice)."""
    from cobranza.web.cli_support import read_password, user_create

    settings = load_settings()
    password = read_password(password_stdin)
    user_create(
        open_engine(settings), settings, email, business, password, console, err_console
    )


@token_app.command("create")
def token_create_command(
    business: str | None = BUSINESS_OPTION,
    name: str = typer.Option("api", "--name", help="What the token is for."),
) -> None:
    """Create an API token for the REST API; it is shown once."""
    from cobranza.web.cli_support import token_create

    settings = load_settings()
    token_create(open_engine(settings), settings, business, name, console, err_console)


def main() -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    app()


inbox_app = typer.Typer(
    help="Cases waiting for a person: list them, reply and resolve them.",
    invoke_without_command=True,
)
app.add_typer(inbox_app, name="inbox")


@inbox_app.callback()
def inbox_list(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the cases as JSON."),
) -> None:
    """List the cases waiting for a person, longest waiting first."""
    if ctx.invoked_subcommand is not None:
        return
    from cobranza.conversations.inbox import waiting_cases

    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            timezone = business.timezone
            cases = waiting_cases(session, business.id, utcnow())
    finally:
        engine.dispose()

    if as_json:
        payload = [case.as_dict() for case in cases]
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    console.print(_inbox_table(cases, timezone))


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
        table.add_row(
            str(case.case_id),
            # Names come from imports and messages from debtors: text, not markup.
            escape(f"{case.customer_name} ({case.customer_external_id})"),
            REASON_LABELS.get(case.reason, case.reason),
            escape(last),
            case.waiting_since.astimezone(zone).strftime("%d/%m %H:%M"),
        )
    return table


@inbox_app.command("reply")
def inbox_reply(
    case_id: int = typer.Argument(..., help="The case number shown by `inbox`."),
    text: str = typer.Argument(..., help="The reply text to send to the customer."),
) -> None:
    """Send a reply to the customer of a case, inside the 24-hour window."""
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
                channel_name = reply_channel(session, business_id, customer_id)
            except InboxError as exc:
                err_console.print(f"[red]{exc}[/red]", highlight=False)
                raise typer.Exit(1) from exc
        channel = _reply_channel(engine, settings, channel_name, now)
        try:
            sent = send_owner_reply(
                engine, channel, business_id, customer_id, case_id, text, now, "cli"
            )
        except ReplyRejected as exc:
            err_console.print(f"[red]No se envió:[/red] {exc}", highlight=False)
            raise typer.Exit(1) from exc
        finally:
            channel.close()
    finally:
        engine.dispose()
    console.print(f"Respuesta enviada al cliente del caso {case_id} ({sent.id}).")


def _reply_channel(
    engine: Engine, settings: Settings, name: str, now: datetime
) -> Channel:
    from cobranza.channels.sandbox import SandboxChannel
    from cobranza.channels.whatsapp import WhatsAppChannel

    if name == "whatsapp":
        try:
            config = WhatsAppConfig.from_settings(settings)
        except WhatsAppConfigError as exc:
            err_console.print(f"[red]WhatsApp is not configured:[/red] {exc}")
            raise typer.Exit(2) from exc
        return WhatsAppChannel(engine, config)
    if name == "sandbox":
        return SandboxChannel(engine, clock=lambda: now)
    err_console.print(
        f"[red]Channel {name!r} cannot send a person's reply yet:[/red] answer "
        "from the provider's own console"
    )
    raise typer.Exit(2)


@inbox_app.command("resolve")
def inbox_resolve(
    case_id: int = typer.Argument(..., help="The case number shown by `inbox`."),
    resume: bool = typer.Option(
        False, "--resume", help="Return the case to the automatic reminders."
    ),
    close: bool = typer.Option(False, "--close", help="Close the case for good."),
) -> None:
    """Settle a waiting case: back to automation (--resume) or closed (--close)."""
    from cobranza.conversations.inbox import InboxError, resolve

    if resume == close:
        err_console.print("[red]Choose one:[/red] --resume or --close.")
        raise typer.Exit(2)
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with transaction(engine) as session:
            business = default_business(session, settings)
            try:
                resolve(
                    session, business.id, case_id, utcnow(), resume=resume, actor="cli"
                )
            except InboxError as exc:
                err_console.print(f"[red]{exc}[/red]", highlight=False)
                raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    outcome = "vuelve a la automatización" if resume else "quedó cerrado"
    console.print(f"El caso {case_id} {outcome}.")


if __name__ == "__main__":
    main()
