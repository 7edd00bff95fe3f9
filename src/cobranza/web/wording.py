"""The dashboard's Spanish labels, which live in `cobranza.wording`.

The CLI prints the same words, and the lower layers must not import
`cobranza.web`, so this module only re-exports them.
"""

from __future__ import annotations

from cobranza.wording import (
    INTENT_LABELS,
    STATE_LABELS,
    actor_label,
    kind_label,
    local_time,
    pause_label,
    payment_label,
    promise_label,
    reason_label,
    timeline_detail,
)

__all__ = [
    "INTENT_LABELS",
    "STATE_LABELS",
    "actor_label",
    "kind_label",
    "local_time",
    "pause_label",
    "payment_label",
    "promise_label",
    "reason_label",
    "timeline_detail",
]
