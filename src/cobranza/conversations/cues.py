"""Cue words: a hand-made lexicon that maps synonyms onto shared tags.

"transferí", "deposité", "consigné", "yapeé" and "paguei" all become
`PAID`, so the intent model learns one weight for the idea instead of one per
regional verb it happened to see. The tags feed one of the model's feature
sets; the raw text still feeds the others. Entity parsers add `DATE`,
`AMOUNT` and `COUNT` when a reply names a day, a sum or installments.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from cobranza.conversations.amounts import find_amount
from cobranza.conversations.dates import RIGHT_AWAY_TEXTS, find_dates
from cobranza.conversations.installments import find_installments
from cobranza.conversations.normalize import tokenize

# Tag -> word stems (folded). A token carries the tag when it starts with a stem.
_STEMS: dict[str, tuple[str, ...]] = {
    "PAID": (
        "depositado",
        "consignado",
        "debitad",
        "acredit",
        "cubri",
        "sellaron",
        "aprobad",
        "entregue",
        "saldad",
        "liquidad",
        "abonad",
        "efetuad",
        "quitad",
        "pague",
        "pagado",
        "pagada",
        "pagamos",
        "transferi",
        "deposite",
        "consigne",
        "abone",
        "liquide",
        "yapee",
        "paguei",
        "quitei",
        "cancele",
        "comprobante",
        "comprovante",
        "recibo",
        "voucher",
        "captura",
        "pantallazo",
        "ticket",
        "soporte",
    ),
    "ALREADY": (
        "ya",
        "ja",
        "acabo",
        "recien",
        "hace",
        "ayer",
        "ontem",
        "anoche",
        "pasad",
        "passad",
        "hice",
        "fiz",
        "realice",
        "salio",
        "hecho",
        "feito",
        "descontaron",
        "abonamos",
        "pagamos",
        "pagou",
        "quedo",
    ),
    "WILL_PAY": (
        "pagare",
        "pago",
        "deposito",
        "transfiero",
        "consigno",
        "abono",
        "yapeo",
        "vou",
        "voy",
        "cobro",
        "pagan",
        "depositen",
        "sin falta",
        "prometo",
        "comprometo",
        "acerto",
        "quitar",
        "regularizo",
    ),
    "SPLIT": (
        "prorrat",
        "plazos",
        "parcial",
        "abonito",
        "quincenal",
        "escalonad",
        "tramo",
        "pedaci",
        "mensual",
        "semanal",
        "de a poco",
        "aos poucos",
        "cuota",
        "parcel",
        "plan",
        "partes",
        "parte",
        "dividi",
        "fraccion",
        "financ",
        "refinanc",
        "convenio",
        "acuerdo",
        "acordo",
        "abonos",
        "abonando",
        "poco",
        "poucos",
        "mensualidad",
        "diferi",
        "repact",
        "mitad",
        "metade",
        "facilidades",
        "meses",
        "vezes",
        "negociar",
    ),
    "MEANS": (
        "via",
        "opciones",
        "medios",
        "prex",
        "uala",
        "efecty",
        "baloto",
        "nubank",
        "forma de pago",
        "procedo",
        "mercado pago",
        "caja vecina",
        "billetera",
        "carteira",
        "referencia",
        "url",
        "pagina",
        "paypal",
        "khipu",
        "picpay",
        "mercadopago",
        "cci",
        "qr",
        "efectivo",
        "cartao",
        "loteric",
        "oxxo",
        "rapipago",
        "pagofacil",
        "abitab",
        "redpagos",
        "servipag",
        "daviplata",
        "plin",
        "webpay",
        "agencia",
        "sucursal",
        "por donde",
        "link",
        "enlace",
        "liga",
        "alias",
        "cbu",
        "cvu",
        "clabe",
        "cuenta",
        "conta",
        "pix",
        "chave",
        "boleto",
        "datos",
        "pse",
        "tarjeta",
        "nequi",
        "yape",
        "codigo",
        "transferir",
        "depositar",
        "consignar",
        "spei",
        "online",
        "medio",
    ),
    "WRONG_AMOUNT": (
        "sobreprecio",
        "de mas",
        "abuso",
        "indebid",
        "excesiv",
        "inflad",
        "promocion",
        "vacio",
        "golpe",
        "extravi",
        "pactad",
        "contratad",
        "nunca llego",
        "no funciona",
        "error",
        "mal",
        "doble",
        "duplicad",
        "reclam",
        "reconozco",
        "reconheco",
        "corresponde",
        "defectuos",
        "roto",
        "fallad",
        "devolvi",
        "incorrect",
        "cobrando",
        "cobraron",
        "cobrado",
        "cobraste",
        "facturando",
        "facturaron",
        "acordamos",
        "coincide",
        "errad",
        "errada",
        "prescript",
        "defeito",
        "monto",
        "importe",
        "valor",
    ),
    "PERSON": (
        "humana",
        "atendimento",
        "call center",
        "empleado",
        "contestador",
        "atencion",
        "conversar",
        "agente",
        "representante",
        "jefe",
        "telefon",
        "ser humano",
        "persona",
        "pessoa",
        "humano",
        "alguien",
        "alguem",
        "asesor",
        "operador",
        "encargado",
        "ejecutivo",
        "supervisor",
        "gerente",
        "atendente",
        "responsable",
        "dueno",
        "llam",
        "ligar",
        "liga",
        "marcar",
        "robot",
        "bot",
        "maquina",
        "hablar",
        "falar",
        "comunic",
        "atienda",
        "atender",
        "contacte",
    ),
    "HARDSHIP": (
        "desempleo",
        "quiebra",
        "pandemia",
        "despid",
        "cesant",
        "quebr",
        "floj",
        "crisis",
        "endeud",
        "hospital",
        "cirug",
        "jubilad",
        "changas",
        "trabajo",
        "laburo",
        "chamba",
        "pega",
        "emprego",
        "desemplead",
        "desempregad",
        "enferm",
        "doente",
        "internad",
        "operaron",
        "accidente",
        "imposible",
        "alcanza",
        "apretad",
        "complicad",
        "dificil",
        "misio",
        "pato",
        "lona",
        "liso",
        "ingresos",
        "renda",
        "condicoes",
        "echaron",
        "rajaron",
        "robaron",
        "paro",
        "varado",
        "mango",
        "peso",
        "sol",
    ),
    "ACK": (
        "oki",
        "okis",
        "barbaro",
        "buenisimo",
        "excelente",
        "chevere",
        "notificad",
        "conocimiento",
        "enterad",
        "sobres",
        "hagale",
        "copiado",
        "claro",
        "tomo nota",
        "de una",
        "ok",
        "okey",
        "gracias",
        "dale",
        "listo",
        "perfecto",
        "entendido",
        "entiendo",
        "entendi",
        "joya",
        "genial",
        "anotado",
        "recibido",
        "visto",
        "acuerdo",
        "bien",
        "bueno",
        "orale",
        "sale",
        "vale",
        "beleza",
        "blz",
        "valeu",
        "obrigad",
        "combinado",
        "bacan",
        "thumbsup",
    ),
    "NOT_ME": (
        "no vive",
        "se mudo",
        "nadie",
        "desconozco",
        "ex dueno",
        "equivoca",
        "numero",
        "falleci",
        "murio",
        "faleceu",
        "titular",
        "nombre",
        "nome",
        "conozco",
        "conheco",
        "chip",
        "celu",
        "erraste",
        "confunden",
    ),
    "STOP": (
        "baja",
        "stop",
        "escriban",
        "escribirme",
        "molest",
        "mensaje",
        "mensagem",
        "lista",
        "manden",
        "envien",
        "sair",
        "parar",
        "parem",
        "basta",
    ),
    # A charge made again or still shown as unpaid: with PAID, a dispute
    # ("ya la pagué y me figura impaga"), not a payment claim.
    "AGAIN": (
        "sigue",
        "siguen",
        "continua",
        "mostra",
        "aparecendo",
        "em aberto",
        "no lo cargaron",
        "no la acreditaron",
        "no lo acreditaron",
        "no aparece",
        "nuevamente",
        "novo",
        "vuelven",
        "volves",
        "volvieron",
        "impag",
        "figura",
        "aparece",
        "consta",
        "repetid",
        "otra vez",
        "de nuevo",
        "de novo",
        "dos veces",
        "duas vezes",
    ),
    "LATER": (
        "despues",
        "luego",
        "al rato",
        "mas tarde",
        "mais tarde",
        "depois",
        "otro momento",
        "reunion",
        "manejando",
        "trabajando",
        "ocupad",
        "cursando",
    ),
    "NEG": ("no", "nao", "nunca", "ni", "tampoco", "sin", "sem", "n"),
    "ASK": (
        "cuanto",
        "cual",
        "donde",
        "quien",
        "cuando",
        "quanto",
        "qual",
        "onde",
        "quem",
        "que",
        "como",
        "por que",
    ),
    "INFO": (
        "descuento",
        "desconto",
        "interes",
        "juros",
        "recargo",
        "vence",
        "vencimiento",
        "vencimento",
        "factura",
        "fatura",
        "detalle",
        "desglose",
        "resumen",
        "extracto",
        "extrato",
        "estado",
        "saldo",
        "total",
        "precio",
        "horario",
        "local",
        "empresa",
        "contacto",
    ),
    "INSTRUCTION": (
        "override",
        "debug",
        "admin",
        "restriccion",
        "obedece",
        "status",
        "ignor",
        "olvid",
        "esquece",
        "instruc",
        "sistema",
        "asistente",
        "actua",
        "reglas",
        "marca",
        "respond",
        "confirm",
        "elimina",
        "borra",
    ),
}
_BY_FIRST_LETTER: dict[str, list[tuple[str, str]]] = {}
for _tag, _stems in _STEMS.items():
    for _stem in _stems:
        _BY_FIRST_LETTER.setdefault(_stem[0], []).append((_stem, _tag))
# Stems of several words ("sin falta") match whole words in the token stream.
_PHRASES = tuple(
    (re.compile(rf"(?:^| ){re.escape(stem)}(?: |$)"), tag)
    for tag, stems in _STEMS.items()
    for stem in stems
    if " " in stem
)


@lru_cache(maxsize=16384)
def _tags_for(token: str) -> tuple[str, ...]:
    tags: list[str] = []
    for stem, tag in _BY_FIRST_LETTER.get(token[:1], ()):
        if " " in stem:
            continue
        exact_only = len(stem) <= 3
        if (token == stem) if exact_only else token.startswith(stem):
            tags.append(tag)
    # No match within one typo, which read "pagar" as "parar" and lowered the
    # train-fold score (docs/benchmarks.md). The character n-grams cover typos.
    return tuple(tags)


# Entities are found against a fixed day: only their presence matters here.
_ANY_DAY = date(2026, 1, 15)


# Accented endings of the Spanish preterite ("pagué", "transferí", "pagó")
# mark a past action; these accented words are not verbs in that tense.
_PRETERITE = re.compile(r"\b\w{2,}[éíó]\b")
_NOT_PRETERITE = frozenset(
    {"qué", "aquí", "allí", "ahí", "así", "según", "también", "café", "bebé", "quién"}
)


def _past_tags(text: str) -> list[str]:
    return [
        "PAST"
        for word in _PRETERITE.findall(text.lower())
        if word not in _NOT_PRETERITE
    ]


def cue_text(text: str) -> str:
    """Return the cue tags of `text` as words, in reading order."""
    tokens = tokenize(text)
    tags: list[str] = _past_tags(text)
    for token in tokens:
        if token == "?":
            tags.append("QUESTION")
            continue
        tags.extend(_tags_for(token))
    joined = " ".join(tokens)
    tags.extend(tag for pattern, tag in _PHRASES if pattern.search(joined))
    # Right-away words ("al tiro") stay out of the tag, as when the shipped
    # model was trained, so its features do not change.
    if any(m.text not in RIGHT_AWAY_TEXTS for m in find_dates(text, _ANY_DAY)):
        tags.append("DATE")
    if find_amount(text) is not None:
        tags.append("AMOUNT")
    if find_installments(text) is not None:
        tags.append("COUNT")
    return " ".join(tags) if tags else "NONE"


# Phrasings so unambiguous that they decide the intent whatever else the
# reply contains, matched on folded text. Only wrong_person and dispute have
# rules, because in the labelling precedence only opt_out ranks above them,
# and `optout` decides that before the model runs.
_CLEAR_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "wrong_person",
        re.compile(
            r"\b(?:numero|nro) (?:equivocado|errado|incorrecto)\b"
            r"|\bequivocad[oa]s? de (?:numero|persona)\b"
            r"|\bno soy (?:esa|la) persona\b"
            r"|\bnao sou (?:essa|a) pessoa\b"
            r"|\bessa pessoa (?:faleceu|morreu)\b"
        ),
    ),
    (
        "dispute",
        re.compile(
            r"\bcobr\w* (?:\w+ ){0,3}(?:dos veces|duas vezes|doble|de novo|otra vez)\b"
            r"|\bcobr\w* (?:\w+ ){0,4}que ya (?:\w+ )?(?:pague|pagamos|cancele)\b"
            r"|\bya (?:\w+ )?pague (?:\w+ ){0,3}(?:figura|aparece) (?:como )?impag"
            r"|\bcobro (?:indebido|duplicado)\b"
            r"|\b(?:factura|cuota|cobro|cargo) duplicad[oa]\b"
            r"|\bno reconozco (?:es[aeo]|este|esta|el|la) "
            r"(?:cobro|cargo|deuda|compra|monto|factura)\b"
            r"|\bnao reconheco (?:essa|esta|a) (?:cobranca|divida|compra)\b"
        ),
    ),
)


def clear_intent(text: str) -> str | None:
    """Return the intent an unambiguous phrasing in `text` decides, or None."""
    folded = " ".join(tokenize(text))
    for intent, pattern in _CLEAR_CUES:
        if pattern.search(folded):
            return intent
    return None
