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
    except OSError as exc:
        issue = PolicyIssue(0, f"cannot read the file ({exc.strerror}): check the path")
        raise PolicyError(source, [issue]) from exc
    return parse_policy(text, source)


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse policy YAML, raising `PolicyError` with every invalid line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        issue = PolicyIssue(line, f"invalid YAML: {exc.problem}; fix the syntax")
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
                    f"step {step.key!r}: unknown step_kind {step.step_kind!r}; "
                    f"use one of {', '.join(sorted(known))}",
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
                            f"step {step.key!r} ({tone}, {locale}): the message "
                            f"fails the tone check: {problem}; change the "
                            "step_kind or tone",
                        )
                    )
    return issues


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return "allowed: " + ", ".join(choices)


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
                PolicyIssue(1, "the file is empty: write `name:` and `steps:`")
            )
            return None
        fields = self.mapping(root, "the policy", TOP_LEVEL_KEYS)
        if fields is None:
            return None

        version = self.scalar(fields, "version", int, root, required=True)
        if version is not None and version not in SUPPORTED_VERSIONS:
            self.fail(fields["version"], f"unsupported version {version}: use 1")
        name = self.scalar(fields, "name", str, root, required=True)
        description = self.scalar(fields, "description", str, root) or ""
        steps = self.read_steps(fields.get("steps"), root)

        if name is None or steps is None:
            return None
        return Policy(name=name, steps=steps, source=source, description=description)

    def read_steps(self, node: Node | None, parent: Node) -> tuple[Step, ...] | None:
        if node is None:
            self.fail(parent, "missing `steps`: add a list of steps")
            return None
        if not isinstance(node, SequenceNode) or not node.value:
            self.fail(node, "`steps` must be a non-empty list of steps")
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
                    f"duplicate step key {step.key!r} (first on line "
                    f"{seen_keys[step.key]}): give each step its own key",
                )
            seen_keys.setdefault(step.key, step.line)
            if steps and step.offset_days <= steps[-1].offset_days:
                self.fail(
                    item,
                    f"step {step.key!r}: offset_days {step.offset_days} is not "
                    f"greater than {steps[-1].offset_days} of step "
                    f"{steps[-1].key!r}; list steps by increasing offset_days",
                )
            steps.append(step)
        return tuple(steps)

    def read_step(self, node: Node) -> Step | None:
        fields = self.mapping(node, "a step", STEP_KEYS)
        if fields is None:
            return None
        issues_before = len(self.issues)

        key = self.scalar(fields, "key", str, node, required=True)
        offset = self.scalar(fields, "offset_days", int, node, required=True)
        action = self.choice(fields, "action", Action, node, required=True)
        step_kind = self.scalar(fields, "step_kind", str, node)
        tone = self.choice(fields, "tone", Tone, node) or Tone.AUTO
        catch_up = self.choice(fields, "catch_up", CatchUp, node) or CatchUp.SEND_LATE
        conditions = self.read_conditions(fields.get("conditions"))
        discount = self.decimal(fields, "discount_percent", node)
        installments = self.scalar(fields, "max_installments", int, node)
        pause_days = self.scalar(fields, "pause_days", int, node)

        if action is not None:
            self.check_action_fields(node, fields, action, step_kind)
        if discount is not None and not Decimal(0) < discount < Decimal(100):
            self.fail(
                fields["discount_percent"],
                f"discount_percent {discount} is out of range: use more than 0 "
                "and less than 100",
            )
        if installments is not None and installments < 2:
            self.fail(
                fields["max_installments"],
                f"max_installments {installments} is too small: use 2 or more",
            )
        if pause_days is not None and pause_days < 1:
            self.fail(fields["pause_days"], f"pause_days {pause_days}: use 1 or more")

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
            self.fail(node, f"action {action} needs `{required}`: add it to the step")
        if action in (Action.OFFER_DISCOUNT, Action.OFFER_INSTALLMENTS):
            if step_kind is None:
                self.fail(node, f"action {action} needs `step_kind`: add it")
        if action is Action.PAUSE and step_kind is not None:
            self.fail(
                fields["step_kind"],
                "action pause sends nothing: remove `step_kind`",
            )
        for name, owner in (
            ("discount_percent", Action.OFFER_DISCOUNT),
            ("max_installments", Action.OFFER_INSTALLMENTS),
            ("pause_days", Action.PAUSE),
        ):
            if name in fields and action is not owner:
                self.fail(
                    fields[name],
                    f"`{name}` only applies to action {owner}, not {action}: remove it",
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
        dpd_min = self.scalar(fields, "days_past_due_min", int, node)
        dpd_max = self.scalar(fields, "days_past_due_max", int, node)
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
                    f"{low_name} {low} is greater than {high_name} {high}: "
                    "swap them or widen the range",
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
            self.fail(node, f"{what} must be a mapping of `key: value` lines")
            return None
        fields: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str) or key not in allowed:
                self.fail(
                    key_node,
                    f"unknown key {key!r} in {what}: {_suggest(str(key), allowed)}",
                )
                continue
            if key in fields:
                self.fail(key_node, f"duplicate key {key!r} in {what}: keep one")
                continue
            fields[key] = value_node
        return fields

    def value(self, node: Node) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            self.fail(node, f"invalid value: {exc.problem}")
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
                self.fail(parent, f"missing `{name}`: add it")
            return None
        value = self.value(node) if isinstance(node, ScalarNode) else node
        # bool is a subclass of int, but `offset_days: yes` is a mistake.
        if not isinstance(value, kind) or isinstance(value, bool):
            expected = "a whole number" if kind is int else "text"
            self.fail(node, f"`{name}` must be {expected}, got {_describe(value)}")
            return None
        if isinstance(value, str) and not value.strip():
            self.fail(node, f"`{name}` is empty: write a value")
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
            self.fail(fields[name], f"unknown {name} {text!r}: {_suggest(text, names)}")
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
        self.fail(node, f"`{name}` must be a number such as 10 or 2500.50")
        return None

    def score(self, fields: dict[str, Node], name: str, parent: Node) -> float | None:
        amount = self.decimal(fields, name, parent)
        if amount is None:
            return None
        if not Decimal(0) <= amount <= Decimal(1):
            self.fail(fields[name], f"`{name}` {amount} is out of range: use 0 to 1")
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
                    f"unknown {name} {word!r}: {_suggest(str(word), allowed)}",
                )
                continue
            words.append(word)
        return words


def _describe(value: Any) -> str:
    if isinstance(value, Node):
        return "a list or mapping"
    return f"{value!r}"
