"""Builders for import tests: businesses per country and export files.

The files are written here from code, shaped like real exports; no
third-party data is committed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cobranza.config import get_settings
from cobranza.db.engine import transaction
from cobranza.db.models import Business, Customer, Document
from cobranza.ingest import ImportOptions, ImportReport, import_file

NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)

COUNTRIES = {
    "AR": ("America/Argentina/Buenos_Aires", "ARS", "es_AR"),
    "MX": ("America/Mexico_City", "MXN", "es_MX"),
    "BR": ("America/Sao_Paulo", "BRL", "pt_BR"),
    "CO": ("America/Bogota", "COP", "es_CO"),
    "CL": ("America/Santiago", "CLP", "es_CL"),
    "PE": ("America/Lima", "PEN", "es_PE"),
    "UY": ("America/Montevideo", "UYU", "es_UY"),
}


@pytest.fixture
def cli_database(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the `cobranza` command at a new SQLite database of an AR business."""
    monkeypatch.setenv("COBRANZA_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COBRANZA_COUNTRY", "AR")
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def add_business(session: Session, country: str = "AR") -> Business:
    timezone, currency, locale = COUNTRIES[country]
    business = Business(
        name=f"Negocio {country} (ficticio)",
        country=country,
        timezone=timezone,
        currency=currency,
        locale=locale,
        settings={},
        created_at=NOW,
    )
    session.add(business)
    session.flush()
    return business


def make_business(engine: Engine, country: str = "AR") -> int:
    with transaction(engine) as session:
        return add_business(session, country).id


def run_import(
    engine: Engine,
    business_id: int,
    path: Path,
    now: datetime = NOW,
    **options: object,
) -> ImportReport:
    """Import `path` in its own transaction, as the CLI does."""
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        return import_file(session, business, path, ImportOptions(**options), now)  # type: ignore[arg-type]


def write_csv(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    separator: str = ",",
    encoding: str = "utf-8",
    newline: str = "\r\n",
) -> Path:
    text = newline.join(separator.join(row) for row in rows) + newline
    path.write_bytes(text.encode(encoding))
    return path


def balance(
    engine: Engine, business_id: int, external_id: str | None = None
) -> Decimal:
    query = select(func.sum(Document.open_amount)).where(
        Document.business_id == business_id
    )
    if external_id is not None:
        query = query.join(Customer, Customer.id == Document.customer_id).where(
            Customer.external_id == external_id
        )
    with transaction(engine) as session:
        return session.scalar(query) or Decimal(0)


def customer(engine: Engine, business_id: int, external_id: str) -> Customer:
    with transaction(engine) as session:
        return session.scalars(
            select(Customer).where(
                Customer.business_id == business_id,
                Customer.external_id == external_id,
            )
        ).one()
