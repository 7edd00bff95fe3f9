"""Rich tables for `cobranza whatsapp templates` (Spanish UI)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table

from cobranza.channels.whatsapp.templates import PushResult
from cobranza.db.models import TemplateStatus, WhatsAppTemplate
from cobranza.terminal_text import markup_safe

STATUS_LABELS: dict[str, str] = {
    TemplateStatus.APPROVED: "[green]aprobada[/green]",
    TemplateStatus.PENDING: "[yellow]en revisión[/yellow]",
    TemplateStatus.REJECTED: "[red]rechazada[/red]",
    TemplateStatus.PAUSED: "[red]pausada[/red]",
    TemplateStatus.DISABLED: "[red]deshabilitada[/red]",
    TemplateStatus.MISSING: "[red]no existe en Meta[/red]",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, markup_safe(status.lower()))


def templates_table(
    templates: Sequence[WhatsAppTemplate], waiting: Mapping[tuple[str, str], int]
) -> Table:
    """Build a table with one row per template translation and its waiting rows."""
    table = Table(title="Plantillas de WhatsApp", show_lines=False)
    for header in ("Plantilla", "Idioma", "Categoría", "Estado", "Esperando", "Motivo"):
        table.add_column(header, overflow="fold")
    for template in templates:
        category = template.category
        if template.new_category and template.new_category != category:
            category = f"{category} → {template.new_category}"
        # Meta returns the names, categories and reasons, so they are printed as text.
        table.add_row(
            markup_safe(template.name),
            markup_safe(template.language),
            markup_safe(category),
            status_label(template.status),
            str(waiting.get((template.name, template.language), 0)),
            markup_safe(template.rejected_reason or ""),
        )
    return table


def push_table(results: Sequence[PushResult]) -> Table:
    table = Table(title="Plantillas enviadas a Meta")
    for header in ("Plantilla", "Idioma", "Categoría", "Estado", "Error"):
        table.add_column(header, overflow="fold")
    for result in results:
        table.add_row(
            markup_safe(result.name),
            markup_safe(result.language),
            markup_safe(result.category),
            status_label(result.status),
            markup_safe(result.error or ""),
        )
    return table
