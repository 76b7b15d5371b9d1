"""A private copy of the shipped content that a test may edit."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.content.loader import CONTENT_DIR


def copy_content(target: Path) -> Path:
    """Copy themes, tips, claims, the deny list and topics to `target` and return it."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("themes.yaml", "tips.yaml", "claims.yaml", "unconfirmed.yaml"):
        shutil.copy(CONTENT_DIR / name, target / name)
    shutil.copytree(CONTENT_DIR / "topics", target / "topics", dirs_exist_ok=True)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of text in a file (fails loudly if it is not there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
