"""Deterministic detection of a reply that only asks how much is owed.

"¿Cuánto debo?", "cuánto te debo?", "¿cuál es mi saldo?", "me pasás el
monto?", "quanto eu devo?", "qual o valor da dívida?": the customer asks
for the balance. The intent model reads such replies as `other`, which is
right by the labelling guide, and the dialogue answers them with the
balance instead of the generic clarifying question. This rule never
changes what `understand` returns.

The rule is strict on purpose. Every sentence of the reply must be either
the question or a greeting, a thank-you or a vocative ("hola", "gracias",
"señorita"), matched whole on the folded text (no accents, lower case, no
punctuation). A reply that says anything more is left to its intent:
"¿cuánto debo pagar por cuota?" may ask for installments, "¿cuánto me
descuentan si pago hoy?" asks for a discount, "te debo 5000, ¿te los paso
el viernes?" is a promise, and "¿cuánto es el total con intereses?" asks
about interest. "No debo nada" is a dispute and "¿cuánto es la luca?"
asks about money in general, so neither is a question about the debt.

Typos of the key words ("cuamto debo", "cuanto deboo", "cual es mi sldo")
are read as the word meant, with the strictness of the opt-out rules: a
word of four or more letters, one edit away from a key word, starting the
same way, and no word of the patterns or of the language in its own right
("cuando", "cuenta", "debe" stay as written).
"""

from __future__ import annotations

import re
from functools import lru_cache

from cobranza.conversations.normalize import edit_distance, fold, same_start, sentences

# Greetings, laughs and vocatives that may stand before the question.
_LEAD = (
    r"(?:hola|holis|ola|oi|opa|ole|buen dia|buenos dias|buenas tardes|"
    r"buenas noches|buenas|buen di|bom dia|boa tarde|boa noite|que tal|que mas|"
    r"wena|wenas|che|bo|oye|oiga|disculpe|disculpa|disculpen|perdon|"
    r"una pregunta|una consulta|consulta|pregunta|una duda|jaja|jajaja|jeje|"
    r"jsjs|kkk|kkkk|kkkkk|rsrs|ah|y|e|pero|bueno|ok|mira|mire|senorita|"
    r"senor|senora|joven|amigo|amiga|don|dona|estimado|estimada|estimados|"
    r"por favor|porfa|una pregunta rapida|todavia|aun|ainda|ahora|entonces|"
    r"e ai|moco|moca|parce|compa|causa|mija|mijo|seu)"
)
# Courtesy words, vocatives and time words that may follow the question.
_TAIL = (
    r"(?:gracias|muchas gracias|mil gracias|gracias de antemano|porfa|"
    r"por favor|porfavor|pf|plis|pls|saludos|bendiciones|abrazo|abrazos|"
    r"quedo atento|quedo atenta|vale|po|pe|bo|che|causa|senorita|joven|"
    r"obrigado|obrigada|valeu|abraco|por fa|nomas|no mas|"
    r"en total|al total|ao todo|no total|total|hasta la fecha|a la fecha|"
    r"hasta hoy|al dia de hoy|hoy|ahora|hoy en dia|actualmente|todavia|aun|"
    r"ya con todo|con todo|sumando todo|todo junto|mas o menos|aprox|"
    r"aproximadamente|exactamente|con ustedes|a ustedes|a vos|a usted|"
    r"a voces|pra voces|com voces|hoje|atualmente|ainda|por enquanto|"
    r"al final|en definitiva|entonces|mais ou menos|exatamente|"
    r"para ponerme al dia|para quedar al dia|para ponerme al corriente|"
    r"para estar al dia|para regularizar|para regularizarme|"
    r"para saldar todo|para cancelar todo|para pagar todo|para saldar la deuda|"
    r"para cancelar la deuda|pra ficar em dia|para ficar em dia|pra quitar tudo|"
    r"para quitar tudo|pra quitar a divida|para quitar a divida|"
    r"jaja|jajaja|jsjs|kkk|rsrs|amigo|amiga|don|senor|senora|mija|mijo)"
)
# "cuánto" and its common typos, and the Portuguese "quanto". Other typos
# reach these words through `_TYPO_TARGETS`.
_HOW_MUCH = (
    r"(?:cuanto|cuanta|cuantos|cuantas|cuantoo|cunto|cuato|cuanot|cuantp|qto|"
    r"kuanto|quanto|quantos|quantas|qnto|qnt|quato)"
)
# Money nouns after "cuánto": "cuánta plata", "cuántas lucas", "quanto de grana".
_MONEY = (
    r"(?:de )?(?:plata|guita|lana|lucas|luca|lukas|mangos|pesos|dinero|feria|"
    r"billete|varos|soles|reais|grana|dinheiro)"
)
# "debo" and the forms of owing in the first person.
_OWE = (
    r"(?:debo|debbo|dbo|devo|debemos|adeudo|adeudamos|devemos|"
    r"estoy debiendo|toy debiendo|ando debiendo|estamos debiendo|"
    r"to devendo|tou devendo|estou devendo|ta devendo|esta devendo|"
    r"estamos devendo|tengo de deuda|tengo pendiente|tengo vencido|"
    r"tengo atrasado|tengo adeudado|traigo de adeudo|trai de adeudo|"
    r"llevo de deuda|"
    r"tenho em aberto|tenho de divida|tenho pendente|tenho atrasado)"
)
# Pronouns of the creditor before "debo": "cuánto te debo", "quanto lhe devo".
_TO_YOU = r"(?:le|les|te|se|lhe|lhes|eu te|eu lhe|eu)"
# Words for what is owed, with an optional article or possessive.
_OWED = (
    r"(?:(?:el|la|los|las|o|a|os|as) )?(?:(?:mi|mis|meu|minha|meus|minhas) )?"
    r"(?:saldo|monto|importe|total|deuda|"
    r"deudas|divida|dividas|debito|valor|balance|adeudo|cuenta|total adeudado|"
    r"saldo devedor|saldo deudor|valor total|monto total|importe total|"
    r"saldo total|deuda total|valor da divida|valor de la deuda|monto de la deuda|"
    r"total de la deuda|total da divida|total a pagar|monto a pagar|"
    r"valor a pagar|valor em aberto|valor atualizado|saldo atualizado)"
)
# Words that may qualify what is owed: "el saldo pendiente", "o valor total".
_OWED_DETAIL = (
    r"(?:pendiente|pendientes|total|actual|actualizado|exacto|adeudado|"
    r"completo|final|vencido|a pagar|que debo|que les debo|que te debo|"
    r"que le debo|que tengo|que tengo pendiente|de la deuda|de mi deuda|"
    r"de mi cuenta|de la cuenta|da divida|da minha divida|em aberto|devedor|"
    r"deudor|atualizado|pendente|que devo|que eu devo|a la fecha|al dia|"
    r"total adeudado|que tengo con ustedes|con ustedes|com voces|a hoy)"
)
# "me decís", "me pasás", "me confirman", "me regala" (Colombian "could you
# give me"), "me passa": a request for the amount that names it next.
_GIVE_ME = (
    r"(?:(?:me|nos) (?:decis|dices|dice|dicen|pasas|pasa|pasan|das|da|dan|"
    r"confirmas|confirma|confirman|regala|regalas|regalan|informas|informa|"
    r"informan|indicas|indica|indican|mandas|manda|mandan|envias|envia|"
    r"envian|recordas|recuerdas|recuerda|recuerdan|podes decir|puedes decir|"
    r"puede decir|pueden decir|podrias decir|podria decir|podrian decir|"
    r"podes pasar|puedes pasar|puede pasar|pueden pasar|podrias pasar|"
    r"podria pasar|podrian pasar|podes confirmar|puedes confirmar|"
    r"puede confirmar|pueden confirmar|podrias confirmar|podria confirmar|"
    r"podrian confirmar|podrias informar|podria informar|podrian informar|"
    r"passa|passam|mandam|fala|falam|diz|dizem|informam|enviam|confirmam)|"
    r"decime|dime|digame|diganme|pasame|"
    r"paseme|pasenme|confirmame|confirmeme|confirmenme|informame|informeme|"
    r"indicame|indiqueme|mandame|mandeme|regaleme|"
    r"(?:me )?(?:podes|puedes|puede|pueden|podrias|podria|podrian) "
    r"(?:decirme|pasarme|confirmarme|informarme|indicarme|mandarme|darme)|"
    r"(?:me )?(?:pode|podem|poderia|poderiam|da pra|daria pra|dava pra) "
    r"(?:me )?(?:dizer|passar|informar|falar|mandar|confirmar))"
)
# A lead-in that asks to know: "quisiera saber", "gostaria de saber".
_WANT_TO_KNOW = (
    r"(?:quisiera saber|queria saber|quiero saber|necesito saber|"
    r"me gustaria saber|deseo saber|gostaria de saber|"
    r"quero saber|preciso saber|me (?:podes|puedes|puede|pueden|podrias|"
    r"podria|podrian) (?:decir|informar|confirmar|indicar)|"
    r"(?:me )?(?:pode|podem|poderia|poderiam|da pra|daria pra) (?:me )?"
    r"(?:dizer|informar|falar|confirmar)|{give_me})"
)
# Verbs between "cuánto" and what is owed: "cuánto es el total".
_AMOUNTS_TO = (
    r"(?:es|seria|sera|era|son|serian|seran|e|eh|fica|ficou|da|sale|suma|"
    r"sumaria|esta|ta|estaria|queda|quedo|vendria a ser|viene a ser)"
)
_EVERYTHING = (
    r"(?:en total|ao todo|no total|todo|tudo|todo junto|tudo junto|"
    r"tudo somado|todo sumado|todo en total|tudo no total)"
)
# Verbs of paying after "tengo que": "cuánto tengo que pagar".
_PAY = (
    r"(?:pagar|pagarles|pagarte|pagarle|abonar|cancelar|depositar|transferir|"
    r"saldar|liquidar|pagar en total|pagar ao todo|quitar)"
)
_QUESTIONS = (
    # "¿cuánto debo?", "cuánto te debo", "¿cuánto es lo que debo?", "cuánta
    # guita les debo", "cuánto suma todo lo que adeudo", "quanto eu devo".
    rf"(?:a )?{_HOW_MUCH}(?: {_MONEY})?(?: (?:que|q))?(?: {_AMOUNTS_TO})?"
    rf"(?: todo)?(?: (?:lo|o) (?:que|q))?(?: (?:yo|eu))?(?: {_TO_YOU})? {_OWE}",
    # "¿cuánto es el total?", "cuánto es mi deuda", "quanto fica tudo",
    # "cuántos mangos serían en total".
    rf"{_HOW_MUCH}(?: {_MONEY})?(?: (?:que|q))? {_AMOUNTS_TO} "
    rf"(?:{_OWED}(?: {_OWED_DETAIL})?|{_EVERYTHING})",
    # "¿cuánto me falta pagar?", "cuántas lucas me faltan", "cuánto me
    # queda por pagar", "quanto falta pra quitar".
    rf"{_HOW_MUCH}(?: {_MONEY})?(?: (?:que|q))?(?: (?:me|nos|eu|ainda))? "
    r"(?:falta|faltan|queda|quedan|esta quedando|ta quedando|estaria faltando|"
    r"esta faltando|ta faltando|resta|restam)"
    r"(?: (?:por|para|pra|de|a))?(?: (?:pagar|cancelar|abonar|saldar|liquidar|"
    r"quitar|pagarles|pagarte|pagarle|terminar de pagar|terminar de cancelar|"
    r"deuda|divida))?",
    # "¿cuánto tengo que pagar?", "cuánto debo pagar", "quanto tenho que pagar".
    rf"{_HOW_MUCH}(?: {_MONEY})?(?: (?:que|q))?(?: (?:yo|eu))? "
    r"(?:tengo|tenemos|tenho|temos|tendria|debo|devo|debemos|devemos|hay|"
    r"tem|preciso|necesito) (?:que |q |de |d )?" + _PAY,
    # "¿a cuánto asciende mi deuda?", "a cuánto asciende lo que debo".
    rf"a {_HOW_MUCH} (?:asciende|llega|sube|monta|ascende|chega) "
    rf"(?:{_OWED}(?: {_OWED_DETAIL})?|lo (?:que|q) {_OWE}|o que (?:eu )?{_OWE})",
    # "¿cuál es mi saldo?", "cuál es el monto total", "qual o valor da dívida".
    r"(?:cual|cuales|qual|quais|kual|kal)(?: (?:es|e|eh|seria|era|sera))? "
    rf"{_OWED}(?: {_OWED_DETAIL})?",
    # "¿por qué monto es la deuda?", "de cuánto es mi deuda".
    r"(?:por|de) (?:que|cuanto|quanto) (?:(?:monto|valor|importe) )?(?:es|e) "
    r"(?:la|mi|a|minha) (?:deuda|divida|cuenta)",
    # "¿me pasás el monto?", "me decís el saldo?", "me regala el saldo?",
    # "me passa o valor total?".
    rf"{_GIVE_ME} {_OWED}(?: {_OWED_DETAIL})?",
    # "¿debo algo?", "¿tengo deuda?", "eu devo alguma coisa?".
    r"(?:yo |eu )?(?:le |les |te |lhe )?(?:debo|devo|to devendo|estou devendo|"
    r"estoy debiendo) (?:algo|alguna cosa|alguma coisa|algo mas|mais alguma coisa)",
    r"(?:yo |eu )?(?:tengo|tenho|temos|tenemos) (?:alguna |alguma |una |uma )?"
    r"(?:deuda|divida|saldo|algo) (?:pendiente|pendente|em aberto|vencido|"
    r"vencida|con ustedes|com voces)",
    r"(?:yo |eu )?(?:tengo|tenho) (?:alguna |alguma )?(?:deuda|divida)",
    # "¿saldo?", "mi saldo?", "saldo pendiente?", as the whole question.
    rf"(?:mi |meu |el |o )?saldo(?: {_OWED_DETAIL})?",
)
# The words that carry the question, read through typos one edit away.
_TYPO_TARGETS = (
    "cuanto",
    "cuanta",
    "cuantos",
    "cuantas",
    "quanto",
    "debo",
    "devo",
    "adeudo",
    "debiendo",
    "devendo",
    "traigo",
    "tengo",
    "tenho",
    "pagar",
    "saldo",
    "deuda",
    "divida",
    "monto",
    "total",
    "valor",
    "importe",
)
# Words one edit away from a target that mean something else: "cuándo
# debo?" asks for a date, "¿cuánto debe?" about someone else.
_REAL_WORDS = frozenset(
    {
        "cuando",
        "quando",
        "canto",
        "cuento",
        "cuentos",
        "cuarto",
        "cuartos",
        "cuarta",
        "cuartas",
        "cuentas",
        "quinto",
        "quintos",
        "quanta",
        "quarto",
        "cuata",
        "cuatas",
        "debe",
        "deba",
        "debi",
        "dedo",
        "dejo",
        "demo",
        "debt",
        "depo",
        "deve",
        "devi",
        "deva",
        "adeuda",
        "adeude",
        "traiga",
        "traido",
        "tenga",
        "tengan",
        "tango",
        "tenso",
        "tenha",
        "tenda",
        "tendo",
        "mono",
        "moto",
        "pagas",
        "pagan",
        "pagad",
        "pagara",
        "pagare",
        "pegar",
        "paga",
        "pasar",
        "parar",
        "apagar",
        "dependo",
        "pagam",
        "salgo",
        "salto",
        "salda",
        "salde",
        "salio",
        "salido",
        "salvo",
        "salo",
        "saldos",
        "duda",
        "deudo",
        "duvida",
        "divide",
        "divido",
        "dividi",
        "dividan",
        "divina",
        "monte",
        "manto",
        "montos",
        "totales",
        "tonal",
        "valer",
        "vapor",
        "valores",
        "importa",
        "importo",
        "importen",
    }
)


def _pattern_words(*patterns: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z]+", " ".join(patterns)))


_QUESTION = re.compile(
    rf"(?:{_LEAD} )*(?:(?:{_WANT_TO_KNOW.format(give_me=_GIVE_ME)}) )?"
    rf"(?P<question>{'|'.join(_QUESTIONS)})(?: {_TAIL})*"
)
# Each courtesy word once: "che", "por favor" and others are both leads and
# tails, and an alternation that offers a word twice backtracks through 2**n
# parses of n such words before it rejects the sentence.
_COURTESY_WORD = (
    "(?:"
    + "|".join(sorted(set(_LEAD[3:-1].split("|")) | set(_TAIL[3:-1].split("|"))))
    + ")"
)
_COURTESY = re.compile(rf"{_COURTESY_WORD}(?: {_COURTESY_WORD})*")
# Words the patterns spell out are never typos of another word.
_PATTERN_WORDS = _pattern_words(_QUESTION.pattern, _COURTESY.pattern)
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r" +")


def asks_for_balance(text: str | None) -> str | None:
    """Return the words of `text` that ask how much is owed, or None.

    None unless every sentence is such a question or a courtesy alone
    ("hola", "gracias"), and at least one sentence asks.
    """
    question = None
    for sentence in sentences(text or ""):
        plain = _SPACES.sub(" ", _NOT_WORD.sub(" ", fold(sentence))).strip()
        words = " ".join(_corrected(word) for word in plain.split(" "))
        if not words or _COURTESY.fullmatch(words) is not None:
            continue
        match = _QUESTION.fullmatch(words)
        if match is None:
            return None
        question = question or match.group("question")
    return question


@lru_cache(maxsize=4096)
def _corrected(word: str) -> str:
    """Return the key word that `word` mistypes, or `word` itself."""
    if len(word) < 4 or word in _PATTERN_WORDS or word in _REAL_WORDS:
        return word
    for target in _TYPO_TARGETS:
        if same_start(word, target) and edit_distance(word, target) == 1:
            return target
    return word
