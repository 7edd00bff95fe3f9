"""Column types that keep money exact and times in UTC on every database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect
from sqlalchemy.types import TypeDecorator

# Amounts are stored as whole ten-thousandths. SQLite has no exact decimal
# type (SQLAlchemy's Numeric goes through float there), while a scaled
# integer is exact on SQLite and PostgreSQL alike, and SUM stays exact in SQL.
AMOUNT_SCALE = 4
_SCALE_FACTOR = Decimal(10) ** AMOUNT_SCALE
_STEP = Decimal(1).scaleb(-AMOUNT_SCALE)


class Amount(TypeDecorator[Decimal]):
    """A `Decimal` amount stored as an integer count of 1/10,000 units."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError(f"amount {value!r} is a float: pass a Decimal")
        amount = Decimal(value)
        if amount != amount.quantize(_STEP):
            raise ValueError(
                f"amount {amount} has more than {AMOUNT_SCALE} decimals: "
                "round it before storing"
            )
        return int(amount * _SCALE_FACTOR)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / _SCALE_FACTOR).quantize(_STEP)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC.

    Naive datetimes are rejected: every caller states the zone it means.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {value!r}")
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()}: attach a zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
