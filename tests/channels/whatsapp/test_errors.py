"""Graph error bodies map to typed errors by code and details, never by title."""

from __future__ import annotations

import pytest

from cobranza.channels.errors import ChannelError
from cobranza.channels.whatsapp.errors import (
    GraphAuthError,
    GraphRequestError,
    GraphUnavailableError,
    MarketingLimitError,
    NotOnWhatsAppError,
    PairRateLimitError,
    RecipientNotAllowedError,
    SpamRateLimitError,
    TemplateProblemError,
    ThroughputLimitError,
    WindowClosedError,
    graph_error,
)
from cobranza.db.models import TemplateStatus


def _error(code: int, details: str = "", title: str = "title") -> dict[str, object]:
    return {
        "message": title,
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details},
        "fbtrace_id": "Atrace",
    }


@pytest.mark.parametrize(
    ("code", "error_class", "transient"),
    [
        (130429, ThroughputLimitError, True),
        (131056, PairRateLimitError, True),
        (131048, SpamRateLimitError, True),
        (131047, WindowClosedError, True),
        (131000, GraphUnavailableError, True),
        (131026, NotOnWhatsAppError, False),
        (131030, RecipientNotAllowedError, False),
        (131049, MarketingLimitError, False),
        (131050, MarketingLimitError, False),
        (132000, TemplateProblemError, False),
        (132001, TemplateProblemError, False),
        (132012, TemplateProblemError, False),
        (132015, TemplateProblemError, False),
        (132016, TemplateProblemError, False),
        (190, GraphAuthError, False),
        (100, GraphRequestError, False),
    ],
)
def test_code_maps_to_class(
    code: int, error_class: type[ChannelError], transient: bool
) -> None:
    error = graph_error(_error(code), 400)

    assert type(error) is error_class
    assert error.is_transient is transient
    assert error.code == f"whatsapp_{code}"
    assert error.graph_code == code  # type: ignore[attr-defined]


def test_title_never_decides() -> None:
    error = graph_error(_error(100, title="Re-engagement message"), 400)

    assert type(error) is GraphRequestError


def test_details_mark_template_parameter_errors() -> None:
    template = graph_error(_error(131008, "template body parameter missing"), 400)
    plain = graph_error(_error(131008, "text.body is required"), 400)

    assert type(template) is TemplateProblemError
    assert type(plain) is GraphRequestError


def test_template_errors_carry_new_status() -> None:
    paused = graph_error(_error(132015), 400)
    disabled = graph_error(_error(132016), 400)
    missing = graph_error(_error(132001), 404)
    wrong_count = graph_error(_error(132000), 400)

    assert paused.template_status == TemplateStatus.PAUSED  # type: ignore[attr-defined]
    assert disabled.template_status == TemplateStatus.DISABLED  # type: ignore[attr-defined]
    assert missing.template_status == TemplateStatus.MISSING  # type: ignore[attr-defined]
    assert wrong_count.template_status is None  # type: ignore[attr-defined]


def test_server_error_without_code_is_transient() -> None:
    error = graph_error({"code": 502, "message": "<html>Bad gateway</html>"}, 502)

    assert type(error) is GraphUnavailableError
    assert error.is_transient


def test_rate_limits_carry_wait() -> None:
    pair = graph_error(_error(131056), 400)

    assert isinstance(pair, PairRateLimitError)
    assert pair.retry_after == 6.0
