"""Values a bot keeps in its own cache folder (DATA_DIR/cache) between starts: the knowledge
base's index (bot.content.store) and the quiz banks (bot.quiz.bank), each in a file whose name
says what it was built from, so that a start on the same files and code reads it back instead of
building it again. Pickles, written atomically; read only from the bot's own folder."""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def read_kept(path: Path) -> object | None:
    """What `keep` wrote at `path`, or None when there is nothing (or nothing readable) there."""
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)  # noqa: S301 - written by this code into the bot's own folder
    except FileNotFoundError:
        return None
    except Exception as error:  # a half-written or foreign file: build again and replace it
        log.warning("cache %s unreadable (%s); building it again", path.name, error)
        return None


def keep(path: Path, value: object) -> None:
    """Pickle `value` at `path` atomically (another process may be reading or writing the same
    file) and remove files of the same kind (the name up to its first "-") older by an hour:
    earlier content or code. A failure only costs the next start the build."""
    kind = path.name.split("-", 1)[0]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{kind}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        for old in path.parent.glob(f"{kind}-*.pickle"):
            if old != path and old.stat().st_mtime < path.stat().st_mtime - 3600:
                old.unlink(missing_ok=True)
    except Exception as error:  # a read-only folder, a full disk, a value that cannot pickle
        log.warning("cache %s not written: %s", path.name, error)
