"""Rich tables for `cobranza whatsapp templates` (Spanish UI)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.table import Table

from cobranza.channels.whatsapp.templates import PushResult, required_category
from cobranza.db.models import TemplateStatus, WhatsAppTemplate
from cobranza.dunning.template_approval import NOT_REGISTERED
from cobranza.terminal_text import markup_safe
from cobranza.voseo import owner_text

STATUS_LABELS: dict[str, str] = {
    TemplateStatus.APPROVED: "[green]aprobada[/green]",
    TemplateStatus.PENDING: "[yellow]en revisión[/yellow]",
    TemplateStatus.REJECTED: "[red]rechazada[/red]",
    TemplateStatus.PAUSED: "[red]pausada[/red]",
    TemplateStatus.DISABLED: "[red]deshabilitada[/red]",
    TemplateStatus.MISSING: "[red]no existe en Meta[/red]",
    TemplateStatus.FLAGGED: "[yellow]marcada por baja calidad[/yellow]",
    TemplateStatus.REINSTATED: "[green]rehabilitada[/green]",
    NOT_REGISTERED: "[red]sin registrar[/red]",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, markup_safe(status.lower()))


@dataclass
class _TemplateRow:
    """One template name: its category and its translations by language code."""

    category: str
    translations: dict[str, WhatsAppTemplate] = field(default_factory=dict)


def templates_table(
    templates: Sequence[WhatsAppTemplate],
    waiting: Mapping[tuple[str, str], int],
    definitions: Sequence[Mapping[str, Any]] = (),
) -> Table:
    """Build a table with one row per template and its status in each language.

    `definitions` are the composer's templates, so that a translation never
    registered with Meta shows as such. A cell names the messages that wait
    for that translation's approval.
    """
    rows: dict[str, _TemplateRow] = {}
    languages: list[str] = []
    for definition in definitions:
        name, language = str(definition["name"]), str(definition["language"])
        rows.setdefault(name, _TemplateRow(required_category(dict(definition))))
        if language not in languages:
            languages.append(language)
    for template in templates:
        row = rows.setdefault(template.name, _TemplateRow(template.category))
        row.translations[template.language] = template
        if template.language not in languages:
            languages.append(template.language)

    table = Table(title="Plantillas de WhatsApp", show_lines=False)
    table.add_column("Plantilla", overflow="fold")
    table.add_column("Categoría", overflow="fold")
    for language in languages:
        table.add_column(markup_safe(language), overflow="fold")
    table.add_column("Motivo", overflow="fold")
    for name in sorted(rows):
        row = rows[name]
        cells = [_status_cell(row, name, language, waiting) for language in languages]
        # Meta returns the names, categories and reasons, so they are printed as text.
        table.add_row(
            markup_safe(name),
            markup_safe(_category(row)),
            *cells,
            markup_safe(_reasons(row)),
        )
    return table


def waiting_summary(
    waiting: Mapping[tuple[str, str], int], locale: str | None = None
) -> str | None:
    """Return a line that counts the messages waiting for an approval, or None.

    The line is in the voice of `locale`, the business's.
    """
    total = sum(waiting.values())
    if not total:
        return None
    subject = "1 mensaje espera" if total == 1 else f"{total} mensajes esperan"
    return owner_text(
        f"{subject} que WhatsApp apruebe su plantilla en el idioma del cliente. "
        "Salen solos cuando Meta la aprueba. Registrá las que dicen «sin "
        "registrar» con: cobranza whatsapp templates push",
        locale,
    )


def _status_cell(
    row: _TemplateRow,
    name: str,
    language: str,
    waiting: Mapping[tuple[str, str], int],
) -> str:
    template = row.translations.get(language)
    status = template.status if template is not None else NOT_REGISTERED
    count = waiting.get((name, language), 0)
    if not count:
        return status_label(status)
    return f"{status_label(status)} ({count} esperando)"


def _category(row: _TemplateRow) -> str:
    changes = sorted(
        {
            template.new_category
            for template in row.translations.values()
            if template.new_category and template.new_category != template.category
        }
    )
    if not changes:
        return row.category
    return f"{row.category} → {', '.join(changes)}"


def _reasons(row: _TemplateRow) -> str:
    return "; ".join(
        f"{language}: {template.rejected_reason}"
        for language, template in sorted(row.translations.items())
        if template.rejected_reason
    )


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
