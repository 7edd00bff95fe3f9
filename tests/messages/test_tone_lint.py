"""Every shipped message passes the compliance tone lint."""

from __future__ import annotations

from cobranza.compliance.tone import lint_text
from cobranza.messages import preview_all, template_for


def test_rendered_messages_pass_tone_lint() -> None:
    for message in preview_all():
        problems = lint_text(message.text, message.locale)

        assert problems == [], (message.template_name, message.locale, problems)


def test_whatsapp_bodies_pass_tone_lint() -> None:
    for message in preview_all():
        spec = template_for(message.step_kind, message.locale, message.tone)

        problems = lint_text(spec.whatsapp_body(), message.locale)

        assert problems == [], (spec.path, problems)
