"""The media directory: files that customers send, named by their sha256.

A stored file lives at `<media_dir>/<sha256[:2]>/<sha256>`, so the same
receipt sent twice is stored once. A download is first written to a
temporary file, `<media_dir>/.incoming/<sha256>.<random>`, and moved to its
final name only after the transaction that stores its `inbound_media` row
has committed (`publish`). A download that no committed row uses is deleted
(`discard`). So a file under a final name always has a row that names it,
unless the process crashed between the commit and the move. A worker
deletes only its own unused downloads, never a file that another worker's
row names.

`sweep_orphans`, run by the event worker, cleans up after a crash: a
temporary file older than `ORPHAN_AGE` is moved into place when a row names
its content and the final file is missing, and deleted otherwise. A file
under a final name that is older than `ORPHAN_AGE` and that no row names is
deleted too. An erasure whose process was killed between its commit and
the deletion of the customer's files leaves such a file. So did versions
before the temporary folder, which wrote the download of a batch that
another worker processed under its final name. It is also a receipt
whose row a database restore took back, so a restore from a backup older
than the media directory loses the files stored since the backup.
Unnamed final files are deleted only when this database alone stores files
in the directory, as its marker file says (`channels.media_owner`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from cobranza.channels.media_owner import check_owner
from cobranza.db.engine import transaction
from cobranza.db.models import InboundMedia

logger = logging.getLogger(__name__)

# Folder under the media directory for downloads whose row is not committed.
INCOMING = ".incoming"
# Prefix of the temporary files that earlier versions wrote in each shard.
LEGACY_TEMPORARY_PREFIX = ".incoming-"
# Age after which a file that no row names is an orphan. A download waits
# for its transaction for seconds to minutes (the other downloads of its
# batch and the reply preparation), far less than this.
ORPHAN_AGE = timedelta(hours=6)
# sha256 values looked up in one statement by the sweep.
SWEEP_QUERY_CHUNK = 500

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredFile:
    """Downloaded content in its temporary file, and the final path it gets."""

    sha256: str
    size: int
    path: str
    temporary: str


@dataclass(frozen=True)
class SweepResult:
    """The counts of files that one `sweep_orphans` run removed and restored."""

    # Temporary files and final files that no row names, deleted.
    removed: int = 0
    restored: int = 0
    # The final files among `removed`.
    unnamed: int = 0
    # Why the final files that no row names were kept, or None.
    kept_unnamed: str | None = None


def final_path(media_dir: str | Path, digest: str) -> Path:
    """Return where the file whose sha256 is `digest` is stored."""
    return Path(media_dir) / digest[:2] / digest


def stored_file(media_dir: str | Path, digest: str | None) -> Path | None:
    """Return the stored file whose sha256 is `digest`, or None if there is none.

    The path is built from the digest alone, never from a stored path, and
    must resolve to a regular file inside `media_dir`. So neither a tampered
    row nor a symbolic link can lead the caller to a file elsewhere.
    """
    if digest is None or not _SHA256.fullmatch(digest):
        return None
    root = Path(media_dir).resolve()
    path = final_path(root, digest).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def store_temporary(media_dir: str | Path, content: bytes) -> StoredFile:
    """Write `content` to a new temporary file under the media directory.

    Raises `OSError` when the file cannot be written, and leaves nothing then.
    """
    digest = hashlib.sha256(content).hexdigest()
    folder = Path(media_dir) / INCOMING
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f"{digest}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return StoredFile(
        sha256=digest,
        size=len(content),
        path=str(final_path(media_dir, digest)),
        temporary=temporary,
    )


def publish(temporary: str, path: str) -> None:
    """Move a temporary file to its final name, replacing a copy already there.

    A copy already there has the same content, since the name is its sha256.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temporary, target)
    logger.debug("stored media file %s", target.name)


def discard(temporary: str) -> None:
    """Delete a temporary file that no committed row uses."""
    try:
        Path(temporary).unlink(missing_ok=True)
    except OSError as exc:
        # The sweep deletes it once it is older than ORPHAN_AGE.
        logger.warning("unused media download not deleted: %s", exc)


def sweep_orphans(
    engine: Engine, media_dir: str | Path, *, now: float | None = None
) -> SweepResult:
    """Move into place or delete the temporary files older than `ORPHAN_AGE`.

    Temporary files that earlier versions left in the shard folders
    (`LEGACY_TEMPORARY_PREFIX`) are deleted too, since no row names them.
    `now` is a POSIX timestamp, by default the system clock's, because the
    files' modification times come from it. Rows of every business count:
    businesses share the media directory, since files are named by content.
    Final files that no row names are deleted only when the directory's
    marker lists this database alone (`check_owner`), and only those
    modified after the marker was created.
    """
    root = Path(media_dir)
    if not root.is_dir():
        return SweepResult()
    now = time.time() if now is None else now
    cutoff = now - ORPHAN_AGE.total_seconds()
    owner = check_owner(engine, root, now=now)

    restored = removed = 0
    temporaries = list(_old_files(_incoming_files(root), cutoff))
    named = _named_digests(engine, {_digest_of_temporary(p) for p in temporaries})
    for temporary in temporaries:
        digest = _digest_of_temporary(temporary)
        target = final_path(root, digest)
        if digest in named and not target.exists():
            if _restore(temporary, target):
                restored += 1
        elif _unlink(temporary):
            removed += 1

    removed += sum(
        _unlink(path) for path in _old_files(_legacy_temporaries(root), cutoff)
    )
    unnamed = 0
    if owner.sole_owner:
        unnamed = _remove_unnamed(engine, root, owner.created, cutoff)
    removed += unnamed

    if restored or removed:
        logger.info(
            "media sweep moved %s files into place and removed %s orphans, "
            "%s of them stored files that no row names",
            restored,
            removed,
            unnamed,
        )
    return SweepResult(
        removed=removed,
        restored=restored,
        unnamed=unnamed,
        kept_unnamed=owner.problem,
    )


def _remove_unnamed(engine: Engine, root: Path, since: float, cutoff: float) -> int:
    """Delete the final files modified from `since` to `cutoff` that no row names.

    Returns how many were deleted.
    """
    candidates = [
        path
        for path in _old_files(_final_files(root), cutoff)
        if _modified_since(path, since)
    ]
    named = _named_digests(engine, {path.name for path in candidates})
    return sum(
        _remove_if_unnamed(engine, root, path)
        for path in candidates
        if path.name not in named
    )


def _remove_if_unnamed(engine: Engine, root: Path, path: Path) -> bool:
    """Delete one final file once the database, read again, names it nowhere.

    The file is first moved into the temporary folder and the rows are read
    after the move. A worker commits a row before it moves the file into
    place (`publish`), so a row that this read misses is committed after
    the move, and its worker then puts its own copy in place. A sweep killed
    after the move leaves an old temporary file, which the next sweep puts
    back or deletes as any other.
    """
    digest = path.name
    aside = root / INCOMING / f"{digest}.sweep-{secrets.token_hex(4)}"
    try:
        aside.parent.mkdir(parents=True, exist_ok=True)
        os.rename(path, aside)
    except FileNotFoundError:
        return False  # another sweep or an erasure deleted it
    except OSError as exc:
        logger.warning("unnamed media file %s not moved aside: %s", digest, exc)
        return False
    if _named_digests(engine, {digest}):
        # A row named the file since the first read, so it goes back.
        if path.exists():
            _unlink(aside)
            return False
        try:
            publish(str(aside), str(path))
        except OSError as exc:
            # The next sweep puts it back from the temporary folder.
            logger.error("media file %s not moved back: %s", digest, exc)
        return False
    return _unlink(aside)


def _final_files(root: Path) -> Iterator[Path]:
    for shard in _shards(root):
        for path in shard.iterdir():
            if (
                _SHA256.fullmatch(path.name)
                and path.name.startswith(shard.name)
                and path.is_file()
            ):
                yield path


def _incoming_files(root: Path) -> Iterator[Path]:
    folder = root / INCOMING
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.is_file() and _SHA256.fullmatch(path.name.split(".", 1)[0]):
            yield path


def _legacy_temporaries(root: Path) -> Iterator[Path]:
    for shard in _shards(root):
        yield from shard.glob(f"{LEGACY_TEMPORARY_PREFIX}*")


def _shards(root: Path) -> Iterator[Path]:
    for shard in root.iterdir():
        if shard.is_dir() and re.fullmatch(r"[0-9a-f]{2}", shard.name):
            yield shard


def _old_files(paths: Iterable[Path], cutoff: float) -> Iterator[Path]:
    for path in paths:
        try:
            if path.stat().st_mtime < cutoff:
                yield path
        except FileNotFoundError:
            continue  # another worker's sweep or publish moved it


def _modified_since(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since
    except FileNotFoundError:
        return False


def _digest_of_temporary(path: Path) -> str:
    return path.name.split(".", 1)[0]


def _named_digests(engine: Engine, digests: set[str]) -> set[str]:
    """Return the sha256 values of `digests` that a stored file row names."""
    if not digests:
        return set()
    ordered = sorted(digests)
    named: set[str] = set()
    with transaction(engine) as session:
        for start in range(0, len(ordered), SWEEP_QUERY_CHUNK):
            chunk = ordered[start : start + SWEEP_QUERY_CHUNK]
            named.update(
                session.scalars(
                    select(InboundMedia.sha256)
                    .where(
                        InboundMedia.sha256.in_(chunk),
                        InboundMedia.path.is_not(None),
                    )
                    .distinct()
                )
            )
    return named


def _restore(temporary: Path, target: Path) -> bool:
    """Move the download of a committed row into place after a crash."""
    try:
        publish(str(temporary), str(target))
    except FileNotFoundError:
        return False
    except OSError as exc:
        logger.error("media file %s not moved into place: %s", target.name, exc)
        return False
    logger.warning(
        "media file %s, left in %s by a crash after its row was committed, "
        "is moved into place",
        target.name,
        INCOMING,
    )
    return True


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        logger.warning("orphan media file not deleted: %s", exc)
        return False
    return True
