"""The Graph API client against a base URL that redirects to another server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pytest

from cobranza.channels.errors import ChannelUnavailableError
from cobranza.channels.whatsapp.config import WhatsAppConfig
from cobranza.channels.whatsapp.graph import GraphClient
from tests.fakes.redirector import Redirector
from tests.fakes.webhook_receiver import FakeReceiver


@pytest.fixture
def elsewhere() -> Iterator[FakeReceiver]:
    with FakeReceiver() as receiver:
        yield receiver


def _client(base_url: str) -> GraphClient:
    config = WhatsAppConfig(
        phone_number_id="1234567890",
        business_account_id="9876543210",
        access_token="EAAG-test-token",
        base_url=base_url,
        timeout_seconds=5.0,
    )
    return GraphClient(config)


@pytest.mark.parametrize("status", [307, 308])
def test_message_not_sent_elsewhere(elsewhere: FakeReceiver, status: int) -> None:
    with (
        Redirector(elsewhere.url(""), status) as redirector,
        closing(_client(redirector.base_url)) as client,
        pytest.raises(ChannelUnavailableError) as caught,
    ):
        client.send_message("5491155550000", "text", {"body": "Debés 1000 pesos"})

    assert elsewhere.received == []
    assert caught.value.code == "whatsapp_redirect"
    assert elsewhere.url("/v23.0/1234567890/messages") in str(caught.value)
    assert "COBRANZA_WHATSAPP_GRAPH_BASE_URL" in str(caught.value)


def test_media_download_follows_without_token(elsewhere: FakeReceiver) -> None:
    with Redirector(elsewhere.url("")) as redirector:
        media_url = f"{redirector.base_url}/whatsapp_business/attachments/?mid=1"

        with closing(_client(redirector.base_url)) as client:
            content = client.download(media_url)

    assert content == b""
    assert [request.path for request in elsewhere.received] == [
        "/whatsapp_business/attachments/?mid=1"
    ]
    assert "authorization" not in elsewhere.received[0].headers


def test_media_redirect_loop_is_an_error() -> None:
    with Redirector("http://127.0.0.1:1") as redirector:
        redirector.target = redirector.base_url
        media_url = f"{redirector.base_url}/whatsapp_business/attachments/?mid=1"

        with (
            closing(_client(redirector.base_url)) as client,
            pytest.raises(ChannelUnavailableError) as caught,
        ):
            client.download(media_url)

    assert caught.value.code == "whatsapp_redirect"
    assert "too many times" in str(caught.value)
    assert len(redirector.paths) > 1
