"""The audit as one unit of work, for the CLI and the web app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import Engine, func, select

from cobranza.config import Settings
from cobranza.db.engine import default_business, transaction
from cobranza.db.models import Business, Document
from cobranza.portfolio.audit import (
    DEFAULT_PERIOD_DAYS,
    DEFAULT_TOP_DEBTORS,
    AuditReport,
    audit_portfolio,
)
from cobranza.portfolio.rules import SegmentRules
from cobranza.portfolio.snapshot import EffectiveDueDate
from cobranza.timeutil import local_date


def audit_business(
    engine: Engine,
    settings: Settings,
    now: datetime,
    as_of: date | None = None,
    *,
    period_days: int = DEFAULT_PERIOD_DAYS,
    top_debtors: int = DEFAULT_TOP_DEBTORS,
    currency: str | None = None,
    effective_due_for: Callable[[Business], EffectiveDueDate] | None = None,
) -> AuditReport:
    """Audit the settings' business in one transaction.

    `as_of` defaults to the date of `now` in the business's time zone, and
    an audit of that date also stores the customers' segments.
    `effective_due_for` returns the business's effective due dates, as
    `cobranza.compliance.business_days.effective_due_dates` does; without
    it no due date moves.
    """
    with transaction(engine) as session:
        business = default_business(session, settings)
        today = local_date(now, business.timezone)
        return audit_portfolio(
            session,
            business,
            as_of or today,
            today=today,
            rules=SegmentRules.from_settings(settings),
            period_days=period_days,
            top_debtors=top_debtors,
            currency=currency,
            effective_due=(
                effective_due_for(business) if effective_due_for is not None else None
            ),
        )


def last_issue_date(engine: Engine, settings: Settings) -> date | None:
    """Return the latest issue date among the business's documents, if any."""
    with transaction(engine) as session:
        return session.scalar(
            select(func.max(Document.issued_on))
            .join(Business, Business.id == Document.business_id)
            .where(Business.name == settings.business_name)
        )
