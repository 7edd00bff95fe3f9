"""Every audit kind and reason code the source writes has Spanish words.

The codes are collected from the source itself. The scan reads the `kind`
and `reason` arguments of each `AuditEvent(...)` and of the dictionaries
the planner inserts in bulk. It also follows every function that passes
its own parameters on to one of those, until no new function is found. A
new code written as a literal or an upper-case constant therefore fails
here until `wording` labels it. Codes built at run time (an f-string, a
provider's error number) are covered by `REASON_PATTERNS` and checked
with examples below.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cobranza.compliance.reasons import Reason
from cobranza.db.models import ConsentAction, TemplateStatus
from cobranza.payments.status import PaymentStatus
from cobranza.wording import KIND_LABELS, kind_label, reason_label

SOURCE = Path(__file__).resolve().parents[1] / "src" / "cobranza"
FIELDS = ("kind", "reason")

# Reasons already stored as Spanish sentences, shown as written.
SPANISH_REASONS = {
    "cerrado por una persona",
    "pedido de borrado de datos",
    "respuesta sin caso abierto",
    "promesa registrada por una persona",
    "respuesta de una persona",
    "teléfono editado por el dueño",
    "vuelve a la automatización",
}

# Functions that keep a reason in a list and write its audit event later,
# so the call chain cannot be followed: name -> index of the reason argument.
DEFERRED_WRITERS = {"close_case": 2}


@dataclass
class Scan:
    """Audit codes found in the source, each with the place it was written."""

    modules: dict[Path, ast.Module]
    constants: dict[str, set[str]] = field(default_factory=dict)
    # (module or "*" for public names, function name) -> field -> index of
    # the positional argument, or None when only passed by keyword.
    writers: dict[tuple[Path | str, str], dict[str, int | None]] = field(
        default_factory=dict
    )
    codes: dict[str, dict[str, str]] = field(
        default_factory=lambda: {name: {} for name in FIELDS}
    )


def _function_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _argument(call: ast.Call, name: str, index: int | None) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if index is not None and index < len(call.args):
        return call.args[index]
    return None


def _string_constants(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """Yield (name, value) of module and class level string constants."""
    for node in tree.body:
        body = node.body if isinstance(node, ast.ClassDef) else [node]
        for item in body:
            if not isinstance(item, ast.Assign):
                continue
            value = item.value
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                continue
            for target in item.targets:
                if isinstance(target, ast.Name):
                    yield target.id, value.value


def _audit_dicts(node: ast.AST) -> Iterator[dict[str, ast.expr]]:
    """Yield the dictionaries shaped like an audit row (bulk inserts)."""
    for child in ast.walk(node):
        if not isinstance(child, ast.Dict):
            continue
        keys = [key.value for key in child.keys if isinstance(key, ast.Constant)]
        if "kind" in keys and "actor" in keys:
            yield {
                key.value: value
                for key, value in zip(child.keys, child.values, strict=True)
                if isinstance(key, ast.Constant) and key.value in FIELDS
            }


def _writer(scan: Scan, module: Path, name: str | None) -> dict[str, int | None]:
    if name is None:
        return {}
    return scan.writers.get((module, name)) or scan.writers.get(("*", name)) or {}


def _find_writers(scan: Scan) -> None:
    """Mark every function that passes a parameter on as an audit kind or reason."""
    scan.writers[("*", "AuditEvent")] = {"kind": None, "reason": None}
    for name, index in DEFERRED_WRITERS.items():
        scan.writers[("*", name)] = {"reason": index}
    functions = [
        (module, node)
        for module, tree in scan.modules.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
    ]
    changed = True
    while changed:
        changed = False
        for module, function in functions:
            positional = [argument.arg for argument in function.args.args]
            if positional[:1] == ["self"]:
                positional = positional[1:]
            passed: list[tuple[str, ast.expr]] = []
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and _function_name(node) != function.name:
                    for name, index in _writer(
                        scan, module, _function_name(node)
                    ).items():
                        value = _argument(node, name, index)
                        if value is not None:
                            passed.append((name, value))
            for row in _audit_dicts(function):
                passed.extend(row.items())

            key = (module if function.name.startswith("_") else "*", function.name)
            for name, value in passed:
                if not isinstance(value, ast.Name):
                    continue
                spec = scan.writers.setdefault(key, {})
                if name in spec:
                    continue
                index = positional.index(value.id) if value.id in positional else None
                all_names = positional + [a.arg for a in function.args.kwonlyargs]
                if value.id in all_names:
                    spec[name] = index
                    changed = True


def _values(scan: Scan, node: ast.expr) -> set[str]:
    """Return the strings an argument can be: a literal or a named constant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    # Only upper-case names are constants; a lower-case name is a variable.
    if isinstance(node, ast.Name) and node.id.isupper():
        return scan.constants.get(node.id, set())
    if isinstance(node, ast.Attribute) and node.attr.isupper():
        return scan.constants.get(node.attr, set())
    if isinstance(node, ast.IfExp):
        return _values(scan, node.body) | _values(scan, node.orelse)
    return set()


def _collect(scan: Scan) -> None:
    for module, tree in scan.modules.items():
        where = str(module.relative_to(SOURCE))
        skipped = _skipped_tuples(tree)
        for node in ast.walk(tree):
            found: list[tuple[str, ast.expr]] = []
            if isinstance(node, ast.Call):
                for name, index in _writer(scan, module, _function_name(node)).items():
                    value = _argument(node, name, index)
                    if value is not None:
                        found.append((name, value))
            # The planner's skipped steps: (step, reason) tuples.
            if isinstance(node, ast.Tuple) and id(node) in skipped:
                found.append(("reason", node.elts[1]))
            for name, value in found:
                for code in _values(scan, value):
                    scan.codes[name].setdefault(code, f"{where}:{node.lineno}")
        for row in _audit_dicts(tree):
            for name, value in row.items():
                for code in _values(scan, value):
                    scan.codes[name].setdefault(code, where)


def _skipped_tuples(tree: ast.Module) -> set[int]:
    """Return the ids of (step, reason) tuples stored in a `skipped` list."""
    tuples: set[int] = set()
    for node in ast.walk(tree):
        owner = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            owner = node.targets[0]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
        if isinstance(owner, ast.Attribute) and owner.attr == "skipped":
            tuples.update(
                id(child)
                for child in ast.walk(node)
                if isinstance(child, ast.Tuple) and len(child.elts) == 2
            )
    return tuples


def _channel_error_codes(scan: Scan) -> dict[str, str]:
    """Return the `code` of channel errors, the reason of a failed send."""
    codes: dict[str, str] = {}
    for module, tree in scan.modules.items():
        if "channels" not in module.parts:
            continue
        for node in ast.walk(tree):
            values: list[ast.expr] = []
            if isinstance(node, ast.ClassDef):
                values = [
                    item.value
                    for item in node.body
                    if isinstance(item, ast.Assign)
                    and any(getattr(t, "id", None) == "code" for t in item.targets)
                ]
            elif isinstance(node, ast.Call):
                values = [kw.value for kw in node.keywords if kw.arg == "code"]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    codes.setdefault(value.value, str(module.relative_to(SOURCE)))
    return codes


@pytest.fixture(scope="module")
def scan() -> Scan:
    modules = {path: ast.parse(path.read_text()) for path in SOURCE.rglob("*.py")}
    result = Scan(modules)
    for tree in modules.values():
        for name, value in _string_constants(tree):
            result.constants.setdefault(name, set()).add(value)
    _find_writers(result)
    _collect(result)
    return result


def test_scan_finds_known_codes(scan: Scan) -> None:
    assert "step_planned" in scan.codes["kind"]
    assert "message_suppressed" in scan.codes["kind"]
    assert "promise_kept" in scan.codes["kind"]
    assert "missed_catch_up_skip" in scan.codes["reason"]
    assert "later_step_due" in scan.codes["reason"]
    assert "reconciled_found" in scan.codes["reason"]
    assert "zero_balance" in scan.codes["reason"]


def test_every_written_kind_has_label(scan: Scan) -> None:
    missing = {
        code: where
        for code, where in scan.codes["kind"].items()
        if kind_label(code) == code
    }

    assert missing == {}


def test_every_written_reason_has_label(scan: Scan) -> None:
    codes = {**scan.codes["reason"], **_channel_error_codes(scan)}
    missing = {
        code: where
        for code, where in codes.items()
        if code not in SPANISH_REASONS and reason_label(code) == code
    }

    assert missing == {}


@pytest.mark.parametrize(
    "enum", [Reason, PaymentStatus, TemplateStatus], ids=lambda e: e.__name__
)
def test_enum_reasons_have_labels(enum: type) -> None:
    missing = [
        member.value for member in enum if reason_label(member.value) == member.value
    ]

    assert missing == []


def test_consent_kinds_have_labels() -> None:
    for action in ConsentAction:
        assert f"consent.{action.value}" in KIND_LABELS


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("whatsapp_131047", "WhatsApp rechazó el envío (código 131047)"),
        ("twilio_63016", "Twilio rechazó el envío (código 63016)"),
        ("imported cxc.csv", "se importó cxc.csv"),
        ("messages now go out through whatsapp", "los mensajes salen por whatsapp"),
        ("2026-04-10", "para el 10/04/2026"),
        ("policy step final_notice", "paso de la política: final_notice"),
        ("second_notice", "segundo aviso (second_notice)"),
    ],
)
def test_built_reasons_have_labels(code: str, label: str) -> None:
    assert reason_label(code) == label
