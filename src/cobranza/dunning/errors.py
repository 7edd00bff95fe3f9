"""Errors raised by the dunning package.

DunningError
├── PolicyError        a policy file cannot be read or is invalid
└── HoldError          a hold or release names an invalid invoice, date or reason
"""

from __future__ import annotations

from dataclasses import dataclass


class DunningError(Exception):
    """Base class for dunning errors."""


@dataclass(frozen=True)
class PolicyIssue:
    """One problem in a policy file, with the line it is on (1-based).

    Line 0 marks a problem of the whole file, such as a file that cannot be
    read, and is not printed.
    """

    line: int
    message: str

    def __str__(self) -> str:
        if self.line == 0:
            return self.message
        return f"línea {self.line}: {self.message}"


class PolicyError(DunningError):
    """A policy file that cannot be read or has one or more invalid lines."""

    def __init__(self, source: str, issues: list[PolicyIssue]) -> None:
        self.source = source
        self.issues = issues
        listed = "\n".join(f"  {source}, {issue}" for issue in issues)
        super().__init__(f"{source} tiene errores:\n{listed}")


class HoldError(DunningError):
    """A hold or a release that cannot be applied, worded for the business.

    The message names the invoice number, date or reason at fault and what
    to do instead. Nothing was changed when it is raised.
    """
