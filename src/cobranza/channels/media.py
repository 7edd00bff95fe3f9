"""Files that customers send (payment receipts), stored under the media directory.

Each file is written once under `<media_dir>/<sha256[:2]>/<sha256>` and
described by an `inbound_media` row, so the same receipt sent twice is
stored once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)


def store_file(media_dir: str | Path, content: bytes) -> tuple[str, str]:
    """Write `content` under the media directory; return (sha256, path).

    The write goes to a temporary file first and is renamed into place,
    so a crash never leaves a partial file under a valid name.
    """
    digest = hashlib.sha256(content).hexdigest()
    folder = Path(media_dir) / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / digest
    if not target.exists():
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        logger.debug("stored media file %s (%s bytes)", digest, len(content))
    return digest, str(target)
