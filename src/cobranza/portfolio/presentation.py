"""Number formatting shared by the terminal and HTML renderings of the audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal

from cobranza.money import format_money
from cobranza.portfolio.audit import AuditReport
from cobranza.portfolio.metrics import to_decimal
from cobranza.wording import percent_label


class Formatter:
    """Format the report's figures for one locale."""

    def __init__(self, report: AuditReport, locale: str, labels: dict[str, str]):
        self.report = report
        self.locale = locale
        self.labels = labels

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.report.currency, self.locale)

    def units(self, units: int) -> str:
        """Format an amount given in stored integer units."""
        return self.money(to_decimal(units))

    def percent(self, share: Decimal | float | None) -> str:
        if share is None or share != share:  # NaN is not equal to itself.
            return self.labels["undefined"]
        return percent_label(share, self.locale)

    def number(self, value: Decimal | float | None, digits: int = 1) -> str:
        if value is None or value != value:
            return self.labels["undefined"]
        pattern = "#,##0." + "0" * digits
        return format_decimal(value, pattern, locale=self.locale)

    def credit_customers(self) -> str:
        """Count the customers with a balance in their favour, in words."""
        count = self.report.credit_customer_count
        if count == 1:
            return self.labels["customer_credit_one"]
        return self.labels["customer_credit_count"].format(count=count)

    def pareto_80(self) -> str:
        """State how many customers hold 80% of the overdue debt, in agreement."""
        result = self.report.pareto
        key = "pareto_80_one" if result.customers_for_80_percent == 1 else "pareto_80"
        return self.labels[key].format(
            needed=result.customers_for_80_percent, count=result.customers_with_overdue
        )

    def date(self, day: date) -> str:
        """Format a day as DD/MM/AAAA, as the terminal audit shows it."""
        return f"{day:%d/%m/%Y}"

    def rules(self) -> str:
        rules = self.report.rules
        return self.labels["rules"].format(
            min_paid_invoices=rules.min_paid_invoices,
            late_grace_days=rules.late_grace_days,
            occasional=self.percent(rules.occasional_late_share),
            chronic=self.percent(rules.chronic_late_share),
            month_end_share=self.percent(rules.month_end_share),
            month_end_days=rules.month_end_days,
        )

    def aging_share(self, amount: Decimal) -> str:
        total = sum((bucket.amount for bucket in self.report.aging), Decimal(0))
        if total == 0:
            return self.labels["undefined"]
        return self.percent(amount / total)
