"""The marker file that lists the databases storing files in a media directory.

Stored files are named by content, so a file that no row names is an
orphan only if one database alone stores files in the directory. Two
databases sharing a folder (a demo SQLite file and the real database run
from the same working folder, both with the default `media`) would each
delete the other's receipts. So the media sweep deletes a final file that
no row names only when `check_owner` finds the marker file
`<media_dir>/.cobranza-database` listing this database and no other.

The marker's first two lines are fixed: a title and the POSIX time when it
was created. Each later line names one database by its identity. The sweep
of every database appends its own line the first time it runs against the
directory, and so does every process before it downloads files there
(`register_database`). A final file modified before the marker was created
is never deleted as unnamed, because the databases that stored files
before the marker existed may be missing from it.

The identity of a database is an HMAC-SHA256, keyed with the lowest-id
business's `erasure_key`, of a fixed label. The key is random, stored in
the database and never rotated (see `compliance.erasure`), so the identity
is stable for one database and differs between two. The key is created
here when no erasure has created it yet. NOTE: a copy of a database file
keeps the key, so the copy and the original share an identity and still
delete each other's unnamed files.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from cobranza.db.engine import transaction
from cobranza.db.models import Business

logger = logging.getLogger(__name__)

MARKER = ".cobranza-database"
MARKER_TITLE = "cobranza media directory"
FIX = "set COBRANZA_MEDIA_DIR to a folder of its own for each database"

_IDENTITY_LABEL = b"cobranza media directory owner"
_CREATED = re.compile(r"created (\d{1,12})")
_DATABASE = re.compile(r"database ([0-9a-f]{64})")
# Problems already logged by this process, so an hourly sweep warns once.
_warned: set[tuple[str, str]] = set()
# (database URL, media directory) pairs that this process registered.
_registered: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Ownership:
    """Whether this database alone stores files in a media directory.

    `created` is the marker's creation time, as a POSIX timestamp, when
    `problem` is None. `problem` is the reason to keep unnamed files.
    """

    created: float = 0.0
    problem: str | None = None

    @property
    def sole_owner(self) -> bool:
        return self.problem is None


def database_identity(engine: Engine) -> str | None:
    """Return the identity of the database, or None when it has no business yet.

    Sets the lowest-id business's `erasure_key` when it is still empty. The
    update only fills an empty key, so two workers that race store one key.
    """
    key = _first_business_key(engine)
    if key is None:
        return None
    if key == "":
        with transaction(engine) as session:
            session.execute(
                update(Business)
                .where(Business.erasure_key.is_(None))
                .where(Business.id == select(func.min(Business.id)).scalar_subquery())
                .values(erasure_key=secrets.token_hex(32))
            )
        key = _first_business_key(engine)
        if not key:
            return None  # the business was deleted between the two reads
    return hmac.new(key.encode(), _IDENTITY_LABEL, hashlib.sha256).hexdigest()


def _first_business_key(engine: Engine) -> str | None:
    """Return the lowest-id business's `erasure_key`, "" when it has none yet.

    Returns None when the database has no business.
    """
    with transaction(engine) as session:
        row = session.execute(
            select(Business.erasure_key).order_by(Business.id).limit(1)
        ).first()
    if row is None:
        return None
    return row.erasure_key or ""


def check_owner(engine: Engine, root: Path, *, now: float | None = None) -> Ownership:
    """Register this database in the marker of `root`; return whether it owns it.

    Creates the marker when it is missing, with `now` (by default the system
    clock) as its creation time. Logs one warning per problem and process.
    """
    identity = database_identity(engine)
    if identity is None:
        return Ownership(problem="the database has no business yet")
    marker = root / MARKER
    try:
        created, identities = _register(marker, identity, now)
    except (OSError, ValueError) as exc:
        return _warn(root, f"the marker {marker} is unreadable or invalid ({exc})")
    others = len(set(identities) - {identity})
    if others:
        return _warn(
            root,
            f"the marker {marker} lists {others} other database(s) that store "
            "files in this directory",
        )
    return Ownership(created=created)


def register_database(engine: Engine, media_dir: str | Path) -> None:
    """Add this database to the marker of `media_dir` before it stores files there.

    So a database whose files are in the directory is listed even when its
    processes have not swept yet, and another database's sweep keeps its
    files. Each process registers a directory once. A failure is logged and
    the download goes on, because a lost receipt is worse than an unnamed
    file that the sweeps keep.
    """
    root = Path(media_dir)
    if (str(engine.url), str(root)) in _registered:
        return
    try:
        identity = database_identity(engine)
        if identity is None:
            return
        root.mkdir(parents=True, exist_ok=True)
        _register(root / MARKER, identity, None)
    except (OSError, ValueError, SQLAlchemyError) as exc:
        logger.warning(
            "media directory %s not registered for this database: %s", root, exc
        )
        return
    _registered.add((str(engine.url), str(root)))


def _register(
    marker: Path, identity: str, now: float | None
) -> tuple[float, list[str]]:
    """Create the marker or append `identity` to it; return its time and identities."""
    if not marker.exists():
        _create(marker, identity, time.time() if now is None else now)
    created, identities = _read(marker)
    if identity not in identities:
        _append(marker, identity)
        identities.append(identity)
    return created, identities


def _create(marker: Path, identity: str, created: float) -> None:
    """Write the marker under a temporary name, then link it into place.

    The link fails when another process created the marker first, which
    keeps that one, so a reader never sees a half-written marker.
    """
    content = f"{MARKER_TITLE}\ncreated {int(created)}\ndatabase {identity}\n"
    temporary = marker.with_name(f"{MARKER}.{secrets.token_hex(4)}")
    temporary.write_text(content, encoding="ascii")
    try:
        os.link(temporary, marker)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)


def _append(marker: Path, identity: str) -> None:
    # One short write in append mode, so lines of two processes never mix.
    handle = os.open(marker, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(handle, f"database {identity}\n".encode("ascii"))
    finally:
        os.close(handle)


def _read(marker: Path) -> tuple[float, list[str]]:
    """Parse the marker; raise ValueError naming the first invalid line."""
    text = marker.read_text(encoding="ascii", errors="replace")
    if not text.endswith("\n"):
        raise ValueError("the last line does not end with a newline")
    lines = text.splitlines()
    if len(lines) < 2 or lines[0] != MARKER_TITLE:
        raise ValueError(f"the first line is not {MARKER_TITLE!r}")
    created = _CREATED.fullmatch(lines[1])
    if created is None:
        raise ValueError("line 2 is not 'created <POSIX time>'")
    identities = []
    for number, line in enumerate(lines[2:], start=3):
        database = _DATABASE.fullmatch(line)
        if database is None:
            raise ValueError(f"line {number} is not 'database <identity>'")
        identities.append(database.group(1))
    return float(created.group(1)), identities


def _warn(root: Path, problem: str) -> Ownership:
    if (str(root), problem) not in _warned:
        _warned.add((str(root), problem))
        logger.warning(
            "media sweep keeps the stored files in %s that no row names, "
            "because %s: %s",
            root,
            problem,
            FIX,
        )
    return Ownership(problem=problem)
