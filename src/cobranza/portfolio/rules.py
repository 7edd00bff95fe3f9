"""Customer segments and the thresholds that decide them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from cobranza.config import Settings


class Segment(StrEnum):
    """How a customer pays, stored on `Customer.segment` for the planner."""

    PUNCTUAL = "punctual"
    NEW = "new"
    OCCASIONAL_LATE = "occasional_late"
    CHRONIC_LATE = "chronic_late"
    MONTH_END = "month_end"


@dataclass(frozen=True)
class SegmentRules:
    """Thresholds for the segment rules; the defaults come from `Settings`.

    The rules apply in this order, and the first that matches decides:

    1. fewer than `min_paid_invoices` paid invoices: new;
    2. month-end payer: at least `month_end_share` of the paid invoices were
       paid in the last `month_end_days` days of a month, while less than
       that share was due there (so paying on a month-end due date is not
       enough): month_end;
    3. share paid late above `chronic_late_share`: chronic_late;
    4. share paid late above `occasional_late_share`: occasional_late;
    5. otherwise: punctual.

    An invoice is paid late when it was fully paid more than
    `late_grace_days` days after its due date.
    """

    min_paid_invoices: int = 3
    late_grace_days: int = 0
    occasional_late_share: float = 0.2
    chronic_late_share: float = 0.5
    month_end_days: int = 5
    month_end_share: float = 0.7

    @classmethod
    def from_settings(cls, settings: Settings) -> SegmentRules:
        return cls(
            min_paid_invoices=settings.segment_min_paid_invoices,
            late_grace_days=settings.segment_late_grace_days,
            occasional_late_share=settings.segment_occasional_late_share,
            chronic_late_share=settings.segment_chronic_late_share,
            month_end_days=settings.segment_month_end_days,
            month_end_share=settings.segment_month_end_share,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
