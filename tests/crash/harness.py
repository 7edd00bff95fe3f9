"""Real `cobranza` processes against the fake Graph API, for crash tests.

A test builds a business on WhatsApp whose customers each owe one invoice
and starts `cobranza run` (and `cobranza serve`) as subprocesses with the
fake's settings in their environment. It may kill a process with SIGKILL,
and then checks the stored rows against the messages the fake received.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from cobranza.channels.whatsapp import GraphClient, WhatsAppConfig
from cobranza.channels.whatsapp.templates import push_templates, sync_templates
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import OutboxMessage, WebhookEvent
from tests.channels.factories import make_business, make_customer, make_document
from tests.fakes.graph_api import PHONE_NUMBER_ID, TOKEN, WABA_ID, FakeGraphAPI
from tests.polling import wait_for

BUSINESS_NAME = "Ejemplo SRL"
APP_SECRET = "crash-app-secret-7d3e"
VERIFY_TOKEN = "crash-verify-token-1b8a"
# Tuesday 10 March 2026, 10:00 in Buenos Aires: inside Argentina's window.
NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
NOW_TEXT = "2026-03-10T10:00"


def phone_of(index: int) -> str:
    return f"+549115555{index:04d}"


def whatsapp_environment(database_url: str, graph: FakeGraphAPI) -> dict[str, str]:
    """Return the environment of a process that sends through the fake."""
    return {
        **os.environ,
        "COBRANZA_DATABASE_URL": database_url,
        "COBRANZA_ENVIRONMENT": "test",
        "COBRANZA_BUSINESS_NAME": BUSINESS_NAME,
        "COBRANZA_WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "COBRANZA_WHATSAPP_BUSINESS_ACCOUNT_ID": WABA_ID,
        "COBRANZA_WHATSAPP_ACCESS_TOKEN": TOKEN,
        "COBRANZA_WHATSAPP_APP_SECRET": APP_SECRET,
        "COBRANZA_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "COBRANZA_WHATSAPP_GRAPH_BASE_URL": graph.base_url,
        "COBRANZA_WHATSAPP_TIMEOUT_SECONDS": "5",
    }


def whatsapp_settings(graph: FakeGraphAPI) -> Settings:
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
    )


def given_whatsapp_portfolio(
    engine: Engine, graph: FakeGraphAPI, customers: int
) -> int:
    """Add a business on WhatsApp whose customers each owe one due invoice."""
    with transaction(engine) as session:
        business = make_business(session, NOW, name=BUSINESS_NAME)
        business.settings = {**business.settings, "channel": "whatsapp"}
        for index in range(customers):
            customer = make_customer(
                session, business, NOW, f"C{index}", phone_of(index)
            )
            make_document(
                session, customer, NOW, f"A-{index}", "1500.00", date(2026, 3, 9)
            )
        business_id = business.id
    client = GraphClient(WhatsAppConfig.from_settings(whatsapp_settings(graph)))
    with transaction(engine) as session:
        push_templates(session, business_id, client, NOW)
    for template in graph.state.templates.values():
        template["status"] = "APPROVED"
    with transaction(engine) as session:
        sync_templates(session, business_id, client, NOW)
    client.close()
    return business_id


def start_cli(environment: dict[str, str], *arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cobranza", *arguments],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill(process: subprocess.Popen[str]) -> None:
    """Send SIGKILL, as a crash or an out-of-memory kill would, and reap it."""
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)


def sends_by_recipient(graph: FakeGraphAPI) -> Counter[str]:
    return Counter(message["to"] for message in graph.state.messages)


def outbox_states(engine: Engine) -> dict[str, int]:
    with transaction(engine) as session:
        rows = session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    return {str(state): count for state, count in rows}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_serve(environment: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """Start `cobranza serve` without its scheduler; return it and its base URL.

    The server stores and processes webhooks, so the replies it handles
    change the database while a `cobranza run` of the test sends.
    """
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cobranza", "serve", "--port", str(port)]
        + ["--no-scheduler"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    if not wait_for(lambda: _healthy(base_url, process), 120):
        process.kill()
        output, _ = process.communicate(timeout=60)
        raise RuntimeError(f"cobranza serve did not start:\n{output}")
    return process, base_url


def _healthy(base_url: str, process: subprocess.Popen[str]) -> bool:
    if process.poll() is not None:
        return True
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def stop(process: subprocess.Popen[str]) -> str:
    """Send SIGTERM, wait for the process to end and return its output."""
    process.terminate()
    output, _ = process.communicate(timeout=60)
    return output


def post_text_reply(base_url: str, index: int, message_id: str, text: str) -> int:
    """Post a signed WhatsApp webhook with customer `index`'s text reply."""
    wa_id = phone_of(index).lstrip("+")
    message = {
        "from": wa_id,
        "id": message_id,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "contacts": [{"profile": {"name": "Cliente"}, "wa_id": wa_id}],
        "messages": [message],
    }
    return _post_whatsapp(base_url, value)


def post_status(base_url: str, sent: dict[str, Any], status: str) -> int:
    """Post a signed WhatsApp status webhook for a message the fake accepted.

    The status echoes the send's `biz_opaque_callback_data`, as Meta does,
    so it names the outbox row even when the sender never stored the wamid.
    """
    status_object = {
        "id": sent["id"],
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": sent["to"],
        "biz_opaque_callback_data": sent["biz_opaque_callback_data"],
    }
    return _post_whatsapp(base_url, {"statuses": [status_object]})


def _post_whatsapp(base_url: str, value: dict[str, Any]) -> int:
    metadata = {
        "display_phone_number": "5491100000000",
        "phone_number_id": PHONE_NUMBER_ID,
    }
    change = {
        "field": "messages",
        "value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
    }
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": WABA_ID, "changes": [change]}],
        }
    ).encode()
    signature = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"{base_url}/webhooks/whatsapp",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": f"sha256={signature}",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(response.status)


def events_processed(engine: Engine) -> bool:
    """Return whether every stored webhook event has been processed."""
    with transaction(engine) as session:
        pending = session.scalar(
            select(func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.processed_at.is_(None))
        )
    return pending == 0
