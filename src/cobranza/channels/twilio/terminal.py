"""Rich table for `cobranza twilio templates` (Spanish UI)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table

from cobranza.channels.twilio.sync import SYNC_ERROR
from cobranza.channels.twilio.templates import (
    NO_CONTENT_SID,
    ContentTemplate,
    HeldTemplate,
)
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
NO_CONTENT_SID_LABEL = "[red]sin Content SID[/red]"

# The owner's explanation of a sync that could not read a status, by error code.
ERROR_LABELS = {
    "twilio_20404": "Twilio no tiene este Content SID: revisá "
    "COBRANZA_TWILIO_CONTENT_SIDS",
    "twilio_20003": "Twilio rechazó la cuenta o el token: revisá "
    "COBRANZA_TWILIO_ACCOUNT_SID y COBRANZA_TWILIO_AUTH_TOKEN",
    "twilio_timeout": "Twilio no respondió a tiempo: volvé a correr sync",
    "twilio_unreachable": "no se pudo conectar con la API de Content de Twilio: "
    "revisá la red o COBRANZA_TWILIO_CONTENT_BASE_URL",
    "twilio_redirect": "la API de Content redirigió el pedido a otra dirección: "
    "revisá COBRANZA_TWILIO_CONTENT_BASE_URL",
    "twilio_body_too_large": "la API de Content devolvió más de 1 MB: revisá "
    "COBRANZA_TWILIO_CONTENT_BASE_URL",
    # The code of a sync before a dispatch that failed inside cobranza.
    SYNC_ERROR: "error interno de cobranza: mirá el log",
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
            _with_waiting(NO_CONTENT_SID_LABEL, count),
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


# The status of a held template as the summary of `cobranza run` words it.
HELD_STATUS_PHRASES = {
    TemplateStatus.APPROVED: "está aprobada",
    TemplateStatus.PENDING: "está en revisión",
    TemplateStatus.REJECTED: "fue rechazada",
    TemplateStatus.PAUSED: "está pausada",
    TemplateStatus.DISABLED: "está deshabilitada",
    TemplateStatus.MISSING: "no se mandó a revisión de WhatsApp",
    NOT_REGISTERED: "todavía no se consultó a Twilio",
    NO_CONTENT_SID: "no tiene Content SID en COBRANZA_TWILIO_CONTENT_SIDS",
}


def held_summary(
    count: int,
    held_templates: Sequence[HeldTemplate],
    sync_error: str | None = None,
    locale: str | None = None,
) -> str:
    """Word the Twilio reminders that a cycle held for their template.

    Names the status of each of `held_templates`, the error of the cycle's
    sync when it failed, and the command that reads the approvals at once.
    """
    subject = "1 mensaje espera" if count == 1 else f"{count} mensajes esperan"
    sentences = [f"{subject} que WhatsApp apruebe su plantilla de Twilio."]
    for template in held_templates:
        phrase = HELD_STATUS_PHRASES.get(
            template.status, f"tiene el estado {template.status.lower()}"
        )
        sentences.append(f"{template.name} ({template.language}) {phrase}.")
    if sync_error is not None:
        failure = ERROR_LABELS.get(
            sync_error, f"Twilio respondió con el error {sync_error}"
        )
        sentences.append(
            f"La consulta del estado a Twilio falló ({failure}), así que vale el "
            "último estado guardado."
        )
    if any(template.status == NO_CONTENT_SID for template in held_templates):
        sentences.append(
            "Agregá el Content SID que falta a COBRANZA_TWILIO_CONTENT_SIDS."
        )
    sentences.append(
        "Salen solos cuando cobranza ve la plantilla aprobada: la consulta a "
        "Twilio en cada cobranza run y cada 15 minutos en cobranza serve y "
        "cobranza worker. Para consultarla ya, corré: cobranza twilio templates "
        "sync"
    )
    return owner_text(" ".join(sentences), locale)


def _with_waiting(status: str, count: int) -> str:
    if not count:
        return status
    return f"{status} ({count} esperando)"
