"""Every shipped message passes the compliance tone lint."""

from __future__ import annotations

import pytest

from cobranza.messages import preview_all


def test_templates_pass_tone_lint() -> None:
    try:
        from cobranza.compliance.tone import lint_text
    except ImportError as error:  # pragma: no cover - only before compliance lands
        pytest.fail(f"cobranza.compliance.tone.lint_text is not importable: {error}")

    for message in preview_all():
        problems = lint_text(message.text, message.locale)

        assert problems == [], (message.template_name, message.locale, problems)
