"""Text normalisation and number words shared by the reply parsers.

Replies are lower-cased, stripped of accents and emojis, and split into
tokens, so that "MAÑANA", "mañana" and "manana" read the same.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# A token is a run of letters, a number with its inner separators
# ("12.500,50", "10/4", "10-04"), a currency sign, or one punctuation mark.
_TOKEN = re.compile(r"r\$|\d+(?:[.,/\-]\d+)*|[a-z]+|[$%x]|[^\sa-z0-9]")


# Emojis that carry a meaning in a reply become words; others become spaces.
_EMOJI_WORDS = str.maketrans(
    {"👍": " thumbsup ", "👌": " thumbsup ", "✅": " thumbsup ", "🙏": " pray "}
)


# Three or more of one letter ("holaaa", "siiii") are chat emphasis, never
# spelling: Spanish and Portuguese double letters at most ("ll", "rr", "ss").
_ELONGATED = re.compile(r"([a-z])\1{2,}")


# Cached: understanding one reply folds the same text about a dozen times
# (each feature set, the cue words, the opt-out rules and each entity
# parser), which was a third of its time.
@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case `text`, strip accents, emojis and symbols, and undo elongation.

    Emojis and symbols other than "$" become spaces; runs of three or more of
    one letter become that letter once.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_EMOJI_WORDS))
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category == "Mn":
            continue
        if category.startswith("S") and char != "$":
            kept.append(" ")
            continue
        kept.append(char)
    return _ELONGATED.sub(r"\1", "".join(kept))


# A sentence ends at ".", "!", "?" or "…" followed by a space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])\s+|\n+")
_WORD = re.compile(r"\w")


def sentences(text: str) -> list[str]:
    """Split `text` into sentences that contain at least one letter or digit."""
    return [part for part in _SENTENCE_END.split(text) if _WORD.search(part)]


def tokenize(text: str) -> list[str]:
    """Split folded text into word, number and punctuation tokens."""
    return _TOKEN.findall(fold(text))


# Month names, Spanish and Portuguese, folded, with their numbers.
MONTHS = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
    "janeiro": 1,
    "fevereiro": 2,
    "marco": 3,
    "maio": 5,
    "junho": 6,
    "julho": 7,
    "setembro": 9,
    "outubro": 10,
    "novembro": 11,
    "dezembro": 12,
}


_UNITS = {
    "cero": 0,
    "un": 1,
    "uno": 1,
    "una": 1,
    "primero": 1,
    "primer": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "once": 11,
    "doce": 12,
    "trece": 13,
    "catorce": 14,
    "quince": 15,
    "dieciseis": 16,
    "diecisiete": 17,
    "dieciocho": 18,
    "diecinueve": 19,
    "veinte": 20,
    "veintiun": 21,
    "veintiuno": 21,
    "veintidos": 22,
    "veintitres": 23,
    "veinticuatro": 24,
    "veinticinco": 25,
    "veintiseis": 26,
    "veintisiete": 27,
    "veintiocho": 28,
    "veintinueve": 29,
    # Portuguese words that differ from the Spanish ones.
    "um": 1,
    "uma": 1,
    "duas": 2,
    "quatro": 4,
    "sete": 7,
    "oito": 8,
    "nove": 9,
    "dez": 10,
    "doze": 12,
    "quinze": 15,
    "vinte": 20,
}
_TENS = {
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "sesenta": 60,
    "setenta": 70,
    "ochenta": 80,
    "noventa": 90,
    "trinta": 30,
}
_HUNDREDS = {
    "cien": 100,
    "ciento": 100,
    "doscientos": 200,
    "trescientos": 300,
    "cuatrocientos": 400,
    "quinientos": 500,
    "seiscientos": 600,
    "setecientos": 700,
    "ochocientos": 800,
    "novecientos": 900,
    "cem": 100,
    "cento": 100,
    "duzentos": 200,
    "trezentos": 300,
    "quinhentos": 500,
}
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_HUNDREDS)


@lru_cache(maxsize=4096)
def word_number(tokens: tuple[str, ...]) -> tuple[int, int] | None:
    """Read a number written in words at the start of `tokens`.

    Returns the value and how many tokens it used, or None. Handles
    "veintitres", "treinta y uno", "mil novecientos noventa" and
    "dos mil quinientos"; "mil" and "millones" multiply what precedes them.
    """
    total = 0
    current = 0
    used = 0
    seen = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in _UNITS:
            current += _UNITS[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token in _HUNDREDS:
            current += _HUNDREDS[token]
        elif token == "mil" and (seen or index == 0):
            total += max(current, 1) * 1000
            current = 0
        elif token in ("millon", "millones", "milhao", "milhoes") and seen:
            total += max(current, 1) * 1_000_000
            current = 0
        elif token in ("y", "e") and seen and index + 1 < len(tokens):
            following = tokens[index + 1]
            if following not in _UNITS and following not in _TENS:
                break
        else:
            break
        seen = True
        index += 1
        used = index
    if not seen:
        return None
    return total + current, used


def edit_distance(left: str, right: str) -> int:
    """Return the optimal-string-alignment distance between two words.

    Like Levenshtein, plus swapping two adjacent letters costs one edit.
    """
    rows = [list(range(len(right) + 1))]
    for i in range(1, len(left) + 1):
        row = [i] + [0] * len(right)
        for j in range(1, len(right) + 1):
            cost = 0 if left[i - 1] == right[j - 1] else 1
            row[j] = min(row[j - 1] + 1, rows[i - 1][j] + 1, rows[i - 1][j - 1] + cost)
            if (
                i > 1
                and j > 1
                and left[i - 1] == right[j - 2]
                and left[i - 2] == right[j - 1]
            ):
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def same_start(word: str, target: str) -> bool:
    """Tell whether a typo of `target` keeps its first letter, up to b/v or a swap.

    Typing slips rarely hit the first letter, so fuzzy keyword rules ask for
    it to match, except for b and v, which sound alike in Spanish, and for
    the first two letters swapped ("ucanto" for "cuanto").
    """
    return (
        word[0] == target[0]
        or {word[0], target[0]} == {"b", "v"}
        or word[1::-1] == target[:2]
    )
