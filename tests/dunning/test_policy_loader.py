from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cobranza.compliance.tone import lint_text
from cobranza.db.models import Business
from cobranza.dunning.errors import PolicyError
from cobranza.dunning.policy import (
    Action,
    CatchUp,
    Conditions,
    CustomerFacts,
    Policy,
    Step,
    Tone,
)
from cobranza.dunning.policy_loader import (
    check_step_kinds,
    check_templates,
    default_policy_path,
    load_policy,
    parse_policy,
    policy_path_for,
)

VALID = """\
version: 1
name: prueba
steps:
  - key: soft
    offset_days: 1
    action: send
    step_kind: reminder_soft
  - key: plan
    offset_days: 30
    action: offer_installments
    step_kind: plan_offer
    max_installments: 6
    tone: formal
    catch_up: skip
    conditions:
      segment: [chronic_late]
      customer_kind: company
      balance_min: 1000
      balance_max: 50000.50
      days_past_due_max: 40
      risk_score_min: 0.5
"""


def _issues(text: str) -> list[tuple[int, str]]:
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, "prueba.yaml")
    return [(issue.line, issue.message) for issue in raised.value.issues]


def test_valid_policy_parses() -> None:
    policy = parse_policy(VALID, "prueba.yaml")

    assert policy.name == "prueba"
    assert [step.key for step in policy.steps] == ["soft", "plan"]
    plan = policy.steps[1]
    assert plan.action is Action.OFFER_INSTALLMENTS
    assert plan.max_installments == 6
    assert plan.tone is Tone.FORMAL
    assert plan.catch_up is CatchUp.SKIP
    assert plan.line == 8
    assert plan.conditions.segments == frozenset({"chronic_late"})
    assert plan.conditions.customer_kinds == frozenset({"company"})
    assert plan.conditions.balance_min == Decimal("1000")
    assert plan.conditions.balance_max == Decimal("50000.50")
    assert plan.conditions.days_past_due_max == 40
    assert plan.conditions.risk_score_min == 0.5
    assert policy.steps[0].tone is Tone.AUTO
    assert policy.steps[0].catch_up is CatchUp.SEND_LATE


def test_unknown_key_names_line() -> None:
    text = VALID.replace("    catch_up: skip", "    catchup: skip")

    issues = _issues(text)

    assert len(issues) == 1
    line, message = issues[0]
    assert line == 14
    assert "clave desconocida 'catchup'" in message
    assert "¿quisiste decir 'catch_up'?" in message


def test_step_key_with_colon_rejected() -> None:
    issues = _issues(VALID.replace("key: soft", "key: aviso:final"))

    assert len(issues) == 1
    assert issues[0][0] == 4
    assert "'aviso:final'" in issues[0][1]
    assert "«:»" in issues[0][1]


def test_step_key_too_long_rejected() -> None:
    long_key = "aviso_" * 11

    issues = _issues(VALID.replace("key: soft", f"key: {long_key}"))

    assert len(issues) == 1
    assert issues[0][0] == 4
    assert "66 caracteres" in issues[0][1]
    assert "64" in issues[0][1]


def test_wrong_type_names_line() -> None:
    text = VALID.replace("offset_days: 30", "offset_days: treinta")

    issues = _issues(text)

    assert issues[0][0] == 9
    assert "`offset_days` tiene que ser un número entero" in issues[0][1]


def test_boolean_is_not_a_number() -> None:
    issues = _issues(VALID.replace("offset_days: 1\n", "offset_days: yes\n"))

    assert issues[0][0] == 5


def test_offsets_must_increase() -> None:
    text = VALID.replace("offset_days: 30", "offset_days: 1")

    issues = _issues(text)

    assert issues[0][0] == 8
    assert "offset_days 1 no es mayor que 1" in issues[0][1]
    assert "por offset_days creciente" in issues[0][1]


def test_unknown_action_and_tone() -> None:
    text = VALID.replace("action: send", "action: sned").replace(
        "tone: formal", "tone: severo"
    )

    issues = _issues(text)

    assert [line for line, _ in issues] == [6, 13]
    assert "¿quisiste decir 'send'?" in issues[0][1]
    assert "valor desconocido 'severo' en `tone`" in issues[1][1]


def test_send_needs_step_kind() -> None:
    text = VALID.replace("    step_kind: reminder_soft\n", "")

    issues = _issues(text)

    assert issues == [(4, "`action: send` necesita `step_kind`: agregalo al paso")]


def test_field_of_other_action() -> None:
    text = VALID.replace(
        "    step_kind: reminder_soft\n",
        "    step_kind: reminder_soft\n    pause_days: 3\n",
    )

    issues = _issues(text)

    assert issues[0][0] == 8
    assert "solo sirve para `action: pause`" in issues[0][1]


def test_unknown_segment() -> None:
    issues = _issues(VALID.replace("[chronic_late]", "[cronic_late]"))

    assert issues[0][0] == 16
    assert "¿quisiste decir 'chronic_late'?" in issues[0][1]


def test_range_min_above_max() -> None:
    issues = _issues(VALID.replace("balance_min: 1000", "balance_min: 90000"))

    assert issues[0][0] == 18
    assert "balance_min 90000 es mayor que balance_max" in issues[0][1]


def test_risk_score_out_of_range() -> None:
    issues = _issues(VALID.replace("risk_score_min: 0.5", "risk_score_min: 5"))

    assert issues[0][0] == 21
    assert "usá de 0 a 1" in issues[0][1]


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "offset_days: 1",
            "offset_days: 99999999999999999999",
            5,
            "`offset_days` 99999999999999999999 está fuera de rango: usá de -3650 a "
            "3650 días",
        ),
        (
            "offset_days: 1",
            "offset_days: -3651",
            5,
            "`offset_days` -3651 está fuera de rango",
        ),
        (
            "days_past_due_max: 40",
            "days_past_due_max: 99999999999999999999",
            20,
            "`days_past_due_max` 99999999999999999999 está fuera de rango",
        ),
    ],
)
def test_day_count_out_of_range(old: str, new: str, line: int, message: str) -> None:
    issues = _issues(VALID.replace(old, new))

    assert issues[0][0] == line
    assert message in issues[0][1]


PAUSE = """\
version: 1
name: pausa
steps:
  - key: wait
    offset_days: 3
    action: pause
    pause_days: {days}
"""


@pytest.mark.parametrize("days", ["0", "-2", "3651", "99999999999999999999"])
def test_pause_days_out_of_range(days: str) -> None:
    issues = _issues(PAUSE.format(days=days))

    assert issues == [
        (7, f"`pause_days` {days} está fuera de rango: usá de 1 a 3650 días")
    ]


def test_longest_day_counts_accepted() -> None:
    text = PAUSE.format(days="3650").replace("offset_days: 3", "offset_days: 3650")

    policy = parse_policy(text)

    assert policy.steps[0].offset_days == 3650
    assert policy.steps[0].pause_days == 3650


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("risk_score_min: 0.5", "risk_score_min: .nan", 21),
        ("risk_score_min: 0.5", "risk_score_min: .inf", 21),
        ("balance_min: 1000", "balance_min: -.inf", 18),
        ("balance_max: 50000.50", "balance_max: .NaN", 19),
    ],
)
def test_nan_and_infinity_rejected(old: str, new: str, line: int) -> None:
    issues = _issues(VALID.replace(old, new))

    assert issues[0][0] == line
    assert "tiene que ser un número" in issues[0][1]


def test_duplicate_step_key() -> None:
    issues = _issues(VALID.replace("key: plan", "key: soft"))

    assert issues[0][0] == 8
    assert "`key` repetida 'soft' (la primera está en la línea 4)" in issues[0][1]


def test_yaml_syntax_error_line() -> None:
    issues = _issues(VALID.replace("step_kind: plan_offer", "step_kind: [plan_offer"))

    assert len(issues) == 1
    assert issues[0][1].startswith("YAML inválido")
    assert issues[0][0] in (11, 12)


def test_missing_name_and_steps() -> None:
    issues = _issues("version: 1\n")

    messages = [message for _, message in issues]
    assert "falta `name`: agregalo" in messages
    assert "falta `steps`: agregá la lista de pasos" in messages


def test_empty_file() -> None:
    assert _issues("") == [(1, "el archivo está vacío: escribí `name:` y `steps:`")]


def test_error_lists_every_issue() -> None:
    text = VALID.replace("action: send", "action: sned").replace(
        "catch_up: skip", "catch_up: never"
    )

    with pytest.raises(PolicyError) as raised:
        parse_policy(text, "prueba.yaml")

    message = str(raised.value)
    assert "prueba.yaml, línea 6" in message
    assert "prueba.yaml, línea 14" in message


def test_unknown_step_kind() -> None:
    policy = parse_policy(VALID.replace("plan_offer", "plan_ofer"))

    issues = check_step_kinds(policy, ["reminder_soft", "plan_offer"])

    assert [(issue.line, issue.message) for issue in issues] == [
        (
            8,
            "paso 'plan': step_kind desconocido 'plan_ofer'. Usá uno de estos: "
            "plan_offer, reminder_soft",
        )
    ]


def test_template_lint_failure_line() -> None:
    policy = parse_policy(VALID)

    def render(step: Step, tone: Tone) -> list[tuple[str, str]]:
        if step.key == "soft":
            return [("es_AR", "Pagá hoy o iniciaremos acciones legales.")]
        return [("es_AR", "Tu saldo es de $ 100.")]

    def lint(text: str, locale: str) -> list[str]:
        return [problem.why for problem in lint_text(text, locale)]

    issues = check_templates(policy, render, lint)

    # The soft step has tone auto, so both tones are rendered and fail.
    assert [issue.line for issue in issues] == [4, 4]
    assert "(formal, es_AR)" in issues[0].message
    assert "no pasa el control de tono" in issues[0].message


def test_missing_file() -> None:
    with pytest.raises(PolicyError) as raised:
        load_policy("/nonexistent/politica.yaml")

    message = str(raised.value)
    assert "/nonexistent/politica.yaml, el archivo no existe: revisá la ruta" in (
        message
    )
    assert "línea 0" not in message


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="es una carpeta: indicá el archivo YAML"):
        load_policy(tmp_path)


def test_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "politica.yaml"
    path.write_bytes("name: política de diciembre\n".encode("cp1252"))

    with pytest.raises(PolicyError) as raised:
        load_policy(path)

    assert "no es texto UTF-8 (byte 10): guardalo como UTF-8" in str(raised.value)


def test_default_policy_shape(default_policy: Policy) -> None:
    steps = {step.key: step for step in default_policy.steps}

    assert [step.offset_days for step in default_policy.steps] == [
        -3,
        0,
        1,
        7,
        15,
        30,
        45,
        60,
    ]
    assert steps["preventive"].conditions.segments == frozenset(
        {"occasional_late", "chronic_late", "month_end"}
    )
    assert steps["preventive"].catch_up is CatchUp.SKIP
    assert steps["reminder_empathetic"].action is Action.OFFER_INSTALLMENTS
    assert steps["plan_offer"].action is Action.OFFER_INSTALLMENTS
    # Companies get the formal text even at the last reminder.
    assert steps["final_notice"].tone is Tone.AUTO
    assert steps["handoff"].action is Action.HANDOFF


def test_default_policy_kinds_exist(default_policy: Policy) -> None:
    from cobranza.messages import available_step_kinds

    assert check_step_kinds(default_policy, available_step_kinds()) == []


def test_default_policy_passes_tone_lint(default_policy: Policy) -> None:
    from cobranza.messages import compose, sample_variables, supported_locales

    def render(step: Step, tone: Tone) -> list[tuple[str, str]]:
        assert step.step_kind is not None
        return [
            (
                locale,
                compose(step.step_kind, locale, tone, sample_variables(locale)).text,
            )
            for locale in supported_locales()
        ]

    def lint(text: str, locale: str) -> list[str]:
        return [problem.why for problem in lint_text(text, locale)]

    assert check_templates(default_policy, render, lint) == []


def test_policy_path_choice(tmp_path: Path) -> None:
    business = Business(settings={"policy_path": str(tmp_path / "propia.yaml")})
    plain = Business(settings={})

    assert policy_path_for(plain) == default_policy_path()
    assert policy_path_for(business) == tmp_path / "propia.yaml"
    assert policy_path_for(business, "otra.yaml") == Path("otra.yaml")


def _facts(**changes: object) -> CustomerFacts:
    values: dict[str, object] = {
        "segment": "chronic_late",
        "customer_kind": "company",
        "balance": Decimal("5000"),
        "days_past_due": 35,
        "risk_score": 0.7,
    }
    values.update(changes)
    return CustomerFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, True),
        ({"segment": "punctual"}, False),
        ({"segment": None}, False),
        ({"customer_kind": "person"}, False),
        ({"balance": Decimal("999.99")}, False),
        ({"balance": Decimal("50000.51")}, False),
        ({"days_past_due": 41}, False),
        ({"risk_score": 0.4}, False),
        ({"risk_score": None}, False),
    ],
)
def test_conditions_match(changes: dict[str, object], expected: bool) -> None:
    conditions = parse_policy(VALID).steps[1].conditions

    assert conditions.matches(_facts(**changes)) is expected


def test_excluded_segment() -> None:
    conditions = Conditions(excluded_segments=frozenset({"punctual"}))

    assert conditions.matches(_facts(segment="punctual")) is False
    assert conditions.matches(_facts(segment=None)) is True
