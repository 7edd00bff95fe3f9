"""`import_file`: read, map, validate, plan and store one export."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.compliance.erasure import erased_external_ids
from cobranza.compliance.personal_data import REDACTED
from cobranza.db.models import AuditEvent, Business, Customer, DocumentKind, ImportRun
from cobranza.ingest.amounts import convention_named, decide_convention
from cobranza.ingest.conflicts import conflict_issues
from cobranza.ingest.dates import decide_order
from cobranza.ingest.errors import (
    DecimalConventionError,
    EmptySnapshotError,
    MappingError,
)
from cobranza.ingest.hints import COMMAND_LINE, Hints
from cobranza.ingest.issue_texts import dry_run_text, quoted, row_issue_text
from cobranza.ingest.mapping import CUSTOMER_ID, MOBILE, PHONE, resolve_mapping
from cobranza.ingest.plan import (
    Plan,
    build_plan,
    load_state,
    same_document_key,
    shared_phones,
)
from cobranza.ingest.readers import SourceRow, Table, read_table
from cobranza.ingest.report import ImportReport, RowIssue
from cobranza.ingest.rows import (
    ParsedRow,
    RowContext,
    RowReader,
    amount_bodies,
    date_texts,
)
from cobranza.ingest.store import apply_plan
from cobranza.money import format_money
from cobranza.timeutil import local_date

logger = logging.getLogger(__name__)

# Runs in the import's transaction once its rows are stored, with the
# business id and the import's instant. `payments` and `portfolio` sit below
# `ingest` in the layer order, so the wiring (`cobranza.jobs.wiring`)
# installs the hook that applies customers' credits to the new invoices and
# stores the customers' segments.
ImportHook = Callable[[Session, int, datetime], object]
_after_import: ImportHook | None = None


def set_import_hook(hook: ImportHook | None) -> ImportHook | None:
    """Install the hook that runs after each stored import; return the old one."""
    global _after_import
    previous, _after_import = _after_import, hook
    return previous


# Entries kept per list in the report stored with each ImportRun.
STORED_ISSUES_LIMIT = 1000
# Shared-phone notes listed one by one; the rest are counted in one note.
MAX_SHARED_PHONE_NOTES = 20
# Cancelled documents named one by one in the note; the rest are counted.
MAX_NAMED_CANCELLED = 20
# Numbers matched to a stored document, named one by one in the note.
MAX_NAMED_RENUMBERED = 5
# Other sheets with a header named in the note on the chosen sheet.
MAX_OTHER_SHEETS = 10
_CAPPED_LISTS = (
    "rows_rejected",
    "rows_flagged",
    "skipped_rows",
    "missing_from_file",
    "documents_cancelled",
)

# Called as progress(done, total) while rows are parsed and written. The
# total can grow once the number of rows to write is known.
ProgressCallback = Callable[[int, int], None]


@dataclass
class ImportOptions:
    """Options for one import: column overrides and modes.

    `mapping` is {column header: field name or label}; `decimal` is "comma"
    or "point", or their Spanish names "coma" and "punto"; `date_format` is
    an order (dmy, "día/mes/año") or a strptime pattern; `sheet` names the
    worksheet of a workbook to read. `hints` words every message for where
    the owner reads it: the command line's flags by default, or the import
    page's controls.
    """

    mapping: dict[str, str] = field(default_factory=dict)
    decimal: str | None = None
    date_format: str | None = None
    sheet: str | None = None
    dry_run: bool = False
    full_snapshot: bool = False
    progress: ProgressCallback | None = None
    hints: Hints = COMMAND_LINE


def import_file(
    session: Session,
    business: Business,
    path: Path | str,
    options: ImportOptions,
    now: datetime,
) -> ImportReport:
    """Import a CSV or XLSX export of invoices into `business`.

    The work happens in the caller's transaction and is only flushed, so a
    failure leaves the store as it was once the caller rolls back. Raises an
    `IngestError` subclass when the file as a whole needs a decision from the
    owner (the column mapping, the decimal mark); bad rows go to the report
    instead.
    """
    path = Path(path)
    if options.decimal is not None:
        convention = convention_named(options.decimal)
        if convention is None:
            raise DecimalConventionError(
                options.hints.invalid_decimal(options.decimal), examples=[]
            )
        options = replace(options, decimal=convention)
    table = read_table(path, options.sheet, options.hints)
    report = _new_report(path, table, options)
    _note_other_sheets(report, table, options.hints)

    context = _decide(table, business, options, report)
    reader = RowReader(context)
    rows, cancelled = _parse_rows(table.rows, reader, report, options)
    rows, erased_keys = _reject_erased(session, business, rows, reader, report, options)
    _check_already_imported(session, business, table.sha256, report)

    state = load_state(session, business.id)
    plan = build_plan(
        state,
        business,
        rows,
        now=now,
        today=local_date(now, business.timezone),
        full_snapshot=options.full_snapshot,
        evidence=f"sha256:{table.sha256}",
        source=f"import:{path.name}"[:200],
        listed_elsewhere=erased_keys,
        cancelled=cancelled,
    )
    _fill_report(report, plan, rows, business)
    _flag_kept_cancelled(report, plan, reader, options.hints)
    _note_cancelled(report, options.dry_run)
    _note_renumbered(report, plan)
    _flag_conflicts(report, plan, rows, context, options.hints)
    _note_payments_without_date(report, plan, business, options.dry_run)
    _note_shared_phones(report, shared_phones(state, plan), options.hints)
    if options.full_snapshot and not rows and plan.missing:
        raise EmptySnapshotError(
            f"{path.name} no tiene ninguna fila de comprobante válida, así que "
            f"--full-snapshot marcaría como saldados los {len(plan.missing)} "
            "comprobantes abiertos. Corregí las filas rechazadas o el archivo, o "
            "importalo sin --full-snapshot.",
            path=str(path),
            open_documents=len(plan.missing),
        )
    if options.dry_run:
        _word_as_dry_run(report)
    if options.dry_run or report.already_imported:
        return report

    _write(session, business, plan, report, options, now)
    logger.info(
        "import stored: business %s, sha256 %s, %d documents, %d rejected rows",
        business.id,
        table.sha256[:12],
        report.documents_imported,
        report.rejected_row_count,
    )
    return report


def _decide(
    table: Table, business: Business, options: ImportOptions, report: ImportReport
) -> RowContext:
    """Map the columns and decide the decimal mark and date order, once."""
    hints = options.hints
    try:
        mapping = resolve_mapping(
            table.headers, options.mapping, hints, business.currency, business.country
        )
    except MappingError as exc:
        if table.sheet is None:
            raise
        raise MappingError(
            f'{exc} (hoja "{table.sheet}")', **exc.details, sheet=table.sheet
        ) from exc
    report.mapping = mapping.describe()
    report.unmapped_columns = list(mapping.unmapped)

    decimal = decide_convention(
        amount_bodies(table.rows, mapping),
        business.country,
        business.currency,
        options.decimal,
        hints,
    )
    dates = decide_order(date_texts(table.rows, mapping), options.date_format, hints)
    report.decimal = {
        "convention": decimal.convention,
        "source": decimal.source,
        "note": decimal.note,
    }
    report.date_format = {
        "order": dates.pattern or dates.order,
        "source": dates.source,
        "note": dates.note,
    }
    if decimal.source == "country":
        report.notes.append(
            f"{_sentence(decimal.note)} Si no es así, elegí el separador decimal "
            f"{hints.decimal_control}."
        )
    if dates.conflicting:
        report.notes.append(_sentence(dates.note))
    if PHONE not in mapping.columns and MOBILE not in mapping.columns:
        report.notes.append(
            "El archivo no tiene una columna de teléfono, así que los clientes "
            "nuevos quedan sin teléfono y no reciben mensajes. Agregá una "
            "columna Celular o Teléfono y volvé a importar. Si ya está con "
            f"otro nombre, indicala {hints.assign_column(MOBILE)}."
        )
    return RowContext(
        mapping, decimal, dates, business.country.upper(), business.currency, hints
    )


def _note_other_sheets(report: ImportReport, table: Table, hints: Hints) -> None:
    """Name the sheet the reader chose when other sheets have a header too."""
    sheets = table.other_sheets
    if not sheets:
        return
    others = ", ".join(quoted(title) for title in sheets[:MAX_OTHER_SHEETS])
    if len(sheets) > MAX_OTHER_SHEETS:
        others += f" y {len(sheets) - MAX_OTHER_SHEETS} más"
    verb = "tiene" if len(sheets) == 1 else "tienen"
    report.notes.append(
        f"Se leyó la hoja {quoted(table.sheet)}, la que más se parece a un "
        f"listado de facturas. También {verb} encabezado: {others}. Si las "
        f"facturas están en otra hoja, indicala {hints.sheet_control}."
    )


def _sentence(note: str) -> str:
    """Return a decision note as a sentence, as the other notes are."""
    return f"{note[:1].upper()}{note[1:]}."


def _check_already_imported(
    session: Session, business: Business, sha256: str, report: ImportReport
) -> None:
    previous = session.scalars(
        select(ImportRun.at).where(
            ImportRun.business_id == business.id, ImportRun.sha256 == sha256
        )
    ).first()
    if previous is not None:
        report.already_imported = True
        when = previous.astimezone(ZoneInfo(business.timezone))
        report.notes.append(
            f"Este archivo ya se importó el {when:%d/%m/%Y a las %H:%M}, así que "
            "no se guardó nada."
        )


def _write(
    session: Session,
    business: Business,
    plan: Plan,
    report: ImportReport,
    options: ImportOptions,
    now: datetime,
) -> None:
    """Apply the plan and record the run, reporting progress after the parse."""
    done = report.rows_read
    total = report.rows_read + plan.size()

    def advance(count: int) -> None:
        nonlocal done
        done = min(done + count, total)
        if options.progress is not None:
            options.progress(done, total)

    apply_plan(session, business.id, plan, advance)
    if _after_import is not None:
        _after_import(session, business.id, now)
    _record_run(session, business, report, now)
    if options.progress is not None:
        options.progress(total, total)


def _word_as_dry_run(report: ImportReport) -> None:
    """Put the effects in the row problems in the conditional: nothing was stored."""
    report.rows_flagged = [
        replace(issue, message=dry_run_text(issue.message))
        for issue in report.rows_flagged
    ]


def _new_report(path: Path, table: Table, options: ImportOptions) -> ImportReport:
    return ImportReport(
        file_name=path.name,
        sha256=table.sha256,
        dry_run=options.dry_run,
        encoding=table.encoding,
        separator=table.separator,
        sheet=table.sheet,
        rows_read=len(table.rows),
        skipped_rows=list(table.skipped),
    )


def _parse_rows(
    source_rows: list[SourceRow],
    reader: RowReader,
    report: ImportReport,
    options: ImportOptions,
) -> tuple[list[ParsedRow], dict[tuple[str, str], int]]:
    """Parse every row, skipping exact duplicates and rejecting clashes.

    Returns the parsed rows and the documents of the rows marked as
    cancelled, with their line.
    """
    parsed_rows: list[ParsedRow] = []
    cancelled: dict[tuple[str, str], int] = {}
    seen_cells: set[tuple[object, ...]] = set()
    seen_keys: dict[tuple[str, str], int] = {}

    for index, row in enumerate(source_rows, start=1):
        if options.progress is not None and index % 5000 == 0:
            # The total is a guess until the plan says how much there is to write.
            options.progress(index, len(source_rows) * 2)
        cells = tuple(cell for cell in row.cells)
        if cells in seen_cells:
            report.duplicates_skipped += 1
            report.skipped_rows.append(
                {"line": row.line, "reason": "copia exacta de una fila anterior"}
            )
            continue
        seen_cells.add(cells)

        parsed, issues = reader.parse(row)
        if parsed is None:
            report.rows_rejected.extend(issues)
            if (key := reader.cancelled_key(row)) is not None:
                cancelled.setdefault(key, row.line)
            continue
        # A number written two ways ("F001-00000123", "F001-123") is one
        # document listed twice, which a later match would store twice.
        key = same_document_key(
            (parsed.kind.value, parsed.number), reader.context.country
        )
        if key in seen_keys:
            report.rows_rejected.append(
                RowIssue(
                    line=row.line,
                    column=reader.headers[reader.columns["number"]],
                    value=parsed.number,
                    message=row_issue_text(
                        "conflicting_duplicate",
                        options.hints,
                        number=quoted(parsed.number),
                        line=seen_keys[key],
                    ),
                    code="conflicting_duplicate",
                )
            )
            continue
        seen_keys[key] = row.line
        report.rows_flagged.extend(issues)
        parsed_rows.append(parsed)
    return parsed_rows, cancelled


def _reject_erased(
    session: Session,
    business: Business,
    rows: list[ParsedRow],
    reader: RowReader,
    report: ImportReport,
    options: ImportOptions,
) -> tuple[list[ParsedRow], set[tuple[str, str]]]:
    """Reject the rows of customers whose data was erased on request.

    A customer is erased when its external id hashes to a stored erased id,
    or is the placeholder id an erased row now has. Returns the other rows
    and the document keys of the rejected ones, which a full snapshot keeps.
    """
    external_ids = {row.customer.external_id for row in rows}
    erased = erased_external_ids(session, business, external_ids)
    placeholders = session.execute(
        select(Customer.external_id, Customer.erased_at).where(
            Customer.business_id == business.id, Customer.erased_at.is_not(None)
        )
    ).all()
    erased.update({eid: at for eid, at in placeholders if at and eid in external_ids})
    if not erased:
        return rows, set()

    column = (
        reader.headers[reader.columns[CUSTOMER_ID]]
        if CUSTOMER_ID in reader.columns
        else None
    )
    kept: list[ParsedRow] = []
    keys: set[tuple[str, str]] = set()
    lines: set[int] = set()
    for row in rows:
        erased_at = erased.get(row.customer.external_id)
        if erased_at is None:
            kept.append(row)
            continue
        keys.add((row.kind.value, row.number))
        lines.add(row.line)
        day = erased_at.astimezone(ZoneInfo(business.timezone))
        report.rows_rejected.append(
            RowIssue(
                line=row.line,
                column=column,
                value=row.customer.external_id,
                message=row_issue_text(
                    "erased_customer",
                    options.hints,
                    value=quoted(row.customer.external_id),
                    day=f"{day:%d/%m/%Y}",
                ),
                code="erased_customer",
            )
        )
    # A flag quotes a cell (a tax id, a phone) of a row that was not imported.
    report.rows_flagged = [
        issue for issue in report.rows_flagged if issue.line not in lines
    ]
    return kept, keys


def _fill_report(
    report: ImportReport, plan: Plan, rows: list[ParsedRow], business: Business
) -> None:
    report.documents_imported = len(rows)
    report.invoices = sum(row.kind == DocumentKind.INVOICE for row in rows)
    report.credit_notes = sum(row.kind == DocumentKind.CREDIT_NOTE for row in rows)
    report.debit_notes = sum(row.kind == DocumentKind.DEBIT_NOTE for row in rows)
    report.customers = len(plan.customers)
    report.customers_created = len(plan.new_customers)
    report.customers_updated = len(plan.customer_updates)
    report.documents_created = len(plan.new_documents)

    settled = [row for row in plan.document_updates if row["missing_since"]]
    report.documents_updated = len(plan.document_updates) - len(settled)
    report.settled_as_missing = len(settled)
    report.documents_cancelled = plan.cancelled
    report.missing_from_file = plan.missing
    report.balances_increased = plan.balances_increased

    report.payments_recorded = len(plan.payments)
    report.payments_total = sum(
        (payment.amount for payment in plan.payments), start=Decimal(0)
    )
    report.consent_events = len(plan.consent_events)
    report.currency = business.currency
    report.open_balance_by_currency = dict(plan.open_balance_by_currency)
    report.open_balance = plan.open_balance_by_currency.get(
        business.currency, Decimal(0)
    )


def _flag_conflicts(
    report: ImportReport,
    plan: Plan,
    rows: list[ParsedRow],
    context: RowContext,
    hints: Hints,
) -> None:
    """Flag the rows whose customer fields disagree with the kept ones.

    The flags join the others in line order, so a row's problems stay together.
    """
    conflicts = conflict_issues(plan.customers, rows, context.mapping, hints)
    if conflicts:
        flagged = [*report.rows_flagged, *conflicts]
        report.rows_flagged = sorted(flagged, key=lambda issue: issue.line)


def _flag_kept_cancelled(
    report: ImportReport, plan: Plan, reader: RowReader, hints: Hints
) -> None:
    """Flag the rows that list as owed a document recorded as cancelled."""
    if not plan.kept_cancelled:
        return
    column = reader.headers[reader.columns["number"]]
    flags = [
        RowIssue(
            line=line,
            column=column,
            value=number,
            message=row_issue_text("cancelled_earlier", hints, number=quoted(number)),
            code="cancelled_earlier",
        )
        for line, number in plan.kept_cancelled
    ]
    report.rows_flagged = sorted(
        [*report.rows_flagged, *flags], key=lambda issue: issue.line
    )


def _note_cancelled(report: ImportReport, dry_run: bool) -> None:
    """Name the stored documents that this file cancels."""
    cancelled = report.documents_cancelled
    if not cancelled:
        return
    numbers = ", ".join(entry["number"] for entry in cancelled[:MAX_NAMED_CANCELLED])
    if len(cancelled) > MAX_NAMED_CANCELLED:
        numbers += f" y {len(cancelled) - MAX_NAMED_CANCELLED} más"
    verb = "dejarían" if dry_run else "dejan"
    report.notes.append(
        f"Comprobantes ya importados que el archivo marca como cancelados: "
        f"{numbers}. {verb.capitalize()} de cobrarse, sin registrar un pago, así "
        "que no cuentan como cobrados."
    )


def _note_renumbered(report: ImportReport, plan: Plan) -> None:
    """Say which numbers matched a stored document written another way."""
    renumbered = plan.renumbered
    if not renumbered:
        return
    examples = ", ".join(
        f"{entry['number']} es {entry['stored']}"
        for entry in renumbered[:MAX_NAMED_RENUMBERED]
    )
    if len(renumbered) > MAX_NAMED_RENUMBERED:
        examples += f" y {len(renumbered) - MAX_NAMED_RENUMBERED} más"
    report.notes.append(
        f"{len(renumbered)} comprobantes del archivo ya estaban guardados con "
        f"el número escrito de otra forma ({examples}), así que se actualizaron "
        "con el número guardado en lugar de duplicarse."
    )


def _note_payments_without_date(
    report: ImportReport, plan: Plan, business: Business, dry_run: bool
) -> None:
    """Warn once when settled amounts come without a payment date.

    Such a payment is stored with `paid_at_unknown`, so segments, the
    monthly collections and the audit's DSO and CEI leave it out, and the
    owner should know why and how to give the dates.
    """
    undated = [payment for payment in plan.payments if payment.paid_at_unknown]
    report.payments_without_date = len(undated)
    report.payments_without_date_total = sum(
        (p.amount for p in undated if p.currency == business.currency), Decimal(0)
    )
    report.payments_dated = len(plan.payment_dates)
    if undated:
        report.notes.append(
            _payments_without_date_text(
                len(undated),
                format_money(
                    report.payments_without_date_total,
                    business.currency,
                    business.locale,
                ),
                dry_run,
            )
        )
    if plan.payment_dates:
        verb = "tendrían" if dry_run else "tienen"
        report.notes.append(
            f"{len(plan.payment_dates)} pagos guardados sin fecha ahora {verb} "
            "la fecha de pago del archivo."
        )


def _payments_without_date_text(count: int, total: str, dry_run: bool) -> str:
    if count == 1:
        invoices = "1 comprobante ya viene cobrado"
    else:
        invoices = f"{count} comprobantes ya vienen cobrados"
    stored = "se guardarían" if dry_run else "se guardaron"
    return (
        f"{invoices} en todo o en parte (saldo menor que el importe), pero el "
        f"archivo no dice cuándo se pagaron: {total} en total. Esos pagos "
        f"{stored} sin fecha, así que no cuentan para saber si el cliente paga "
        "a tiempo o con atraso (segmentos y recordatorios preventivos), ni en "
        "«Cobrado por mes» del panel, y la auditoría los cuenta como cobrados "
        "al emitirse el comprobante para el DSO y el CEI. "
        "Para darles fecha, agregá al archivo una columna «Fecha de pago» y "
        "volvé a importarlo. Los pagos que recibas de ahora en adelante "
        "registralos con su fecha con cobranza payment import o en el panel."
    )


def _note_shared_phones(
    report: ImportReport, groups: list[list[str]], hints: Hints
) -> None:
    """Add a note for each group of customers that share one phone.

    Nothing is blocked, because one person may own several accounts. Each
    reminder names its customer and balance, so when the customers are
    different people, the phone's owner sees the others' debts.
    """
    for ids in groups[:MAX_SHARED_PHONE_NOTES]:
        report.notes.append(
            f"Los clientes {', '.join(ids)} tienen el mismo teléfono, así que "
            "todos sus recordatorios van a un solo WhatsApp. Corregí los "
            "teléfonos, salvo que sean la misma persona."
        )
    if len(groups) > MAX_SHARED_PHONE_NOTES:
        report.notes.append(
            f"Otros {len(groups) - MAX_SHARED_PHONE_NOTES} grupos de clientes "
            f"comparten un teléfono. {hints.find_shared_phones()}"
        )


def _stored_report(report: ImportReport) -> dict[str, Any]:
    """Return the report to keep with the run, with long lists cut.

    A file of 100,000 bad rows would otherwise store megabytes of issues in
    one JSON value; the counts stay exact in `<list>_count`.
    """
    data = report.to_dict()
    # The report is kept, so an erased customer's code is not stored again.
    for issue in data["rows_rejected"]:
        if issue["code"] == "erased_customer" and issue["value"]:
            issue["message"] = issue["message"].replace(
                quoted(issue["value"]), quoted(REDACTED)
            )
            issue["value"] = REDACTED
    for name in _CAPPED_LISTS:
        data[f"{name}_count"] = len(data[name])
        data[name] = data[name][:STORED_ISSUES_LIMIT]
    return data


def _record_run(
    session: Session, business: Business, report: ImportReport, now: datetime
) -> None:
    run = ImportRun(
        business_id=business.id,
        file_name=report.file_name[:500],
        sha256=report.sha256,
        at=now,
        report=_stored_report(report),
    )
    session.add(run)
    session.flush()
    session.add(
        AuditEvent(
            business_id=business.id,
            at=now,
            actor="import",
            kind="import",
            subject_type="import_run",
            subject_id=run.id,
            reason=f"imported {report.file_name}",
            details={
                "documents_imported": report.documents_imported,
                "rows_rejected": report.rejected_row_count,
                "payments_recorded": report.payments_recorded,
                "settled_as_missing": report.settled_as_missing,
            },
        )
    )
    session.flush()
