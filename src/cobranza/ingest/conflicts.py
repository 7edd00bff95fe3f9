"""Rows of one customer that disagree on its name, tax id, phone or email.

`plan.merge_customers` keeps the first value of each field (the first valid
phone) and the import goes ahead with it. Every other value becomes a flag
on the row where it first appears, with the rows that repeat it, the kept
value and the line it came from, so the owner sees what was stored.

Values are compared after removing what is only formatting: tax ids in
compact form, phones by their E.164 number (an invalid one by its letters
and digits), names and emails without case, accents or extra spaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cobranza.ingest import mapping as m
from cobranza.ingest.hints import COMMAND_LINE, Hints
from cobranza.ingest.issue_texts import quoted, row_issue_text
from cobranza.ingest.mapping import ColumnMapping
from cobranza.ingest.plan import MergedCustomer
from cobranza.ingest.report import RowIssue
from cobranza.ingest.rows import CustomerFields, ParsedRow, text_of

CODE = "conflicting_customer"

# Line numbers named in one flag; the rest are counted.
MAX_LISTED_LINES = 10

# The compared fields of `CustomerFields`: the noun a message uses for each,
# and the columns it is read from, in the order `RowReader` tries them.
_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("nombre", (m.CUSTOMER_NAME,)),
    "tax_id": ("ID fiscal", (m.TAX_ID,)),
    "phone": ("teléfono", (m.MOBILE, m.PHONE)),
    "email": ("email", (m.EMAIL,)),
}
_NON_WORD = re.compile(r"\W+")


@dataclass
class _OtherValue:
    """A value of one customer field that differs from the kept one."""

    external_id: str
    field_name: str
    first_row: ParsedRow
    lines: list[int] = field(default_factory=list)


def conflict_issues(
    customers: Mapping[str, MergedCustomer],
    rows: Sequence[ParsedRow],
    mapping: ColumnMapping,
    hints: Hints = COMMAND_LINE,
) -> list[RowIssue]:
    """Return one flag per customer, field and differing value, by first line."""
    others: dict[tuple[str, str, str | None], _OtherValue] = {}
    kept_keys: dict[tuple[str, str], str | None] = {}
    for row in rows:
        external_id = row.customer.external_id
        kept = customers[external_id].fields
        for name in _FIELDS:
            value = _value(row.customer, name)
            if value is None:
                continue
            if (external_id, name) not in kept_keys:
                kept_keys[external_id, name] = _key(kept, name)
            kept_key = kept_keys[external_id, name]
            key = _key(row.customer, name)
            # A kept phone read from a cell without text (TRUE) has no value.
            if kept_key is None or key == kept_key:
                continue
            other = others.setdefault(
                (external_id, name, key), _OtherValue(external_id, name, row)
            )
            other.lines.append(row.line)

    return [
        _issue(other, customers[other.external_id], mapping, hints)
        for other in others.values()
    ]


def _value(fields: CustomerFields, name: str) -> str | None:
    """Return the field as the import stores it, or None when the row lacks it."""
    if name == "name":
        return fields.name if fields.name_given else None
    if name == "phone":
        return fields.phone.raw if fields.phone is not None else None
    value: str | None = getattr(fields, name)
    return value


def _key(fields: CustomerFields, name: str) -> str | None:
    """Return the field without its formatting, for comparison."""
    value = _value(fields, name)
    if value is None:
        return None
    if name == "phone" and fields.phone is not None and fields.phone.e164:
        return fields.phone.e164
    if name == "phone":
        return _NON_WORD.sub("", value.casefold())
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(letters.split())


def _issue(
    other: _OtherValue,
    customer: MergedCustomer,
    mapping: ColumnMapping,
    hints: Hints,
) -> RowIssue:
    """Build the flag of one differing value.

    The flag shows the value as the file has it, so the owner can find it,
    and the kept value as it was stored.
    """
    noun, _ = _FIELDS[other.field_name]
    kept = _value(customer.fields, other.field_name)
    column, text = _cell(other.first_row, other.field_name, mapping)
    text = text or _value(other.first_row.customer, other.field_name)
    return RowIssue(
        line=other.lines[0],
        column=column,
        value=text,
        message=row_issue_text(
            CODE,
            hints,
            customer=quoted(other.external_id),
            field=noun,
            lines=_lines_text(other.lines),
            value=quoted(text),
            kept=quoted(kept),
            kept_line=customer.lines[other.field_name],
        ),
        code=CODE,
    )


def _cell(
    row: ParsedRow, name: str, mapping: ColumnMapping
) -> tuple[str | None, str | None]:
    """Return the header and text of the cell the row's value was read from."""
    for column in _FIELDS[name][1]:
        index = mapping.columns.get(column)
        if index is None or index >= len(row.cells):
            continue
        text = text_of(row.cells[index])
        if text:
            return mapping.headers[index], text
    return None, None


def _lines_text(lines: Sequence[int]) -> str:
    """Return "la línea 5" or "las líneas 5, 9 y 12", naming at most 10."""
    if len(lines) == 1:
        return f"la línea {lines[0]}"
    shown = [str(line) for line in lines[:MAX_LISTED_LINES]]
    if len(lines) > MAX_LISTED_LINES:
        return f"las líneas {', '.join(shown)} y {len(lines) - MAX_LISTED_LINES} más"
    return f"las líneas {', '.join(shown[:-1])} y {shown[-1]}"
