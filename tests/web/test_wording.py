"""The owner-facing wording of timeline entries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cobranza.db.models import InboundMedia
from cobranza.messages.catalog import STEP_KINDS
from cobranza.wording import (
    AUTOMATIC_LABELS,
    POLICY_STEP_LABELS,
    kind_label,
    reason_label,
    receipt_download_note,
    step_label,
    timeline_detail,
)

# 10:00 in Buenos Aires.
MEDIA_AT = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
BUENOS_AIRES = "America/Argentina/Buenos_Aires"


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


def test_one_day_late_singular() -> None:
    facts = {"reason": "gate_passed", "days_past_due": 1, "balance": "0"}

    detail = timeline_detail("message_sent", facts, "ARS", "es_AR")

    assert "1 día de atraso" in detail
    assert "1 días" not in detail


@pytest.mark.parametrize(
    ("step", "label"),
    [
        ("segundo_aviso", "segundo_aviso"),
        ("payment_thanks:442", "agradecimiento por el pago"),
        ("link_reply:2026-11-30T11:1", "link de pago pedido"),
        ("installment:7:overdue", "cuota vencida"),
        ("installment:7:due_today", "cuota que vence hoy"),
        ("new_kind:1", "respuesta automática"),
        ("manual_reply", "respuesta de una persona"),
    ],
)
def test_step_label(step: str, label: str) -> None:
    assert step_label(step) == label


@pytest.mark.parametrize(
    ("step", "step_kind", "label"),
    [
        ("final_notice", "final_notice", "último recordatorio (final_notice)"),
        ("aviso_45", "final_notice", "último recordatorio (aviso_45)"),
        ("handoff", "handoff_notice", "aviso de que lo atiende una persona (handoff)"),
        ("segundo_aviso", None, "segundo_aviso"),
        ("segundo_aviso", "new_kind", "segundo_aviso"),
        ("payment_thanks:442", "payment_thanks", "agradecimiento por el pago"),
    ],
)
def test_policy_step_label(step: str, step_kind: str | None, label: str) -> None:
    assert step_label(step, step_kind) == label


def test_every_step_kind_has_label() -> None:
    assert set(POLICY_STEP_LABELS) | set(AUTOMATIC_LABELS) == set(STEP_KINDS)
    assert set(POLICY_STEP_LABELS).isdisjoint(AUTOMATIC_LABELS)


def test_automatic_step_in_timeline() -> None:
    facts = {"reason": "gate_passed", "step": "payment_thanks:442"}

    detail = timeline_detail("message_sent", facts, "ARS", "es_AR")

    assert detail == "pasó los controles de envío, agradecimiento por el pago"


def test_automatic_labels_name_real_kinds() -> None:
    replies = {kind.name for kind in STEP_KINDS.values() if not kind.reminder}

    assert set(AUTOMATIC_LABELS) <= set(STEP_KINDS)
    assert replies <= set(AUTOMATIC_LABELS)


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("promise_kept", "promesa cumplida"),
        ("promise_broken", "promesa incumplida"),
    ],
)
def test_promise_check_kinds_worded(kind: str, label: str) -> None:
    assert kind_label(kind) == label


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        # A handled reply stores the action taken as its reason.
        ("none", "nada que hacer"),
        ("dispute_recorded", "anotó el reclamo"),
        ("link_sent", "mandó el link de pago"),
        # A payment's status change stores the new status.
        ("approved", "acreditado"),
        ("installment_missed", "no se pagó una cuota a tiempo"),
        ("gate_passed", "pasó los controles de envío"),
        ("segundo_aviso", "segundo_aviso"),
    ],
)
def test_audit_reasons_worded(reason: str, label: str) -> None:
    assert reason_label(reason) == label


@pytest.mark.parametrize(
    ("days", "words"),
    [(-3, "vence en 3 días"), (-1, "vence en 1 día"), (0, "vence hoy")],
)
def test_days_before_due_worded(days: int, words: str) -> None:
    facts = {"reason": "gate_passed", "days_past_due": days}

    detail = timeline_detail("message_sent", facts, "ARS", "es_AR")

    assert words in detail
    assert "de atraso" not in detail


def test_manual_reply_not_a_policy_step() -> None:
    facts = {"state": "sent", "step": "manual_reply"}

    detail = timeline_detail("message", facts, "ARS", "es_AR")

    assert detail.startswith("respuesta de una persona")
    assert "paso «manual_reply»" not in detail


@pytest.mark.parametrize(
    ("columns", "note"),
    [
        (
            {"attempts": 0},
            "El archivo todavía no se descargó: se intenta en uno o dos minutos.",
        ),
        (
            {"attempts": 2, "next_attempt_at": MEDIA_AT, "last_error": "timed out"},
            "Todavía no se pudo descargar el archivo (intento 2 de 7): se vuelve a "
            "intentar el 10/03/2026 10:00.",
        ),
        (
            {"attempts": 1, "error": "media not found"},
            "No se pudo descargar el archivo: pedile al cliente que lo mande de nuevo.",
        ),
        (
            {"attempts": 1, "downloaded_at": MEDIA_AT},
            "Archivo guardado el 10/03/2026 10:00.",
        ),
        (
            {"attempts": 1, "downloaded_at": MEDIA_AT, "error": "sha256 differs"},
            "Archivo guardado, pero no coincide con la huella sha256 que informó "
            "WhatsApp: revisalo con el cliente antes de aceptarlo.",
        ),
    ],
)
def test_receipt_download_note(columns: dict[str, object], note: str) -> None:
    media = InboundMedia(provider="whatsapp", media_id="m-1", **columns)

    assert receipt_download_note(media, BUENOS_AIRES) == note
