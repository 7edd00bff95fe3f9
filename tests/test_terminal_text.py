"""Imported text printed on a terminal: hidden characters escaped, markup literal."""

from __future__ import annotations

import pytest
from rich.console import Console

from cobranza.terminal_text import escape_for_page, markup_safe, plain, visible


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Ana \u202eDíaz", "Ana \\u202eDíaz"),
        (
            "\u2066x\u2069 \u2067y\u2069 \u2068z\u2069",
            "\\u2066x\\u2069 \\u2067y\\u2069 \\u2068z\\u2069",
        ),
        ("a\u200eb\u200fc\u061cd", "a\\u200eb\\u200fc\\u061cd"),
        ("\u202aa\u202bb\u202cc\u202dd", "\\u202aa\\u202bb\\u202cc\\u202dd"),
        (
            "Zero\u200bWidth\u200cNon\u200dJoin\ufeff",
            "Zero\\u200bWidth\\u200cNon\\u200dJoin\\ufeff",
        ),
        ("\x1b[31mrojo\x1b[0m", "\\x1b[31mrojo\\x1b[0m"),
        ("bell\x07 del\x7f csi\x9b", "bell\\x07 del\\x7f csi\\x9b"),
        ("soft\xadhyphen", "soft\\xadhyphen"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("blank\u3164name", "blank\\u3164name"),
        ("a\tb\nc\rd", "a\\x09b\\x0ac\\x0dd"),
    ],
)
def test_visible_escapes_hidden(text: str, shown: str) -> None:
    assert visible(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "María José Núñez",
        "Ödön Ürgé",
        "José 😀",
        "שלום",
        "محمد",
        "Σωκράτης",
        "  spaced  ",
    ],
)
def test_visible_keeps_letters(text: str) -> None:
    assert visible(text) == text


def test_visible_keeps_newlines_on_request() -> None:
    assert visible("hola\nchau\u202e", keep_newlines=True) == "hola\nchau\\u202e"


def test_visible_stays_unchanged_twice() -> None:
    once = visible("a\u202eb")

    assert visible(once) == once


def _printed(renderable: object) -> str:
    console = Console(width=200, color_system=None, force_terminal=False)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get().rstrip("\n")


@pytest.mark.parametrize(
    "text",
    [
        "[bold red]X[/]",
        "[link=https://ejemplo.invalid]pagá acá[/link]",
        "[/]",
        "\\[bold]ya escapado",
    ],
)
def test_markup_prints_literally(text: str) -> None:
    assert _printed(markup_safe(text)) == text
    assert _printed(plain(text)) == text


def test_markup_inside_markup() -> None:
    printed = _printed(f"[bold]{markup_safe('[red]A[/red]')}[/bold] y B")

    assert printed == "[red]A[/red] y B"


def test_trailing_backslash_before_tag() -> None:
    printed = _printed(f"{markup_safe('barra' + chr(92))}[bold]x[/bold] y")

    assert printed == "barra\\x y"


def test_printed_has_no_raw_controls() -> None:
    printed = _printed(markup_safe("Ana \u202eDíaz \x1b[2J \u200d[bold]x[/]"))

    assert printed == "Ana \\u202eDíaz \\x1b[2J \\u200d[bold]x[/]"


@pytest.mark.parametrize(
    "control", ["\u061c", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069"]
)
def test_escape_for_page_shows_each_control(control: str) -> None:
    shown = escape_for_page(f"F-{control}1000")

    assert shown == f"F-\\u{ord(control):04x}1000"


def test_escape_for_page_keeps_emoji_joiner() -> None:
    family = "\U0001f468\u200d\U0001f469"

    assert escape_for_page(f"Ana {family}") == f"Ana {family}"


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b"])
def test_escape_for_page_shows_each_c0_c1_control(control: str) -> None:
    shown = escape_for_page(f"pago{control}[2J")

    assert shown == f"pago\\x{ord(control):02x}[2J"


def test_escape_for_page_keeps_line_breaks_and_tabs() -> None:
    assert escape_for_page("pago\r\nmañana\t1") == "pago\r\nmañana\t1"
