"""The owner-facing wording of timeline entries."""

from __future__ import annotations

from cobranza.wording import timeline_detail


def test_missing_facts_left_out() -> None:
    facts = {"reason": "gate_passed", "days_past_due": None, "balance": None}

    detail = timeline_detail("message_sent", facts, "ARS", "es_AR")

    assert "None" not in detail
    assert "días de atraso" not in detail


def test_facts_worded_with_money() -> None:
    facts = {"reason": "gate_passed", "days_past_due": 16, "balance": "1000.00"}

    detail = timeline_detail("message_sent", facts, "ARS", "es_AR")

    assert "16 días de atraso" in detail
    assert "saldo $ 1.000,00" in detail


def test_reply_without_text_names_its_kind() -> None:
    image = timeline_detail("reply", {"text": "[image]"}, "ARS", "es_AR")
    written = timeline_detail("reply", {"text": "[hola]"}, "ARS", "es_AR")

    assert image == "[imagen]"
    assert written == "[hola]"
