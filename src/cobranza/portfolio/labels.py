"""Words the owner reads in the audit, in Spanish and in Portuguese (Brazil)."""

from __future__ import annotations

from typing import Final

SPANISH: Final[dict[str, str]] = {
    "title": "Auditoría de cartera",
    "as_of": "al",
    "open_invoices": "Facturas abiertas",
    "open_balance": "Saldo a cobrar",
    "unapplied_credits": "Notas de crédito sin aplicar",
    "disputed": "Facturas en disputa",
    "customer_credit": "A favor de clientes",
    "customer_credit_count": "en {count} clientes",
    "customer_credit_one": "en 1 cliente",
    "customer_credit_rule": (
        "cuyas notas de crédito superan lo que deben. Ya se restó del saldo a "
        "cobrar, pero no de lo vencido, que por eso puede superar al saldo"
    ),
    "delinquency_count": "Morosidad (más de 60 días), por cantidad",
    "delinquency_amount": "Morosidad (más de 60 días), por monto",
    "dso": "DSO (días promedio de cobro)",
    "cei": "CEI (efectividad de cobranza)",
    "dso_formula": "saldo a cobrar al cierre ÷ ventas a crédito del período × días",
    "cei_formula": (
        "(saldo al inicio + ventas − saldo al cierre) ÷ "
        "(saldo al inicio + ventas − saldo no vencido al cierre) × 100"
    ),
    "period": "Período de DSO y CEI",
    "days": "días",
    "undefined": "sin datos",
    "aging": "Antigüedad de saldos",
    "bucket": "Tramo",
    "invoices": "Facturas",
    "amount": "Monto",
    "share": "% del monto",
    "current": "No vencido",
    "1_30": "1 a 30 días",
    "31_60": "31 a 60 días",
    "61_90": "61 a 90 días",
    "over_90": "Más de 90 días",
    "pareto": "Concentración de la deuda vencida (Pareto)",
    "pareto_top": (
        "El {share} de la deuda vencida está en el 20% de los clientes "
        "({top} de {count})."
    ),
    "pareto_80": "{needed} de {count} clientes concentran el 80% de la deuda vencida.",
    "pareto_80_one": "1 de {count} clientes concentra el 80% de la deuda vencida.",
    "pareto_none": "No hay deuda vencida.",
    "top_debtors": "Principales deudores",
    "top_debtors_none": "Ningún cliente tiene saldo abierto a esta fecha.",
    "customer": "Cliente",
    "overdue": "Vencido",
    "overdue_rule": (
        "facturas vencidas menos las notas de crédito que exceden lo no "
        "vencido de cada cliente"
    ),
    "max_dpd": "Días de atraso (máx.)",
    "segment": "Segmento",
    "segments": "Segmentos de clientes",
    "customers": "Clientes",
    "paid_invoices": "Facturas pagadas",
    "late_share": "% pagadas tarde",
    "mean_days_late": "Atraso promedio (días)",
    "median_days_late": "Atraso mediano (días)",
    "month_end_payer": "Paga a fin de mes",
    "yes": "sí",
    "no": "no",
    "rules": (
        "Reglas: nuevo con menos de {min_paid_invoices} facturas pagadas; "
        "tarde es más de {late_grace_days} días después del vencimiento; "
        "ocasional si paga tarde más del {occasional}, crónico si más del "
        "{chronic}; fin de mes si al menos el {month_end_share} de los pagos cae "
        "en los últimos {month_end_days} días del mes."
    ),
    "stored": "Los segmentos quedaron guardados en cada cliente.",
    "not_stored": "Auditoría de una fecha pasada: los segmentos guardados no cambian.",
    "paid_late_by_month": "Facturas pagadas tarde por mes de pago",
    "month": "Mes",
    "punctual": "Puntual",
    "new": "Nuevo",
    "occasional_late": "Atraso ocasional",
    "chronic_late": "Atraso crónico",
    "month_end": "Paga a fin de mes",
    # A customer whose segment no import or daily refresh has stored yet.
    "segment_not_computed": "sin calcular todavía",
    "all_customers": "Todos los clientes",
    "other_currencies": (
        "Los importes son sólo de los comprobantes en {currency}. Los "
        "comprobantes en otras monedas ({counts}) se auditan con --currency."
    ),
    "customers_left_out": (
        "{count} clientes más no entran en esta página: "
        "con cobranza audit --json se ven todos."
    ),
}

PORTUGUESE: Final[dict[str, str]] = {
    **SPANISH,
    "title": "Auditoria da carteira",
    "as_of": "em",
    "open_invoices": "Faturas em aberto",
    "open_balance": "Saldo a receber",
    "unapplied_credits": "Notas de crédito não aplicadas",
    "disputed": "Faturas em disputa",
    "customer_credit": "A favor de clientes",
    "customer_credit_count": "em {count} clientes",
    "customer_credit_one": "em 1 cliente",
    "customer_credit_rule": (
        "cujas notas de crédito superam o que devem. Já foi descontado do "
        "saldo a receber, mas não do vencido, que por isso pode superar o saldo"
    ),
    "delinquency_count": "Inadimplência (mais de 60 dias), por quantidade",
    "delinquency_amount": "Inadimplência (mais de 60 dias), por valor",
    "dso": "DSO (prazo médio de recebimento)",
    "cei": "CEI (eficácia da cobrança)",
    "dso_formula": "saldo a receber no fim ÷ vendas a prazo do período × dias",
    "cei_formula": (
        "(saldo no início + vendas − saldo no fim) ÷ "
        "(saldo no início + vendas − saldo a vencer no fim) × 100"
    ),
    "period": "Período do DSO e do CEI",
    "days": "dias",
    "undefined": "sem dados",
    "aging": "Aging dos saldos",
    "bucket": "Faixa",
    "invoices": "Faturas",
    "amount": "Valor",
    "share": "% do valor",
    "current": "A vencer",
    "1_30": "1 a 30 dias",
    "31_60": "31 a 60 dias",
    "61_90": "61 a 90 dias",
    "over_90": "Mais de 90 dias",
    "pareto": "Concentração da dívida vencida (Pareto)",
    "pareto_top": (
        "{share} da dívida vencida está com 20% dos clientes ({top} de {count})."
    ),
    "pareto_80": "{needed} de {count} clientes concentram 80% da dívida vencida.",
    "pareto_80_one": "1 de {count} clientes concentra 80% da dívida vencida.",
    "pareto_none": "Não há dívida vencida.",
    "top_debtors": "Maiores devedores",
    "top_debtors_none": "Nenhum cliente tem saldo em aberto nesta data.",
    "overdue": "Vencido",
    "overdue_rule": (
        "faturas vencidas menos as notas de crédito que excedem o saldo a "
        "vencer de cada cliente"
    ),
    "max_dpd": "Dias de atraso (máx.)",
    "segments": "Segmentos de clientes",
    "paid_invoices": "Faturas pagas",
    "late_share": "% pagas com atraso",
    "mean_days_late": "Atraso médio (dias)",
    "median_days_late": "Atraso mediano (dias)",
    "month_end_payer": "Paga no fim do mês",
    "yes": "sim",
    "no": "não",
    "rules": (
        "Regras: novo com menos de {min_paid_invoices} faturas pagas; "
        "atraso é mais de {late_grace_days} dias depois do vencimento; "
        "ocasional se paga com atraso mais de {occasional}, crônico se mais de "
        "{chronic}; fim do mês se ao menos {month_end_share} dos pagamentos cai "
        "nos últimos {month_end_days} dias do mês."
    ),
    "stored": "Os segmentos foram gravados em cada cliente.",
    "not_stored": "Auditoria de uma data passada: os segmentos gravados não mudam.",
    "paid_late_by_month": "Faturas pagas com atraso por mês de pagamento",
    "month": "Mês",
    "punctual": "Pontual",
    "new": "Novo",
    "occasional_late": "Atraso ocasional",
    "chronic_late": "Atraso crônico",
    "month_end": "Paga no fim do mês",
    "segment_not_computed": "ainda não calculado",
    "all_customers": "Todos os clientes",
    "other_currencies": (
        "Os valores são só dos documentos em {currency}. Os documentos em "
        "outras moedas ({counts}) são auditados com --currency."
    ),
    "customers_left_out": (
        "Mais {count} clientes não cabem nesta página: "
        "use cobranza audit --json para ver todos."
    ),
}


def labels_for(locale: str) -> dict[str, str]:
    """Return the audit labels for `locale`: Portuguese for pt_*, else Spanish."""
    return PORTUGUESE if locale.lower().startswith("pt") else SPANISH
