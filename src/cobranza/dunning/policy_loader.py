"""Read policy YAML with line numbers, so every error names its line and fix.

The file is composed into PyYAML nodes (not plain objects) because nodes keep
their start line. Every problem found is collected, and `PolicyError` lists
them all at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cobranza.db.models import Business, CustomerKind
from cobranza.dunning.errors import PolicyError, PolicyIssue
from cobranza.dunning.policy import (
    SEGMENTS,
    Action,
    CatchUp,
    Conditions,
    Policy,
    Step,
    Tone,
)

DEFAULT_POLICY_RESOURCE = "default_policy.yaml"

TOP_LEVEL_KEYS = ("version", "name", "description", "steps")
STEP_KEYS = (
    "key",
    "offset_days",
    "action",
    "step_kind",
    "tone",
    "catch_up",
    "conditions",
    "discount_percent",
    "max_installments",
    "pause_days",
)
CONDITION_KEYS = (
    "segment",
    "segment_not",
    "customer_kind",
    "balance_min",
    "balance_max",
    "days_past_due_min",
    "days_past_due_max",
    "risk_score_min",
    "risk_score_max",
)
SUPPORTED_VERSIONS = (1,)
# The length of the `step` columns of the outbox and of cases.
STEP_KEY_MAX_LENGTH = 64
# The maximum of offset_days, pause_days and days_past_due_*, either sign.
# Ten years is far beyond any dunning policy, and much larger values overflow
# the date arithmetic of the planner and the preview.
MAX_DAYS = 3650


def default_policy_path() -> Path:
    """Return the path of the policy shipped inside the package."""
    return Path(str(resources.files("cobranza.dunning") / DEFAULT_POLICY_RESOURCE))


def policy_path_for(business: Business, override: str | Path | None = None) -> Path:
    """Return `override`, else the `policy_path` setting, else the default."""
    if override:
        return Path(override)
    configured = (business.settings or {}).get("policy_path")
    if configured:
        return Path(configured)
    return default_policy_path()


def load_policy(path: str | Path) -> Policy:
    """Read and parse the policy at `path`, raising `PolicyError` when invalid."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        issue = PolicyIssue(0, "el archivo no existe: revisá la ruta")
        raise PolicyError(source, [issue]) from exc
    except IsADirectoryError as exc:
        issue = PolicyIssue(0, "es una carpeta: indicá el archivo YAML de adentro")
        raise PolicyError(source, [issue]) from exc
    except PermissionError as exc:
        issue = PolicyIssue(
            0, "no hay permiso para leer el archivo: revisá sus permisos"
        )
        raise PolicyError(source, [issue]) from exc
    except OSError as exc:
        # NOTE: strerror, the operating system's text, is in English.
        issue = PolicyIssue(
            0, f"no se puede leer el archivo ({exc.strerror}): revisá la ruta"
        )
        raise PolicyError(source, [issue]) from exc
    except UnicodeDecodeError as exc:
        issue = PolicyIssue(
            0,
            f"no es texto UTF-8 (byte {exc.start + 1}): guardalo como UTF-8 "
            "desde tu editor",
        )
        raise PolicyError(source, [issue]) from exc
    return parse_policy(text, source)


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse policy YAML, raising `PolicyError` with every invalid line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        issue = PolicyIssue(line, f"YAML inválido: {exc.problem}. Corregí la sintaxis")
        raise PolicyError(source, [issue]) from exc

    reader = _Reader()
    policy = reader.read_policy(root, source)
    if reader.issues or policy is None:
        raise PolicyError(source, reader.issues)
    return policy


def check_step_kinds(policy: Policy, known: Collection[str]) -> list[PolicyIssue]:
    """Return an issue for each step whose `step_kind` the composer does not know."""
    issues = []
    for step in policy.steps:
        if step.step_kind is not None and step.step_kind not in known:
            issues.append(
                PolicyIssue(
                    step.line,
                    f"paso {step.key!r}: step_kind desconocido {step.step_kind!r}. "
                    f"Usá uno de estos: {', '.join(sorted(known))}",
                )
            )
    return issues


def check_templates(
    policy: Policy,
    render: Callable[[Step, Tone], Iterable[tuple[str, str]]],
    lint: Callable[[str, str], Iterable[str]],
) -> list[PolicyIssue]:
    """Lint the texts each sending step would produce, in each of its tones.

    `render(step, tone)` returns (locale, text) pairs, one per locale, and
    `lint(text, locale)` returns the problems found in one text.
    """
    issues = []
    for step in policy.steps:
        if not step.sends_message:
            continue
        for tone in step.concrete_tones():
            for locale, text in render(step, tone):
                for problem in lint(text, locale):
                    issues.append(
                        PolicyIssue(
                            step.line,
                            f"paso {step.key!r} ({tone}, {locale}): el mensaje "
                            f"no pasa el control de tono: {problem}. Cambiá el "
                            "step_kind o el tone",
                        )
                    )
    return issues


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    if close:
        return f"¿quisiste decir {close[0]!r}?"
    return "valores permitidos: " + ", ".join(choices)


class _Reader:
    """Turn composed YAML nodes into a `Policy`, collecting issues by line."""

    def __init__(self) -> None:
        self.issues: list[PolicyIssue] = []
        self._constructor = SafeConstructor()

    def fail(self, node: Node, message: str) -> None:
        self.issues.append(PolicyIssue(_line(node), message))

    def read_policy(self, root: Node | None, source: str) -> Policy | None:
        if root is None:
            self.issues.append(
                PolicyIssue(1, "el archivo está vacío: escribí `name:` y `steps:`")
            )
            return None
        fields = self.mapping(root, "la política", TOP_LEVEL_KEYS)
        if fields is None:
            return None

        version = self.scalar(fields, "version", int, root, required=True)
        if version is not None and version not in SUPPORTED_VERSIONS:
            self.fail(fields["version"], f"versión no soportada {version}: usá 1")
        name = self.scalar(fields, "name", str, root, required=True)
        description = self.scalar(fields, "description", str, root) or ""
        steps = self.read_steps(fields.get("steps"), root)

        if name is None or steps is None:
            return None
        return Policy(name=name, steps=steps, source=source, description=description)

    def read_steps(self, node: Node | None, parent: Node) -> tuple[Step, ...] | None:
        if node is None:
            self.fail(parent, "falta `steps`: agregá la lista de pasos")
            return None
        if not isinstance(node, SequenceNode) or not node.value:
            self.fail(node, "`steps` tiene que ser una lista de pasos, no vacía")
            return None

        steps: list[Step] = []
        seen_keys: dict[str, int] = {}
        for item in node.value:
            step = self.read_step(item)
            if step is None:
                continue
            if step.key in seen_keys:
                self.fail(
                    item,
                    f"`key` repetida {step.key!r} (la primera está en la línea "
                    f"{seen_keys[step.key]}): dale a cada paso su propia `key`",
                )
            seen_keys.setdefault(step.key, step.line)
            if steps and step.offset_days <= steps[-1].offset_days:
                self.fail(
                    item,
                    f"paso {step.key!r}: offset_days {step.offset_days} no es "
                    f"mayor que {steps[-1].offset_days} del paso "
                    f"{steps[-1].key!r}. Ordená los pasos por offset_days creciente",
                )
            steps.append(step)
        return tuple(steps)

    def read_step(self, node: Node) -> Step | None:
        fields = self.mapping(node, "un paso", STEP_KEYS)
        if fields is None:
            return None
        issues_before = len(self.issues)

        key = self.scalar(fields, "key", str, node, required=True)
        if key is not None:
            self.check_key(fields["key"], key)
        offset = self.days(fields, "offset_days", node, required=True)
        action = self.choice(fields, "action", Action, node, required=True)
        step_kind = self.scalar(fields, "step_kind", str, node)
        tone = self.choice(fields, "tone", Tone, node) or Tone.AUTO
        catch_up = self.choice(fields, "catch_up", CatchUp, node) or CatchUp.SEND_LATE
        conditions = self.read_conditions(fields.get("conditions"))
        discount = self.decimal(fields, "discount_percent", node)
        installments = self.scalar(fields, "max_installments", int, node)
        pause_days = self.days(fields, "pause_days", node, minimum=1)

        if action is not None:
            self.check_action_fields(node, fields, action, step_kind)
        if discount is not None and not Decimal(0) < discount < Decimal(100):
            self.fail(
                fields["discount_percent"],
                f"discount_percent {discount} está fuera de rango: usá más de 0 "
                "y menos de 100",
            )
        if installments is not None and installments < 2:
            self.fail(
                fields["max_installments"],
                f"max_installments {installments} es muy chico: usá 2 o más",
            )

        if len(self.issues) > issues_before or key is None or offset is None:
            return None
        assert action is not None
        return Step(
            key=key,
            offset_days=offset,
            action=action,
            step_kind=step_kind,
            tone=tone,
            catch_up=catch_up,
            conditions=conditions or Conditions(),
            discount_percent=discount,
            max_installments=installments,
            pause_days=pause_days,
            line=_line(node),
        )

    def check_key(self, node: Node, key: str) -> None:
        # Automatic messages are stored under keys such as "payment_thanks:442".
        # A step key with a colon would read as one of them and could share its
        # idempotency key.
        if ":" in key:
            self.fail(
                node,
                f"`key` {key!r} tiene «:», que cobranza reserva para sus mensajes "
                f"automáticos: usá otro nombre, como {key.replace(':', '_')!r}",
            )
        if len(key) > STEP_KEY_MAX_LENGTH:
            self.fail(
                node,
                f"`key` {key!r} tiene {len(key)} caracteres: usá un nombre de "
                f"{STEP_KEY_MAX_LENGTH} o menos",
            )

    def check_action_fields(
        self,
        node: Node,
        fields: dict[str, Node],
        action: Action,
        step_kind: str | None,
    ) -> None:
        required = {
            Action.SEND: "step_kind",
            Action.OFFER_DISCOUNT: "discount_percent",
            Action.OFFER_INSTALLMENTS: "max_installments",
            Action.PAUSE: "pause_days",
        }.get(action)
        if required is not None and required not in fields:
            self.fail(
                node, f"`action: {action}` necesita `{required}`: agregalo al paso"
            )
        if action in (Action.OFFER_DISCOUNT, Action.OFFER_INSTALLMENTS):
            if step_kind is None:
                self.fail(node, f"`action: {action}` necesita `step_kind`: agregalo")
        if action is Action.PAUSE and step_kind is not None:
            self.fail(
                fields["step_kind"],
                "`action: pause` no envía nada: sacá `step_kind`",
            )
        for name, owner in (
            ("discount_percent", Action.OFFER_DISCOUNT),
            ("max_installments", Action.OFFER_INSTALLMENTS),
            ("pause_days", Action.PAUSE),
        ):
            if name in fields and action is not owner:
                self.fail(
                    fields[name],
                    f"`{name}` solo sirve para `action: {owner}`, no para "
                    f"`action: {action}`: sacalo",
                )

    def read_conditions(self, node: Node | None) -> Conditions | None:
        if node is None:
            return None
        fields = self.mapping(node, "`conditions`", CONDITION_KEYS)
        if fields is None:
            return None

        segments = self.word_list(fields, "segment", SEGMENTS)
        excluded = self.word_list(fields, "segment_not", SEGMENTS)
        kinds = self.word_list(fields, "customer_kind", tuple(CustomerKind))
        balance_min = self.decimal(fields, "balance_min", node)
        balance_max = self.decimal(fields, "balance_max", node)
        dpd_min = self.days(fields, "days_past_due_min", node)
        dpd_max = self.days(fields, "days_past_due_max", node)
        risk_min = self.score(fields, "risk_score_min", node)
        risk_max = self.score(fields, "risk_score_max", node)

        for low_name, low, high_name, high in (
            ("balance_min", balance_min, "balance_max", balance_max),
            ("days_past_due_min", dpd_min, "days_past_due_max", dpd_max),
            ("risk_score_min", risk_min, "risk_score_max", risk_max),
        ):
            if low is not None and high is not None and low > high:
                self.fail(
                    fields[low_name],
                    f"{low_name} {low} es mayor que {high_name} {high}: "
                    "intercambialos o ampliá el rango",
                )
        return Conditions(
            segments=frozenset(segments) if segments is not None else None,
            excluded_segments=frozenset(excluded or ()),
            customer_kinds=frozenset(kinds) if kinds is not None else None,
            balance_min=balance_min,
            balance_max=balance_max,
            days_past_due_min=dpd_min,
            days_past_due_max=dpd_max,
            risk_score_min=risk_min,
            risk_score_max=risk_max,
        )

    def mapping(
        self, node: Node, what: str, allowed: tuple[str, ...]
    ) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.fail(node, f"{what} tiene que tener líneas `clave: valor`")
            return None
        fields: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str) or key not in allowed:
                self.fail(
                    key_node,
                    f"clave desconocida {key!r} en {what}: "
                    f"{_suggest(str(key), allowed)}",
                )
                continue
            if key in fields:
                self.fail(key_node, f"clave repetida {key!r} en {what}: dejá una")
                continue
            fields[key] = value_node
        return fields

    def value(self, node: Node) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            self.fail(node, f"valor inválido: {exc.problem}. Corregilo")
            return None

    def scalar(
        self,
        fields: dict[str, Node],
        name: str,
        kind: type[int] | type[str],
        parent: Node,
        required: bool = False,
    ) -> Any:
        node = fields.get(name)
        if node is None:
            if required:
                self.fail(parent, f"falta `{name}`: agregalo")
            return None
        value = self.value(node) if isinstance(node, ScalarNode) else node
        # bool is a subclass of int, but `offset_days: yes` is a mistake.
        if not isinstance(value, kind) or isinstance(value, bool):
            expected = "un número entero" if kind is int else "texto"
            self.fail(node, f"`{name}` tiene que ser {expected}, no {_describe(value)}")
            return None
        if isinstance(value, str) and not value.strip():
            self.fail(node, f"`{name}` está vacío: escribí un valor")
            return None
        return value

    def days(
        self,
        fields: dict[str, Node],
        name: str,
        parent: Node,
        required: bool = False,
        minimum: int = -MAX_DAYS,
    ) -> int | None:
        value: int | None = self.scalar(fields, name, int, parent, required=required)
        if value is not None and not minimum <= value <= MAX_DAYS:
            self.fail(
                fields[name],
                f"`{name}` {value} está fuera de rango: usá de {minimum} a "
                f"{MAX_DAYS} días",
            )
            return None
        return value

    def choice(
        self,
        fields: dict[str, Node],
        name: str,
        choices: type[Action] | type[Tone] | type[CatchUp],
        parent: Node,
        required: bool = False,
    ) -> Any:
        text = self.scalar(fields, name, str, parent, required=required)
        if text is None:
            return None
        try:
            return choices(text)
        except ValueError:
            names = [member.value for member in choices]
            self.fail(
                fields[name],
                f"valor desconocido {text!r} en `{name}`: {_suggest(text, names)}",
            )
            return None

    def decimal(
        self, fields: dict[str, Node], name: str, parent: Node
    ) -> Decimal | None:
        node = fields.get(name)
        if node is None:
            return None
        if isinstance(node, ScalarNode) and node.tag.endswith((":int", ":float")):
            try:
                return Decimal(node.value)
            except InvalidOperation:
                pass
        self.fail(node, f"`{name}` tiene que ser un número, como 10 o 2500.50")
        return None

    def score(self, fields: dict[str, Node], name: str, parent: Node) -> float | None:
        amount = self.decimal(fields, name, parent)
        if amount is None:
            return None
        if not Decimal(0) <= amount <= Decimal(1):
            self.fail(
                fields[name], f"`{name}` {amount} está fuera de rango: usá de 0 a 1"
            )
            return None
        return float(amount)

    def word_list(
        self, fields: dict[str, Node], name: str, allowed: Collection[str]
    ) -> list[str] | None:
        node = fields.get(name)
        if node is None:
            return None
        items = node.value if isinstance(node, SequenceNode) else [node]
        words = []
        for item in items:
            word = self.value(item) if isinstance(item, ScalarNode) else None
            if not isinstance(word, str) or word not in allowed:
                self.fail(
                    item,
                    f"valor desconocido {word!r} en `{name}`: "
                    f"{_suggest(str(word), allowed)}",
                )
                continue
            words.append(word)
        return words


def _describe(value: Any) -> str:
    if isinstance(value, Node):
        return "una lista o un mapeo"
    return f"{value!r}"
