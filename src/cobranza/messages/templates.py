"""Template files and their WhatsApp shape.

A template is a Jinja2 file that uses only plain `{{ name }}` substitutions:
no filters, tags or expressions. That keeps every body exportable as a
WhatsApp template with named parameters, and `load_template` rejects a file
that breaks this or another WhatsApp rule.

Jinja2 runs sandboxed and without autoescape, because WhatsApp text is not
HTML: escaping would show "&lt;" to the customer. Parameter values are
cleaned of control characters in `cobranza.messages.variables` instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from cobranza.messages.catalog import (
    BUTTON_TITLES,
    LOCALES,
    STEP_KINDS,
    LocaleProfile,
    StepKind,
    Tone,
)
from cobranza.messages.errors import TemplateError
from cobranza.messages.parameters import PARAMETERS, REMINDER_PARAMETERS

BODY_MAX = 1024
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
PARAMETER_NAME = re.compile(r"[a-z_]+")

_ENVIRONMENT = ImmutableSandboxedEnvironment(
    autoescape=False, undefined=StrictUndefined
)


@dataclass(frozen=True)
class TemplateSpec:
    """One template file: a step kind written in one template set and tone.

    `segments` is the body split into literal text and parameter names, in
    order; a segment is `(text, None)` or `("", name)`.
    """

    step_kind: StepKind
    template_set: str
    tone: Tone
    path: str
    source: str
    segments: tuple[tuple[str, str | None], ...]

    @property
    def name(self) -> str:
        return self.step_kind.template_name(self.tone)

    @property
    def profile(self) -> LocaleProfile:
        return _profile_for_set(self.template_set)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Each parameter once, in the order it first appears in the body."""
        names = (name for _, name in self.segments if name is not None)
        return tuple(dict.fromkeys(names))

    @property
    def parameters_before_period(self) -> frozenset[str]:
        """The parameters that the body follows with a period: "{{ negocio }}."."""
        following = zip(self.segments, self.segments[1:], strict=False)
        return frozenset(
            name
            for (_, name), (text, next_name) in following
            if name is not None and next_name is None and text.startswith(".")
        )

    @property
    def button_titles(self) -> tuple[str, ...]:
        language = self.profile.language
        return tuple(BUTTON_TITLES[key][language] for key in self.step_kind.buttons)

    def whatsapp_body(self) -> str:
        """Return the body with `{{name}}` placeholders, as Meta expects it."""
        return "".join(
            text if name is None else "{{" + name + "}}" for text, name in self.segments
        )

    def render(self, parameters: Mapping[str, str]) -> str:
        """Render the body with the given parameter values."""
        return _compiled(self.source).render(**parameters)

    def whatsapp_definition(
        self, language_code: str, examples: Mapping[str, str]
    ) -> dict[str, Any]:
        """Build the template-creation payload of the WhatsApp Cloud API.

        `examples` gives one sample value per parameter, which Meta's review
        requires for named parameters.
        """
        body: dict[str, Any] = {
            "type": "BODY",
            "text": self.whatsapp_body(),
            "example": {
                "body_text_named_params": [
                    {"param_name": name, "example": examples[name]}
                    for name in self.parameter_names
                ]
            },
        }
        components: list[dict[str, Any]] = [body]
        if self.button_titles:
            buttons = [
                {"type": "QUICK_REPLY", "text": title} for title in self.button_titles
            ]
            components.append({"type": "BUTTONS", "buttons": buttons})
        return {
            "name": self.name,
            "language": language_code,
            "category": self.step_kind.category.value,
            "parameter_format": "NAMED",
            "components": components,
        }


@cache
def _compiled(source: str) -> Template:
    return _ENVIRONMENT.from_string(source)


def _profile_for_set(template_set: str) -> LocaleProfile:
    return next(p for p in LOCALES.values() if p.template_set == template_set)


def _segments(path: str, source: str) -> tuple[tuple[str, str | None], ...]:
    try:
        tree = _ENVIRONMENT.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(path, f"Jinja2 syntax error on line {exc.lineno}") from exc

    segments: list[tuple[str, str | None]] = []
    for statement in tree.body:
        if not isinstance(statement, nodes.Output):
            raise TemplateError(path, "only text and {{ name }} are allowed, no tags")
        for node in statement.nodes:
            if isinstance(node, nodes.TemplateData):
                segments.append((node.data, None))
            elif isinstance(node, nodes.Name):
                segments.append(("", node.name))
            else:
                raise TemplateError(
                    path, "only plain {{ name }} substitutions are allowed"
                )
    return tuple(segments)


def _check_parameters(spec: TemplateSpec) -> None:
    path = spec.path
    if not spec.segments:
        raise TemplateError(path, "the body is empty")
    for name in spec.parameter_names:
        if not PARAMETER_NAME.fullmatch(name):
            raise TemplateError(path, f"parameter {name!r} is not lowercase a-z and _")
        if name not in PARAMETERS:
            raise TemplateError(
                path, f"unknown parameter {name!r}; known: {', '.join(PARAMETERS)}"
            )

    required = set(spec.profile.required_parameters) | {"negocio"}
    if spec.step_kind.reminder:
        required |= REMINDER_PARAMETERS
    missing = sorted(required - set(spec.parameter_names))
    if missing:
        raise TemplateError(
            path, f"missing parameters {', '.join(missing)}; add them to the body"
        )

    # Meta rejects bodies that start or end with a parameter, and reviewers
    # treat parameters separated only by spaces or punctuation as adjacent.
    segments = spec.segments
    if segments[0][1] is not None or segments[-1][1] is not None:
        raise TemplateError(
            path, "the body starts or ends with a parameter; add text around it"
        )
    # Reviewers reject bodies with too few words per parameter. The threshold,
    # 2 × parameters + 1, is an estimate that a WhatsApp provider (Maqsam)
    # reports from its template reviews.
    literal = "".join(text for text, _ in segments).split()
    words = sum(1 for token in literal if any(c.isalpha() for c in token))
    if words < 2 * len(spec.parameter_names) + 1:
        raise TemplateError(
            path, f"{words} words for {len(spec.parameter_names)} parameters; add text"
        )

    positions = [index for index, (_, name) in enumerate(segments) if name]
    for left, right in zip(positions, positions[1:], strict=False):
        between = "".join(text for text, _ in segments[left + 1 : right])
        if not any(character.isalpha() for character in between):
            raise TemplateError(
                path,
                f"parameters {segments[left][1]} and {segments[right][1]} are "
                "adjacent; put a word between them",
            )


def _check_body(spec: TemplateSpec) -> None:
    body = spec.whatsapp_body()
    opt_out = spec.profile.opt_out[spec.tone]
    if spec.step_kind.opt_out_line and not body.endswith("\n\n" + opt_out):
        raise TemplateError(spec.path, f"the body must end with {opt_out!r}")
    if not spec.step_kind.opt_out_line and opt_out in body:
        raise TemplateError(spec.path, f"the body must not offer {opt_out!r}")
    if len(body) > BODY_MAX:
        raise TemplateError(
            spec.path,
            f"the body has {len(body)} characters, above the limit of {BODY_MAX}",
        )
    if "\t" in body or "\n\n\n" in body or "     " in body:
        raise TemplateError(
            spec.path,
            "the body contains a tab, three newlines in a row or five spaces "
            "in a row, which WhatsApp rejects",
        )
    if len(spec.button_titles) > BUTTONS_MAX:
        raise TemplateError(
            spec.path,
            f"more than {BUTTONS_MAX} buttons; remove some from the step kind",
        )
    for title in spec.button_titles:
        if len(title) > BUTTON_TITLE_MAX:
            raise TemplateError(
                spec.path,
                f"button title {title!r} is longer than {BUTTON_TITLE_MAX} characters",
            )


def parse_template(
    path: str, source: str, step_kind: str, template_set: str, tone: Tone
) -> TemplateSpec:
    """Parse a template source and check it against WhatsApp's rules."""
    spec = TemplateSpec(
        step_kind=STEP_KINDS[step_kind],
        template_set=template_set,
        tone=tone,
        path=path,
        source=source,
        segments=_segments(path, source),
    )
    _check_parameters(spec)
    _check_body(spec)
    return spec


@cache
def load_template(step_kind: str, template_set: str, tone: Tone) -> TemplateSpec:
    """Read and check one shipped template file."""
    path = f"templates/{template_set}/{tone.value}/{step_kind}.j2"
    resource = resources.files(__package__).joinpath(path)
    if not resource.is_file():
        raise TemplateError(path, "the file is missing from the package")
    source = resource.read_text(encoding="utf-8")
    return parse_template(path, source, step_kind, template_set, tone)
