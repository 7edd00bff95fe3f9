"""Every suppression or deferral reason has a label and a kind."""

from __future__ import annotations

from cobranza.compliance import Reason

DEFERRING = {
    Reason.OUTSIDE_CONTACT_WINDOW,
    Reason.HOLIDAY,
    Reason.DAY_NOT_ALLOWED,
    Reason.DAILY_CAP,
    Reason.WEEKLY_CAP,
    Reason.MIN_GAP,
    Reason.OPEN_PROMISE,
    Reason.ON_HOLD,
    Reason.TEMPLATE_NOT_APPROVED,
    Reason.BUSINESS_DETAILS_MISSING,
}


def test_every_reason_has_spanish_label() -> None:
    for reason in Reason:
        assert reason.label, reason
        assert reason.label[0].isupper(), reason
        assert reason.label != reason.value


def test_deferring_reasons() -> None:
    assert {reason for reason in Reason if reason.defers} == DEFERRING


def test_reason_values_are_stable_strings() -> None:
    assert Reason("no_consent") is Reason.NO_CONSENT
    assert f"{Reason.OPTED_OUT}" == "opted_out"
