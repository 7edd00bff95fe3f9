"""Preview the shipped messages: `python -m cobranza.messages --help`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from cobranza.messages.catalog import LOCALES, STEP_KINDS, Tone
from cobranza.messages.preview import preview_all, whatsapp_template_definitions


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cobranza.messages",
        description="Print every message rendered with sample values.",
    )
    parser.add_argument("--locale", choices=list(LOCALES), action="append")
    parser.add_argument(
        "--tone", choices=[tone.value for tone in Tone], action="append"
    )
    parser.add_argument("--step", choices=list(STEP_KINDS), action="append")
    parser.add_argument(
        "--whatsapp",
        action="store_true",
        help="print the template-creation payloads for Meta as JSON instead",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Print previews, or the WhatsApp export, and return the exit status."""
    arguments = _parser().parse_args(argv)

    if arguments.whatsapp:
        definitions = whatsapp_template_definitions()
        json.dump(definitions, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0

    messages = preview_all(
        locales=arguments.locale, tones=arguments.tone, step_kinds=arguments.step
    )
    for message in messages:
        buttons = " | ".join(message.buttons) or "-"
        print(
            f"== {message.template_name} · {message.locale} "
            f"({message.language_code}, {message.category})"
        )
        print(message.text)
        print(f"[{buttons}]\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
