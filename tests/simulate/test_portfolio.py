from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from cobranza.simulate.portfolio import (
    CSV_HEADER,
    HISTORY_MONTHS,
    PROFILE_COUNTS,
    Profile,
    generate_portfolio,
    write_csv,
)

TODAY = date(2026, 3, 20)


def test_same_seed_gives_same_export(tmp_path: Path) -> None:
    first = write_csv(generate_portfolio(TODAY, seed=1), tmp_path / "a.csv")
    second = write_csv(generate_portfolio(TODAY, seed=1), tmp_path / "b.csv")
    other = write_csv(generate_portfolio(TODAY, seed=2), tmp_path / "c.csv")

    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_history_covers_twelve_to_eighteen_months() -> None:
    portfolio = generate_portfolio(TODAY)

    first_issue = min(doc.issued_on for doc in portfolio.documents)
    last_issue = max(doc.issued_on for doc in portfolio.documents)

    assert TODAY - first_issue >= timedelta(days=365)
    assert TODAY - first_issue <= timedelta(days=18 * 31)
    assert last_issue < TODAY
    assert HISTORY_MONTHS in range(12, 19)


def test_portfolio_has_every_pattern() -> None:
    portfolio = generate_portfolio(TODAY)
    documents = portfolio.documents
    invoices = [doc for doc in documents if doc.kind == "FC"]

    profiles = [customer.profile for customer in portfolio.customers]
    assert {profile: profiles.count(profile) for profile in Profile} == PROFILE_COUNTS
    assert sum(doc.kind == "NC" for doc in documents) == 4
    assert sum(doc.disputed for doc in documents) == 1
    partial = [doc for doc in invoices if 0 < doc.open_amount < doc.amount]
    assert partial
    assert all(doc.paid_on is not None for doc in partial)
    overdue = [doc for doc in invoices if doc.open_amount > 0 and doc.due_on < TODAY]
    assert any(TODAY - doc.due_on > timedelta(days=90) for doc in overdue)
    assert any(doc.due_on >= TODAY for doc in invoices)


def test_payments_are_never_in_the_future() -> None:
    portfolio = generate_portfolio(TODAY)

    for doc in portfolio.documents:
        if doc.paid_on is not None:
            assert doc.issued_on <= doc.paid_on < TODAY
        if doc.paid_on is None and doc.kind == "FC":
            assert doc.open_amount == doc.amount


def test_export_reads_like_an_argentine_system(tmp_path: Path) -> None:
    path = write_csv(generate_portfolio(TODAY), tmp_path / "facturas.csv")

    raw = path.read_bytes()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))

    assert raw.startswith(b"\xef\xbb\xbf")
    assert tuple(rows[0]) == CSV_HEADER
    amount = rows[1][CSV_HEADER.index("Importe")]
    assert "," in amount
    assert "." not in amount.split(",")[-1]
    issued = rows[1][CSV_HEADER.index("Fecha")]
    assert len(issued.split("/")) == 3
    total = sum(
        Decimal(row[CSV_HEADER.index("Importe")].replace(".", "").replace(",", "."))
        for row in rows[1:]
    )
    assert total > 0
