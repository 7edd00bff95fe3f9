"""Tone lint: reject coercive wording in Spanish and Portuguese messages.

Collection laws of the region ban threats, shaming and fake legal pressure
(Argentina's Ley 24.240 art. 8 bis, Brazil's CDC art. 42, Chile's Ley 19.496
art. 37, Peru's Ley 29571 art. 62). `lint_text` finds the wording that a
friendly reminder from a business to its own customer never needs.

Matching ignores case and accents ("accion judicial" matches "acción
judicial"). Placeholders such as `{{monto}}` are skipped. A polite reminder
("tu factura vence hoy", "saldo", "podés pagar hoy") passes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class ToneIssue(StrEnum):
    LEGAL_THREAT = "legal_threat"
    SEIZURE = "seizure"
    CREDIT_BUREAU = "credit_bureau"
    SHAMING = "shaming"
    THIRD_PARTY = "third_party"
    FINAL_NOTICE = "final_notice"
    URGENCY_THREAT = "urgency_threat"
    INSULT = "insult"
    SHOUTING = "shouting"


# Spanish (es-AR) explanations that the business owner reads.
WHY: dict[ToneIssue, str] = {
    ToneIssue.LEGAL_THREAT: (
        "amenaza con acciones judiciales: un recordatorio no debe presionar "
        "con juicios ni abogados"
    ),
    ToneIssue.SEIZURE: "amenaza con embargar o quitar bienes al cliente",
    ToneIssue.CREDIT_BUREAU: (
        "amenaza con informar la deuda a un registro de crédito o lista de deudores"
    ),
    ToneIssue.SHAMING: "etiqueta o expone al cliente por su deuda",
    ToneIssue.THIRD_PARTY: (
        "menciona a terceros (familia, trabajo, vecinos): la deuda solo se "
        "habla con el cliente"
    ),
    ToneIssue.FINAL_NOTICE: "presenta el mensaje como último aviso o advertencia",
    ToneIssue.URGENCY_THREAT: "exige pagar ya bajo amenaza de consecuencias",
    ToneIssue.INSULT: "insulta o descalifica al cliente",
    ToneIssue.SHOUTING: "usa MAYÚSCULAS sostenidas, que se leen como gritos",
}


@dataclass(frozen=True)
class ToneProblem:
    """One coercive phrase: where it is, its kind and why it is rejected."""

    phrase: str
    issue: ToneIssue
    why: str
    start: int
    end: int


# Patterns are written lower-case without accents; `\b` bounds every one.
_COMMON: dict[ToneIssue, tuple[str, ...]] = {
    ToneIssue.CREDIT_BUREAU: (
        r"veraz",
        r"nosis",
        r"datacredito",
        r"buro( de credito)?",
        r"serasa",
        r"spc",
        r"scpc",
        r"boa vista",
        r"equifax",
        r"transunion",
        r"experian",
        r"dicom",
        r"infocorp",
        r"sentinel",
        r"cifin",
        r"clearing",
        r"lista negra",
    ),
}

_SPANISH: dict[ToneIssue, tuple[str, ...]] = {
    ToneIssue.LEGAL_THREAT: (
        r"juicios?",
        r"demandas?",
        r"demandar\w*",
        r"accion(es)? (legal|legales|judicial|judiciales)",
        r"via (judicial|legal)",
        r"instancia judicial",
        r"cobro judicial",
        r"abogad[oa]s?",
        r"estudio juridico",
        r"tribunal(es)?",
        r"juzgados?",
        r"carta documento",
        r"denuncia (penal|policial|judicial)",
        r"proceso legal",
    ),
    ToneIssue.SEIZURE: (
        r"embargo\w*",
        r"embarg(ar|aremos|ara|ado|ados)",
        r"secuestro de bienes",
        r"incauta\w*",
        r"remate\w*",
        r"rematar\w*",
        r"inhibicion\w*",
    ),
    ToneIssue.CREDIT_BUREAU: (
        r"centrales? de riesgos?",
        r"informar\w* (a|en) (las|los|el|la)? ?(centrales?|registros?|buros?|bases?)",
        r"boletin comercial",
        r"registro de deudores",
        r"listas? de morosos",
        r"reportar\w* (como|a)",
    ),
    ToneIssue.SHAMING: (
        r"moros[oa]s?",
        r"mal pagador(a|es)?",
        r"deudor(a|es)? incumplidor(a|es)?",
        r"publicar\w* (tu|su) deuda",
        r"todos sabran",
    ),
    ToneIssue.THIRD_PARTY: (
        r"(a|con) (tu|su|tus|sus) (familia|familiares|empleador|jefe|jefa|"
        r"vecinos|companeros( de trabajo)?|contactos|referencias|conyuge|pareja)",
        r"(tu|su) (lugar de )?trabajo",
    ),
    ToneIssue.FINAL_NOTICE: (
        r"ultimo aviso",
        r"ultima advertencia",
        r"ultima notificacion",
        r"ultima oportunidad",
        r"aviso final",
        r"advertencia final",
    ),
    ToneIssue.URGENCY_THREAT: (
        r"(inmediatamente|de inmediato|ya mismo|urgente|hoy mismo) o\b",
        r"de lo contrario",
        r"(en )?caso contrario",
        r"atenerse a las consecuencias",
        r"atengase a las consecuencias",
        r"sin excepcion(es)?",
    ),
    ToneIssue.INSULT: (
        r"irresponsables?",
        r"sinverguenzas?",
        r"estafador(a|es)?",
        r"ladron(a|es)?",
        r"chantas?",
        r"caraduras?",
        r"mentiros[oa]s?",
        r"aprovechador(a|es)?",
        r"vag[oa]s?",
        r"descarad[oa]s?",
    ),
}

_PORTUGUESE: dict[ToneIssue, tuple[str, ...]] = {
    ToneIssue.LEGAL_THREAT: (
        r"acao judicial",
        r"acoes judiciais",
        r"processo judicial",
        r"process(ar|aremos|ado|ada) (voce|o senhor|a senhora|judicialmente)",
        r"entrar(emos)? com (um )?processo",
        r"cobranca judicial",
        r"advogad[oa]s?",
        r"justica",
        r"protesto",
        r"protestar\w*",
        r"protestad[oa]",
        r"cartorio",
        r"tribunal",
    ),
    ToneIssue.SEIZURE: (
        r"penhora\w*",
        r"apreensao",
        r"busca e apreensao",
        r"leilao",
        r"bloqueio de bens",
    ),
    ToneIssue.CREDIT_BUREAU: (
        r"negativa(r|cao|do|da|remos)\w*",
        r"nome sujo",
        r"cadastro de (inadimplentes|devedores)",
        r"orgaos de protecao ao credito",
    ),
    ToneIssue.SHAMING: (
        r"mau pagador(a|es)?",
        r"calote\w*",
        r"devedor(a|es)? contumaz(es)?",
    ),
    ToneIssue.THIRD_PARTY: (
        r"(a|com|para) (sua|seu|suas|seus) (familia|familiares|empregador|chefe|"
        r"vizinhos|colegas( de trabalho)?|contatos|referencias|conjuge)",
        r"(seu|no seu) (local de )?trabalho",
    ),
    ToneIssue.FINAL_NOTICE: (
        r"ultimo aviso",
        r"ultima advertencia",
        r"ultima notificacao",
        r"ultima chance",
        r"ultima oportunidade",
        r"aviso final",
    ),
    ToneIssue.URGENCY_THREAT: (
        r"(imediatamente|ja|urgente|hoje mesmo) ou\b",
        r"caso contrario",
        r"do contrario",
        r"sob pena de",
        r"arcar com as consequencias",
    ),
    ToneIssue.INSULT: (
        r"irresponsave(l|is)",
        r"vagabund[oa]s?",
        r"safad[oa]s?",
        r"ladra(o|oes)",
        r"golpista\w*",
        r"mentiros[oa]s?",
        r"sem vergonha",
        r"picaret\w*",
    ),
}

_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{[a-z_]+\}", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# A word of this many letters or more in capitals is shouting; shorter ones
# are usually acronyms (CBU, CUIT, PDF, ARS).
_SHOUTED_WORD_LETTERS = 6
_SHOUTED_RUN_WORDS = 3


def _compile(
    *tables: dict[ToneIssue, tuple[str, ...]],
) -> list[tuple[ToneIssue, re.Pattern[str]]]:
    compiled = []
    for table in tables:
        for issue, patterns in table.items():
            joined = "|".join(f"(?:{pattern})" for pattern in patterns)
            compiled.append((issue, re.compile(rf"\b(?:{joined})\b")))
    return compiled


_PATTERNS = {
    "es": _compile(_COMMON, _SPANISH),
    "pt": _compile(_COMMON, _PORTUGUESE),
}


def lint_text(text: str, locale: str) -> list[ToneProblem]:
    """Return the coercive phrases in `text`, in order of position.

    `locale` picks the language (`es_AR`, `es-CO`, `pt_BR`); any locale that
    is not Portuguese is checked as Spanish. An empty list means the text
    passed.
    """
    language = "pt" if locale.lower().startswith("pt") else "es"
    masked = _PLACEHOLDER.sub(lambda match: " " * len(match.group()), text)
    folded, positions = _fold(masked)

    problems = [
        _problem(text, positions, issue, match.start(), match.end())
        for issue, pattern in _PATTERNS[language]
        for match in pattern.finditer(folded)
    ]
    problems.extend(_shouting(masked))
    problems.sort(key=lambda problem: (problem.start, problem.issue))
    return problems


def _fold(text: str) -> tuple[str, list[int]]:
    """Lower-case `text` and strip its accents, mapping each folded character
    back to its index in `text`."""
    chars: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKD", char.lower()):
            if unicodedata.combining(piece):
                continue
            chars.append(piece)
            positions.append(index)
    positions.append(len(text))
    return "".join(chars), positions


def _problem(
    text: str, positions: list[int], issue: ToneIssue, start: int, end: int
) -> ToneProblem:
    original_start = positions[start]
    original_end = positions[end - 1] + 1
    return ToneProblem(
        phrase=text[original_start:original_end],
        issue=issue,
        why=WHY[issue],
        start=original_start,
        end=original_end,
    )


def _shouting(text: str) -> list[ToneProblem]:
    problems: list[ToneProblem] = []
    run: list[re.Match[str]] = []

    def close_run() -> None:
        if len(run) >= _SHOUTED_RUN_WORDS:
            problems.append(_shouted(text, run[0].start(), run[-1].end()))
        else:
            problems.extend(
                _shouted(text, word.start(), word.end())
                for word in run
                if len(word.group()) >= _SHOUTED_WORD_LETTERS
            )
        run.clear()

    for word in _WORD.finditer(text):
        if len(word.group()) >= 2 and word.group().isupper():
            run.append(word)
        else:
            close_run()
    close_run()
    return problems


def _shouted(text: str, start: int, end: int) -> ToneProblem:
    return ToneProblem(
        phrase=text[start:end],
        issue=ToneIssue.SHOUTING,
        why=WHY[ToneIssue.SHOUTING],
        start=start,
        end=end,
    )
