"""Tell whether a reply threatens a formal complaint or legal action.

A reply that names a consumer-protection agency, a lawyer or a court goes
to a person, who decides how the business responds. A stop request that
threatens a complaint ("parem de me mandar mensagens, vou no Procon")
still opts the customer out at once, and a threat with no stop request
("vou te denunciar no Procon") is never taken as a promise or a payment.
"""

from __future__ import annotations

import re

from cobranza.conversations.normalize import fold

# Matched on folded text (lower case, no accents). The agencies are
# Procon (Brazil), Profeco (Mexico), Defensa del Consumidor (Argentina),
# SIC (Colombia), Sernac (Chile) and Indecopi (Peru), plus the words for
# a lawyer, a report to the authorities, the courts and a formal complaint.
_COMPLAINT = re.compile(
    r"\b(?:procon|profeco|sernac|indecopi|sic|reclame aqui"
    r"|defensa (?:del|al) consumidor|defesa do consumidor"
    r"|abogad[oa]s?|advogad[oa]s?|denunci\w*"
    r"|justicia|justica|juzgado|tribunal(?:es)?"
    r"|demandar\w*|reclamacao|reclamacoes"
    # "processar" is also what a bank does with a payment, so it counts only
    # aimed at someone: "vou processar vocês", "vou te processar".
    r"|(?:vou|vamos|irei) (?:te |lhe )?processar"
    r"|processar (?:voces|vcs|voce|vc|a empresa|a loja|essa empresa))\b"
)


def threatens_complaint(text: str | None) -> bool:
    """Return whether `text` names a complaint, an agency, a lawyer or a court."""
    if not text:
        return False
    return _COMPLAINT.search(fold(text)) is not None
