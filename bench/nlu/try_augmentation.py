"""Training-time augmentation, scored on the train split's family folds.

    PYTHONPATH=src /work/venv/bin/python bench/nlu/try_augmentation.py [NAME ...]
        [--seed S] [--show N]

The corpus's templates were written by a few authors, and a new debtor
uses words that none of them did: "guita" for "plata", "te yapeo" for
"te transfiero", "msj" for "mensaje". Each configuration named on the
command line (default: all) adds to each fold's training replies one or
two variants. In a variant some words are swapped, by a hand-written
paraphrase lexicon, for others of the same meaning, gender and number.
`LEXICON` contains the words that debtors of Argentina, Uruguay, Mexico,
Colombia, Chile, Peru and Brazil use for money, invoices, proofs of
payment, messages, sending, paying, installments, work, links, phones,
people to talk to, and chat spellings of courtesies. `EXTRA` was
written after `LEXICON` had been scored: disputes, hand-offs, payment
apps and hardship. The "lexicon2" configurations use both. A fold's
test replies are never augmented.

Slot values are left alone. A word inside the row's date is never
swapped, nor an installment or amount noun in a reply with an amount or
a count, nor a verb after a determiner ("el pago" is a noun). Variants
are drawn by a generator seeded with the reply's text, so a run is
repeatable. A variant carries a sample weight and goes into the same
calibration fold as its reply, so the per-class sigmoids are never
fitted on the score of a reply whose near copy the SVM was trained on.
Without variants the folds are scikit-learn's own for `cv=3`.

It prints, per configuration, the accuracy of `understand()` on each of
the four family folds of `train_folds.py`, their mean, the model alone,
and the number of variants added per fold. `--seed` changes the draws
(default 0). `--show N` prints N variants of the first fold's training
replies instead. The held-out split is never read. Results are in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from cobranza.conversations.corpus import CorpusRow, load_corpus
from cobranza.conversations.model import build_pipeline
from cobranza.conversations.normalize import sentences

sys.path.insert(0, str(Path(__file__).parent))
from train_folds import train_folds, understand_intents  # noqa: E402


@dataclass(frozen=True)
class Group:
    """Forms that can stand for one another in a reply.

    A `verb` form is not swapped after a word of `DETERMINERS`, and a `noun`
    form only after one of `ARTICLES`. A `slot` form is not swapped in a
    reply with an amount or installments, and an `initial` form only at the
    start of a reply.
    """

    forms: tuple[str, ...]
    verb: bool = False
    noun: bool = False
    slot: bool = False
    initial: bool = False


def _g(text: str, **options: bool) -> Group:
    return Group(tuple(form.strip() for form in text.split("|")), **options)


# Each group keeps grammatical gender and number, and the meaning a debtor
# gives the words in a reply about a debt.
LEXICON: dict[str, tuple[Group, ...]] = {
    "es": (
        # Money.
        _g("plata|guita|lana|platita"),
        _g("dinero|billete"),
        # Invoices, and proofs of payment.
        _g("factura|boleta"),
        _g("facturas|boletas"),
        _g("comprobante|recibo|voucher|ticket|soporte de pago"),
        _g("comprobantes|recibos|vouchers"),
        # Messages and the channel.
        _g("mensaje|msj|mensajito"),
        _g("mensajes|msjs|mensajitos"),
        _g("whatsapp|wsp|wpp|whats|wasap"),
        # Sending.
        _g("mandar|enviar"),
        _g("mando|envío", verb=True),
        _g("mandame|enviame|pasame"),
        _g("mándame|envíame|pásame"),
        _g("mándeme|envíeme|páseme"),
        _g("mándenme|envíenme|pásenme"),
        _g("mandenme|envienme|pasenme"),
        _g("manden|envíen", verb=True),
        _g("mandé|envié"),
        _g("mandaron|enviaron"),
        _g("te mando|te envío|te paso"),
        _g("le mando|le envío|le paso"),
        # Paying.
        _g("pagar|abonar|depositar|transferir|consignar|yapear"),
        _g("pago|abono|deposito|transfiero|consigno|yapeo", verb=True),
        _g("pagué|aboné|deposité|transferí|consigné|yapeé"),
        _g("pague|abone|deposite|transfiera|consigne", verb=True),
        _g("pagado|abonado|depositado|transferido"),
        _g("pagada|abonada|depositada|transferida|cancelada"),
        _g("pagarle|abonarle|depositarle|transferirle"),
        _g("pagarte|abonarte|depositarte|transferirte"),
        _g("te pago|te abono|te deposito|te transfiero"),
        _g("le pago|le abono|le deposito|le transfiero"),
        # Installments.
        _g("cuota|mensualidad|parcialidad", slot=True),
        _g("cuotas|mensualidades|parcialidades", slot=True),
        _g("en cuotas|en partes|a plazos|en pagos", slot=True),
        # Work.
        _g("trabajo|laburo|empleo|camello|curro"),
        _g("chamba|pega|chamba fija"),
        # The payment link.
        _g("link|enlace|link de pago"),
        # The phone.
        _g("número|celular|teléfono|cel|nro"),
        _g("equivocado|errado|incorrecto"),
        # People to talk to.
        _g("asesor|agente|operador|ejecutivo|humano|representante|encargado"),
        _g("hablar|comunicarme|conversar"),
        # Now.
        _g("ahora|ahorita|ahora mismo"),
        # Courtesy and chat spellings.
        _g("por favor|porfa|xfa|porfis|x favor|plis"),
        _g("gracias|muchas gracias|mil gracias|grax|gracias mil"),
        _g("que|q"),
        _g("porque|xq|pq|porq"),
        _g("también|tb|tmb"),
        _g("después|dsp|despues"),
        _g(
            "ok|okey|oki|dale|listo|perfecto|vale|de acuerdo|entendido|sale",
            initial=True,
        ),
    ),
    "pt": (
        _g("dinheiro|grana"),
        _g("comprovante|recibo"),
        _g("comprovantes|recibos"),
        _g("mensagem|msg"),
        _g("mensagens|msgs"),
        _g("whatsapp|zap|wpp|whats|zapzap"),
        _g("mandar|enviar"),
        _g("mando|envio", verb=True),
        _g("mandei|enviei"),
        _g("me manda|me envia|manda pra mim"),
        _g("pagar|quitar|depositar|transferir"),
        _g("paguei|quitei|depositei|transferi"),
        _g("pago|quitado|depositado|transferido"),
        _g("parcela|prestação"),
        _g("parcelas|prestações"),
        _g("trabalho|emprego|serviço"),
        _g("link|link de pagamento"),
        _g("número|celular|telefone|cel"),
        _g("atendente|humano|operador|agente|consultor"),
        _g("agora|agora mesmo"),
        _g("por favor|pfv|pf|por gentileza"),
        _g("obrigado|obrigada|valeu|brigado|obg"),
        _g("que|q"),
        _g("porque|pq|por que"),
        _g("também|tb|tbm"),
        _g("você|vc"),
        _g("vocês|vcs"),
        _g("ok|beleza|blz|certo|combinado|fechado|tá bom", initial=True),
    ),
}

# More groups, written after the first lexicon above had been scored on
# the family folds: disputes, hand-offs, payment means and hardship. The
# "lexicon2" configurations use both.
EXTRA: dict[str, tuple[Group, ...]] = {
    "es": (
        _g("plata|guita|lana|platita|feria"),
        _g("dinero|billete|varo|dinerito"),
        _g("sueldo|salario"),
        _g(
            "asesor|agente|operador|ejecutivo|humano|representante|encargado|"
            "supervisor|gerente|jefe"
        ),
        _g("llamame|marcame|hablame"),
        _g("llámame|márcame|háblame"),
        _g("llámeme|márqueme|hábleme"),
        _g("llámenme|márquenme|háblenme"),
        _g("cobro|cargo", noun=True),
        _g("cobros|cargos", noun=True),
        _g("indebido|injustificado|erróneo"),
        _g("monto|importe|valor|total", slot=True),
        _g("compré|pedí|contraté|solicité|adquirí"),
        _g(
            "desempleado|desocupado|sin trabajo|sin empleo|sin laburo|sin chamba|"
            "sin pega|sin camello"
        ),
        _g("difícil|complicado|jodido|fregado"),
        _g("a qué cuenta|a qué cbu|a qué clabe|a qué alias|a qué número de cuenta"),
        _g("transferencia|consignación"),
        _g("depósito|yape|giro", noun=True),
        _g(
            "nequi|daviplata|yape|plin|mercado pago|mercadopago|spei|oxxo|"
            "bancolombia|bcp|interbank|brou|transferencia"
        ),
        _g(
            "entendido|comprendo|entiendo|recibido|anotado|genial|joya|bárbaro|"
            "excelente",
            initial=True,
        ),
    ),
    "pt": (
        _g("desempregado|sem trabalho|sem emprego|sem serviço"),
        _g("difícil|complicado|apertado"),
        _g("me liga|me ligue|liga pra mim"),
        _g("pix|ted|depósito|pagamento", noun=True),
        _g("comprei|pedi|contratei"),
        _g("valor|montante|total", slot=True),
        _g("salário|pagamento do mês"),
        _g("entendi|entendido|recebido|anotado|show|massa", initial=True),
    ),
}

# After these words a pay verb's form is a noun or a participle ("el pago",
# "punto de pago", "está pago").
# NOTE: "está", "quedó", "queda" and "estaba" were added after the
# "lexicon" configurations had run. Their figures in docs/benchmarks.md come
# from the list without those four words, and the "lexicon2" figures from
# this list.
DETERMINERS = frozenset(
    "el un del al mi su tu ese este otro primer segundo último ultimo nuestro "
    "cada buen ningún algún de con sin por está quedó queda estaba o um do no meu "
    "seu esse este ao pelo "
    "primeiro".split()
)

ARTICLES = DETERMINERS | frozenset(
    "la una esa esta los las unos unas esos estos mis tus sus da na minha sua "
    "essa pela os as".split()
)

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _Compiled:
    pattern: re.Pattern[str]
    groups_of: dict[str, list[Group]]


def _compile(groups: Sequence[Group]) -> _Compiled:
    groups_of: dict[str, list[Group]] = {}
    for group in groups:
        for form in group.forms:
            groups_of.setdefault(form.lower(), []).append(group)
    forms = sorted(groups_of, key=len, reverse=True)
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(form) for form in forms) + r")(?!\w)",
        re.IGNORECASE,
    )
    return _Compiled(pattern, groups_of)


_COMPILED = {
    (language, False): _compile(groups) for language, groups in LEXICON.items()
} | {
    (language, True): _compile(groups + EXTRA[language])
    for language, groups in LEXICON.items()
}


def _with_case(source: str, replacement: str) -> str:
    if source.isupper() and len(source) > 1:
        return replacement.upper()
    if source[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _candidates(row: CorpusRow, extra: bool) -> list[tuple[int, int, str, list[str]]]:
    """Return (start, end, matched text, alternatives) for each swappable span."""
    compiled = _COMPILED["pt" if row.locale.startswith("pt") else "es", extra]
    text = row.text
    protected: list[tuple[int, int]] = []
    if row.date_text:
        start = text.lower().find(row.date_text.lower())
        if start >= 0:
            protected.append((start, start + len(row.date_text)))
    has_slot = bool(row.amount) or bool(row.installments)
    result = []
    for match in compiled.pattern.finditer(text):
        start, end = match.span()
        if any(start < p_end and p_start < end for p_start, p_end in protected):
            continue
        before = _WORD.findall(text[:start])
        previous = before[-1].lower() if before else ""
        alternatives: set[str] = set()
        for group in compiled.groups_of[match.group(1).lower()]:
            if group.verb and previous in DETERMINERS:
                continue
            if group.noun and previous not in ARTICLES:
                continue
            if group.slot and has_slot:
                continue
            if group.initial and before:
                continue
            alternatives.update(group.forms)
        alternatives.discard(match.group(1).lower())
        if alternatives:
            result.append((start, end, match.group(1), sorted(alternatives)))
    return result


def lexicon_variant(
    row: CorpusRow, rng: random.Random, extra: bool = False
) -> str | None:
    """Return `row.text` with some lexicon words swapped, or None if none can be."""
    spans = _candidates(row, extra)
    if not spans:
        return None
    chosen = [span for span in spans if rng.random() < 0.7] or [rng.choice(spans)]
    pieces = []
    position = 0
    for start, end, matched, alternatives in chosen:
        pieces.append(row.text[position:start])
        pieces.append(_with_case(matched, rng.choice(alternatives)))
        position = end
    pieces.append(row.text[position:])
    return "".join(pieces)


@dataclass(frozen=True)
class Config:
    """Variants per reply, their sample weight, and whether `EXTRA` is used."""

    lexicon_variants: int = 0
    weight: float = 1.0
    extra: bool = False


CONFIGS = {
    "none": Config(),
    "lexicon x1 w1": Config(lexicon_variants=1),
    "lexicon x2 w0.5": Config(lexicon_variants=2, weight=0.5),
    "lexicon2 x1 w1": Config(lexicon_variants=1, extra=True),
    "lexicon2 x2 w0.5": Config(lexicon_variants=2, weight=0.5, extra=True),
    "lexicon2 x2 w1": Config(lexicon_variants=2, extra=True),
}


def augment(
    rows: Sequence[CorpusRow], config: Config, seed: int = 0
) -> tuple[list[str], list[str], list[float], list[int]]:
    """Return texts, intents, weights and source row indices, originals first."""
    texts = [row.text for row in rows]
    intents = [row.intent for row in rows]
    weights = [1.0] * len(rows)
    sources = list(range(len(rows)))
    for index, row in enumerate(rows):
        rng = random.Random(f"{seed}:{row.text}")
        seen = {row.text}
        for _ in range(config.lexicon_variants):
            variant = lexicon_variant(row, rng, config.extra)
            if variant is None or variant in seen:
                continue
            seen.add(variant)
            texts.append(variant)
            intents.append(row.intent)
            weights.append(config.weight)
            sources.append(index)
    return texts, intents, weights, sources


def calibration_splits(
    intents: Sequence[str], sources: Sequence[int]
) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """Return the 3 calibration folds for replies and their variants.

    The replies (`intents` has one label per reply) are split as
    scikit-learn splits them for `cv=3`. Each variant goes with its reply,
    whose index `sources` gives for every text.
    """
    split_of = np.empty(len(intents), dtype=np.int64)
    folds = StratifiedKFold(n_splits=3).split(np.zeros(len(intents)), intents)
    for number, (_, held) in enumerate(folds):
        split_of[held] = number
    calibration = split_of[np.asarray(sources, dtype=np.int64)]
    return [
        (np.flatnonzero(calibration != k), np.flatnonzero(calibration == k))
        for k in range(3)
    ]


def fit(
    rows: Sequence[CorpusRow], config: Config, seed: int = 0
) -> tuple[Pipeline, int]:
    """Fit the shipped pipeline on `rows` and their variants."""
    texts, intents, weights, sources = augment(rows, config, seed)
    pipeline = build_pipeline()
    pipeline["classifier"].set_params(
        cv=calibration_splits([row.intent for row in rows], sources)
    )
    weighted = None if all(w == 1.0 for w in weights) else np.array(weights)
    pipeline.fit(texts, intents, classifier__sample_weight=weighted)
    return pipeline, len(texts) - len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(CONFIGS), metavar="NAME")
    parser.add_argument("--seed", type=int, default=0, help="seed of the variants")
    parser.add_argument("--show", type=int, default=0, help="print N variants and stop")
    arguments = parser.parse_args()
    folds = train_folds(load_corpus())
    if arguments.show:
        config = CONFIGS[arguments.names[0]]
        texts, _, _, sources = augment(folds[0].train, config, arguments.seed)
        added = len(texts) - len(folds[0].train)
        rng = random.Random(1)
        for i in sorted(rng.sample(range(added), arguments.show)):
            j = len(folds[0].train) + i
            print(f"{folds[0].train[sources[j]].text!r}\n  -> {texts[j]!r}")
        print(f"added {added} to {len(folds[0].train)}")
        return
    for name in arguments.names:
        config = CONFIGS[name]
        started = time.perf_counter()
        full_scores, alone_scores, added_counts = [], [], []
        for fold_ in folds:
            pipeline, added = fit(fold_.train, config, arguments.seed)
            labels = [str(label) for label in pipeline.classes_]
            texts = sorted(
                {row.text for row in fold_.test}
                | {part for row in fold_.test for part in sentences(row.text)}
            )
            cached = dict(zip(texts, pipeline.predict_proba(texts), strict=True))
            expected = [row.intent for row in fold_.test]
            alone = [labels[int(np.argmax(cached[row.text]))] for row in fold_.test]
            full = understand_intents(
                fold_.test,
                lambda t, c=cached: np.array([c[text] for text in t]),
                labels,
            )
            full_scores.append(_accuracy(expected, full))
            alone_scores.append(_accuracy(expected, alone))
            added_counts.append(added)
            print(f"  {name} fold {fold_.remainder}: {full_scores[-1]:.4f}", flush=True)
        listed = " ".join(f"{score:.4f}" for score in full_scores)
        print(
            f"{name}: understand() mean {statistics.mean(full_scores):.4f} "
            f"[{listed}], model alone mean {statistics.mean(alone_scores):.4f}; "
            f"added {statistics.mean(added_counts):.0f} replies per fold "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )


def _accuracy(expected: list[str], predicted: list[str]) -> float:
    return sum(e == p for e, p in zip(expected, predicted, strict=True)) / len(expected)


if __name__ == "__main__":
    main()
