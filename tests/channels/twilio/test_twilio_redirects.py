"""The Twilio REST client against a base URL that redirects to another server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pytest

from cobranza.channels.errors import ChannelUnavailableError, PermanentChannelError
from cobranza.channels.twilio import TwilioClient, TwilioConfig
from tests.channels.twilio.fake_twilio import ACCOUNT_SID, AUTH_TOKEN
from tests.fakes.redirector import Redirector
from tests.fakes.webhook_receiver import FakeReceiver


@pytest.fixture
def elsewhere() -> Iterator[FakeReceiver]:
    with FakeReceiver() as receiver:
        yield receiver


def _client(base_url: str) -> TwilioClient:
    config = TwilioConfig(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_number="5491100000000",
        base_url=base_url,
        timeout_seconds=5.0,
    )
    return TwilioClient(config)


@pytest.mark.parametrize("status", [307, 308])
def test_message_form_not_sent_elsewhere(elsewhere: FakeReceiver, status: int) -> None:
    with Redirector(elsewhere.url(""), status) as redirector:
        with (
            closing(_client(redirector.base_url)) as client,
            pytest.raises(ChannelUnavailableError) as caught,
        ):
            client.create_message("5491155550000", body="Debés 1000 pesos")

    assert elsewhere.received == []
    assert caught.value.code == "twilio_redirect"
    assert elsewhere.url("/2010-04-01/") in str(caught.value)
    assert "COBRANZA_TWILIO_BASE_URL" in str(caught.value)
    assert len(redirector.paths) == 1


def test_media_download_follows_without_credentials(
    elsewhere: FakeReceiver,
) -> None:
    with Redirector(elsewhere.url("")) as redirector:
        media_url = f"{redirector.base_url}/2010-04-01/Accounts/AC1/Media/ME1"

        with closing(_client(redirector.base_url)) as client:
            content = client.download(media_url)

    assert content == b""
    assert [request.path for request in elsewhere.received] == [
        "/2010-04-01/Accounts/AC1/Media/ME1"
    ]
    assert "authorization" not in elsewhere.received[0].headers


def test_media_elsewhere_not_downloaded(elsewhere: FakeReceiver) -> None:
    media_url = elsewhere.url("/2010-04-01/Accounts/AC1/Media/ME1")

    with (
        Redirector(elsewhere.url("")) as redirector,
        closing(_client(redirector.base_url)) as client,
        pytest.raises(PermanentChannelError) as caught,
    ):
        client.download(media_url)

    assert elsewhere.received == []
    assert caught.value.code == "twilio_media_host"
    assert media_url in str(caught.value)


def test_media_redirect_loop_is_an_error() -> None:
    with Redirector("http://127.0.0.1:1") as redirector:
        redirector.target = redirector.base_url
        media_url = f"{redirector.base_url}/2010-04-01/Accounts/AC1/Media/ME1"

        with (
            closing(_client(redirector.base_url)) as client,
            pytest.raises(ChannelUnavailableError) as caught,
        ):
            client.download(media_url)

    assert caught.value.code == "twilio_redirect"
    assert "too many times" in str(caught.value)
    assert len(redirector.paths) > 1
