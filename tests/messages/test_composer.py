"""Compose every step kind × locale × tone and check what WhatsApp and the law ask."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import date
from decimal import Decimal

import pytest

from cobranza.messages import (
    STEP_KINDS,
    InvalidVariableError,
    MessageVariables,
    MissingVariableError,
    UnknownLocaleError,
    UnknownStepKindError,
    UnknownToneError,
    available_step_kinds,
    compose,
    locale_for,
    sample_variables,
    supported_locales,
    template_for,
    tone_for,
)
from cobranza.messages.composer import all_combinations
from cobranza.money import format_money

OPT_OUT = {
    ("es_AR", "friendly"): "Respondé BAJA si no querés recibir más recordatorios.",
    ("es_AR", "formal"): "Respondan BAJA si no desean recibir más recordatorios.",
    ("es", "friendly"): "Responde BAJA si no quieres recibir más recordatorios.",
    ("es", "formal"): "Responda BAJA si no desea recibir más recordatorios.",
    ("pt_BR", "friendly"): "Responda SAIR se não quiser mais receber lembretes.",
    ("pt_BR", "formal"): "Responda SAIR se não quiser mais receber lembretes.",
}
WHATSAPP_LANGUAGE = {
    "es_AR": "es_AR",
    "es_MX": "es_MX",
    "es_CO": "es",
    "es_CL": "es",
    "es_PE": "es",
    "es_UY": "es",
    "es": "es",
    "pt_BR": "pt_BR",
}
PARAMETER_NAME = re.compile(r"[a-z_]+")
DATE_WORDS = {"es": "3 de marzo", "pt": "3 de março"}


def _template_set(locale: str) -> str:
    return locale if locale in ("es_AR", "pt_BR") else "es"


@pytest.mark.parametrize(("step_kind", "locale", "tone"), all_combinations())
def test_compose_every_combination(step_kind: str, locale: str, tone: str) -> None:
    # given
    variables = sample_variables(locale)
    kind = STEP_KINDS[step_kind]

    # when
    message = compose(step_kind, locale, tone, variables)

    # then
    opt_out = OPT_OUT[(_template_set(locale), tone)]
    if kind.opt_out_line:
        assert message.text.endswith("\n\n" + opt_out)
    else:
        assert opt_out not in message.text
    assert variables.business_name in message.text
    assert variables.customer_name in message.text
    assert message.template_name == f"cobranza_{step_kind}_{tone}"
    assert message.language_code == WHATSAPP_LANGUAGE[locale]
    assert len(message.text) <= 1024
    assert len(message.buttons) <= 3
    assert all(len(title) <= 20 for title in message.buttons)
    assert len(message.button_ids) == len(message.buttons)
    for quoted in re.findall(r"«([^»]+)»", message.text):
        assert quoted in message.buttons
    for name, value in message.parameters.items():
        assert PARAMETER_NAME.fullmatch(name)
        assert value
        assert "\n" not in value
        assert "\t" not in value
        assert "     " not in value
    if kind.reminder:
        amount = format_money(variables.balance, variables.currency, locale)
        assert amount in message.text
        assert DATE_WORDS[locale[:2]] in message.text
        assert variables.payment_link in message.text
    if locale == "pt_BR":
        assert "Loja Exemplo, CNPJ 11.222.333/0001-81" in message.text


@pytest.mark.parametrize(("step_kind", "locale", "tone"), all_combinations())
def test_text_matches_whatsapp_body(step_kind: str, locale: str, tone: str) -> None:
    # given
    spec = template_for(step_kind, locale, tone)
    message = compose(step_kind, locale, tone, sample_variables(locale))

    # when
    substituted = spec.whatsapp_body()
    for name, value in message.parameters.items():
        substituted = substituted.replace("{{" + name + "}}", value)

    # then
    assert substituted == message.text
    assert list(message.parameters) == list(spec.parameter_names)


@pytest.mark.parametrize(
    ("locale", "currency", "amount", "expected_amount", "expected_date"),
    [
        ("es_AR", "ARS", "125000", "$ 125.000,00", "3 de marzo"),
        ("pt_BR", "BRL", "1234.5", "R$ 1.234,50", "3 de março"),
        # CLDR writes the peso sign unspaced in Mexico, Chile and Colombia.
        ("es_MX", "MXN", "1234.5", "$1,234.50", "3 de marzo"),
        ("es_CL", "CLP", "125000", "$125.000", "3 de marzo"),
        ("es_CO", "COP", "125000.4", "$125.000", "3 de marzo"),
    ],
)
def test_amount_and_date_formats(
    locale: str, currency: str, amount: str, expected_amount: str, expected_date: str
) -> None:
    variables = dataclasses.replace(
        sample_variables(locale), balance=Decimal(amount), currency=currency
    )

    message = compose("due_today", locale, "friendly", variables)

    assert message.parameters["monto"] == expected_amount
    assert message.parameters["vencimiento"] == expected_date


def test_es_ar_friendly_uses_voseo(variables: MessageVariables) -> None:
    message = compose("preventive", "es_AR", "friendly", variables)

    assert message.text.startswith("¡Hola Juan Pérez! Te escribimos de ")
    assert "Podés pagar acá: " in message.text


def test_neutral_formal_uses_usted(variables: MessageVariables) -> None:
    message = compose("preventive", "es_CO", "formal", variables)

    assert "le escribimos de" in message.text
    assert "Puede pagar aquí: " in message.text


def test_date_in_other_year_shows_year(variables: MessageVariables) -> None:
    old = dataclasses.replace(variables, oldest_due_on=date(2025, 12, 20))

    message = compose("second_notice", "es_AR", "friendly", old)

    assert message.parameters["vencimiento"] == "20 de diciembre de 2025"


def test_one_invoice_and_one_day_singular(variables: MessageVariables) -> None:
    single = dataclasses.replace(variables, invoice_count=1, days_past_due=1)

    message = compose("second_notice", "es_AR", "friendly", single)

    assert message.parameters["facturas"] == "1 factura"
    assert message.parameters["atraso"] == "1 día"


def test_portuguese_counted_words(variables: MessageVariables) -> None:
    brazil = dataclasses.replace(sample_variables("pt_BR"), invoice_count=3)

    message = compose("plan_offer", "pt_BR", "friendly", brazil)

    assert message.parameters["facturas"] == "3 faturas"
    assert message.parameters["cuotas"] == "3 parcelas"


def test_early_discount_is_marketing(variables: MessageVariables) -> None:
    discount = dataclasses.replace(variables, discount_percent=Decimal("7.5"))

    message = compose("early_discount", "es_AR", "friendly", discount)

    assert message.category == "MARKETING"
    assert message.parameters["descuento"] == "7,5%"
    assert message.parameters["monto_con_descuento"] == "$ 115.625,00"


def test_other_step_kinds_are_utility(variables: MessageVariables) -> None:
    for step_kind in STEP_KINDS:
        if step_kind == "early_discount":
            continue
        message = compose(step_kind, "es_AR", "formal", variables)
        assert message.category == "UTILITY", step_kind


def test_discount_deadline_defaults_to_due_date(variables: MessageVariables) -> None:
    no_deadline = dataclasses.replace(variables, discount_deadline=None)

    message = compose("early_discount", "es_AR", "friendly", no_deadline)

    assert message.parameters["fecha_descuento"] == "3 de marzo"


def test_payment_instructions_without_link(variables: MessageVariables) -> None:
    instructions = dataclasses.replace(
        variables,
        payment_link=None,
        payment_instructions="Transferencia al alias\nTORNILLO.MP",
    )

    message = compose("reminder_soft", "es_AR", "friendly", instructions)

    assert message.parameters["pago"] == "Transferencia al alias TORNILLO.MP"
    assert "podés pagar acá: Transferencia al alias TORNILLO.MP" in message.text


def test_no_way_to_pay_raises(variables: MessageVariables) -> None:
    nothing = dataclasses.replace(
        variables, payment_link=None, payment_instructions=None
    )

    with pytest.raises(MissingVariableError, match="payment_link") as error:
        compose("reminder_soft", "es_AR", "friendly", nothing)

    assert "payment instructions" in str(error.value)


def test_payment_thanks_needs_no_link(variables: MessageVariables) -> None:
    nothing = dataclasses.replace(
        variables, payment_link=None, payment_instructions=None
    )

    message = compose("payment_thanks", "es_AR", "friendly", nothing)

    assert "Recibimos tu pago de $ 20.000,00" in message.text
    assert message.buttons == []


@pytest.mark.parametrize(
    ("change", "step_kind", "variable"),
    [
        ({"payment_link": "pagar.example.com/x"}, "preventive", "payment_link"),
        ({"payment_link": "javascript:alert(1)"}, "preventive", "payment_link"),
        (
            {"payment_instructions": "x" * 201, "payment_link": None},
            "preventive",
            "payment_instructions",
        ),
        ({"balance": 125000.0}, "preventive", "balance"),
        ({"balance": Decimal("0")}, "preventive", "balance"),
        ({"invoice_count": 0}, "preventive", "invoice_count"),
        ({"days_past_due": 0}, "second_notice", "days_past_due"),
        ({"installments": 1}, "plan_offer", "installments"),
        ({"discount_percent": Decimal("100")}, "early_discount", "discount_percent"),
        ({"discount_percent": 10.0}, "early_discount", "discount_percent"),
        ({"customer_name": "\n\t "}, "preventive", "customer_name"),
    ],
)
def test_invalid_variable_raises(
    variables: MessageVariables,
    change: dict[str, object],
    step_kind: str,
    variable: str,
) -> None:
    bad = dataclasses.replace(variables, **change)  # type: ignore[arg-type]

    with pytest.raises(InvalidVariableError) as error:
        compose(step_kind, "es_AR", "friendly", bad)

    assert error.value.variable == variable
    assert variable in str(error.value)


@pytest.mark.parametrize(
    ("field", "step_kind"),
    [
        ("installments", "plan_offer"),
        ("discount_percent", "early_discount"),
        ("promise_amount", "promise_confirmation"),
        ("promise_due_on", "promise_confirmation"),
        ("paid_amount", "payment_thanks"),
    ],
)
def test_missing_variable_raises(
    variables: MessageVariables, field: str, step_kind: str
) -> None:
    bad = dataclasses.replace(variables, **{field: None})

    with pytest.raises(MissingVariableError, match=field) as error:
        compose(step_kind, "es_AR", "friendly", bad)

    assert step_kind in str(error.value)


def test_brazil_without_tax_id_raises() -> None:
    variables = dataclasses.replace(sample_variables("pt_BR"), business_tax_id=None)

    with pytest.raises(MissingVariableError, match="business_tax_id") as error:
        compose("preventive", "pt_BR", "friendly", variables)

    assert "CNPJ" in str(error.value)


def test_brazil_invalid_tax_id_raises() -> None:
    variables = dataclasses.replace(
        sample_variables("pt_BR"), business_tax_id="11.222.333/0001-82"
    )

    with pytest.raises(InvalidVariableError, match="business_tax_id"):
        compose("preventive", "pt_BR", "friendly", variables)


@pytest.mark.parametrize(
    ("country", "tax_id", "expected"),
    [
        ("AR", "30712345671", "Ferretería El Tornillo, CUIT 30-71234567-1"),
        ("MX", "GODE561231GR8", "Ferretería El Tornillo, RFC GODE561231GR8"),
        (
            "AR",
            "99999999999",
            "Ferretería El Tornillo, identificación fiscal 99999999999",
        ),
        (
            None,
            "30712345671",
            "Ferretería El Tornillo, identificación fiscal 30712345671",
        ),
        ("AR", None, "Ferretería El Tornillo"),
    ],
)
def test_identity_reply_business_details(
    country: str | None, tax_id: str | None, expected: str
) -> None:
    variables = dataclasses.replace(
        sample_variables("es_AR"), business_country=country, business_tax_id=tax_id
    )

    message = compose("identity_reply", "es_AR", "friendly", variables)

    assert message.parameters["datos_acreedor"] == expected
    assert f"Datos del acreedor: {expected}." in message.text
    assert "Respondé BAJA" in message.text
    assert "$" not in message.text


def test_brazil_cpf_creditor_without_address() -> None:
    variables = dataclasses.replace(
        sample_variables("pt_BR"), business_tax_id="39053344705", business_address=None
    )

    message = compose("preventive", "pt_BR", "formal", variables)

    assert message.parameters["dados_credor"] == "Loja Exemplo, CPF 390.533.447-05"
    assert "Dados do credor: Loja Exemplo, CPF 390.533.447-05." in message.text


def test_name_with_newline_is_cleaned(variables: MessageVariables) -> None:
    messy = dataclasses.replace(variables, customer_name="Juan\n\tPérez     \r\nSA")

    message = compose("preventive", "es_AR", "friendly", messy)

    assert message.parameters["nombre"] == "Juan Pérez SA"


def test_script_tag_stays_text(variables: MessageVariables) -> None:
    html = dataclasses.replace(variables, customer_name="<script>alert(1)</script>")

    message = compose("preventive", "es_AR", "friendly", html)

    assert "<script>alert(1)</script>" in message.text
    assert "&lt;" not in message.text


def test_jinja_syntax_in_value_stays_text(variables: MessageVariables) -> None:
    tricky = dataclasses.replace(variables, customer_name="{{ negocio }} {% if %}")

    message = compose("preventive", "es_AR", "friendly", tricky)

    assert message.parameters["nombre"] == "{{ negocio }} {% if %}"


def test_control_and_bidi_characters_removed(variables: MessageVariables) -> None:
    spoofed = dataclasses.replace(
        variables, customer_name="Ana\x00\x07 \u202egnp.exe\u202c Gómez\u200d"
    )

    message = compose("preventive", "es_AR", "friendly", spoofed)

    assert message.parameters["nombre"] == "Ana gnp.exe Gómez\u200d"


def test_long_name_is_shortened(variables: MessageVariables) -> None:
    long_name = dataclasses.replace(variables, customer_name="Ana " * 40)

    message = compose("preventive", "es_AR", "friendly", long_name)

    assert len(message.parameters["nombre"]) == 60
    assert message.parameters["nombre"].endswith("…")


def test_longest_values_fit_every_body() -> None:
    for step_kind, locale, tone in all_combinations():
        longest = dataclasses.replace(
            sample_variables(locale),
            customer_name="N" * 300,
            business_name="B" * 200,
            payment_link=None,
            payment_instructions="I" * 200,
            business_address="A" * 100,
            balance=Decimal("999999999999.99"),
            promise_amount=Decimal("999999999999.99"),
            paid_amount=Decimal("999999999999.99"),
            invoice_count=9999,
            days_past_due=99999,
            oldest_due_on=date(2025, 9, 30),
            discount_deadline=date(2025, 9, 30),
            promise_due_on=date(2025, 9, 30),
        )
        if step_kind == "broken_promise_partial":
            # A promise of the whole balance, so what is left of it after the
            # largest payment is still the largest balance.
            longest = dataclasses.replace(longest, promise_amount=None)

        message = compose(step_kind, locale, tone, longest)

        assert len(message.text) <= 1024, (step_kind, locale, tone, len(message.text))


def test_whatsapp_parameters_shape(variables: MessageVariables) -> None:
    message = compose("preventive", "es_AR", "friendly", variables)

    parameters = message.whatsapp_parameters

    assert parameters[0] == {
        "type": "text",
        "parameter_name": "nombre",
        "text": "Juan Pérez",
    }
    assert [p["parameter_name"] for p in parameters] == list(message.parameters)


@pytest.mark.parametrize(
    ("step_kind", "locale", "tone", "error", "bad"),
    [
        ("ultimo_aviso", "es_AR", "friendly", UnknownStepKindError, "ultimo_aviso"),
        ("preventive", "en_US", "friendly", UnknownLocaleError, "en_US"),
        ("preventive", "es_AR", "rude", UnknownToneError, "rude"),
    ],
)
def test_unknown_value_names_allowed(
    variables: MessageVariables,
    step_kind: str,
    locale: str,
    tone: str,
    error: type[Exception],
    bad: str,
) -> None:
    with pytest.raises(error) as raised:
        compose(step_kind, locale, tone, variables)

    message = str(raised.value)
    assert repr(bad) in message
    assert "use one of" in message


def test_unknown_step_kind_lists_catalog(variables: MessageVariables) -> None:
    with pytest.raises(UnknownStepKindError) as raised:
        compose("ultimo_aviso", "es_AR", "friendly", variables)

    for step_kind in STEP_KINDS:
        assert step_kind in str(raised.value)


def test_locale_spelling_is_normalised(variables: MessageVariables) -> None:
    message = compose("preventive", "es-ar", "friendly", variables)

    assert message.locale == "es_AR"


def test_compose_logs_no_personal_data(
    variables: MessageVariables, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cobranza.messages")

    compose("preventive", "es_AR", "friendly", variables)

    assert caplog.records
    for record in caplog.records:
        assert variables.customer_name not in record.getMessage()
        assert "125.000" not in record.getMessage()


@pytest.mark.parametrize(
    ("customer_kind", "tone"), [("company", "formal"), ("person", "friendly")]
)
def test_tone_for(customer_kind: str, tone: str) -> None:
    assert tone_for(customer_kind) == tone


def test_tone_for_unknown_kind() -> None:
    with pytest.raises(UnknownToneError, match="customer kind 'robot'"):
        tone_for("robot")


@pytest.mark.parametrize(
    ("country", "customer_locale", "expected"),
    [
        ("AR", None, "es_AR"),
        ("BR", None, "pt_BR"),
        ("MX", None, "es_MX"),
        ("UY", None, "es_UY"),
        ("ar", "", "es_AR"),
        ("AR", "es_MX", "es_MX"),
        ("AR", "es", "es_AR"),
        ("AR", "es-ES", "es_AR"),
        ("BR", "es", "es"),
        ("AR", "pt", "pt_BR"),
        ("CL", "en_US", "es_CL"),
        (None, "es_CO", "es_CO"),
        (None, "es", "es"),
    ],
)
def test_locale_for(
    country: str | None, customer_locale: str | None, expected: str
) -> None:
    assert locale_for(country, customer_locale) == expected


def test_locale_for_unknown_country() -> None:
    with pytest.raises(UnknownLocaleError, match="US"):
        locale_for("US", None)


def test_available_step_kinds_in_policy_order() -> None:
    assert available_step_kinds() == [
        "preventive",
        "due_today",
        "reminder_soft",
        "reminder_empathetic",
        "second_notice",
        "plan_offer",
        "final_notice",
        "handoff_notice",
        "early_discount",
        "promise_confirmation",
        "payment_thanks",
        "broken_promise",
        "broken_promise_partial",
        "broken_promise_reported",
        "reminder_reported",
        "ask_promise_date",
        "ask_receipt",
        "receipt_ack",
        "optout_confirmation",
        "optin_confirmation",
        "optin_already_active",
        "handoff_ack",
        "dispute_ack",
        "clarify",
        "clarify_plan",
        "identity_reply",
        "balance_reply",
        "balance_reply_plan",
        "plan_offer_reply",
        "link_reply",
        "link_reply_instructions",
        "plan_proposal",
        "installment_preventive",
        "installment_due_today",
        "installment_overdue",
        "closed_ack",
    ]


def test_supported_locales() -> None:
    assert sorted(supported_locales()) == [
        "es",
        "es_AR",
        "es_CL",
        "es_CO",
        "es_MX",
        "es_PE",
        "es_UY",
        "pt_BR",
    ]
