"""The labelled reply corpus: generation from templates, loading and splits.

The corpus is built from the hand-written templates in `corpus_replies` by
filling slots and adding the noise of real chat: no accents, typos,
abbreviations, emojis and greetings. The seed is fixed, so the shipped file
can be rebuilt byte for byte:

    python -m cobranza.conversations.corpus

Every row carries its template group. The held-out split is made by family
of near-paraphrase templates, never by row, so that no variant or close
paraphrase of a test template is ever trained on. Templates come in
layers, `corpus_replies` first and then `corpus_layer2` to `corpus_layer5`.
`template_layout` says how a later layer joins the split without moving an
earlier one.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from cobranza.conversations import (
    corpus_layer2,
    corpus_layer3,
    corpus_layer4,
    corpus_layer5,
    corpus_replies,
)
from cobranza.conversations import corpus_templates as templates
from cobranza.conversations.normalize import fold

CORPUS_FILE = "corpus.tsv"
FIELDS = (
    "group",
    "split",
    "locale",
    "intent",
    "text",
    "date_text",
    "promised_date",
    "amount",
    "installments",
)
SEED = 20260319
VARIANTS_PER_TEMPLATE = 5
MIXED_REPLIES = 1000
# Every fifth template family of each intent, counting from the fourth, is
# held out.
TEST_EVERY = 5
TEST_OFFSET = 3
FAMILY_SIMILARITY = 0.5

_LOCALES = {
    "AR": "es_AR",
    "MX": "es_MX",
    "CO": "es_CO",
    "CL": "es_CL",
    "PE": "es_PE",
    "UY": "es_UY",
    "BR": "pt_BR",
}
_SPANISH_REGIONS = ("AR", "MX", "CO", "CL", "PE", "UY")
# Pairs of intents that real replies combine ("gracias, te pago el viernes").
_MIXES = (
    ("cannot_pay", "request_installments"),
    ("cannot_pay", "promise_to_pay"),
    ("acknowledge", "promise_to_pay"),
    ("acknowledge", "request_payment_link"),
    ("promise_to_pay", "request_payment_link"),
    ("already_paid", "other"),
    ("already_paid", "acknowledge"),
    ("dispute", "request_human"),
    ("dispute", "already_paid"),
    ("cannot_pay", "request_human"),
    ("wrong_person", "opt_out"),
    ("dispute", "opt_out"),
    ("request_installments", "request_payment_link"),
    ("other", "promise_to_pay"),
    ("cannot_pay", "opt_out"),
    ("request_human", "other"),
    ("wrong_person", "other"),
    ("already_paid", "request_human"),
    ("already_paid", "opt_out"),
    ("acknowledge", "opt_out"),
    ("acknowledge", "cannot_pay"),
    ("other", "request_payment_link"),
    ("wrong_person", "dispute"),
    ("promise_to_pay", "request_installments"),
)
_SLOT = re.compile(r"\{(date|amount|n|money)\}")
_ABBREVIATIONS = {
    "que": "q",
    "por favor": "porfa",
    "porque": "xq",
    "también": "tmb",
    "mensajes": "msjs",
    "mensaje": "msj",
    "por": "x",
    "mañana": "mñn",
    "você": "vc",
    "não": "n",
    "beleza": "blz",
    "para": "pa",
    "después": "dsp",
    "gracias": "grax",
    "cuando": "cdo",
    "está": "ta",
    "estoy": "toy",
    "também": "tb",
    "para o": "pro",
}
_EMOJIS = (
    "🙏",
    "😅",
    "🙂",
    "😔",
    "🤞",
    "😊",
    "💸",
    "🙌",
    "😭",
    "🤷",
    "😞",
    "💪",
    "✌️",
    "😬",
    "🙏🙏",
    "😅😅",
)
_MARKS = ("!!", "!!!", "??", "...")
_LAUGHS = {"BR": ("kkk", "kkkkk", "rsrs"), "es": ("jaja", "jajaja", "jsjs")}


@dataclass(frozen=True)
class CorpusRow:
    """One labelled reply with its template group and entity annotations."""

    group: str
    split: str
    locale: str
    intent: str
    text: str
    date_text: str = ""
    promised_date: str = ""
    amount: str = ""
    installments: str = ""


def _fillers(region: str) -> dict[str, list[tuple[str, str]]]:
    if region == "BR":
        return {
            "date": templates.DATES_PT,
            "amount": templates.AMOUNTS_PT,
            "n": [(text, str(n)) for text, n in templates.INSTALLMENTS_PT],
            "money": [(word, "") for word in templates.MONEY_WORDS["BR"]],
        }
    installments = templates.INSTALLMENTS_ES + templates.INSTALLMENTS_REGIONAL.get(
        region, []
    )
    return {
        "date": templates.DATES_ES + templates.DATES_REGIONAL.get(region, []),
        "amount": templates.AMOUNTS_ES + templates.AMOUNTS_REGIONAL.get(region, []),
        "n": [(text, str(n)) for text, n in installments],
        "money": [(word, "") for word in templates.MONEY_WORDS[region]],
    }


def _typo(word: str, rng: random.Random) -> str:
    """Swap, drop or double one letter, as fast thumbs do, or misspell by ear."""
    if len(word) < 4 or not word.isalpha():
        return word
    position = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "sound"))
    if kind == "swap":
        return (
            word[: position - 1]
            + word[position]
            + word[position - 1]
            + word[position + 1 :]
        )
    if kind == "drop":
        return word[:position] + word[position + 1 :]
    if kind == "sound":
        return _misspell_by_ear(word, rng)
    return word[:position] + word[position] + word[position:]


# Spellings that sound alike in Latin American Spanish and Brazilian
# Portuguese: seseo ("grasias"), yeísmo ("yamo"), b/v, the silent h.
_SOUND_ALIKE = (
    ("ci", "si"),
    ("ce", "se"),
    ("z", "s"),
    ("ll", "y"),
    ("v", "b"),
    ("b", "v"),
    ("qu", "k"),
    ("ss", "s"),
    ("ç", "s"),
)


def _misspell_by_ear(word: str, rng: random.Random) -> str:
    if word.startswith("h") and rng.random() < 0.5:
        return word[1:]
    choices = [(old, new) for old, new in _SOUND_ALIKE if old in word]
    if not choices:
        return word
    old, new = rng.choice(choices)
    return word.replace(old, new, 1)


def _elongate(word: str, rng: random.Random) -> str:
    """Repeat the last letter of a word, as in "holaaa" or "graciasss"."""
    if len(word) < 2 or not word[-1].isalpha():
        return word
    return word + word[-1] * rng.randint(1, 3)


def _noisy_literal(text: str, rng: random.Random) -> str:
    """Add abbreviations and typos to template words (never to slots)."""
    for full, short in _ABBREVIATIONS.items():
        if rng.random() < 0.15:
            text = re.sub(rf"\b{full}\b", short, text)
    words = text.split(" ")
    if words and rng.random() < 0.3:
        index = rng.randrange(len(words))
        words[index] = _typo(words[index], rng)
    if words and rng.random() < 0.12:
        index = rng.randrange(len(words))
        words[index] = _elongate(words[index], rng)
    return " ".join(words)


def _strip_accents(text: str) -> str:
    table = str.maketrans("áéíóúâêôãõçÁÉÍÓÚ", "aeiouaeoaocAEIOU")
    return text.translate(table)


def _surface(text: str, region: str, rng: random.Random) -> str:
    """Add greetings, sign-offs, casing and punctuation habits."""
    key = region if region in templates.GREETINGS else "es"
    if rng.random() < 0.35:
        greeting = rng.choice(templates.GREETINGS[key])
        text = f"{greeting}{rng.choice((', ', ' ', '! ', '. '))}{text}"
    if rng.random() < 0.3:
        sign_off = rng.choice(templates.SIGN_OFFS[key])
        text = f"{text}{rng.choice((' ', ', ', '. '))}{sign_off}"
    if rng.random() < 0.2:
        text = f"{text} {rng.choice(_EMOJIS)}"
    elif rng.random() < 0.1:
        text = f"{text}{rng.choice(_MARKS)}"
    elif rng.random() < 0.05:
        laughs = _LAUGHS["BR" if region == "BR" else "es"]
        text = f"{rng.choice(laughs)} {text}"
    if rng.random() < 0.6:
        text = text.replace("¿", "").replace("¡", "")
    if rng.random() < 0.5:
        text = _strip_accents(text).replace("ñ", rng.choice(("n", "ñ")))
    if rng.random() < 0.6:
        text = text.lower()
    elif rng.random() < 0.04:
        text = text.upper()
    else:
        text = text[:1].upper() + text[1:]
    return text


def _realise(
    template: str, region: str, rng: random.Random
) -> tuple[str, dict[str, str]]:
    """Fill the slots of one template and return the text and annotations."""
    fillers = _fillers(region)
    annotations: dict[str, str] = {}
    pieces = _SLOT.split(template)
    out: list[str] = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            out.append(_noisy_literal(piece, rng))
            continue
        text, value = rng.choice(fillers[piece])
        out.append(text)
        if piece == "date":
            annotations["date_text"] = text
            annotations["promised_date"] = value
        elif piece == "amount":
            annotations["amount"] = value
        elif piece == "n":
            annotations["installments"] = value
    return _surface("".join(out), region, rng), annotations


def template_families(texts: list[str]) -> list[int]:
    """Label near-paraphrase templates with one family number.

    Two templates whose character 3-5-gram TF-IDF vectors (slots removed)
    have a cosine similarity of at least `FAMILY_SIMILARITY` are linked, and
    a family is a connected component of those links. "¿a qué corresponde
    este cobro?" and "¿a qué se debe este cobro?" are one family, so a
    paraphrase can never sit in training while its twin is held out.
    """
    bare = [_SLOT.sub(" ", text) for text in texts]
    vectors = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), preprocessor=fold
    ).fit_transform(bare)
    linked = cosine_similarity(vectors) >= FAMILY_SIMILARITY
    _, labels = connected_components(csr_matrix(linked), directed=False)
    return [int(label) for label in labels]


def family_ranks(texts: list[str]) -> list[int]:
    """Number each template's family by the order of its first template."""
    families = template_families(texts)
    first_index: dict[int, int] = {}
    for index, family in enumerate(families):
        first_index.setdefault(family, index)
    ordered = sorted(first_index, key=first_index.__getitem__)
    rank = {family: position for position, family in enumerate(ordered)}
    return [rank[family] for family in families]


def layers() -> tuple[dict[str, list[tuple[str, str]]], ...]:
    """Return the template layers, oldest first."""
    return (
        corpus_replies.TEMPLATES,
        corpus_layer2.TEMPLATES,
        corpus_layer3.TEMPLATES,
        corpus_layer4.TEMPLATES,
        corpus_layer5.TEMPLATES,
    )


def template_layout(intent: str) -> list[tuple[int, int]]:
    """Return the family and the fold of each template of `intent`.

    The list covers the templates of every layer in order. Folds run from 0
    to `TEST_EVERY` - 1, and fold `TEST_OFFSET` is the held-out split. A
    first-layer template's family is its rank among the first layer's
    families, and its fold is that rank modulo `TEST_EVERY`. Each later
    layer is placed without moving an earlier one: a template linked (over
    this and every earlier layer) to an earlier family joins it, taking
    the held-out fold if it links to a held-out family at all. Families
    made of one layer's templates alone are numbered after every earlier
    family and folded by their own order.
    """
    placed_texts: list[str] = []
    layout: list[tuple[int, int]] = []
    next_family = 0
    for layer in layers():
        texts = [template for _, template in layer.get(intent, [])]
        if not texts:
            continue
        families = template_families(placed_texts + texts)
        linked: dict[int, list[tuple[int, int]]] = {}
        for index, placed in enumerate(layout):
            linked.setdefault(families[index], []).append(placed)
        new_ranks: dict[int, int] = {}
        for family in families[len(placed_texts) :]:
            earlier = linked.get(family)
            if earlier:
                held_out = [place for place in earlier if place[1] == TEST_OFFSET]
                layout.append((held_out or earlier)[0])
            else:
                rank = new_ranks.setdefault(family, len(new_ranks))
                layout.append((next_family + rank, rank % TEST_EVERY))
        next_family += len(new_ranks)
        placed_texts.extend(texts)
    return layout


def intents_with_templates() -> list[str]:
    """Return every intent that has templates, in the order of the layers."""
    return list(dict.fromkeys(intent for layer in layers() for intent in layer))


def template_folds(intent: str) -> list[int]:
    """Return the fold of each template of `intent` (see `template_layout`)."""
    return [fold_number for _, fold_number in template_layout(intent)]


def template_layer(group: str) -> int:
    """Return the layer (1 for the first) of a row's template.

    A mixed reply takes the later layer of its two templates.
    """
    result = 0
    parts = group[len("mix/") :].split("+") if group.startswith("mix/") else [group]
    for part in parts:
        intent, index_text = part.split("/")
        index = int(index_text)
        for number, layer in enumerate(layers(), start=1):
            size = len(layer.get(intent, []))
            if index < size:
                result = max(result, number)
                break
            index -= size
    return result


def generate() -> list[CorpusRow]:
    """Build the whole corpus from the templates, deterministically.

    Each layer's replies and mixes are written before the next layer's, so
    that a new layer leaves every earlier row as it was. A mix of a later
    layer joins at least one template of that layer.

    NOTE: every reply is synthetic. Held-out scores measure new phrasings
    by the same authors, not real debtors; a labelled sample of real
    replies is still needed to know the model's accuracy in use.
    """
    rng = random.Random(SEED)
    rows: list[CorpusRow] = []
    # Texts already produced, lower-cased: a reply appears once in the corpus.
    seen: set[str] = set()
    by_intent: dict[str, list[_Entry]] = {}
    all_layers = layers()
    first_count = sum(map(len, all_layers[0].values()))
    layouts = {intent: template_folds(intent) for intent in intents_with_templates()}
    starts: dict[str, int] = {}
    for number, layer in enumerate(all_layers):
        layer_entries: dict[str, list[_Entry]] = {}
        for intent, entries in layer.items():
            start = starts.get(intent, 0)
            starts[intent] = start + len(entries)
            for offset, (region, template) in enumerate(entries):
                index = start + offset
                group = f"{intent}/{index:02d}"
                split = "test" if layouts[intent][index] == TEST_OFFSET else "train"
                entry = (group, split, region, template)
                by_intent.setdefault(intent, []).append(entry)
                layer_entries.setdefault(intent, []).append(entry)
                for _ in range(VARIANTS_PER_TEMPLATE):
                    chosen = rng.choice(_SPANISH_REGIONS) if region == "es" else region
                    text, annotations = _realise(template, chosen, rng)
                    if text.lower() in seen:
                        continue
                    seen.add(text.lower())
                    rows.append(
                        CorpusRow(
                            group=group,
                            split=split,
                            locale=_LOCALES[chosen],
                            intent=intent,
                            text=text,
                            **annotations,
                        )
                    )
        layer_count = sum(map(len, layer.values()))
        mixes = MIXED_REPLIES * layer_count // first_count
        # The first layer's mixes draw their first part from every template
        # so far, which are its own; later layers draw it from their own.
        first_parts = by_intent if number == 0 else layer_entries
        for row in _mixed(first_parts, by_intent, mixes, rng):
            if row.text.lower() not in seen:
                seen.add(row.text.lower())
                rows.append(row)
    return rows


# A template as the generator carries it: group, split, region, text.
_Entry = tuple[str, str, str, str]


def _mixed(
    first_parts: dict[str, list[_Entry]],
    by_intent: dict[str, list[_Entry]],
    count: int,
    rng: random.Random,
) -> Iterator[CorpusRow]:
    """Join two templates of one split and label them by precedence.

    The first template is drawn from `first_parts`, the second from
    `by_intent`.
    """
    if not any(first_parts.get(intent) for intent, _ in _MIXES):
        return
    produced = 0
    while produced < count:
        first_intent, second_intent = rng.choice(_MIXES)
        if not first_parts.get(first_intent):
            continue
        first = rng.choice(first_parts[first_intent])
        portuguese = first[2] == "BR"
        candidates = [
            entry
            for entry in by_intent[second_intent]
            if entry[1] == first[1] and (entry[2] == "BR") == portuguese
        ]
        if not candidates:
            continue
        second = rng.choice(candidates)
        region = first[2] if first[2] != "es" else second[2]
        if region == "es":
            region = rng.choice(_SPANISH_REGIONS)
        parts = [first, second] if rng.random() < 0.5 else [second, first]
        texts: list[str] = []
        annotations: dict[str, str] = {}
        for part in parts:
            text, found = _realise(part[3], region, rng)
            texts.append(text)
            for key, value in found.items():
                annotations.setdefault(key, value)
        intent = min((first_intent, second_intent), key=templates.PRECEDENCE.index)
        joiner = rng.choice((". ", ", ", " ", "\u2026 ", "! "))
        produced += 1
        yield CorpusRow(
            group=f"mix/{first[0]}+{second[0]}",
            split=first[1],
            locale=_LOCALES[region],
            intent=intent,
            text=joiner.join(texts),
            **annotations,
        )


def dumps(rows: Iterable[CorpusRow]) -> str:
    """Serialise rows as tab-separated text with a header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([getattr(row, field) for field in FIELDS])
    return buffer.getvalue()


def loads(text: str) -> list[CorpusRow]:
    """Parse rows written by `dumps`."""
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    return [CorpusRow(**{field: row[field] for field in FIELDS}) for row in reader]


def shipped_text() -> str:
    """Return the text of the corpus file shipped in the package."""
    data = resources.files("cobranza.conversations") / "data" / CORPUS_FILE
    return data.read_text(encoding="utf-8")


def load_corpus() -> list[CorpusRow]:
    """Load the shipped corpus."""
    return loads(shipped_text())


def split_rows(rows: Iterable[CorpusRow], split: str) -> list[CorpusRow]:
    """Return the rows of one split ("train" or "test")."""
    return [row for row in rows if row.split == split]


def main() -> None:
    target = Path(__file__).parent / "data" / CORPUS_FILE
    rows = generate()
    target.write_text(dumps(rows), encoding="utf-8")
    print(f"wrote {len(rows)} replies to {target}")


if __name__ == "__main__":
    main()
