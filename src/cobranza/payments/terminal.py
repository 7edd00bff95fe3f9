"""Output of the `cobranza payment` commands, and their link lookup."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from sqlalchemy.orm import Session

from cobranza.compliance import resolve_customer
from cobranza.config import get_settings
from cobranza.db.models import Business
from cobranza.payments import cases
from cobranza.payments.errors import ProviderNotConfiguredError
from cobranza.payments.links import (
    NothingOwedError,
    payment_link_for_case,
    provider_for,
    provider_usable,
)
from cobranza.payments.manual import PaymentImportReport
from cobranza.payments.reconcile import ApplyResult


def link_for_customer(
    session: Session, business: Business, customer_ref: str, now: datetime
) -> str:
    """Return the payment link of a customer's open case.

    Raises `ComplianceError` for an unknown customer, `NothingOwedError`
    when the customer has no open case, and `ProviderNotConfiguredError`
    when the business's provider cannot open links here.
    """
    settings = get_settings()
    provider = provider_for(business, settings.payment_provider)
    if not provider_usable(provider, settings):
        raise ProviderNotConfiguredError(
            f"payment provider {provider!r} cannot open links in the "
            f"{settings.environment} environment: set its credentials, or "
            "COBRANZA_PAYMENT_PROVIDER to a configured provider"
        )
    customer = resolve_customer(session, business.id, customer_ref)
    case = cases.open_case_of(session, business.id, customer.id)
    if case is None:
        raise NothingOwedError(
            f"customer {customer.external_id} has no open case: run "
            "`cobranza run` so the planner opens one for its overdue invoices"
        )
    return payment_link_for_case(session, business, case, now)


def render_payment_result(result: ApplyResult) -> Table:
    table = Table(title="Pago registrado", show_header=False)
    table.add_row("Pago", str(result.payment_id) if result.changed else "ya registrado")
    table.add_row(
        "Facturas saldadas", ", ".join(map(str, result.allocated_document_ids)) or "-"
    )
    table.add_row("Caso cerrado", "sí" if result.case_closed else "no")
    return table


def render_import_report(report: PaymentImportReport) -> Table:
    table = Table(title="Importación de pagos", show_header=False)
    table.add_row("Pagos registrados", str(report.applied))
    table.add_row("Ya registrados", str(report.unchanged))
    table.add_row("Total registrado", str(report.total))
    for error in report.errors:
        table.add_row("Error", error)
    return table
