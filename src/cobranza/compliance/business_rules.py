"""A business's own, stricter contact rules, stored in `Business.settings`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from cobranza.compliance.rules import (
    ContactRules,
    apply_overrides,
    legal_rules,
    rules_for_business,
)
from cobranza.country_words import words_for_country
from cobranza.db.engine import lock_settings
from cobranza.db.models import AuditEvent, Business

SETTINGS_KEY = "compliance"


def set_business_rules(
    session: Session,
    business: Business,
    overrides: Mapping[str, Any],
    now: datetime,
    actor: str = "owner",
) -> ContactRules:
    """Validate `overrides` against the law, store them and audit the change.

    Raises `RuleOverrideError` (or its `LooserThanLawError`) naming the value
    and the legal limit; nothing is stored then. An empty mapping goes back
    to the country's legal rules.
    """
    rules = apply_overrides(legal_rules(business.country), overrides)
    lock_settings(session, business)
    previous = (business.settings or {}).get(SETTINGS_KEY) or {}
    business.settings = {**(business.settings or {}), SETTINGS_KEY: dict(overrides)}
    session.add(
        AuditEvent(
            business_id=business.id,
            at=now,
            actor=actor,
            kind="contact_rules.changed",
            subject_type="business",
            subject_id=business.id,
            reason="contact rules tightened by the business",
            details={"from": previous, "to": dict(overrides)},
        )
    )
    return rules


def describe_rules(rules: ContactRules) -> list[tuple[str, str]]:
    """Return (label, value) lines in Spanish for an owner.

    Holidays are named with the word of the rules' country ("festivos").
    """
    days = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
    lines = [
        (day, str(window) if window is not None else "no se envía")
        for day, window in zip(days, rules.windows, strict=True)
    ]
    holidays = words_for_country(rules.country).holidays
    lines.append((holidays, "no se envía" if rules.block_holidays else "se envía"))
    lines.append(("máximo por día", _cap(rules.max_per_day)))
    lines.append(("máximo en 7 días", _cap(rules.max_per_week)))
    gap = rules.min_gap
    lines.append(("separación mínima", "sin mínimo" if gap is None else _hours(gap)))
    lines.append(("fuente legal", rules.source))
    return lines


def current_rules(business: Business) -> ContactRules:
    """Return the rules that apply to the business now."""
    return rules_for_business(business.country, business.settings)


def _hours(gap: timedelta) -> str:
    """Word a gap in hours, with minutes when it has them: "48 horas"."""
    minutes = int(gap.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    text = f"{hours} {'hora' if hours == 1 else 'horas'}"
    if rest:
        text += f" y {rest} {'minuto' if rest == 1 else 'minutos'}"
    return text


def _cap(value: int | None) -> str:
    return "sin tope" if value is None else str(value)
