"""Errors raised by the portfolio audit.

PortfolioError
├── InvalidAuditRequest   an as-of date or period the audit cannot use
└── ReportWriteError      the HTML report cannot be written to its path
"""

from __future__ import annotations


class PortfolioError(Exception):
    """Base class for portfolio errors."""


class InvalidAuditRequest(PortfolioError, ValueError):
    """The audit was asked for a date or period it cannot compute."""


class ReportWriteError(PortfolioError, OSError):
    """The audit's HTML file cannot be written, such as in a missing folder."""
