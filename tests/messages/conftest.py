"""Fixtures for the message composer tests."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from cobranza.messages import MessageVariables, sample_variables


@pytest.fixture
def variables() -> MessageVariables:
    """Variables that fill every parameter of every es_AR template."""
    return dataclasses.replace(
        sample_variables("es_AR"),
        customer_name="Juan Pérez",
        business_name="Ferretería El Tornillo",
        balance=Decimal("125000"),
        currency="ARS",
        oldest_due_on=date(2026, 3, 3),
        today=date(2026, 3, 18),
    )
