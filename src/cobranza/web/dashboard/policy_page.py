"""Política: the business's policy steps, message previews and validation."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from cobranza.compliance.tone import lint_text
from cobranza.dunning.errors import PolicyError
from cobranza.dunning.explain import describe_action, describe_offset
from cobranza.dunning.policy import Step, Tone
from cobranza.dunning.policy_loader import (
    default_policy_path,
    load_policy,
    policy_path_for,
)
from cobranza.dunning.preview import compose_step_preview, validate_policy
from cobranza.messages import (
    MessageError,
)
from cobranza.messages import supported_locales as composer_locales
from cobranza.web.dashboard.common import business_of
from cobranza.web.security import db, signed_in
from cobranza.web.templating import render
from cobranza.wording import TONE_LABELS

logger = logging.getLogger(__name__)

router = APIRouter()


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
            {"policy": None, "source": policy_source(path), "errors": exc.issues},
        )

    previews = [step_preview(step, chosen) for step in policy.steps]
    return render(
        request,
        "politica.html",
        {
            "policy": policy,
            "previews": previews,
            "issues": validate_policy(policy, locales),
            "locales": locales,
            "locale": chosen,
            "source": policy_source(path),
        },
    )


def step_preview(step: Step, locale: str) -> dict[str, Any]:
    """Describe `step` and compose its message in each tone, as a send would."""
    texts = []
    if step.step_kind is not None:
        for tone in step.concrete_tones():
            texts.append(_tone_preview(step, locale, tone))
    return {
        "step": step,
        "when": describe_offset(step.offset_days),
        "action": describe_action(step),
        "texts": texts,
    }


def _tone_preview(step: Step, locale: str, tone: Tone) -> dict[str, Any]:
    label = TONE_LABELS.get(str(tone), f"tono {tone}")
    try:
        text = compose_step_preview(step, locale, tone).text
    except MessageError as exc:
        logger.warning("policy step %s cannot be composed: %s", step.key, exc)
        problem = (
            "Este mensaje no se puede armar para este paso "
            f"({describe_offset(step.offset_days)}): un envío real fallaría. "
            "Cambiá el step_kind o el offset_days del paso."
        )
        return {"tone": label, "text": "", "problems": [problem]}
    problems = [problem.why for problem in lint_text(text, locale)]
    return {"tone": label, "text": text, "problems": problems}


def policy_source(path: Path) -> str:
    """Name the policy file for the owner: the default one, or its file name.

    A server path means nothing to the owner and reveals where cobranza is
    installed, so only the file name is shown.
    """
    if path.resolve() == default_policy_path().resolve():
        return "política predeterminada"
    return f"archivo {path.name}"
