"""Tone lint: coercive wording is caught and polite reminders pass."""

from __future__ import annotations

import pytest

from cobranza.compliance import ToneIssue, lint_text

POLITE_SPANISH = [
    "Hola Ana, te recordamos que tu factura 0001-123 vence hoy. "
    "Saldo: {{monto}}. Podés pagar hoy con este link: {{link}}",
    "Hola, ¿cómo estás? Tu saldo pendiente es de $ 15.000. "
    "Si ya pagaste, desestimá este mensaje. ¡Gracias!",
    "Buen día. El vencimiento de tu cuota fue el 10/06. "
    "Si necesitás un plan de pagos, respondé este mensaje.",
    "Hola Juan, tu factura venció hace 5 días. Podés pagarla con "
    "transferencia al CBU que figura en la factura o con tarjeta.",
    "Estimado cliente: le recordamos el pago de la factura con vencimiento "
    "el 15 de junio. Ante cualquier consulta, estamos a disposición.",
]

POLITE_PORTUGUESE = [
    "Olá Maria, lembramos que sua fatura vence hoje. Valor: {{valor}}. "
    "Você pode pagar hoje pelo link.",
    "Bom dia! O boleto da sua parcela venceu ontem. Se já pagou, "
    "desconsidere esta mensagem. Obrigado!",
]


@pytest.mark.parametrize("text", POLITE_SPANISH)
def test_polite_spanish_passes(text: str) -> None:
    assert lint_text(text, "es_AR") == []


@pytest.mark.parametrize("text", POLITE_PORTUGUESE)
def test_polite_portuguese_passes(text: str) -> None:
    assert lint_text(text, "pt_BR") == []


SPANISH_CASES = [
    ("Si no pagás iniciaremos un juicio.", "juicio", ToneIssue.LEGAL_THREAT),
    ("Vamos a presentar una demanda.", "demanda", ToneIssue.LEGAL_THREAT),
    ("Tomaremos acciones legales.", "acciones legales", ToneIssue.LEGAL_THREAT),
    (
        "Pasaremos tu caso a la acción judicial.",
        "acción judicial",
        ToneIssue.LEGAL_THREAT,
    ),
    ("Tu deuda pasó a nuestros abogados.", "abogados", ToneIssue.LEGAL_THREAT),
    ("Procederemos al embargo de tu sueldo.", "embargo", ToneIssue.SEIZURE),
    ("Te vamos a embargar la cuenta.", "embargar", ToneIssue.SEIZURE),
    ("Figurarás en el Veraz.", "Veraz", ToneIssue.CREDIT_BUREAU),
    ("Te informamos a Nosis.", "Nosis", ToneIssue.CREDIT_BUREAU),
    ("Reporte negativo en DATACRÉDITO.", "DATACRÉDITO", ToneIssue.CREDIT_BUREAU),
    ("Quedarás en el Buró de Crédito.", "Buró de Crédito", ToneIssue.CREDIT_BUREAU),
    ("Te incluiremos en DICOM.", "DICOM", ToneIssue.CREDIT_BUREAU),
    ("Aparecerás en Infocorp y Equifax.", "Infocorp", ToneIssue.CREDIT_BUREAU),
    (
        "Vamos a informar a las centrales de riesgo.",
        "informar a las centrales",
        ToneIssue.CREDIT_BUREAU,
    ),
    ("Sos un cliente moroso.", "moroso", ToneIssue.SHAMING),
    ("Vamos a contarle a tu familia.", "a tu familia", ToneIssue.THIRD_PARTY),
    ("Llamaremos a su empleador.", "a su empleador", ToneIssue.THIRD_PARTY),
    ("ÚLTIMO aviso antes de actuar.", "ÚLTIMO aviso", ToneIssue.FINAL_NOTICE),
    ("Esta es la última advertencia.", "última advertencia", ToneIssue.FINAL_NOTICE),
    ("Pagá inmediatamente o atenete.", "inmediatamente o", ToneIssue.URGENCY_THREAT),
    (
        "Pagá hoy, de lo contrario seguiremos.",
        "de lo contrario",
        ToneIssue.URGENCY_THREAT,
    ),
    ("Haremos la denuncia penal.", "denuncia penal", ToneIssue.LEGAL_THREAT),
    ("Sos un irresponsable.", "irresponsable", ToneIssue.INSULT),
    ("Eso es de sinvergüenza.", "sinvergüenza", ToneIssue.INSULT),
    ("PAGUE SU DEUDA YA", "PAGUE SU DEUDA YA", ToneIssue.SHOUTING),
    ("Esto es URGENTE.", "URGENTE", ToneIssue.SHOUTING),
]


@pytest.mark.parametrize(("text", "phrase", "issue"), SPANISH_CASES)
def test_spanish_coercion_caught(text: str, phrase: str, issue: ToneIssue) -> None:
    problems = lint_text(text, "es_AR")

    found = {(problem.phrase, problem.issue) for problem in problems}
    assert (phrase, issue) in found
    for problem in problems:
        assert text[problem.start : problem.end] == problem.phrase
        assert problem.why


PORTUGUESE_CASES = [
    ("Entraremos com uma ação judicial.", "ação judicial", ToneIssue.LEGAL_THREAT),
    ("O título irá a protesto.", "protesto", ToneIssue.LEGAL_THREAT),
    ("Seu nome irá para o Serasa.", "Serasa", ToneIssue.CREDIT_BUREAU),
    ("Negativação no SPC.", "Negativação", ToneIssue.CREDIT_BUREAU),
    ("Faremos a penhora dos bens.", "penhora", ToneIssue.SEIZURE),
    ("Vamos processar você.", "processar você", ToneIssue.LEGAL_THREAT),
    (
        "Entraremos com um processo.",
        "Entraremos com um processo",
        ToneIssue.LEGAL_THREAT,
    ),
    ("Você é um caloteiro.", "caloteiro", ToneIssue.SHAMING),
    ("Avisaremos a sua família.", "a sua família", ToneIssue.THIRD_PARTY),
    ("Este é o último aviso.", "último aviso", ToneIssue.FINAL_NOTICE),
    ("Pague, sob pena de cobrança.", "sob pena de", ToneIssue.URGENCY_THREAT),
    ("Seu vagabundo.", "vagabundo", ToneIssue.INSULT),
]


@pytest.mark.parametrize(("text", "phrase", "issue"), PORTUGUESE_CASES)
def test_portuguese_coercion_caught(text: str, phrase: str, issue: ToneIssue) -> None:
    found = {(problem.phrase, problem.issue) for problem in lint_text(text, "pt_BR")}

    assert (phrase, issue) in found


def test_accent_and_case_insensitive() -> None:
    for text in ("ULTIMO AVISO", "último aviso", "Ultimo Aviso", "úLtImO aViSo"):
        issues = {problem.issue for problem in lint_text(text, "es_AR")}
        assert ToneIssue.FINAL_NOTICE in issues, text


def test_ordinary_words_near_flagged_stems_pass() -> None:
    assert lint_text("Processaremos seu pagamento em até 2 dias.", "pt_BR") == []
    assert lint_text("Si recibís un mensaje sospechoso, denuncialo.", "es_AR") == []


def test_word_boundaries_respected() -> None:
    # "morosidad" and "demandante" contain flagged stems but are other words.
    assert lint_text("Índice de morosidad", "es_AR") == []
    assert lint_text("La demandante", "es_AR") == []


def test_placeholders_are_not_shouting() -> None:
    assert lint_text("Hola {{NOMBRE_CLIENTE}}, tu saldo es {MONTO}.", "es_AR") == []


def test_short_acronyms_are_not_shouting() -> None:
    assert (
        lint_text("Transferí al CBU indicado; CUIT en la factura PDF.", "es_AR") == []
    )


def test_problems_in_text_order() -> None:
    problems = lint_text("Último aviso: sos un moroso y vamos a juicio.", "es_CO")

    assert [problem.issue for problem in problems] == [
        ToneIssue.FINAL_NOTICE,
        ToneIssue.SHAMING,
        ToneIssue.LEGAL_THREAT,
    ]


def test_locale_picks_language() -> None:
    text = "Haremos o protesto do título."

    assert lint_text(text, "es_AR") == []
    assert [p.issue for p in lint_text(text, "pt-BR")] == [ToneIssue.LEGAL_THREAT]
