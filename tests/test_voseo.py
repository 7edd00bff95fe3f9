"""The owner's voseo text and its tú forms.

The scan reads every owner-facing literal: the dashboard templates, the
labels and messages of the Python modules and the terminal's strings. It
fails on a word that looks like a voseo form but has no tú form in
`TU_FORMS`, so a new "revisá" cannot reach a Mexican owner untranslated.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cobranza.voseo import TU_FORMS, owner_text, to_tu, uses_voseo
from cobranza.web.templating import TEMPLATES_DIR, templates

SOURCE_DIR = Path(__file__).parents[1] / "src" / "cobranza"

# Modules whose literals a debtor reads or writes, never the owner. They are
# the reminder texts (each locale has its own), the reply corpus and the
# patterns that read replies, and the simulated debtors. The payment page
# and the words the tone check looks for in debtor messages count too.
DEBTOR_SOURCES = (
    "messages/",
    "conversations/amounts.py",
    "conversations/complaints.py",
    "conversations/corpus",
    "conversations/cues.py",
    "conversations/dates.py",
    "conversations/installments.py",
    "conversations/optin.py",
    "conversations/optout.py",
    "conversations/train.py",
    "conversations/understand.py",
    "compliance/tone.py",
    "simulate/",
    "web/pay_pages.py",
    "web/payments.py",
)
# Calls whose text arguments are a debtor's reply.
DEBTOR_TEXT_CALLS = frozenset({"DemoReply"})

# Words the scan flags that are not voseo forms, or read the same with tú.
NOT_VOSEO = frozenset(
    {
        # Adverbs, pronouns, nouns and adjectives with a stressed last vowel.
        "acá",
        "además",
        "ahí",
        "allá",
        "allí",
        "aquí",
        "así",
        "atrás",
        "después",
        "jamás",
        "más",
        "país",
        "portugués",
        "qué",
        "sí",
        "mié",
        # Verb forms shared by vos and tú: the third person, the subjunctive
        # and the first-person preterite.
        "está",
        "esté",
        "pagué",
        "quedé",
        "transferí",
        "admite",
        "imprime",
        "instala",
        "omite",
        "permite",
        "promete",
        "repite",
        # Nouns and adjectives that end like a pronoun attached to a verb.
        "buenos",
        "canales",
        "chile",
        "chilenos",
        "colombianos",
        "credenciales",
        "decimales",
        "fiscales",
        "generales",
        "legales",
        "límite",
        "limite",
        "locales",
        "modelo",
        "ocasionales",
        "parcela",
        "personales",
        "principales",
        "totales",
        # English identifiers and HTML attribute values in owner literals.
        "asctime",
        "create",
        "datetime",
        "duplicate",
        "filename",
        "frame",
        "immediate",
        "levelname",
        "locale",
        "mobile",
        "novalidate",
        "private",
        "scale",
        "sqlite",
        "stale",
        "state",
        "strftime",
        "strptime",
        "suite",
        "template",
        "username",
        "write",
        # Portuguese words of the Brazilian labels.
        "há",
        "já",
    }
)

_WORD = re.compile(r"[^\W\d_]+")
# A stressed last syllable written with an accent: "revisá", "escribí",
# "podés", "escribís".
_STRESSED_END = re.compile(r"[áéí]s?$")
# An imperative with a pronoun attached: "revisalo", "pedile", "fijate".
_ATTACHED_PRONOUN = re.compile(
    r"^[^\W\d_]{2,}[aei](?:lo|la|los|las|le|les|me|nos|te)$", re.IGNORECASE
)
_FORMS_WITHOUT_ACCENT = frozenset({"vos", "sos", "fijate"})
# Markup inside a template's text: a tag's name and an attribute's name.
_TAG_NAME = re.compile(r"</?[a-zA-Z][\w-]*")
_ATTRIBUTE_NAME = re.compile(r"\s[a-zA-Z][\w-]*=")


def voseo_candidates(text: str, prose: bool) -> Iterator[str]:
    """Yield the lower-case words of `text` that may be voseo forms.

    With `prose`, words with an attached pronoun count too. Single words
    such as "state" are identifiers, so only sentences are read for those.
    A single letter ("í" in a table of accents) is no word.
    """
    for word in _WORD.findall(text):
        lower = word.lower()
        if len(lower) < 2:
            continue
        if lower in _FORMS_WITHOUT_ACCENT or _STRESSED_END.search(lower):
            yield lower
        elif prose and _ATTACHED_PRONOUN.match(lower):
            yield lower


def python_literals(path: Path) -> Iterator[str]:
    """Yield a module's string literals except docstrings, regular
    expressions and debtor replies."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
        if isinstance(node, ast.Call) and _skipped_call(node.func):
            for argument in ast.walk(node):
                skipped.add(id(argument))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skipped
            and "(?" not in node.value
            and "\\b" not in node.value
        ):
            yield node.value


def command_docstrings(path: Path) -> Iterator[str]:
    """Yield the docstrings of a module's Typer commands, which `--help` prints."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        if any(_is_command_decorator(decorator) for decorator in node.decorator_list):
            docstring = ast.get_docstring(node)
            if docstring:
                yield docstring


def _is_command_decorator(decorator: ast.expr) -> bool:
    """Whether a decorator is `app.command(...)` or `app.callback(...)`."""
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in {"command", "callback"}
    )


def _skipped_call(func: ast.expr) -> bool:
    """Whether a call takes a regular expression or a debtor's reply."""
    if isinstance(func, ast.Attribute):
        return isinstance(func.value, ast.Name) and func.value.id == "re"
    return isinstance(func, ast.Name) and func.id in DEBTOR_TEXT_CALLS


def template_literals(path: Path) -> Iterator[str]:
    """Yield a template's own text and string constants, without tag markup."""
    source = path.read_text(encoding="utf-8")
    for _, kind, value in templates.env.lex(source):
        if kind == "data":
            yield _ATTRIBUTE_NAME.sub(" ", _TAG_NAME.sub(" ", value))
        elif kind == "string":
            yield value


def owner_sources() -> Iterator[Path]:
    for path in sorted(SOURCE_DIR.rglob("*.py")):
        relative = path.relative_to(SOURCE_DIR).as_posix()
        if not relative.startswith(DEBTOR_SOURCES):
            yield path


def untranslated_forms() -> dict[str, set[str]]:
    """Return each flagged word with neither a tú form nor an exemption."""
    found: dict[str, set[str]] = {}
    literals = (
        [
            (path, literal, " " in literal)
            for path in owner_sources()
            for literal in python_literals(path)
        ]
        + [
            (path, docstring, True)
            for path in owner_sources()
            for docstring in command_docstrings(path)
        ]
        + [
            (path, literal, True)
            for path in sorted(TEMPLATES_DIR.glob("*.html"))
            for literal in template_literals(path)
        ]
    )
    for path, literal, prose in literals:
        for word in voseo_candidates(literal, prose):
            if word not in TU_FORMS and word not in NOT_VOSEO:
                found.setdefault(word, set()).add(path.name)
    return found


def test_every_voseo_form_has_tu_form() -> None:
    missing = untranslated_forms()

    assert missing == {}, (
        "add each word to TU_FORMS in cobranza/voseo.py with its tú form, or, "
        f"if it is no voseo form, to NOT_VOSEO here: {missing}"
    )


def test_scan_reads_templates_and_labels() -> None:
    words = {
        word
        for path in sorted(TEMPLATES_DIR.glob("*.html"))
        for literal in template_literals(path)
        for word in voseo_candidates(literal, prose=True)
    }

    assert "volvé" in words
    assert "escribí" in words


def test_scan_reads_command_docstrings() -> None:
    words = {
        word
        for docstring in command_docstrings(SOURCE_DIR / "cli.py")
        for word in voseo_candidates(docstring, prose=True)
    }

    assert "usalo" in words


def test_scan_flags_new_forms() -> None:
    text = "Fijate el monto, revisalo y volvé: podés hacerlo vos."

    words = set(voseo_candidates(text, prose=True))

    assert words == {"fijate", "revisalo", "volvé", "podés", "vos"}


@pytest.mark.parametrize(("voseo", "tu_form"), sorted(TU_FORMS.items()))
def test_tu_form_differs(voseo: str, tu_form: str) -> None:
    assert tu_form != voseo
    assert tu_form not in TU_FORMS
    assert to_tu(voseo) == tu_form


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Revisá el monto y volvé a importarlo.",
            "Revisa el monto y vuelve a importarlo.",
        ),
        ("Si podés, pedile el comprobante.", "Si puedes, pídele el comprobante."),
        ("REVISÁ", "REVISA"),
        ("Fijate si tenés el archivo.", "Fíjate si tienes el archivo."),
        ("una baja que registraste vos", "una baja que registraste tú"),
        ("Te escribe a vos, y habla con vos.", "Te escribe a ti, y habla contigo."),
        ("No se sabe si salió: revisalo.", "No se sabe si salió: revísalo."),
    ],
)
def test_to_tu_rewrites(text: str, expected: str) -> None:
    assert to_tu(text) == expected


def test_to_tu_keeps_quoted_values() -> None:
    text = "El importe \"volvé\" de «Revisá SRL» no es válido: revisá 'podés'."

    rewritten = to_tu(text)

    assert (
        rewritten
        == "El importe \"volvé\" de «Revisá SRL» no es válido: revisa 'podés'."
    )


def test_to_tu_reads_quotes_when_asked() -> None:
    rewritten = to_tu('<input placeholder="escribí tu código">', keep_quoted=False)

    assert rewritten == '<input placeholder="escribe tu código">'


def test_to_tu_keeps_other_words() -> None:
    text = "Está así: qué más, sí, ahí, acá, después. Ya pagué."

    assert to_tu(text) == text


@pytest.mark.parametrize("locale", ["es_AR", "es_UY", "es-AR", None])
def test_voseo_locales(locale: str | None) -> None:
    assert uses_voseo(locale)
    assert owner_text("Revisá", locale) == "Revisá"


@pytest.mark.parametrize("locale", ["es_MX", "es_CO", "es_CL", "es_PE", "pt_BR"])
def test_tu_locales(locale: str) -> None:
    assert not uses_voseo(locale)
    assert owner_text("Revisá", locale) == "Revisa"
