"""Slot fillers for the reply templates, and the label precedence.

The fillers are keyed by region: "es" for any Spanish-speaking country, a
country code for regional words, "BR" for Brazilian Portuguese.

Expected dates in the fillers are resolved at the corpus reference day,
Thursday 2026-03-19.
"""

from __future__ import annotations

# (text, expected ISO date at Thursday 2026-03-19)
DATES_ES = [
    ("hoy", "2026-03-19"),
    ("mañana", "2026-03-20"),
    ("pasado mañana", "2026-03-21"),
    ("el viernes", "2026-03-20"),
    ("el lunes", "2026-03-23"),
    ("el lunes que viene", "2026-03-23"),
    ("el miércoles que viene", "2026-03-25"),
    ("la semana que viene", "2026-03-23"),
    ("la semana próxima", "2026-03-23"),
    ("el finde", "2026-03-21"),
    ("este fin de semana", "2026-03-21"),
    ("a fin de mes", "2026-03-31"),
    ("el 5", "2026-04-05"),
    ("el 25", "2026-03-25"),
    ("el 15 de abril", "2026-04-15"),
    ("el primero de abril", "2026-04-01"),
    ("dentro de una semana", "2026-03-26"),
    ("en 10 días", "2026-03-29"),
    ("a principios de mes", "2026-04-01"),
    ("el 10/4", "2026-04-10"),
    ("esta tarde", "2026-03-19"),
    ("el sábado", "2026-03-21"),
    ("el martes", "2026-03-24"),
    ("el jueves que viene", "2026-03-26"),
    ("a mediados de mes", "2026-04-15"),
    ("el mes que viene", "2026-04-01"),
    ("en un par de días", "2026-03-21"),
    ("el 30", "2026-03-30"),
    ("el viernes 27", "2026-03-27"),
    ("el biernes", "2026-03-20"),
    ("el miercoles", "2026-03-25"),
    ("el 2 de abril", "2026-04-02"),
    ("antes del 28", "2026-03-28"),
]
DATES_REGIONAL = {
    "AR": [("de hoy en ocho", "2026-03-26"), ("el finde largo", "2026-03-21")],
    "MX": [("ahorita", "2026-03-19"), ("la quincena", "2026-03-31")],
    "CO": [("la quincena", "2026-03-31"), ("el lunes festivo", "2026-03-23")],
    "CL": [("a fin de mes po", "2026-03-31")],
    "PE": [("la quincena", "2026-03-31")],
    "UY": [("de hoy en ocho", "2026-03-26")],
}
DATES_PT = [
    ("amanhã", "2026-03-20"),
    ("hoje", "2026-03-19"),
    ("sexta", "2026-03-20"),
    ("na sexta-feira", "2026-03-20"),
    ("segunda", "2026-03-23"),
    ("semana que vem", "2026-03-23"),
    ("no fim do mês", "2026-03-31"),
    ("dia 10", "2026-04-10"),
    ("dia 25", "2026-03-25"),
    ("depois de amanhã", "2026-03-21"),
    ("mês que vem", "2026-04-01"),
    ("em 5 dias", "2026-03-24"),
    ("no final do mês", "2026-03-31"),
    ("próxima semana", "2026-03-23"),
]

# (text, expected amount as a decimal string)
AMOUNTS_ES = [
    ("15.000", "15000"),
    ("$ 8.300", "8300"),
    ("12.500,50", "12500.50"),
    ("50 mil", "50000"),
    ("$5000", "5000"),
    ("3.500 pesos", "3500"),
    ("mil quinientos pesos", "1500"),
    ("2 mil", "2000"),
    ("15k", "15000"),
    ("30 mil pesos", "30000"),
    ("$ 1.200", "1200"),
    ("4500", "4500"),
]
AMOUNTS_REGIONAL = {
    "AR": [("20 lucas", "20000"), ("1,5 palos", "1500000"), ("300 mangos", "300")],
    "UY": [("20 lucas", "20000"), ("medio palo", "500000")],
    "CL": [("20 lucas", "20000"), ("$ 45.000", "45000")],
    "MX": [("$1,500.00", "1500.00"), ("2 mil pesos", "2000")],
    "CO": [("$ 1.200.000", "1200000"), ("200 mil", "200000")],
    "PE": [("S/ 250", "250"), ("150 soles", "150")],
}
AMOUNTS_PT = [
    ("R$ 300,00", "300.00"),
    ("R$ 150", "150"),
    ("200 reais", "200"),
    ("R$ 1.250,90", "1250.90"),
    ("mil reais", "1000"),
]

# (text, expected number of installments)
INSTALLMENTS_ES = [
    ("en 3 cuotas", 3),
    ("en dos cuotas", 2),
    ("en tres pagos", 3),
    ("en 4 pagos", 4),
    ("en 6 cuotas", 6),
    ("en 2 partes", 2),
    ("en 12 cuotas", 12),
    ("en cuatro cuotas", 4),
]
INSTALLMENTS_REGIONAL = {
    "MX": [("a 3 meses sin intereses", 3), ("en 6 mensualidades", 6)]
}
INSTALLMENTS_PT = [
    ("em 4 vezes", 4),
    ("em 3x", 3),
    ("em 2 parcelas", 2),
    ("em 5 vezes", 5),
]

MONEY_WORDS = {
    "es": ["la plata", "el dinero"],
    "AR": ["la guita", "la plata", "los mangos"],
    "UY": ["la plata", "la guita"],
    "MX": ["la lana", "el dinero", "el varo"],
    "CO": ["la plata", "el billete"],
    "CL": ["las lucas", "la plata"],
    "PE": ["la plata", "el dinero"],
    "BR": ["o dinheiro", "a grana"],
}

GREETINGS = {
    "es": ["hola", "buenas", "buen día", "buenas tardes", "hola qué tal", "disculpe"],
    "AR": ["hola", "buenas", "che", "holaa", "buen día"],
    "UY": ["hola", "buenas", "buen día"],
    "MX": ["hola", "buenas tardes", "qué tal", "buen día"],
    "CO": ["hola", "buenas", "buenos días", "qué más"],
    "CL": ["hola", "buenas", "wena"],
    "PE": ["hola", "buenas", "buenos días"],
    "BR": ["oi", "olá", "bom dia", "boa tarde", "opa"],
}
SIGN_OFFS = {
    "es": ["gracias", "saludos", "🙏", "👍", "gracias!", "slds"],
    "AR": ["gracias", "saludos", "abrazo", "🙏", "gracias!!"],
    "UY": ["gracias", "saludos", "🙏"],
    "MX": ["gracias", "saludos", "🙏", "quedo atento"],
    "CO": ["gracias", "muchas gracias", "bendiciones", "🙏"],
    "CL": ["gracias", "saludos", "vale"],
    "PE": ["gracias", "saludos", "🙏"],
    "BR": ["obrigado", "obrigada", "valeu", "abraço", "🙏"],
}

# Labels in order of precedence: a reply with several intents is labelled
# with the earliest one in this list.
PRECEDENCE = (
    "opt_out",
    "wrong_person",
    "dispute",
    "already_paid",
    "request_human",
    "request_installments",
    "request_payment_link",
    "promise_to_pay",
    "cannot_pay",
    "acknowledge",
    "other",
)
