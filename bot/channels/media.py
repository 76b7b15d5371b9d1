"""Files the bot made (charts, exports) served under unguessable links, for platforms that take a
photo URL rather than an upload (Zalo Bot Platform). Needs PUBLIC_BASE_URL; links expire.

Each file remembers (as a hash) whom it was sent to, so that a person's erasure also removes the
copies of their files still waiting here (a /dulieucuatoi export is personal data)."""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    from fastapi import APIRouter

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_OWNER_FILE = ".owner"


def _owner_tag(owner: str) -> str:
    """What is written beside a file about its recipient: a hash, not the platform id."""
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()


class MediaStore:
    """Keeps files in DATA_DIR/media/<token>/<name> and builds their public URLs."""

    def __init__(self, folder: Path, public_base_url: str, *, keep_days: int = 7) -> None:
        self.folder = folder
        self.base_url = public_base_url.rstrip("/")
        self._keep_seconds = keep_days * 86400

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaStore:
        """The store under DATA_DIR/media, linked from PUBLIC_BASE_URL."""
        return cls(settings.data_dir / "media", settings.public_base_url)

    @property
    def enabled(self) -> bool:
        """Whether files can be linked (a public URL is configured)."""
        return bool(self.base_url)

    def put(self, data: bytes, file_name: str, *, owner: str = "") -> str:
        """Store a file sent to `owner` ("channel:id"); returns its public URL."""
        self._prune()
        token = secrets.token_urlsafe(24)
        name = _SAFE_NAME.sub("-", file_name).strip("-.") or "tep"
        target = self.folder / token / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if owner:
            (target.parent / _OWNER_FILE).write_text(_owner_tag(owner), encoding="ascii")
        return f"{self.base_url}/media/{token}/{name}"

    def path(self, token: str, name: str) -> Path | None:
        """The stored file behind a link, or None."""
        if not _TOKEN.match(token) or name != _SAFE_NAME.sub("-", name) or name.startswith("."):
            return None
        candidate = self.folder / token / name
        return candidate if candidate.is_file() else None

    def forget(self, channel: str, external_id: str) -> int:
        """Delete every file sent to this person; returns how many links it removed."""
        if not self.folder.is_dir():
            return 0
        wanted = _owner_tag(f"{channel}:{external_id}")
        removed = 0
        for entry in self.folder.iterdir():
            tag = entry / _OWNER_FILE
            if tag.is_file() and tag.read_text(encoding="ascii").strip() == wanted:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        return removed

    def _prune(self) -> None:
        if not self.folder.is_dir():
            return
        cutoff = time.time() - self._keep_seconds
        for entry in self.folder.iterdir():
            if entry.is_dir() and entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)

    def router(self) -> APIRouter:
        """GET /media/<token>/<name>."""
        from fastapi import APIRouter, HTTPException  # the web server's part only
        from fastapi.responses import FileResponse

        router = APIRouter()

        @router.get("/media/{token}/{name}", include_in_schema=False)
        async def media(token: str, name: str) -> FileResponse:
            found = self.path(token, name)
            if found is None:
                raise HTTPException(status_code=404)
            return FileResponse(found)

        return router
