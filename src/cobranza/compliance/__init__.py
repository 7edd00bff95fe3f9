"""Compliance: contact windows, holidays, caps, the consent ledger, tone lint.

The gate (`evaluate`) decides, from facts read in the transaction that
claims an outbox message, whether the message is sent, deferred or
suppressed, and why (`Reason`).
"""

from cobranza.compliance.business_days import (
    business_day_on_or_before,
    days_past_due,
    effective_due_date,
    effective_due_dates,
    is_business_day,
    overdue_cutoff,
)
from cobranza.compliance.caps import (
    SENT_STATES,
    CapDecision,
    capped_customers_query,
    check_caps,
    recent_sends_query,
)
from cobranza.compliance.consent import (
    ConsentState,
    consent_granted_subquery,
    consent_history,
    current_consent,
    current_consent_state,
    current_consents,
    record_consent,
)
from cobranza.compliance.customers import resolve_customer
from cobranza.compliance.errors import (
    AmbiguousCustomerError,
    ComplianceError,
    CustomerNotFoundError,
    InvalidConsentError,
    LooserThanLawError,
    RuleOverrideError,
    UnknownJurisdictionError,
)
from cobranza.compliance.gate import Action, GateDecision, GateFacts, evaluate
from cobranza.compliance.reasons import Reason
from cobranza.compliance.rules import (
    COUNTRY_RULES,
    ContactRules,
    DayWindow,
    apply_overrides,
    legal_rules,
    rules_for_business,
)
from cobranza.compliance.tone import ToneIssue, ToneProblem, lint_text
from cobranza.compliance.window import (
    block_reason,
    contact_zones,
    first_block,
    holiday_name,
    holidays_skipped,
    is_allowed,
    next_allowed,
    next_allowed_in_all,
)

__all__ = [
    "COUNTRY_RULES",
    "SENT_STATES",
    "Action",
    "AmbiguousCustomerError",
    "CapDecision",
    "ComplianceError",
    "ConsentState",
    "ContactRules",
    "CustomerNotFoundError",
    "DayWindow",
    "GateDecision",
    "GateFacts",
    "InvalidConsentError",
    "LooserThanLawError",
    "Reason",
    "RuleOverrideError",
    "ToneIssue",
    "ToneProblem",
    "UnknownJurisdictionError",
    "apply_overrides",
    "block_reason",
    "first_block",
    "business_day_on_or_before",
    "contact_zones",
    "capped_customers_query",
    "check_caps",
    "consent_granted_subquery",
    "consent_history",
    "current_consent",
    "current_consent_state",
    "current_consents",
    "days_past_due",
    "effective_due_date",
    "effective_due_dates",
    "evaluate",
    "holiday_name",
    "holidays_skipped",
    "is_allowed",
    "is_business_day",
    "legal_rules",
    "lint_text",
    "next_allowed",
    "next_allowed_in_all",
    "overdue_cutoff",
    "recent_sends_query",
    "record_consent",
    "resolve_customer",
    "rules_for_business",
]
