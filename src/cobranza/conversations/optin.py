"""Deterministic opt-in detection: a customer requests messages again.

Like opt-out, this never depends on the intent model. A reply that also
reads as an opt-out, that carries a negation ("no quiero volver a
recibir"), or that asks why ("¿cómo pueden seguir mandándome mensajes?"),
is never an opt-in.

`find_opt_in` finds the request anywhere in the reply, which is how the
dialogue reads a customer whose consent is revoked. `asks_only_to_opt_in`
is stricter: besides the request, the reply may hold only courtesy and the
words for the messages and the channel. Only such a reply from a customer
whose consent is active gets the automatic answer, so "pueden volver a
escribirme, pero el monto está mal" still reaches a person.
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
# Words right before the request that turn it into a complaint: "¿cómo
# pueden volver a escribirme?", "por qué ustedes pueden seguir mandándome".
_WHY = frozenset({"como", "porque", "pq", "xq"})
_WHY_PAIRS = frozenset({("por", "que"), ("para", "que"), ("por", "q")})
# Words that may stand between the question word and the request.
_SUBJECTS = frozenset({"ya", "ustedes", "uds", "voces", "vcs", "ahora"})
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
    # "pueden seguir mandándome los recordatorios", "podem continuar me enviando"
    r"\b(?:pueden|podes|puedes|podem|pode) (?:seguir|continuar) (?:me )?"
    r"(?:mandandome|enviandome|escribiendome|mandando|enviando|escribiendo|"
    r"escrevendo)\b",
    # "quiero seguir recibiendo los avisos", "quero continuar recebendo"
    r"\b(?:quiero|quisiera|quero|gostaria de) (?:seguir|continuar) "
    r"(?:recibiendo|recibiendolos|recebendo)\b",
    # "denme de alta", "quiero darme de alta de nuevo"
    r"\b(?:dar|darme|denme|dame|den|deme|quiero|pido) (?:de )?alta\b",
    # "activen de nuevo los mensajes", "reactiven los avisos"
    rf"\b(?:reactiven|reactivar|reactivame|activen|ativem|reativar) "
    rf"(?:de nuevo |otra vez )?{_MESSAGES}\b",
    rf"\bquiero {_RECEIVE} {_MESSAGES}\b",
]
_COMPILED = [re.compile(pattern) for pattern in _PATTERNS]
_WORDS = re.compile(r"[a-z0-9]+")


# Words that may surround the request in a reply that is only the request:
# a greeting ("¿cómo estás?"), the messages, the channel and "otra vez",
# beyond the courtesy words.
_FILLER = _COURTESY | {
    "como",
    "estas",
    "esta",
    "estan",
    "bien",
    "tudo",
    "bem",
    "a",
    "al",
    "me",
    "mi",
    "los",
    "las",
    "sus",
    "tus",
    "os",
    "as",
    "mensaje",
    "mensajes",
    "aviso",
    "avisos",
    "recordatorio",
    "recordatorios",
    "notificaciones",
    "mensagem",
    "mensagens",
    "lembretes",
    "este",
    "esse",
    "medio",
    "canal",
    "numero",
    "whatsapp",
    "aca",
    "aqui",
    "otra",
    "vez",
}


def find_opt_in(text: str) -> str | None:
    """Return the words that request messages again, or None."""
    found = _find(text)
    return found[0] if found is not None else None


def asks_only_to_opt_in(text: str) -> bool:
    """Tell whether `text` requests messages again and contains nothing else.

    "Hola, ya pueden volver a escribirme, gracias" is only the request.
    "Pueden volver a escribirme, pero el monto está mal" and "pueden volver
    a escribirme el lunes" contain more, so they are not.
    """
    found = _find(text)
    if found is None:
        return False
    _, rest = found
    return all(word in _FILLER for word in rest)


def _find(text: str) -> tuple[str, list[str]] | None:
    """Return the request's words and the reply's other words, or None."""
    folded = fold(text)
    words = _WORDS.findall(folded)
    if not words or find_opt_out(text) is not None:
        return None
    if any(word in _NEGATIONS for word in words):
        return None
    keywords = [word for word in words if word in _KEYWORDS]
    if keywords and all(word in _KEYWORDS or word in _COURTESY for word in words):
        return keywords[0], [word for word in words if word not in _KEYWORDS]
    joined = " ".join(words)
    for pattern in _COMPILED:
        match = pattern.search(joined)
        if match is None:
            continue
        before = joined[: match.start()].split()
        if _asks_why(before):
            return None
        return match.group(0), [*before, *joined[match.end() :].split()]
    return None


def _asks_why(before: list[str]) -> bool:
    """Tell whether the words before the request ask why or how it happens."""
    end = len(before)
    while end > 0 and before[end - 1] in _SUBJECTS:
        end -= 1
    if end > 0 and before[end - 1] in _WHY:
        return True
    return tuple(before[max(end - 2, 0) : end]) in _WHY_PAIRS
