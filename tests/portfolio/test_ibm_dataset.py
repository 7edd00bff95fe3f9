"""The audit of the IBM accounts-receivable sample against pandas.

The expected figures are computed here from the raw CSV with pandas and the
`holidays` package alone, so they share no code with the audit. The file's
own DaysLate column counts from the printed due date, while the audit counts
from the next business day of the business's country (Argentina) when the
due date falls on a weekend or holiday, so days late are recomputed here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import holidays
import pandas as pd
import pytest
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.ingest import ImportOptions, import_file
from tests.conftest import shared_data

pytestmark = pytest.mark.shared_data

AS_OF = pd.Timestamp("2013-06-30")
PERIOD_DAYS = 90
CSV_NAME = "WA_Fn-UseC_-Accounts-Receivable.csv"


def read_raw(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(
        path,
        dtype={"customerID": str, "invoiceNumber": str},
        converters={"InvoiceAmount": Decimal},
    )
    for column in ("InvoiceDate", "DueDate", "SettledDate"):
        frame[column] = pd.to_datetime(frame[column], format="%m/%d/%Y")
    return frame


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return read_raw(shared_data("ibm-accounts-receivable", CSV_NAME))


@pytest.fixture
def audit_json(
    db_url: str, raw: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    """Import the CSV through import_file and run `cobranza audit --json`."""
    path = shared_data("ibm-accounts-receivable", CSV_NAME)
    monkeypatch.setenv("COBRANZA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    engine = make_engine(db_url)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        report = import_file(
            session, business, path, ImportOptions(), datetime(2026, 1, 1, tzinfo=UTC)
        )
    engine.dispose()
    assert report.documents_imported == len(raw)

    result = CliRunner().invoke(
        app, ["audit", "--as-of", "2013-06-30", "--period-days", "90", "--json"]
    )

    assert result.exit_code == 0, result.output
    yield json.loads(result.stdout)
    get_settings.cache_clear()


def effective_due(due: pd.Series) -> pd.Series:
    """Roll each due date forward to the next Argentine business day."""
    years = range(due.dt.year.min(), due.dt.year.max() + 2)
    closed = holidays.country_holidays("AR", years=years)
    business_day = pd.offsets.CustomBusinessDay(holidays=list(closed))
    return due.map(business_day.rollforward)


def expected_open(raw: pd.DataFrame) -> pd.DataFrame:
    counted = raw[raw["InvoiceDate"] <= AS_OF]
    open_ = counted[counted["SettledDate"] > AS_OF].copy()
    # Zero or negative up to the due date, zero until the effective due date.
    up_to_due = (AS_OF - open_["DueDate"]).dt.days
    after_due = (AS_OF - effective_due(open_["DueDate"])).dt.days.clip(lower=0)
    open_["dpd"] = up_to_due.where(up_to_due <= 0, after_due)
    return open_


def close(actual: str | None, expected: Decimal, tolerance: str) -> bool:
    assert actual is not None
    return abs(Decimal(actual) - expected) <= Decimal(tolerance)


def test_open_balance_and_aging(audit_json: dict[str, Any], raw: pd.DataFrame) -> None:
    open_ = expected_open(raw)
    bounds = {
        "current": (-(10**6), 0),
        "1_30": (1, 30),
        "31_60": (31, 60),
        "61_90": (61, 90),
        "over_90": (91, 10**6),
    }

    aging = {row["bucket"]: row for row in audit_json["aging"]}

    assert audit_json["open_invoices"] == len(open_)
    assert Decimal(audit_json["open_balance"]) == open_["InvoiceAmount"].sum()
    for bucket, (low, high) in bounds.items():
        selected = open_[(open_["dpd"] >= low) & (open_["dpd"] <= high)]
        assert aging[bucket]["count"] == len(selected), bucket
        expected = sum(selected["InvoiceAmount"], Decimal(0))
        assert Decimal(aging[bucket]["amount"]) == expected, bucket


def test_delinquency_rate(audit_json: dict[str, Any], raw: pd.DataFrame) -> None:
    open_ = expected_open(raw)
    late = open_[open_["dpd"] > 60]

    rate = audit_json["delinquency_rate"]

    assert close(rate["by_count"], Decimal(len(late)) / len(open_), "0.00005")
    by_amount = late["InvoiceAmount"].sum() / open_["InvoiceAmount"].sum()
    assert close(rate["by_amount"], by_amount, "0.00005")


def test_dso_and_cei(audit_json: dict[str, Any], raw: pd.DataFrame) -> None:
    start = AS_OF - pd.Timedelta(days=PERIOD_DAYS)
    open_ = expected_open(raw)
    ending = open_["InvoiceAmount"].sum()
    ending_current = open_.loc[open_["dpd"] <= 0, "InvoiceAmount"].sum()
    in_period = (raw["InvoiceDate"] > start) & (raw["InvoiceDate"] <= AS_OF)
    sales = raw.loc[in_period, "InvoiceAmount"].sum()
    open_at_start = (raw["InvoiceDate"] <= start) & (raw["SettledDate"] > start)
    beginning = raw.loc[open_at_start, "InvoiceAmount"].sum()

    dso = ending / sales * PERIOD_DAYS
    cei = (beginning + sales - ending) / (beginning + sales - ending_current) * 100

    assert Decimal(audit_json["dso"]["credit_sales"]) == sales
    assert Decimal(audit_json["cei"]["beginning_receivables"]) == beginning
    assert close(audit_json["dso"]["days"], dso, "0.005")
    assert close(audit_json["cei"]["percent"], cei, "0.005")


def test_pareto(audit_json: dict[str, Any], raw: pd.DataFrame) -> None:
    open_ = expected_open(raw)
    overdue = open_[open_["dpd"] > 0].groupby("customerID")["InvoiceAmount"].sum()
    ordered = sorted((Decimal(value) for value in overdue), reverse=True)
    total = sum(ordered, Decimal(0))
    top = math.ceil(len(ordered) * 0.2)
    running = Decimal(0)
    needed = 0
    for needed, value in enumerate(ordered, start=1):  # noqa: B007
        running += value
        if running >= total * Decimal("0.8"):
            break

    pareto = audit_json["pareto"]

    assert pareto["customers_with_overdue"] == len(ordered)
    assert pareto["top_customers"] == top
    assert close(pareto["top_share"], sum(ordered[:top]) / total, "0.00005")
    assert pareto["customers_for_80_percent"] == needed


def test_paid_late_per_customer(audit_json: dict[str, Any], raw: pd.DataFrame) -> None:
    paid = raw[(raw["InvoiceDate"] <= AS_OF) & (raw["SettledDate"] <= AS_OF)].copy()
    late_days = (paid["SettledDate"] - effective_due(paid["DueDate"])).dt.days
    paid["DaysLate"] = late_days.clip(lower=0)
    grouped = paid.groupby("customerID")
    expected = pd.DataFrame(
        {
            "paid": grouped.size(),
            "late": grouped["DaysLate"].apply(lambda days: int((days > 0).sum())),
            "mean": grouped["DaysLate"].mean(),
            "median": grouped["DaysLate"].median(),
        }
    )

    customers = {row["external_id"]: row for row in audit_json["customers"]}

    assert set(customers) == set(raw.loc[raw["InvoiceDate"] <= AS_OF, "customerID"])
    for customer_id, row in expected.iterrows():
        actual = customers[customer_id]
        assert actual["paid_invoices"] == row["paid"], customer_id
        assert actual["paid_late"] == row["late"], customer_id
        share = Decimal(int(row["late"])) / int(row["paid"])
        assert close(actual["late_share"], share, "0.00005"), customer_id
        assert close(actual["mean_days_late"], Decimal(row["mean"]), "0.005")
        assert close(actual["median_days_late"], Decimal(row["median"]), "0.005")
