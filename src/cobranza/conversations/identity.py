"""Deterministic detection of a reply that asks who is writing.

"¿Quién es usted?", "¿de qué empresa son?", "¿de dónde sacaron mi número?",
"quem está falando?": the customer does not recognise the sender. The intent
model reads such replies as `other`, and the dialogue answers them with the
business's identity instead of the generic clarifying question. The intent
label stays the model's, so this rule never changes what `understand`
returns.

The patterns run on each sentence of the folded text (no accents, lower
case). Each one needs a question about the sender: "¿quién me puede
atender?" asks for a person and "¿quién va a pagar?" is about the debt, so
neither matches.
"""

from __future__ import annotations

import re

from cobranza.conversations.normalize import fold, sentences

# Pronouns for the sender: "usted", "vos", "ustedes", "você", "o senhor".
_YOU = (
    r"(?:usted|ustedes|vos|tu|ud|uds|voce|voces|vc|vcs|o senhor|a senhora|"
    r"os senhores)"
)
# The customer's phone number, however it is called.
_MY_NUMBER = (
    r"(?:mi|meu) (?:numero|telefono|celular|cel|contacto|whatsapp|wsp|"
    r"telefone|contato|zap)"
)
# The rest of the sentence after the question, at most a courtesy word or a
# pronoun: "¿quién es?", "¿quién es usted?", "quem é você, por favor?".
_END = rf"(?: {_YOU})?(?: (?:por favor|por favo|pf|pls|perdon|disculpe))?$"
_WRITES = (
    r"(?:escribe|escriben|esta escribiendo|estan escribiendo|habla|hablan|"
    r"manda|mandan|envia|envian|llama|llaman|contacta|contactan|"
    r"escreve|escrevem|esta escrevendo|manda|mandou|chama|liga|ligou|fala)"
)
# Verbs for getting the number: "sacaron", "consiguieron", "pegaram".
_GOT = (
    r"(?:sacaron|saco|sacan|consiguieron|consiguio|obtuvieron|obtuvo|tienen|"
    r"dio|dieron|paso|pasaron|encontraron|pegaram|pegou|conseguiram|conseguiu|"
    r"arrumaram|arrumou|tem|deu|deram|passou|passaram|acharam|achou)"
)
# Words that may follow "quién me escribe": "esto", "estos mensajes", "por acá".
_THIS = (
    r"(?:esto|eso|esta|este|estos|estas|isso|isto|essa|esse|essas|esses|"
    r"mensaje|mensajes|mensagem|mensagens|por|aca|aqui|ahi|a|al|para|mi|mim|"
    r"numero|telefono|whatsapp|celular|wsp|zap|ao|meu|o|el)"
)
_PATTERNS = (
    # "¿quién es?", "¿quién es usted?", "¿quiénes son?", "quién sos vos".
    rf"^(?:y )?(?:quien|quienes) (?:es|son|sos|eres|seria|serian|habla|hablan)"
    rf"{_END}",
    # "¿con quién hablo?", "¿con quién tengo el gusto?".
    r"\bcon quien (?:hablo|estoy hablando|tengo el gusto|me comunico)\b",
    # "¿quién me escribe?", "¿quién me está escribiendo?", "quem me mandou isso",
    # but not "¿quién me manda el link?".
    rf"\b(?:quien|quienes|quem) (?:me |nos )?{_WRITES}(?: {_THIS}){{0,3}}{_END}",
    # "¿de qué empresa son?", "¿qué empresa es esta?", "de qual empresa vocês são".
    r"\b(?:de )?(?:que|cual|qual|quais) (?:empresa|compania|negocio|comercio|"
    r"firma|loja)(?: (?:es|son|sos|eres|e|sao|seria|serian|me|nos|esta|este|"
    rf"{_YOU})\b|$)",
    # "¿de dónde son?", "¿de dónde me escriben?", "de onde vocês são".
    rf"\b(?:de donde|de onde|desde donde) (?:(?:son|sos|eres|e|sao|es){_END}|"
    rf"(?:me |nos )?{_WRITES}(?: {_THIS}){{0,3}}{_END}|{_YOU}\b)",
    # "¿de dónde sacaron mi número?", "¿quién les dio mi número?",
    # "¿cómo consiguieron mi celular?", "onde pegaram meu número".
    rf"\b(?:donde|onde|como|quien|quem)(?: \S+){{0,2}} {_GOT}(?: \S+){{0,2}} "
    rf"{_MY_NUMBER}\b",
    # "quem é você?", "quem está falando?", "quem fala?", "quem são vocês?".
    rf"^(?:e )?quem (?:e|eh|sao|seria|fala|esta falando|ta falando){_END}",
    # "¿esto qué es?", "¿qué es esto?", "o que é isso?", as the whole sentence.
    r"^(?:y |e )?(?:esto|eso|isso|isto) (?:que|o que) (?:es|e)$",
    r"^(?:y |e )?(?:que|o que) (?:es|e|seria) (?:esto|eso|isso|isto)$",
)
_COMPILED = tuple(re.compile(pattern) for pattern in _PATTERNS)
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r" +")


def asks_who_writes(text: str | None) -> str | None:
    """Return the words of `text` that ask who is writing, or None."""
    for sentence in sentences(text or ""):
        words = _SPACES.sub(" ", _NOT_WORD.sub(" ", fold(sentence))).strip()
        for pattern in _COMPILED:
            match = pattern.search(words)
            if match is not None:
                return match.group(0)
    return None
