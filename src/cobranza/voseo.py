"""The owner's text in neutral "tú" Spanish for businesses outside Argentina.

The project writes what a business owner reads (dashboard pages, labels,
terminal messages) in es-AR voseo: "revisá", "volvé", "podés". Owners in
Argentina and Uruguay read it as written. For every other locale,
`owner_text` swaps each voseo form of `TU_FORMS` for its tú form ("revisa",
"vuelve", "puedes") and leaves every other word alone. Messages quote the
values they show (a customer name, a cell of an imported file, what the
owner typed) between «», double or single quotes, so quoted text is never
rewritten.

`tests/test_voseo.py` scans the owner-facing literals for voseo forms and
fails on one that has no entry here.
"""

from __future__ import annotations

import re

# Locales whose owners read voseo.
VOSEO_LOCALES = frozenset({"es_AR", "es_UY"})

# Each voseo form the owner-facing text uses, lower case, with its tú form.
# An imperative with a pronoun attached gets back the written accent that the
# tú form needs ("revisalo" -> "revísalo").
TU_FORMS: dict[str, str] = {
    "abrí": "abre",
    "abrilo": "ábrelo",
    "acordá": "acuerda",
    "acortala": "acórtala",
    "acortalas": "acórtalas",
    "acortalo": "acórtalo",
    "actualizá": "actualiza",
    "agregá": "agrega",
    "agregalo": "agrégalo",
    "ampliá": "amplía",
    "andá": "ve",
    "anotá": "anota",
    "auditá": "audita",
    "avisale": "avísale",
    "borrala": "bórrala",
    "borralo": "bórralo",
    "borralos": "bórralos",
    "borrá": "borra",
    "buscá": "busca",
    "buscala": "búscala",
    "buscalo": "búscalo",
    "buscalos": "búscalos",
    "cambiá": "cambia",
    "cargá": "carga",
    "cargala": "cárgala",
    "cargalos": "cárgalos",
    "cerrá": "cierra",
    "cobrá": "cobra",
    "compará": "compara",
    "completá": "completa",
    "completala": "complétala",
    "completalo": "complétalo",
    "configurá": "configura",
    "confirmalo": "confírmalo",
    "confirmás": "confirmas",
    "copiá": "copia",
    "corré": "corre",
    "corregí": "corrige",
    "corregilas": "corrígelas",
    "corregilo": "corrígelo",
    "crealas": "créalas",
    "decí": "di",
    "decidí": "decide",
    "definí": "define",
    "definilo": "defínelo",
    "dejá": "deja",
    "dejalo": "déjalo",
    "dejás": "dejas",
    "descargá": "descarga",
    "descartá": "descarta",
    "dividí": "divide",
    "elegí": "elige",
    "elegila": "elígela",
    "empezá": "empieza",
    "entrá": "entra",
    "enviá": "envía",
    "escribí": "escribe",
    "escribila": "escríbela",
    "escribilas": "escríbelas",
    "escribilo": "escríbelo",
    "escribís": "escribes",
    "esperá": "espera",
    "exportá": "exporta",
    "fijate": "fíjate",
    "guardala": "guárdala",
    "guardalo": "guárdalo",
    "hacé": "haz",
    "importá": "importa",
    "importalas": "impórtalas",
    "importalo": "impórtalo",
    "imprimí": "imprime",
    "indicá": "indica",
    "indicala": "indícala",
    "indicalo": "indícalo",
    "indicás": "indicas",
    "intercambialos": "intercámbialos",
    "leé": "lee",
    "liberás": "liberas",
    "llamalo": "llámalo",
    "mandá": "manda",
    "mandala": "mándala",
    "mandalo": "mándalo",
    "marcá": "marca",
    "mirá": "mira",
    "necesitás": "necesitas",
    "nombrala": "nómbrala",
    "ordená": "ordena",
    "pasá": "pasa",
    "pasás": "pasas",
    "pedile": "pídele",
    "podés": "puedes",
    "poné": "pon",
    "preguntale": "pregúntale",
    "probá": "prueba",
    "querés": "quieres",
    "quitá": "quita",
    "reanudá": "reanuda",
    "recargá": "recarga",
    "recargala": "recárgala",
    "redondealo": "redondéalo",
    "registrá": "registra",
    "registralo": "regístralo",
    "registrala": "regístrala",
    "registralos": "regístralos",
    "registrás": "registras",
    "repetí": "repite",
    "repetilo": "repítelo",
    "respondé": "responde",
    "respondele": "respóndele",
    "retené": "retén",
    "revisá": "revisa",
    "revisala": "revísala",
    "revisalo": "revísalo",
    "sabés": "sabes",
    "sacá": "saca",
    "sacala": "sácala",
    "sacalas": "sácalas",
    "sacalo": "sácalo",
    "salí": "sal",
    "sos": "eres",
    "subí": "sube",
    "subilo": "súbelo",
    "tenés": "tienes",
    "tocá": "toca",
    "usá": "usa",
    "usalo": "úsalo",
    "verificá": "verifica",
    "volvé": "vuelve",
    "vos": "tú",
}

# "vos" after a preposition is "ti" in tú Spanish, and "con vos" is "contigo".
_PREPOSITION_VOS = re.compile(r"\b(a|de|en|para|por|sin|sobre) vos\b", re.IGNORECASE)
_WITH_VOS = re.compile(r"\bcon vos\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
# A quoted value, which keeps its words. A single quote counts only outside a
# word, as `repr` puts it, so an apostrophe opens no quote.
_QUOTED = re.compile(r"«[^»]*»|\"[^\"]*\"|“[^”]*”|(?<!\w)'[^']*'(?!\w)")


def uses_voseo(locale: str | None) -> bool:
    """Return whether an owner in `locale` reads voseo; None is the default es_AR."""
    return locale is None or locale.replace("-", "_") in VOSEO_LOCALES


def owner_text(text: str, locale: str | None) -> str:
    """Return the owner-facing `text` in the voice of a business in `locale`."""
    return text if uses_voseo(locale) else to_tu(text)


def to_tu(text: str, *, keep_quoted: bool = True) -> str:
    """Replace each voseo form of `TU_FORMS` in `text` with its tú form.

    A capitalised form keeps its capital ("Revisá" -> "Revisa"). With
    `keep_quoted`, quoted text stays as it is. Without it, every word is
    read, as for a template's own text, whose quotes hold HTML attributes.
    """
    if not keep_quoted:
        return _rewrite(text)
    pieces = []
    start = 0
    for quoted in _QUOTED.finditer(text):
        pieces.append(_rewrite(text[start : quoted.start()]))
        pieces.append(quoted.group())
        start = quoted.end()
    pieces.append(_rewrite(text[start:]))
    return "".join(pieces)


def _rewrite(text: str) -> str:
    text = _WITH_VOS.sub(lambda match: _same_case(match.group(), "contigo"), text)
    text = _PREPOSITION_VOS.sub(lambda match: f"{match.group(1)} ti", text)
    return _WORD.sub(_tu_word, text)


def _tu_word(match: re.Match[str]) -> str:
    word = match.group()
    tu_form = TU_FORMS.get(word.lower())
    return word if tu_form is None else _same_case(word, tu_form)


def _same_case(original: str, replacement: str) -> str:
    if len(original) > 1 and original.isupper():
        return replacement.upper()
    if original[0].isupper():
        return replacement[0].upper() + replacement[1:]
    return replacement
