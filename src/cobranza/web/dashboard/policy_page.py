"""Política: the business's policy steps, message previews and validation."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from cobranza.compliance.tone import lint_text
from cobranza.dunning.errors import PolicyError, PolicyIssue
from cobranza.dunning.policy import Policy, Step, Tone
from cobranza.dunning.policy_loader import (
    check_step_kinds,
    check_templates,
    load_policy,
    policy_path_for,
)
from cobranza.messages import available_step_kinds, compose, sample_variables
from cobranza.messages import supported_locales as composer_locales
from cobranza.web.dashboard.common import business_of
from cobranza.web.security import db, signed_in
from cobranza.web.templating import render

router = APIRouter()


def validate_policy(policy: Policy, locales: list[str]) -> list[PolicyIssue]:
    """Check step kinds, then lint every message of every step, tone and locale.

    These are the checks of `cobranza policy validate`.
    """

    def render_step(step: Step, tone: Tone) -> list[tuple[str, str]]:
        assert step.step_kind is not None
        return [
            (code, compose(step.step_kind, code, tone, sample_variables(code)).text)
            for code in locales
        ]

    def lint(text: str, code: str) -> list[str]:
        return [problem.why for problem in lint_text(text, code)]

    issues = check_step_kinds(policy, available_step_kinds())
    if not issues:
        issues = check_templates(policy, render_step, lint)
    return issues


@router.get("/politica", response_class=HTMLResponse)
def policy_page(request: Request, locale: str = Query("")) -> HTMLResponse:
    """Show each step, its message in each tone, and the validation result."""
    user = signed_in(request)
    with db(request) as session:
        business = business_of(session, user.business_id)
        path = policy_path_for(business)
        business_locale = business.locale
    locales = composer_locales()
    chosen = locale if locale in locales else business_locale
    if chosen not in locales:
        chosen = locales[0]
    try:
        policy = load_policy(path)
    except PolicyError as exc:
        return render(
            request,
            "politica.html",
            {"policy": None, "error": f"La política no se puede leer: {exc}"},
        )

    previews = []
    for step in policy.steps:
        texts = []
        if step.step_kind is not None:
            for tone in step.concrete_tones():
                text = compose(
                    step.step_kind, chosen, tone, sample_variables(chosen)
                ).text
                problems = [p.why for p in lint_text(text, chosen)]
                texts.append({"tone": tone, "text": text, "problems": problems})
        previews.append({"step": step, "texts": texts})
    return render(
        request,
        "politica.html",
        {
            "policy": policy,
            "previews": previews,
            "issues": validate_policy(policy, locales),
            "locales": locales,
            "locale": chosen,
            "path": str(path),
        },
    )
