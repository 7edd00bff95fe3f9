"""Deterministic opt-in detection: a customer who opted out requests messages again.

Like opt-out, this never depends on the intent model. It is consulted only
for a customer whose consent is revoked, so an "alta" from anyone else is
read as an ordinary reply. A reply that also reads as an opt-out, or that
carries a negation ("no quiero volver a recibir"), is never an opt-in.
"""

from __future__ import annotations

import re

from cobranza.conversations.normalize import fold
from cobranza.conversations.optout import COURTESY, find_opt_out

# Whole-message keywords: the reply is only this word, maybe with courtesy.
_KEYWORDS = frozenset(
    {
        "alta",
        "voltar",
        "start",
        "reactivar",
        "suscribir",
        "suscribirme",
        "subscribe",
    }
)
# The opt-out courtesy words, plus a yes and "de nuevo".
_COURTESY = COURTESY | {"si", "sim", "de", "nuevo", "novo"}
_NEGATIONS = frozenset({"no", "nao", "nunca", "jamas", "ni", "nem"})
_RECEIVE = r"(?:recibir|recibirlos|receber)"
_MESSAGES = (
    r"(?:los |sus |tus |las |os |as )?"
    r"(?:mensajes|avisos|recordatorios|notificaciones|mensagens|lembretes)"
)
_PATTERNS = [
    # "quiero volver a recibir los avisos", "quero voltar a receber"
    rf"\b(?:quiero|quisiera|queria|quero|gostaria de) (?:volver|voltar) a {_RECEIVE}\b",
    # "pueden volver a escribirme", "podem voltar a me mandar mensagens"
    r"\b(?:pueden|podes|puedes|podem|pode) (?:volver|voltar) a (?:me )?"
    r"(?:escribirme|escribir|mandarme|mandar|enviarme|enviar|escrever|contactarme)\b",
    # "denme de alta", "quiero darme de alta de nuevo"
    r"\b(?:dar|darme|denme|dame|den|deme|quiero|pido) (?:de )?alta\b",
    # "activen de nuevo los mensajes", "reactiven los avisos"
    rf"\b(?:reactiven|reactivar|reactivame|activen|ativem|reativar) "
    rf"(?:de nuevo |otra vez )?{_MESSAGES}\b",
    rf"\bquiero {_RECEIVE} {_MESSAGES}\b",
]
_COMPILED = [re.compile(pattern) for pattern in _PATTERNS]
_WORDS = re.compile(r"[a-z0-9]+")


def find_opt_in(text: str) -> str | None:
    """Return the words that request messages again, or None."""
    folded = fold(text)
    words = _WORDS.findall(folded)
    if not words or find_opt_out(text) is not None:
        return None
    if any(word in _NEGATIONS for word in words):
        return None
    keywords = [word for word in words if word in _KEYWORDS]
    if keywords and all(word in _KEYWORDS or word in _COURTESY for word in words):
        return keywords[0]
    joined = " ".join(words)
    for pattern in _COMPILED:
        match = pattern.search(joined)
        if match is not None:
            return match.group(0)
    return None
