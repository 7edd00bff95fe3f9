"""Errors raised by the portfolio audit.

PortfolioError
└── InvalidAuditRequest   an as-of date or period the audit cannot use
"""

from __future__ import annotations


class PortfolioError(Exception):
    """Base class for portfolio errors."""


class InvalidAuditRequest(PortfolioError, ValueError):
    """The audit was asked for a date or period it cannot compute."""
