"""Fixtures for the WhatsApp channel: the fake Graph API, settings and rows."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cobranza.channels.dispatcher import Dispatcher, DispatchLimits
from cobranza.channels.whatsapp import WhatsAppChannel, WhatsAppConfig
from cobranza.channels.whatsapp.templates import set_template_status
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import TemplateStatus
from tests.channels.factories import (
    make_business,
    make_customer,
    make_document,
    make_outbox_row,
)
from tests.fakes.graph_api import PHONE_NUMBER_ID, TOKEN, WABA_ID, FakeGraphAPI

# Tuesday 10 March 2026, 10:00 in Buenos Aires: inside Argentina's window.
NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
APP_SECRET = "test-app-secret-4f2a"
VERIFY_TOKEN = "test-verify-token-9c1d"
PHONE = "+5491155550101"
BUSINESS_NAME = "Ejemplo SRL"
TEMPLATE = "cobranza_reminder_soft_friendly"
LANGUAGE = "es_AR"


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
def graph() -> Iterator[FakeGraphAPI]:
    with FakeGraphAPI() as fake:
        yield fake


@pytest.fixture
def settings(graph: FakeGraphAPI, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        business_name=BUSINESS_NAME,
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_business_account_id=WABA_ID,
        whatsapp_access_token=TOKEN,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token=VERIFY_TOKEN,
        whatsapp_graph_base_url=graph.base_url,
        whatsapp_timeout_seconds=2.0,
        media_dir=str(tmp_path / "media"),
    )


@pytest.fixture
def config(settings: Settings) -> WhatsAppConfig:
    return WhatsAppConfig.from_settings(settings)


_OPEN_CHANNELS: list[WhatsAppChannel] = []


def channel_for(
    engine: Engine, config: WhatsAppConfig, now: datetime = NOW
) -> WhatsAppChannel:
    """Build a channel that the `_close_channels` fixture closes after the test."""
    channel = WhatsAppChannel(engine, config, clock=lambda: now)
    _OPEN_CHANNELS.append(channel)
    return channel


@pytest.fixture(autouse=True)
def _close_channels() -> Iterator[None]:
    yield
    while _OPEN_CHANNELS:
        _OPEN_CHANNELS.pop().close()


def dispatcher_for(channel: WhatsAppChannel, engine: Engine) -> Dispatcher:
    return Dispatcher(engine, {channel.name: channel}, limits=DispatchLimits())


def given_rows(
    engine: Engine,
    count: int = 1,
    *,
    approved: bool = True,
    step_kind: str = "reminder_soft",
    phone_prefix: str = "+54911555501",
) -> tuple[int, list[int]]:
    """Add a business, `count` customers with one due WhatsApp row each."""
    with transaction(engine) as session:
        business = make_business(session, NOW, name=BUSINESS_NAME)
        if approved:
            set_template_status(
                session,
                business.id,
                f"cobranza_{step_kind}_friendly",
                LANGUAGE,
                TemplateStatus.APPROVED,
                NOW,
                source="sync",
            )
        row_ids = []
        for index in range(count):
            phone = f"{phone_prefix}{index:02d}"
            customer = make_customer(
                session, business, NOW, f"C{index}", phone, name="Ana (ficticia)"
            )
            invoice = make_document(
                session, customer, NOW, f"A-{index}", "1500.00", date(2026, 3, 5)
            )
            row = make_outbox_row(session, customer, NOW, key=f"{business.id}-{index}")
            row.channel = "whatsapp"
            row.step = step_kind
            row.step_kind = step_kind
            row.document_ids = [invoice.id]
            row.variables = {
                "customer_name": customer.name,
                "business_name": business.name,
                "balance": "1500.00",
                "currency": "ARS",
                "invoice_count": 1,
                "oldest_due_on": "2026-03-05",
                "days_past_due": 5,
                "payment_link": "https://pagar.example.com/c/abc123",
            }
            row_ids.append(row.id)
        return business.id, row_ids
