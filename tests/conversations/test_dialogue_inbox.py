"""`cobranza inbox`: list the waiting cases, reply to one, resolve it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cobranza import cli
from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import record_reply
from cobranza.config import get_settings
from cobranza.db.engine import open_database, transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    Customer,
    InboundMedia,
    InboundMessage,
    OutboxMessage,
    OutboxState,
    PhoneStatus,
    SandboxMessage,
)
from cobranza.jobs.replies import install_reply_handler
from cobranza.timeutil import utcnow
from tests.channels.factories import make_customer
from tests.conversations.test_dialogue import PHONE, given_customer

runner = CliRunner()


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A database the CLI opens through COBRANZA_DATABASE_URL, with one case."""
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    monkeypatch.setenv("COBRANZA_BUSINESS_NAME", "Ejemplo SRL")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli.console, "_width", 200)
    get_settings.cache_clear()
    engine = open_database(url)
    given_customer(engine)
    yield engine
    engine.dispose()
    get_settings.cache_clear()


# A Wednesday at noon in Buenos Aires, inside the contact hours.
WEDNESDAY_NOON = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)


def customer_writes(
    engine: Engine, text: str, hours_ago: float, now: datetime | None = None
) -> None:
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        at = (now or utcnow()) - timedelta(hours=hours_ago)
        record_reply(session, business, PHONE, text, at)


def test_inbox_lists_waiting_case(cli_engine: Engine) -> None:
    # given
    customer_writes(cli_engine, "quiero hablar con una persona", hours_ago=1)

    # when
    table = runner.invoke(cli.app, ["inbox"])
    listed = runner.invoke(cli.app, ["inbox", "--json"])

    # then
    assert table.exit_code == 0, table.output
    assert "pidió hablar con una persona" in table.output
    assert "Ana Test" in table.output
    assert listed.exit_code == 0, listed.output
    cases = json.loads(listed.output)
    assert len(cases) == 1
    assert cases[0]["reason"] == "request_human"
    assert cases[0]["last_message"] == "quiero hablar con una persona"
    assert cases[0]["window_open"] is True


def test_inbox_names_receipt_not_downloaded(cli_engine: Engine) -> None:
    # given: a customer who reported a payment with a file that failed for good
    customer_writes(cli_engine, "ya pagué, te mandé el comprobante", hours_ago=1)
    with transaction(cli_engine) as session:
        inbound = session.scalars(select(InboundMessage)).one()
        session.add(
            InboundMedia(
                business_id=inbound.business_id,
                inbound_message_id=inbound.id,
                provider="whatsapp",
                media_id="media-gone",
                attempts=1,
                last_error="media media-gone not found",
                error="media media-gone not found",
            )
        )

    # when
    table = runner.invoke(cli.app, ["inbox"])
    listed = json.loads(runner.invoke(cli.app, ["inbox", "--json"]).output)

    # then
    assert table.exit_code == 0, table.output
    assert "no se pudo descargar" in " ".join(table.output.split())
    assert listed[0]["reason"] == "payment_to_verify"
    assert listed[0]["receipt_not_downloaded"] is True


def test_inbox_lists_policy_hand_off_without_reply(cli_engine: Engine) -> None:
    # given: the policy's hand-off step stopped the case, and the customer
    # never wrote.
    with transaction(cli_engine) as session:
        case = session.scalars(select(Case)).one()
        case.state = CaseState.HANDED_OFF
        case.planned_step = "handoff"
        case.planned_at = datetime(2026, 3, 17, 12, 0, tzinfo=UTC)
        case_id = case.id

    # when
    table = runner.invoke(cli.app, ["inbox"])
    listed = json.loads(runner.invoke(cli.app, ["inbox", "--json"]).output)
    answer = runner.invoke(cli.app, ["inbox", "reply", str(case_id), "Hola"])

    # then
    assert table.exit_code == 0, table.output
    assert "la política de cobranza llegó al paso de pasarlo" in table.output
    assert listed[0]["waiting_since"].startswith("2026-03-17T12:00")
    assert answer.exit_code == 1
    assert "el cliente C1 nunca le escribió al negocio" in answer.output
    assert "Traceback" not in answer.output
    resolved = runner.invoke(cli.app, ["inbox", "resolve", str(case_id), "--resume"])
    assert resolved.exit_code == 0, resolved.output
    with transaction(cli_engine) as session:
        assert session.get_one(Case, case_id).state == CaseState.OPEN
    assert "No hay casos" in runner.invoke(cli.app, ["inbox"]).output


def test_inbox_lists_unknown_senders(cli_engine: Engine) -> None:
    # given a waiting case and a message from a number of no customer
    customer_writes(cli_engine, "quiero hablar con una persona", hours_ago=2)
    with transaction(cli_engine) as session:
        business = session.scalars(select(Business)).one()
        record_reply(
            session,
            business,
            "+5491144449999",
            "¿quién es?",
            utcnow() - timedelta(hours=1),
        )

    # when
    table = runner.invoke(cli.app, ["inbox"])
    cases = runner.invoke(cli.app, ["inbox", "--json"])
    unknown = runner.invoke(cli.app, ["inbox", "--unknown", "--json"])

    # then
    assert table.exit_code == 0, table.output
    assert "Casos para atender" in table.output
    assert "Remitentes desconocidos" in table.output
    row = next(line for line in table.output.splitlines() if "+5491144449999" in line)
    assert "¿quién es?" in row
    assert [case["reason"] for case in json.loads(cases.output)] == ["request_human"]
    [message] = json.loads(unknown.output)
    assert message["sender"] == "+5491144449999"
    assert message["text"] == "¿quién es?"


def test_unknown_senders_caption_in_business_voice(cli_engine: Engine) -> None:
    with transaction(cli_engine) as session:
        business = session.scalars(select(Business)).one()
        record_reply(session, business, "+5491144449999", "¿quién es?", utcnow())
    voseo = runner.invoke(cli.app, ["inbox"])
    with transaction(cli_engine) as session:
        session.scalars(select(Business)).one().locale = "es_MX"

    tu = runner.invoke(cli.app, ["inbox"])

    assert voseo.exit_code == 0, voseo.output
    assert "cargá el número de cada uno" in " ".join(voseo.output.split())
    assert tu.exit_code == 0, tu.output
    assert "carga el número de cada uno" in " ".join(tu.output.split())


def test_inbox_names_customers_sharing_sender(cli_engine: Engine) -> None:
    # Given a second customer with the first one's phone, so that a reply
    # from it is kept without a customer
    with transaction(cli_engine) as session:
        business = session.scalars(select(Business)).one()
        make_customer(session, business, utcnow(), "C2", PHONE, name="Beto Test")
    customer_writes(cli_engine, "ya pagué", hours_ago=1)

    # When
    table = runner.invoke(cli.app, ["inbox"])
    unknown = runner.invoke(cli.app, ["inbox", "--unknown", "--json"])

    # Then
    assert table.exit_code == 0, table.output
    row = next(line for line in table.output.splitlines() if "ya pagué" in line)
    assert f"{PHONE} (de 2 clientes: Ana Test, Beto Test)" in row
    [message] = json.loads(unknown.output)
    assert message["shared_by"] == ["Ana Test", "Beto Test"]


def test_inbox_reply_inside_window(
    cli_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setattr(cli, "utcnow", lambda: WEDNESDAY_NOON)
    customer_writes(
        cli_engine, "quiero hablar con una persona", hours_ago=1, now=WEDNESDAY_NOON
    )
    with transaction(cli_engine) as session:
        case_id = session.scalars(select(Case.id)).one()

    # when
    result = runner.invoke(
        cli.app, ["inbox", "reply", str(case_id), "Hola Ana, te llamo a las 15."]
    )

    # then
    assert result.exit_code == 0, result.output
    with transaction(cli_engine) as session:
        texts = list(session.scalars(select(SandboxMessage.text)))
        sent_id = session.scalars(select(SandboxMessage.outbox_id)).one()
    assert texts == ["Hola Ana, te llamo a las 15."]
    assert result.output.strip() == (
        f"Respuesta enviada a C1 Ana Test (caso {case_id}, mensaje {sent_id})."
    )


def test_inbox_reply_drops_queued_acknowledgement(
    cli_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the robot's "a person will answer" still waits in the queue, as
    # it does when the customer wrote before the contact hours opened, and
    # the person answers on a Thursday at 12:00 in Buenos Aires
    noon = datetime(2026, 3, 19, 15, 0, tzinfo=UTC)
    monkeypatch.setattr(cli, "utcnow", lambda: noon)
    customer_writes(cli_engine, "quiero hablar con una persona", 1, now=noon)
    with transaction(cli_engine) as session:
        case_id = session.scalars(select(Case.id)).one()
        [ack] = session.scalars(
            select(OutboxMessage).where(OutboxMessage.step_kind == "handoff_ack")
        )
        assert ack.state == OutboxState.QUEUED

    # when
    result = runner.invoke(cli.app, ["inbox", "reply", str(case_id), "Hola Ana"])

    # then: it would arrive after the person's answer, so it is dropped
    assert result.exit_code == 0, result.output
    with transaction(cli_engine) as session:
        ack = session.get_one(OutboxMessage, ack.id)
        manual = session.scalars(
            select(OutboxMessage).where(OutboxMessage.step_kind == "manual_reply")
        ).one()
        business = session.scalars(select(Business)).one()
    assert ack.state == OutboxState.SUPPRESSED
    assert ack.suppressed_reason == "answered_by_person"
    assert manual.locale == business.locale


def test_inbox_reply_at_night_rejected(
    cli_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a customer who wrote at 02:10 in Buenos Aires and a reply typed
    # at 03:10, inside the 24-hour window but outside the hours of 9 to 20
    night = datetime(2026, 3, 19, 6, 10, tzinfo=UTC)
    monkeypatch.setattr(cli, "utcnow", lambda: night)
    customer_writes(cli_engine, "quiero hablar con una persona", 1, now=night)
    with transaction(cli_engine) as session:
        case_id = session.scalars(select(Case.id)).one()

    result = runner.invoke(cli.app, ["inbox", "reply", str(case_id), "Hola"])

    # Then nothing is sent, and the owner learns when to send it
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "son las 03:10 del 19/03/2026" in output
    assert "desde el 19/03/2026 09:00" in output
    assert "abierta hasta el 20/03/2026 02:10" in output
    with transaction(cli_engine) as session:
        assert list(session.scalars(select(SandboxMessage.id))) == []
        manual = select(OutboxMessage.id).where(OutboxMessage.step == "manual_reply")
        assert list(session.scalars(manual)) == []


def test_inbox_reply_on_sunday_after_window(
    cli_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a customer who wrote on Saturday at 10:00 and a reply on Sunday at
    # 09:30, when the window closes before the hours open on Monday
    sunday = datetime(2026, 3, 15, 12, 30, tzinfo=UTC)
    monkeypatch.setattr(cli, "utcnow", lambda: sunday)
    customer_writes(cli_engine, "quiero hablar con una persona", 23.5, now=sunday)
    with transaction(cli_engine) as session:
        case_id = session.scalars(select(Case.id)).one()

    result = runner.invoke(cli.app, ["inbox", "reply", str(case_id), "Hola"])

    # Then nothing is sent, and the owner learns that only a template is left
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "ese día de la semana no se le escribe" in output
    assert "El horario abre el 16/03/2026 09:00" in output
    assert "plantilla aprobada" in output
    with transaction(cli_engine) as session:
        assert list(session.scalars(select(SandboxMessage.id))) == []


def test_inbox_reply_outside_window_rejected(cli_engine: Engine) -> None:
    # given
    customer_writes(cli_engine, "quiero hablar con una persona", hours_ago=30)
    with transaction(cli_engine) as session:
        case_id = session.scalars(select(Case.id)).one()

    # when
    result = runner.invoke(cli.app, ["inbox", "reply", str(case_id), "Hola"])

    # then
    assert result.exit_code == 1
    assert "24 horas" in result.output
    with transaction(cli_engine) as session:
        assert list(session.scalars(select(SandboxMessage.id))) == []


def test_inbox_reply_to_wrong_person_rejected(cli_engine: Engine) -> None:
    # given
    customer_writes(cli_engine, "numero equivocado, no conozco a Ana", hours_ago=1)
    with transaction(cli_engine) as session:
        case_id = session.scalars(select(Case.id)).one()

    # when
    result = runner.invoke(cli.app, ["inbox", "reply", str(case_id), "Hola Ana"])

    # then
    assert result.exit_code == 1
    assert "equivocado" in result.output
    with transaction(cli_engine) as session:
        texts = list(session.scalars(select(SandboxMessage.text)))
    assert "Hola Ana" not in texts


def test_inbox_reply_after_opt_out_rejected(cli_engine: Engine) -> None:
    # given
    customer_writes(cli_engine, "me cobraron dos veces la misma factura", hours_ago=2)
    customer_writes(cli_engine, "BAJA", hours_ago=1)
    with transaction(cli_engine) as session:
        case_id = session.scalars(select(Case.id)).one()

    # when
    result = runner.invoke(cli.app, ["inbox", "reply", str(case_id), "Hola Ana"])

    # then
    assert result.exit_code == 1
    assert "no recibir más mensajes" in result.output
    with transaction(cli_engine) as session:
        texts = list(session.scalars(select(SandboxMessage.text)))
    assert "Hola Ana" not in texts


def test_inbox_reply_after_number_change_rejected(cli_engine: Engine) -> None:
    # given: WhatsApp reported that the customer moved to another number
    customer_writes(cli_engine, "quiero hablar con una persona", hours_ago=1)
    with transaction(cli_engine) as session:
        case_id = session.scalars(select(Case.id)).one()
        customer = session.scalars(select(Customer)).one()
        customer.phone_status = PhoneStatus.NOT_ON_WHATSAPP
        customer.phone_problem = "WhatsApp avisó que cambió de número"

    # when
    result = runner.invoke(cli.app, ["inbox", "reply", str(case_id), "Hola Ana"])

    # then
    assert result.exit_code == 1
    assert "Corregí el teléfono" in result.output
    with transaction(cli_engine) as session:
        texts = list(session.scalars(select(SandboxMessage.text)))
    assert "Hola Ana" not in texts


@pytest.mark.parametrize(
    ("flag", "state"), [("--resume", CaseState.OPEN), ("--close", CaseState.CLOSED)]
)
def test_inbox_resolve(cli_engine: Engine, flag: str, state: CaseState) -> None:
    # given
    customer_writes(cli_engine, "no puedo pagar, me quedé sin trabajo", hours_ago=1)
    with transaction(cli_engine) as session:
        case_id = session.scalars(select(Case.id)).one()

    # when
    result = runner.invoke(cli.app, ["inbox", "resolve", str(case_id), flag])
    listed = runner.invoke(cli.app, ["inbox", "--json"])

    # then
    assert result.exit_code == 0, result.output
    assert json.loads(listed.output) == []
    with transaction(cli_engine) as session:
        case = session.get_one(Case, case_id)
        kinds = set(session.scalars(select(AuditEvent.kind)))
        assert case.state == state
        assert case.handoff_reason is None
    assert ("case_resumed" if flag == "--resume" else "case_closed") in kinds


def test_inbox_resolve_needs_one_flag(cli_engine: Engine) -> None:
    # when
    result = runner.invoke(cli.app, ["inbox", "resolve", "1"])

    # then
    assert result.exit_code == 2
    assert "--resume o --close" in result.output


def test_inbox_resolve_unknown_case(cli_engine: Engine) -> None:
    # when
    result = runner.invoke(cli.app, ["inbox", "resolve", "999", "--resume"])

    # then
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "no se encontró el caso 999: `cobranza inbox` lista los casos" in output
    assert "negocio" not in output


def test_inbox_reply_unknown_case(cli_engine: Engine) -> None:
    # when
    result = runner.invoke(cli.app, ["inbox", "reply", "99", "Hola"])

    # then
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert output == (
        "No se envió: no se encontró el caso 99: `cobranza inbox` lista los casos "
        "en espera con su número"
    )
