"""Output of the `cobranza payment` commands, and their link lookup."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from rich.console import Group
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobranza.compliance import resolve_customer
from cobranza.config import get_settings
from cobranza.db.models import Business, Customer, Document
from cobranza.money import format_money
from cobranza.payments import cases
from cobranza.payments.credits import CreditBalance, customer_credits
from cobranza.payments.errors import ProviderNotConfiguredError
from cobranza.payments.links import (
    NothingOwedError,
    payment_link_for_case,
    provider_for,
    provider_usable,
)
from cobranza.payments.manual import PaymentImportReport
from cobranza.payments.outcome import PaymentOutcome
from cobranza.payments.plan_rows import InstallmentRow, InstallmentState, PlanRows
from cobranza.payments.reconcile import ApplyResult
from cobranza.payments.targets import balance_target, open_documents
from cobranza.terminal_text import markup_safe
from cobranza.timeutil import local_date
from cobranza.voseo import owner_text
from cobranza.wording import INSTALLMENT_STATE_LABELS, PLAN_STATUS_LABELS


def link_for_customer(
    session: Session, business: Business, customer_ref: str, now: datetime
) -> str:
    """Return the payment link of a customer's open case.

    Raises `ComplianceError` for an unknown customer, `NothingOwedError`
    when the customer owes nothing collectable or has no open case, and
    `ProviderNotConfiguredError` when the business's provider cannot open
    links here.
    """
    settings = get_settings()
    provider = provider_for(business, settings.payment_provider)
    if not provider_usable(provider, settings):
        raise ProviderNotConfiguredError(
            f"el proveedor de pagos {provider!r} no puede abrir links en el "
            f"entorno {settings.environment}: definí sus credenciales, o poné en "
            "COBRANZA_PAYMENT_PROVIDER un proveedor configurado"
        )
    customer = resolve_customer(session, business.id, customer_ref)
    _check_owes(session, business, customer, now)
    case = cases.open_case_of(session, business.id, customer.id)
    if case is None:
        raise NothingOwedError(
            f"el cliente {customer.external_id} no tiene un caso abierto: corré "
            "`cobranza run` para que se abra uno por sus facturas vencidas"
        )
    return payment_link_for_case(session, business, case, now)


def _check_owes(
    session: Session, business: Business, customer: Customer, now: datetime
) -> None:
    """Raise `NothingOwedError` when the customer owes nothing a link could collect."""
    today = local_date(now, customer.timezone or business.timezone)
    documents = open_documents(session, business.id, customer.id, today)
    if balance_target(documents, "es", customer.name) is not None:
        return
    unpaid = session.scalar(
        select(func.count()).where(
            Document.business_id == business.id,
            Document.customer_id == customer.id,
            Document.open_amount > 0,
            Document.missing_since.is_(None),
        )
    )
    if not unpaid:
        raise NothingOwedError(
            f"el cliente {customer.external_id} no debe nada: no tiene facturas "
            "abiertas, así que no hace falta un link de pago"
        )
    raise NothingOwedError(
        f"el cliente {customer.external_id} no tiene saldo para cobrar: lo que "
        "debe está en disputa, en espera o cubierto por notas de crédito"
    )


def render_payment_result(
    result: ApplyResult,
    outcome: PaymentOutcome | None,
    credits: list[CreditBalance] | None = None,
    locale: str = "es_AR",
    timezone: str = "America/Argentina/Buenos_Aires",
) -> Group:
    """Build what `cobranza payment add` prints: the payment and its invoices.

    Invoices are named by their numbers, each with the amount applied and
    what stays open.
    """
    table = Table(title="Pago registrado", show_header=False)
    if outcome is None:
        table.add_row(
            "Pago",
            "ya estaba registrado con esa referencia, así que no se registró otro",
        )
        return Group(table)

    def money(amount: Decimal) -> str:
        return format_money(amount, outcome.currency, locale)

    paid_on = local_date(outcome.paid_at, timezone)
    table.add_row(
        "Pago",
        f"{money(outcome.amount)} del {paid_on:%d/%m/%Y} (n.º {outcome.payment_id})",
    )
    if not outcome.invoices:
        table.add_row("Facturas", "no había facturas abiertas en esa moneda")
    table.add_row("Saldo del cliente", money(max(outcome.balance, Decimal(0))))
    if outcome.other_balances:
        others = " y ".join(
            format_money(amount, currency, locale)
            for currency, amount in outcome.other_balances.items()
        )
        table.add_row("Saldo en otras monedas", others)
    table.add_row("Caso cerrado", "sí" if result.case_closed else "no")
    for credit in credits or []:
        table.add_row(
            "Saldo a favor", format_money(credit.amount, credit.currency, locale)
        )
    if not outcome.invoices:
        return Group(table)

    invoices = Table(title="Facturas pagadas con este pago")
    invoices.add_column("Factura")
    invoices.add_column("Aplicado", justify="right")
    invoices.add_column("Queda abierto", justify="right")
    invoices.add_column("Estado")
    for invoice in outcome.invoices:
        invoices.add_row(
            markup_safe(invoice.number),
            money(invoice.applied),
            money(max(invoice.still_open, Decimal(0))),
            "saldada" if invoice.paid_in_full else "pagada en parte",
        )
    return Group(table, invoices)


def render_balances(session: Session, business: Business, customer_id: int) -> Table:
    """Build the customer's open balance and credit per currency, for `case show`."""
    rows = session.execute(
        select(Document.currency, func.sum(Document.open_amount))
        .where(
            Document.business_id == business.id,
            Document.customer_id == customer_id,
            Document.missing_since.is_(None),
        )
        .group_by(Document.currency)
    )
    owed = {currency: total for currency, total in rows}
    credits = {
        credit.currency: credit.amount
        for credit in customer_credits(session, business.id, customer_id)
    }

    table = Table(title="Saldo")
    for header in ("Moneda", "Saldo abierto", "Saldo a favor"):
        table.add_column(
            header, justify="left" if header == "Moneda" else "right", no_wrap=True
        )
    for currency in sorted(set(owed) | set(credits) or {business.currency}):
        balance = owed.get(currency) or Decimal(0)
        credit = credits.get(currency, Decimal(0))
        table.add_row(
            currency,
            format_money(balance, currency, business.locale),
            format_money(credit, currency, business.locale),
        )
    return table


def render_plan(plan: PlanRows, business: Business) -> Table | Group:
    """Build the table of a plan's installments, for `case show`.

    Active plans in other currencies (`plan.others`) get a table each, after
    the plan's own.
    """
    if plan.others:
        alone = replace(plan, others=())
        return Group(*(render_plan(each, business) for each in (alone, *plan.others)))
    timezone = business.timezone
    title = (
        f"Plan de cuotas {plan.plan_id} (caso {plan.case_id}): "
        f"{PLAN_STATUS_LABELS.get(plan.status, plan.status)}, "
        f"armado el {local_date(plan.created_at, timezone):%d/%m/%Y}"
    )
    if plan.closed_at is not None:
        title += f", cerrado el {local_date(plan.closed_at, timezone):%d/%m/%Y}"
    caption = f"Total {format_money(plan.total, plan.currency, business.locale)}"
    if plan.fee > 0:
        fee = format_money(plan.fee, plan.currency, business.locale)
        caption += f", con un recargo de {fee}"

    table = Table(title=title, caption=caption)
    table.add_column("Cuota", justify="right")
    table.add_column("Monto", justify="right", no_wrap=True)
    table.add_column("Vencimiento")
    table.add_column("Estado")
    for row in plan.installments:
        table.add_row(
            f"{row.number} de {len(plan.installments)}",
            format_money(row.amount, plan.currency, business.locale),
            f"{row.due_on:%d/%m/%Y}",
            _installment_state(row, plan.currency, business),
        )
    return table


def _installment_state(row: InstallmentRow, currency: str, business: Business) -> str:
    label = INSTALLMENT_STATE_LABELS[row.state]
    if row.state == InstallmentState.PAID and row.paid_at is not None:
        label += f" el {local_date(row.paid_at, business.timezone):%d/%m/%Y}"
    if row.paid_toward > 0:
        paid = format_money(row.paid_toward, currency, business.locale)
        left = format_money(row.amount - row.paid_toward, currency, business.locale)
        label += f" (pagó {paid}, faltan {left})"
    return label


def render_import_report(
    report: PaymentImportReport, currency: str = "ARS", locale: str = "es_AR"
) -> Table:
    table = Table(title="Importación de pagos", show_header=False)
    table.add_row("Pagos registrados", str(report.applied))
    table.add_row("Ya registrados", str(report.unchanged))
    for code, total in sorted(report.totals.items()) or [(currency, Decimal(0))]:
        table.add_row("Total registrado", format_money(total, code, locale))
    for error in report.errors:
        # An error quotes the file's values, so it is printed as text, and
        # the voice swap leaves those values alone.
        table.add_row("Error", markup_safe(owner_text(error, locale)))
    return table
