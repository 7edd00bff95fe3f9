from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import get_settings

NOW_OPTIONS = ["--now", "2026-03-19T10:00", "--tz", "America/Argentina/Buenos_Aires"]


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    for name in ("COBRANZA_LLM_BASE_URL", "COBRANZA_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    return CliRunner()


def test_nlu_json(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["nlu", "te pago el viernes 20 lucas", *NOW_OPTIONS, "--json"]
    )

    payload = json.loads(result.stdout)

    assert result.exit_code == 0
    assert payload["intent"] == "promise_to_pay"
    assert payload["promised_date"] == "2026-03-20"
    assert payload["amount"] == "20000"
    assert payload["installments"] is None
    assert 0 < payload["confidence"] <= 1


def test_nlu_file_keeps_order(runner: CliRunner, tmp_path: Path) -> None:
    replies = tmp_path / "replies.txt"
    lines = [
        "BAJA",
        "te pago el viernes",
        "",
        "¿puedo pagar en 3 cuotas?",
        "amanhã pago R$ 300,00",
    ]
    replies.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = runner.invoke(app, ["nlu", "--file", str(replies), *NOW_OPTIONS, "--json"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]

    assert result.exit_code == 0
    assert [line["intent"] for line in lines] == [
        "opt_out",
        "promise_to_pay",
        "other",
        "request_installments",
        "promise_to_pay",
    ]
    assert lines[3]["installments"] == 3
    assert lines[4]["amount"] == "300.00"


JSON_KEYS = [
    "intent",
    "confidence",
    "promised_date",
    "amount",
    "installments",
    "opt_out",
    "possible_opt_out",
    "source",
    "payment_days",
    "currency",
]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        (
            "quiero pagarte altiro la mitad, y el resto el viernes",
            ["2026-03-19", "2026-03-20"],
        ),
        ("R$ 500 agora e o resto semana que vem", ["2026-03-19", "2026-03-23"]),
        ("te pago el viernes", ["2026-03-20"]),
        ("ya te pagué el lunes", []),
    ],
)
def test_nlu_json_payment_days(runner: CliRunner, text: str, days: list[str]) -> None:
    result = runner.invoke(app, ["nlu", text, *NOW_OPTIONS, "--json"])

    assert result.exit_code == 0
    output = json.loads(result.stdout)
    assert output["payment_days"] == days
    assert output["promised_date"] == (days[0] if days else None)


def test_nlu_text_output(runner: CliRunner) -> None:
    result = runner.invoke(app, ["nlu", "ya te pagué", *NOW_OPTIONS])

    lines = result.stdout.splitlines()
    assert result.exit_code == 0
    assert lines[0] == "Respuesta: ya te pagué"
    assert lines[1] == "  Intención: dice que ya pagó"
    assert lines[2].startswith("  Confianza: ")
    assert lines[3] == "  Fecha prometida: no lo dice"


def test_nlu_text_output_in_spanish(runner: CliRunner) -> None:
    result = runner.invoke(app, ["nlu", "te pago el viernes 20 lucas", *NOW_OPTIONS])

    lines = result.stdout.splitlines()
    assert result.exit_code == 0
    assert lines[1] == "  Intención: promete pagar"
    assert re.fullmatch(r"  Confianza: [01],\d\d \(según el modelo\)", lines[2])
    assert lines[3] == "  Fecha prometida: viernes 20/03/2026"
    assert lines[4] == "  Monto: 20.000"
    assert lines[5] == "  Moneda: ARS"
    assert lines[6] == "  Cuotas: no lo dice"
    for key in JSON_KEYS:
        assert f"{key}:" not in result.stdout
    assert "null" not in result.stdout


@pytest.mark.parametrize(
    ("reply", "locale", "currency"),
    [
        ("te pago 20 dólares el viernes", "es_AR", "USD"),
        ("el viernes te paso US$ 300", "es_AR", "USD"),
        ("amanhã pago R$ 500", "pt_BR", "BRL"),
        ("te pago S/ 200 el lunes", "es_PE", "PEN"),
        ("te pago 20 lucas el viernes", "es_AR", "ARS"),
        ("te pago 20 lucas el viernes", "es_CL", "CLP"),
        ("te pago 200 el viernes", "es_AR", None),
        ("te pago US$ 100 y 5000 pesos", "es_AR", None),
    ],
)
def test_nlu_json_currency(
    runner: CliRunner, reply: str, locale: str, currency: str | None
) -> None:
    result = runner.invoke(
        app, ["nlu", reply, *NOW_OPTIONS, "--locale", locale, "--json"]
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["currency"] == currency


def test_nlu_text_currency(runner: CliRunner) -> None:
    dollars = runner.invoke(app, ["nlu", "te pago 20 dólares", *NOW_OPTIONS])
    several = runner.invoke(app, ["nlu", "te pago US$ 100 y 5000 pesos", *NOW_OPTIONS])
    none = runner.invoke(app, ["nlu", "ya te pagué", *NOW_OPTIONS])

    assert "  Moneda: USD" in dollars.stdout.splitlines()
    assert "  Moneda: nombra más de una" in several.stdout.splitlines()
    assert "  Moneda: no lo dice" in none.stdout.splitlines()


def test_nlu_json_keys_unchanged(runner: CliRunner, tmp_path: Path) -> None:
    replies = tmp_path / "replies.txt"
    replies.write_text("te pago el viernes\nBAJA\n", encoding="utf-8")

    single = runner.invoke(app, ["nlu", "ya te pagué", *NOW_OPTIONS, "--json"])
    many = runner.invoke(app, ["nlu", "--file", str(replies), *NOW_OPTIONS, "--json"])

    assert single.exit_code == 0
    assert many.exit_code == 0
    assert list(json.loads(single.stdout)) == JSON_KEYS
    assert [list(json.loads(line)) for line in many.stdout.splitlines()] == [
        JSON_KEYS,
        JSON_KEYS,
    ]


def test_nlu_flags_possible_opt_out(runner: CliRunner) -> None:
    text = "quero cancelar o recebimento dessas mensagens"

    plain = runner.invoke(app, ["nlu", text, *NOW_OPTIONS])
    as_json = runner.invoke(app, ["nlu", text, *NOW_OPTIONS, "--json"])

    assert plain.exit_code == 0
    assert "  Intención: pide hablar con una persona" in plain.output
    assert "Posible pedido de baja: lo revisa una persona" in plain.output
    assert json.loads(as_json.output)["possible_opt_out"] is True


def test_nlu_default_now_and_zone(runner: CliRunner) -> None:
    result = runner.invoke(app, ["nlu", "hoy te pago", "--json"])

    assert result.exit_code == 0
    assert json.loads(result.stdout)["promised_date"] is not None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nlu"], "Pasá TEXT o --file"),
        (["nlu", "hola", "--file", "x.txt"], "Pasá TEXT o --file"),
        (["nlu", "hola", "--tz", "Mars/Base"], "Zona horaria --tz 'Mars/Base'"),
        (["nlu", "hola", "--now", "ayer"], "--now inválido"),
        (["nlu", "hola", "--now", "２０２６-03-19"], "'２０２６-03-19': tiene dígitos"),
        (["nlu", "--file", "absent.txt"], "No se puede leer --file"),
        (["nlu", "   "], "TEXT está vacío"),
    ],
)
def test_nlu_invalid_input(
    runner: CliRunner, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, arguments)

    assert result.exit_code == 2
    assert message in result.stderr


def test_nlu_unknown_locale_lists_accepted(runner: CliRunner) -> None:
    result = runner.invoke(app, ["nlu", "hola", *NOW_OPTIONS, "--locale", "xx_YY"])

    assert result.exit_code == 2
    assert "--locale desconocido: xx_YY" in result.stderr
    assert "es_AR" in result.stderr
    assert "pt_BR" in result.stderr
    assert result.stdout == ""


def test_nlu_known_locale(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["nlu", "te pago na sexta", *NOW_OPTIONS, "--locale", "pt_BR", "--json"]
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["promised_date"] is not None
