"""Portfolio analytics: aging, delinquency, DSO, CEI, Pareto and segments."""

from cobranza.portfolio.audit import AuditReport, audit_portfolio
from cobranza.portfolio.errors import InvalidAuditRequest, PortfolioError
from cobranza.portfolio.rules import Segment, SegmentRules
from cobranza.portfolio.segments import refresh_segments
from cobranza.portfolio.service import audit_business

__all__ = [
    "AuditReport",
    "InvalidAuditRequest",
    "PortfolioError",
    "Segment",
    "SegmentRules",
    "audit_business",
    "audit_portfolio",
    "refresh_segments",
]
