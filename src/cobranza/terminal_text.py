"""Imported text made safe to print on a terminal.

Names, codes, invoice numbers and messages come from spreadsheets, debtors
and providers. Printed raw, a right-to-left override (U+202E) reverses the
text after it, an isolate or mark (U+2066, U+200F) moves it, a zero-width
character makes two different names look the same, and an escape sequence
(ESC [ ...) recolours the screen or moves the cursor. So every such
character is printed as its Python escape (`\\u202e`, `\\x1b`), which the
owner sees and nothing reorders. Rich markup in the text (`[bold]`,
`[link=...]`) is printed literally too. Only the printed copy changes, never
the stored value.

NOTE: letters of right-to-left scripts (Hebrew, Arabic) are printed as
they are, so a terminal that applies the bidirectional algorithm itself
may still reorder a cell that mixes them with digits.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from cobranza.voseo import to_tu, uses_voseo

# Controls (C0, DEL, C1), format characters (bidi controls, zero-width
# characters, the soft hyphen, tag characters), lone surrogates and the line
# and paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

# Letters that render as blank space, used to pad or fake names.
_BLANK_LETTERS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0"})


# Unicode bidirectional controls: the Arabic letter mark, the left-to-right
# and right-to-left marks, embeddings and overrides, and isolates. Invisible
# on a terminal or a page, they reorder what follows, so "F-\u202e1000"
# shows as "F-0001".
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# Characters a page must not show raw: the bidirectional controls, and the
# C0 controls, DEL and C1 controls except tab, line feed and carriage return. A
# browser draws most controls as nothing, so they could hide text, and a
# copied escape sequence (ESC [ 2 J) acts on a terminal it is pasted into.
_PAGE_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def escape_for_page(text: str) -> str:
    """Return `text` with each control and bidirectional control as its escape.

    Pages use this in place of `visible`, because a page shows the other
    format characters, such as the zero-width joiner of an emoji, as they
    are. Tabs and line breaks stay, since HTML shows them as white space.
    """
    return _PAGE_HIDDEN.sub(lambda found: _escaped(found.group()), text)


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """Return `text` with each hidden or reordering character escaped.

    With `keep_newlines`, for a message body, a line feed stays a line
    break; otherwise it is escaped too, so one name stays on one row.
    """
    return "".join(
        _escaped(char)
        if _is_hidden(char) and not (keep_newlines and char == "\n")
        else char
        for char in text
    )


def markup_safe(text: str, *, keep_newlines: bool = False) -> str:
    """Return `text` made visible and escaped for a string Rich reads as markup."""
    return escape(visible(text, keep_newlines=keep_newlines))


def plain(text: str, *, keep_newlines: bool = False) -> Text:
    """Return `text` made visible as a Rich `Text`, which is never markup."""
    return Text(visible(text, keep_newlines=keep_newlines))


def _is_hidden(char: str) -> bool:
    return unicodedata.category(char) in _HIDDEN_CATEGORIES or char in _BLANK_LETTERS


def _escaped(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


class OwnerConsole(Console):
    """A console that prints the project's messages in a business's voice.

    `locale` starts as None, the default es-AR voseo, and a command sets it
    to the business's locale once it has read the business. Outside Argentina
    and Uruguay, each plain string given to `print` shows its voseo forms
    in tú forms (`cobranza.voseo`), quoted values excepted.

    Tables, `Text` and other renderables print as they are, because their
    cells mix labels with values from files and customers, so the code
    that builds a table words its labels with `cobranza.voseo.owner_text`.

    NOTE: a string that embeds an unquoted value (a customer name) would
    have a voseo form in that value rewritten too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locale: str | None = None

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if not uses_voseo(self.locale):
            objects = tuple(
                to_tu(item) if isinstance(item, str) else item for item in objects
            )
        super().print(*objects, **kwargs)
