"""Rich renderings of dunning cycles and sandbox messages, in Spanish."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cobranza.channels.sandbox import SentMessage
from cobranza.channels.twilio import TWILIO
from cobranza.channels.twilio.sync import ContentSyncReport
from cobranza.channels.twilio.templates import HeldTemplate
from cobranza.channels.twilio.terminal import held_summary
from cobranza.compliance.reasons import Reason
from cobranza.compliance.rules import DAY_NAMES_ES
from cobranza.country_words import words_for
from cobranza.ingest.rows import customer_label
from cobranza.jobs.cycle import CycleReport
from cobranza.jobs.dry_run import DryRunMessage, Outcome
from cobranza.money import format_money
from cobranza.terminal_text import plain
from cobranza.voseo import owner_text
from cobranza.wording import is_policy_step, step_label

WEEKDAYS = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")

# Labels of the dry run's outcomes, as its list of messages prints them.
OUTCOME_LABELS = {
    Outcome.SEND: "Se enviaría",
    Outcome.DEFER: "Diferido",
    Outcome.SUPPRESS: "Suprimido",
    Outcome.FAIL: "Fallaría",
}


def reason_label(reason: str, locale: str | None = None) -> str:
    """Return the owner's Spanish label of a reason, or the code without one.

    The label has the nouns of the country of `locale`, the business's
    (None is es_AR). `--json` keeps the codes, and docs/ciclo.md lists each
    code with its label.
    """
    try:
        return Reason(reason).worded(words_for(locale))
    except ValueError:
        return reason


def holidays_phrase(
    reason: str | None,
    holidays: Sequence[tuple[date, str]],
    locale: str | None = None,
) -> str:
    """Word the holidays that keep a deferred message waiting, or return "".

    A deferral for the holiday itself names it after the reason. A deferral
    for the weekday or the hour adds that the days after it are holidays
    too, in the word of the country of `locale` ("feriados", "festivos").
    The holidays' own names are printed as the calendar has them.
    """
    if not holidays:
        return ""
    days = _spanish_list(
        [
            f"{DAY_NAMES_ES[day.weekday()]} {day:%d/%m} ({name})"
            for day, name in holidays
        ]
    )
    if reason == Reason.HOLIDAY:
        return f": {days}"
    words = words_for(locale)
    verb = f"es {words.holiday}" if len(holidays) == 1 else f"son {words.holidays}"
    return f"; además, {days} {verb}"


def _spanish_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} y {items[-1]}"


def render_cycle(
    report: CycleReport, timezone: str, locale: str | None = None
) -> Table:
    """Build the table `cobranza run` prints: counts by outcome and reason.

    The reasons have the nouns of the country of `locale`, the business's.
    """
    local = report.now.astimezone(ZoneInfo(timezone))
    title = f"Ciclo del {local:%d/%m/%Y %H:%M} ({timezone})"
    if report.dry_run:
        title += ", simulación: no se guardó ni se envió nada"
    table = Table(title=title)
    table.add_column("Resultado")
    table.add_column("Motivo")
    table.add_column("Mensajes", justify="right")

    dispatch = report.dispatch
    table.add_row("Planificados", "", str(report.planned))
    sent_label = "Se enviarían" if report.dry_run else "Enviados"
    table.add_row(sent_label, "", str(dispatch.sent))
    groups = (
        ("Diferidos", dispatch.deferred),
        ("Suprimidos", dispatch.suppressed),
        ("Reintentos", dispatch.retried),
        ("Fallidos", dispatch.failed),
        ("Reconciliados", dispatch.reconciled),
    )
    for label, counts in groups:
        if not counts:
            table.add_row(label, "", "0")
        for reason, count in sorted(counts.items()):
            table.add_row(label, reason_label(reason, locale), str(count))
    return table


# The fix for messages deferred for their template, by channel other than Twilio.
_TEMPLATE_WAIT_FIXES = {
    "whatsapp": (
        "que WhatsApp apruebe su plantilla en el idioma del cliente. Salen solos "
        "cuando Meta la aprueba. Mirá el estado de cada plantilla con: cobranza "
        "whatsapp templates list"
    ),
}


def template_wait_line(
    deferred: Counter[str],
    channel: str,
    locale: str | None = None,
    *,
    held_templates: Sequence[HeldTemplate] = (),
    sync: ContentSyncReport | None = None,
) -> str | None:
    """Return a line on the messages deferred for their template, or None.

    For Twilio the line names the status of each of `held_templates` and the
    error of the cycle's template `sync` when it failed.
    """
    count = deferred.get(Reason.TEMPLATE_NOT_APPROVED, 0)
    if count and channel == TWILIO:
        sync_error = sync.error_code if sync is not None else None
        return held_summary(count, held_templates, sync_error, locale)
    fix = _TEMPLATE_WAIT_FIXES.get(channel)
    if not count or fix is None:
        return None
    subject = "1 mensaje espera" if count == 1 else f"{count} mensajes esperan"
    return owner_text(f"{subject} {fix}.", locale)


def render_dry_run_messages(
    messages: Sequence[DryRunMessage],
    now: datetime,
    timezone: str,
    locale: str,
    title: str,
) -> Table:
    """Build the dry run's list: one row per message, with what would happen.

    Amounts are formatted for `locale`, the business's. A message that states
    other currencies too lists them after its own amount, as the message
    does: "$ 100,00 y US$ 50,00". The instant a deferred message waits for
    is shown in `timezone`, with the year when it is not the year of `now`.
    """
    zone = ZoneInfo(timezone)
    this_year = now.astimezone(zone).year
    table = Table(title=title)
    table.add_column("Cliente", overflow="fold")
    table.add_column("Paso", overflow="fold")
    table.add_column("Monto", justify="right", no_wrap=True)
    table.add_column("Canal", no_wrap=True)
    table.add_column("Qué pasaría", overflow="fold")
    for message in messages:
        amount = "—"
        if message.amount is not None:
            amounts = [format_money(message.amount, message.currency, locale)]
            amounts += [
                format_money(other, currency, locale)
                for other, currency in message.other_amounts
            ]
            amount = amounts[0]
            if len(amounts) > 1:
                amount = ", ".join(amounts[:-1]) + " y " + amounts[-1]
        outcome = OUTCOME_LABELS[message.outcome]
        if message.until is not None:
            until = message.until.astimezone(zone)
            pattern = "%d/%m %H:%M" if until.year == this_year else "%d/%m/%Y %H:%M"
            outcome += f" hasta {until.strftime(pattern)}"
        if message.reason:
            reason = reason_label(message.reason, locale)
            outcome += f": {reason[:1].lower()}{reason[1:]}"
            outcome += holidays_phrase(message.reason, message.holidays, locale)
        if message.template is not None:
            name, language = message.template
            outcome += f" ({name}, {language})"
        table.add_row(
            plain(customer_label(message.customer_external_id, message.customer_name)),
            Text(step_label(message.step, message.step_kind)),
            amount,
            plain(message.channel),
            Text(outcome),
        )
    return table


def render_days(reports: Sequence[CycleReport], timezone: str) -> Table:
    """Build a table with one row per simulated day of cycles."""
    zone = ZoneInfo(timezone)
    table = Table(
        title="Ciclos diarios de cobranza",
        caption="Planificados cuenta los pasos nuevos de cada día; enviados, "
        "diferidos y suprimidos incluyen los que venían de días anteriores.",
    )
    for column in ("Día", "Planificados", "Enviados", "Diferidos", "Suprimidos"):
        table.add_column(column, justify="left" if column == "Día" else "right")
    for report in reports:
        local = report.now.astimezone(zone)
        dispatch = report.dispatch
        table.add_row(
            f"{WEEKDAYS[local.weekday()]} {local:%d/%m/%Y %H:%M}",
            str(report.planned),
            str(dispatch.sent),
            str(sum(dispatch.deferred.values())),
            str(sum(dispatch.suppressed.values())),
        )
    return table


def render_reasons(reports: Iterable[CycleReport], locale: str | None = None) -> Table:
    """Build a table of every deferral, suppression and failure, by reason.

    The reasons have the nouns of the country of `locale`, the business's.
    """
    totals: Counter[tuple[str, str]] = Counter()
    for report in reports:
        dispatch = report.dispatch
        for label, counts in (
            ("Diferidos", dispatch.deferred),
            ("Suprimidos", dispatch.suppressed),
            ("Fallidos", dispatch.failed),
        ):
            for reason, count in counts.items():
                totals[(label, reason)] += count
    table = Table(title="Por qué no salió un mensaje")
    table.add_column("Resultado")
    table.add_column("Motivo")
    table.add_column("Mensajes", justify="right")
    for (label, reason), count in sorted(totals.items()):
        table.add_row(label, reason_label(reason, locale), str(count))
    return table


def render_sandbox_outbox(
    messages: Sequence[SentMessage], timezone: str, title: str | None = None
) -> Group:
    """Build what `cobranza sandbox outbox` prints: one panel per message."""
    zone = ZoneInfo(timezone)
    heading = title or f"Mensajes del sandbox: {len(messages)}"
    panels: list[RenderableType] = [Text(heading, style="bold")]
    for message in messages:
        sent_at = message.sent_at.astimezone(zone)
        customer = customer_label(message.customer_external_id, message.customer_name)
        title = (
            f"{sent_at:%d/%m/%Y %H:%M} · {customer} · {message.phone or 'sin teléfono'}"
        )
        body = message.text
        if message.buttons:
            body += "\n\n" + " | ".join(f"[{button}]" for button in message.buttons)
        panels.append(
            Panel(
                plain(body, keep_newlines=True),
                title=plain(title),
                title_align="left",
                subtitle=(
                    f"paso {step_label(message.step, message.step_kind)}"
                    if is_policy_step(message.step)
                    else step_label(message.step)
                ),
                subtitle_align="right",
            )
        )
    return Group(*panels)
