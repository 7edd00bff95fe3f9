"""The media sweep: orphan downloads removed, stored receipts kept or put back.

A receipt is stored through the real path (app, event processing, fake Graph
API). The files around it are made old with `os.utime`, so no test waits
for `ORPHAN_AGE` to pass. The media directory's marker is created with an
even older time first, since the sweep keeps unnamed files older than it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from cobranza.channels import media_store
from cobranza.channels.inbox import EventWorker, process_pending_events
from cobranza.channels.media_owner import MARKER, check_owner, database_identity
from cobranza.channels.media_store import (
    INCOMING,
    ORPHAN_AGE,
    final_path,
    sweep_orphans,
)
from cobranza.compliance.erasure import erase_customer
from cobranza.config import Settings
from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import Business, Customer, InboundMedia
from tests.channels.factories import make_business
from tests.channels.whatsapp.test_media import (
    MEDIA_ID,
    NOW,
    PROCESSED_AT,
    RECEIPT,
    given_case,
    post_stored,
    receipt_body,
    stored,
)
from tests.fakes.graph_api import FakeGraphAPI
from tests.polling import wait_for

# Older than ORPHAN_AGE by an hour.
OLD = time.time() - ORPHAN_AGE.total_seconds() - 3600


def stored_receipt(engine: Engine, settings: Settings, graph: FakeGraphAPI) -> Path:
    """Store a receipt as the event worker does; return its file, made old."""
    given_case(engine)
    claim_media_dir(engine, Path(settings.media_dir))
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    post_stored(settings, engine, receipt_body())
    process_pending_events(engine, PROCESSED_AT, settings=settings)
    _, media = stored(engine)
    assert media.path is not None
    path = Path(media.path)
    os.utime(path, (OLD, OLD))
    return path


def claim_media_dir(engine: Engine, root: Path) -> None:
    """Create the media directory's marker as if this database made it long ago."""
    root.mkdir(parents=True, exist_ok=True)
    assert check_owner(engine, root, now=OLD - 3600).sole_owner


def write_file(path: Path, content: bytes, mtime: float | None = OLD) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_sweep_removes_orphans_keeps_stored(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a stored receipt, an old download that no row names, an old
    # partial write of an earlier version, a download still in use, an old
    # and a new final file that no row names, and a file that cobranza did
    # not write
    root = Path(settings.media_dir)
    receipt = stored_receipt(engine, settings, graph)
    orphan = write_file(root / INCOMING / f"{digest(b'cut')}.x1y2z3", b"cut")
    legacy = write_file(root / receipt.parent.name / ".incoming-abc123", b"cu")
    in_use = write_file(root / INCOMING / f"{digest(b'new')}.a1", b"new", mtime=None)
    unnamed = write_file(final_path(root, digest(b"forgotten")), b"forgotten")
    young = write_file(final_path(root, digest(b"young")), b"young", mtime=None)
    notes = write_file(root / "notas.txt", b"de la oficina")

    # when
    result = sweep_orphans(engine, root)

    # then: the old files that no row names are gone
    assert result.removed == 3
    assert result.unnamed == 1
    assert result.restored == 0
    assert receipt.read_bytes() == RECEIPT
    assert not orphan.exists()
    assert not legacy.exists()
    assert in_use.exists()
    assert not unnamed.exists()
    assert young.exists()
    assert notes.exists()
    assert list((root / INCOMING).iterdir()) == [in_use]


def test_sweep_deletes_files_of_killed_erasure(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: an erasure committed, and its process was killed before it
    # deleted the receipt
    root = Path(settings.media_dir)
    receipt = stored_receipt(engine, settings, graph)
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        business = session.get_one(Business, customer.business_id)
        result = erase_customer(
            session, business, customer, PROCESSED_AT + timedelta(hours=1), force=True
        )
    assert result.media_paths == [str(receipt)]
    assert receipt.exists()

    # when
    swept = sweep_orphans(engine, root)

    # then
    assert swept.unnamed == 1
    assert not receipt.exists()
    assert list((root / INCOMING).iterdir()) == []


def test_sweep_keeps_file_named_before_deletion(
    engine: Engine,
    settings: Settings,
    graph: FakeGraphAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: an old file that no row names when the sweep first reads the
    # rows, and a worker that commits a row naming it right after that read
    root = Path(settings.media_dir)
    receipt = stored_receipt(engine, settings, graph)
    with transaction(engine) as session:
        media = session.scalars(select(InboundMedia)).one()
        path, media.path = media.path, None
    real_named_digests = media_store._named_digests
    reads: list[set[str]] = []

    def named_then_commit(engine: Engine, digests: set[str]) -> set[str]:
        named = real_named_digests(engine, digests)
        reads.append(named)
        if len(reads) == 1:
            with transaction(engine) as session:
                session.scalars(select(InboundMedia)).one().path = path
        return named

    monkeypatch.setattr(media_store, "_named_digests", named_then_commit)

    # when
    result = sweep_orphans(engine, root)

    # then: the second read, after the file was moved aside, finds the row,
    # so the file goes back in place
    assert reads == [set(), {receipt.name}]
    assert result.unnamed == 0
    assert result.removed == 0
    assert receipt.read_bytes() == RECEIPT
    assert list((root / INCOMING).iterdir()) == []


def test_sweep_puts_back_committed_download(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: the state a crash between the commit and the move leaves: the
    # row names the file, which is still in the temporary folder
    root = Path(settings.media_dir)
    receipt = stored_receipt(engine, settings, graph)
    temporary = root / INCOMING / f"{receipt.name}.crash1"
    receipt.rename(temporary)

    # when
    result = sweep_orphans(engine, root)

    # then
    assert result.restored == 1
    assert result.removed == 0
    assert receipt.read_bytes() == RECEIPT
    assert not temporary.exists()


def test_sweep_drops_copy_of_stored_file(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: an old temporary copy of a file that is already in place
    root = Path(settings.media_dir)
    receipt = stored_receipt(engine, settings, graph)
    copy = write_file(root / INCOMING / f"{receipt.name}.copy1", RECEIPT)

    # when
    result = sweep_orphans(engine, root)

    # then
    assert result.removed == 1
    assert receipt.read_bytes() == RECEIPT
    assert not copy.exists()


def test_sweep_without_media_dir(engine: Engine, tmp_path: Path) -> None:
    result = sweep_orphans(engine, tmp_path / "missing")

    assert result.removed == 0
    assert result.restored == 0


def test_event_worker_sweeps_orphans(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a stored receipt and an old download that no row names
    root = Path(settings.media_dir)
    receipt = stored_receipt(engine, settings, graph)
    orphan = write_file(root / INCOMING / f"{digest(b'cut')}.x1y2z3", b"cut")
    worker = EventWorker(engine, settings, interval=0.05, clock=lambda: PROCESSED_AT)

    # when: the worker starts, as `cobranza serve` and `cobranza worker` start it
    worker.start()
    try:
        removed = wait_for(lambda: not orphan.exists())
    finally:
        worker.stop()

    # then
    assert removed is True
    assert receipt.read_bytes() == RECEIPT


@pytest.fixture
def other_engine(tmp_path: Path, migrated_sqlite_file: Path) -> Iterator[Engine]:
    """A second database, SQLite with one business, as a demo set-up has."""
    path = tmp_path / "other.db"
    shutil.copyfile(migrated_sqlite_file, path)
    engine = make_engine(f"sqlite:///{path}")
    with transaction(engine) as session:
        make_business(session, NOW, name="Demo SA")
    yield engine
    engine.dispose()


def test_other_database_keeps_receipt(
    engine: Engine,
    other_engine: Engine,
    settings: Settings,
    graph: FakeGraphAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: a receipt stored through the first database, and an old final
    # file that no row of the first database names
    root = Path(settings.media_dir)
    receipt = stored_receipt(engine, settings, graph)
    unnamed = write_file(final_path(root, digest(b"forgotten")), b"forgotten")
    orphan = write_file(root / INCOMING / f"{digest(b'cut')}.x1y2z3", b"cut")

    # when: the second database sweeps the same directory
    with caplog.at_level(logging.WARNING, logger="cobranza.channels.media_owner"):
        result = sweep_orphans(other_engine, root)

    # then: it deletes its old download but no stored file, and logs why
    assert receipt.read_bytes() == RECEIPT
    assert unnamed.exists()
    assert not orphan.exists()
    assert result.unnamed == 0
    assert result.removed == 1
    assert result.kept_unnamed is not None
    assert "other database" in result.kept_unnamed
    assert str(root / MARKER) in caplog.text
    assert "COBRANZA_MEDIA_DIR to a folder of its own" in caplog.text


def test_first_database_stops_deleting_once_shared(
    engine: Engine, other_engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: the first database's orphan, deleted while it is the only one
    root = Path(settings.media_dir)
    stored_receipt(engine, settings, graph)
    orphan = write_file(final_path(root, digest(b"forgotten")), b"forgotten")
    alone = sweep_orphans(engine, root)
    assert alone.unnamed == 1
    assert not orphan.exists()
    assert alone.kept_unnamed is None

    # when: the second database sweeps once, then the first sweeps again
    other = write_file(final_path(root, digest(b"demo receipt")), b"demo receipt")
    sweep_orphans(other_engine, root)
    shared = sweep_orphans(engine, root)

    # then: the first database keeps the second one's file
    assert other.exists()
    assert shared.unnamed == 0
    assert shared.kept_unnamed is not None


def test_sweep_creates_missing_marker(engine: Engine, settings: Settings) -> None:
    # given: a media directory without a marker, and a database with a business
    root = Path(settings.media_dir)
    root.mkdir(parents=True)
    given_case(engine)
    before = time.time()

    # when
    result = sweep_orphans(engine, root)

    # then: the marker names this database, created now
    lines = (root / MARKER).read_text().splitlines()
    assert result.kept_unnamed is None
    assert lines[0] == "cobranza media directory"
    assert int(lines[1].split()[1]) >= int(before)
    assert len(lines) == 3
    assert lines[2].startswith("database ")
    assert check_owner(engine, root).sole_owner


def test_sweep_keeps_files_older_than_marker(
    engine: Engine, settings: Settings
) -> None:
    # given: an unnamed file written before the marker existed, as by a
    # version before the marker or a database that never swept
    root = Path(settings.media_dir)
    given_case(engine)
    legacy = write_file(final_path(root, digest(b"before marker")), b"before marker")

    # when
    result = sweep_orphans(engine, root)

    # then
    assert legacy.exists()
    assert result.unnamed == 0
    assert result.kept_unnamed is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"cobranza media directory\ncreated 12\ndatabase 12ab\n",
        b"cobranza media directory\ncreated 12\ndatabase ",
        b"\xff\xfe garbage",
    ],
)
def test_garbled_marker_keeps_files(
    engine: Engine,
    settings: Settings,
    graph: FakeGraphAPI,
    caplog: pytest.LogCaptureFixture,
    content: bytes,
) -> None:
    # given: an unnamed old file and a marker that cannot be parsed
    root = Path(settings.media_dir)
    stored_receipt(engine, settings, graph)
    unnamed = write_file(final_path(root, digest(b"forgotten")), b"forgotten")
    (root / MARKER).write_bytes(content)

    # when
    with caplog.at_level(logging.WARNING, logger="cobranza.channels.media_owner"):
        result = sweep_orphans(engine, root)

    # then: nothing unnamed is deleted, the marker is left as it was
    assert unnamed.exists()
    assert result.unnamed == 0
    assert result.kept_unnamed is not None
    assert "invalid" in result.kept_unnamed
    assert (root / MARKER).read_bytes() == content
    assert str(root / MARKER) in caplog.text


def test_unreadable_marker_keeps_files(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a marker that is a folder, so reading it fails
    root = Path(settings.media_dir)
    stored_receipt(engine, settings, graph)
    unnamed = write_file(final_path(root, digest(b"forgotten")), b"forgotten")
    (root / MARKER).unlink()
    (root / MARKER).mkdir()

    # when
    result = sweep_orphans(engine, root)

    # then
    assert unnamed.exists()
    assert result.unnamed == 0
    assert result.kept_unnamed is not None


def test_database_without_business_keeps_files(
    engine: Engine, settings: Settings
) -> None:
    # given: an empty database, which no row of names any file
    root = Path(settings.media_dir)
    unnamed = write_file(final_path(root, digest(b"forgotten")), b"forgotten")

    # when
    result = sweep_orphans(engine, root)

    # then
    assert unnamed.exists()
    assert result.unnamed == 0
    assert result.kept_unnamed == "the database has no business yet"
    assert not (root / MARKER).exists()


def test_database_identity_stable_and_distinct(
    engine: Engine, other_engine: Engine
) -> None:
    # given: a database without a business, which then gets one
    assert database_identity(engine) is None
    given_case(engine)

    # when
    first = database_identity(engine)
    again = database_identity(engine)
    other = database_identity(other_engine)

    # then: the identity is kept in the database and differs from another's
    assert first is not None
    assert len(first) == 64
    assert again == first
    assert other is not None
    assert other != first
    with transaction(engine) as session:
        keys = session.scalars(select(Business.erasure_key)).all()
    assert len(keys) == 1
    assert keys[0] is not None


def test_download_registers_database(
    engine: Engine, other_engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: the second database made the marker, and the first one stores a
    # receipt before any sweep of its own
    root = Path(settings.media_dir)
    root.mkdir(parents=True)
    assert check_owner(other_engine, root, now=OLD - 3600).sole_owner
    given_case(engine)
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    post_stored(settings, engine, receipt_body())
    process_pending_events(engine, PROCESSED_AT, settings=settings)
    _, media = stored(engine)
    assert media.path is not None
    receipt = Path(media.path)
    os.utime(receipt, (OLD, OLD))

    # when
    result = sweep_orphans(other_engine, root)

    # then: the download listed the first database, so the receipt stays
    assert len((root / MARKER).read_text().splitlines()) == 4
    assert receipt.read_bytes() == RECEIPT
    assert result.unnamed == 0
    assert result.kept_unnamed is not None
