"""Every rendered message read as a debtor would: delay, voice and words."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.messages import ComposedMessage, compose, preview_all, sample_variables

runner = CliRunner()

# Second-person forms that exist only in voseo, or only in tú. Forms shared
# by both (pagaste, estás) are left out.
VOSEO = re.compile(
    r"\b(podés|querés|tocá|respondé|preferís|necesitás|tenés|vos|disculpá|"
    r"escribinos|contanos|avisanos|confirmá|elegí)\b",
    re.IGNORECASE,
)
TU = re.compile(
    r"\b(puedes|quieres|toca|responde|prefieres|necesitas|tienes|contigo|"
    r"disculpa|escríbenos|cuéntanos|avísanos|confirma|elige)\b",
    re.IGNORECASE,
)
ENGLISH = re.compile(
    r"\b(link|ok|please|thanks|payment|invoice|due|click|email|online|status|"
    r"step|reminder|balance|none|null|true|false|nan)\b",
    re.IGNORECASE,
)
THREATS = re.compile(
    r"(abogad|judicial|juicio|embargo|demanda|veraz|moros|deudor|consecuencia|"
    r"acciones legales|intima|último aviso|justiça|protesto|serasa|inadimplente)",
    re.IGNORECASE,
)


def test_sample_states_given_delay() -> None:
    late = compose("final_notice", "es_AR", "friendly", sample_variables("es_AR", 45))
    early = compose("preventive", "es_AR", "friendly", sample_variables("es_AR", -3))

    assert "45 días" in late.text
    assert "15 días" not in late.text
    assert "vence el 3 de marzo" in early.text


def test_policy_preview_uses_step_offsets() -> None:
    result = runner.invoke(app, ["policy", "show", "--preview", "--locale", "es_AR"])

    assert result.exit_code == 0, result.output
    sections = result.output.split("final_notice · friendly · es_AR")
    assert len(sections) == 2
    final_notice = sections[1].split("\n", 1)[1].split("───")[0]
    assert "45 días" in final_notice
    assert "15 días" not in final_notice


@pytest.mark.parametrize(
    "message", preview_all(), ids=lambda m: f"{m.step_kind}-{m.locale}-{m.tone}"
)
def test_message_voice_and_words(message: ComposedMessage) -> None:
    text = message.text

    assert ENGLISH.findall(text) == []
    assert THREATS.findall(text) == []
    if message.locale == "es_AR" and message.tone == "friendly":
        assert TU.findall(text) == []
    if message.locale.startswith("es") and message.locale != "es_AR":
        assert VOSEO.findall(text) == []
    assert "{{" not in text
    assert "None" not in text
