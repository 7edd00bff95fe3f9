"""Errors raised by the compliance package.

    ComplianceError
    ├── RuleOverrideError        a business setting is malformed
    │   └── LooserThanLawError   a business setting loosens a legal limit
    ├── UnknownJurisdictionError no contact rules for the country
    ├── CustomerNotFoundError    no customer matches a reference
    │   └── AmbiguousCustomerError  several customers match a phone
    └── InvalidConsentError      a consent change with bad input

Each subclass also derives from the matching built-in (`ValueError`,
`LookupError`) so that callers that only know the built-ins still catch it.
"""

from __future__ import annotations


class ComplianceError(Exception):
    """Base class for every error of the compliance package."""


class RuleOverrideError(ComplianceError, ValueError):
    """A business's `compliance` setting is malformed."""


class LooserThanLawError(RuleOverrideError):
    """A business's `compliance` setting would loosen a legal limit."""


class UnknownJurisdictionError(ComplianceError, LookupError):
    """No contact rules are defined for a country."""


class CustomerNotFoundError(ComplianceError, LookupError):
    """No customer of the business matches an external id or phone."""


class AmbiguousCustomerError(CustomerNotFoundError):
    """More than one customer of the business has the phone that was given."""


class InvalidConsentError(ComplianceError, ValueError):
    """A consent change has an unknown action, an empty source or a naive time."""
