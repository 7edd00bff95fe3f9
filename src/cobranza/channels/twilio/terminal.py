"""Rich table for `cobranza twilio templates` (Spanish UI)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table

from cobranza.channels.twilio.templates import ContentTemplate
from cobranza.db.models import TemplateStatus
from cobranza.dunning.template_approval import NOT_REGISTERED
from cobranza.terminal_text import markup_safe
from cobranza.voseo import owner_text

STATUS_LABELS: dict[str, str] = {
    TemplateStatus.APPROVED: "[green]aprobada[/green]",
    TemplateStatus.PENDING: "[yellow]en revisión[/yellow]",
    TemplateStatus.REJECTED: "[red]rechazada[/red]",
    TemplateStatus.PAUSED: "[red]pausada[/red]",
    TemplateStatus.DISABLED: "[red]deshabilitada[/red]",
    TemplateStatus.MISSING: "[red]sin enviar a WhatsApp[/red]",
    NOT_REGISTERED: "[yellow]sin sincronizar[/yellow]",
}
# The status of a template that messages wait for but that has no Content SID.
NO_CONTENT_SID = "[red]sin Content SID[/red]"

# The owner's explanation of a sync that could not read a status, by error code.
ERROR_LABELS = {
    "twilio_20404": "Twilio no tiene este Content SID: revisá "
    "COBRANZA_TWILIO_CONTENT_SIDS",
    "twilio_20003": "Twilio rechazó la cuenta o el token: revisá "
    "COBRANZA_TWILIO_ACCOUNT_SID y COBRANZA_TWILIO_AUTH_TOKEN",
    "twilio_timeout": "Twilio no respondió a tiempo: volvé a correr sync",
    "twilio_unreachable": "no se pudo conectar con Twilio: revisá la red o "
    "COBRANZA_TWILIO_BASE_URL",
    # The client's code for a body that is not a JSON object.
    "channel_unavailable": "Twilio respondió algo que no se pudo leer: volvé a "
    "correr sync",
}


def content_templates_table(
    templates: Sequence[ContentTemplate],
    waiting: Mapping[tuple[str, str], int],
    locale: str | None = None,
) -> Table:
    """Build a table with one row per configured template and language.

    A template that messages wait for but that has no Content SID gets a row
    too. Text for the owner is in the voice of `locale`, the business's.
    """
    table = Table(title="Plantillas de Twilio", show_lines=False)
    table.add_column("Plantilla", overflow="fold")
    table.add_column("Idioma", no_wrap=True)
    table.add_column("Content SID", no_wrap=True)
    table.add_column("Estado", overflow="fold")
    table.add_column("Motivo", overflow="fold")
    configured = set()
    for template in templates:
        key = (template.name, template.language)
        configured.add(key)
        status = STATUS_LABELS.get(
            template.status, markup_safe(template.status.lower())
        )
        if template.error_code is not None:
            reason = ERROR_LABELS.get(
                template.error_code,
                f"Twilio respondió con el error {template.error_code}",
            )
        else:
            reason = template.reason or ""
        table.add_row(
            markup_safe(template.name),
            markup_safe(template.language),
            markup_safe(template.content_sid),
            _with_waiting(status, waiting.get(key, 0)),
            markup_safe(owner_text(reason, locale)),
        )
    for (name, language), count in sorted(waiting.items()):
        if (name, language) in configured:
            continue
        table.add_row(
            markup_safe(name),
            markup_safe(language),
            "—",
            _with_waiting(NO_CONTENT_SID, count),
            markup_safe(
                owner_text(
                    "agregá su Content SID a COBRANZA_TWILIO_CONTENT_SIDS", locale
                )
            ),
        )
    return table


def waiting_summary(
    waiting: Mapping[tuple[str, str], int], locale: str | None = None
) -> str | None:
    """Return a line that counts the messages waiting for an approval, or None."""
    total = sum(waiting.values())
    if not total:
        return None
    subject = "1 mensaje espera" if total == 1 else f"{total} mensajes esperan"
    return owner_text(
        f"{subject} que WhatsApp apruebe su plantilla de Twilio. Salen solos "
        "cuando cobranza twilio templates sync la ve aprobada.",
        locale,
    )


def _with_waiting(status: str, count: int) -> str:
    if not count:
        return status
    return f"{status} ({count} esperando)"
