"""Replies as JSON: a turn's answer stored with its claim (sent again when the platform
redelivers the update) and the outbox's pushes. Reading is lenient about keys added since a row
was written (defaults as the reply types have them).

Plain JSON, never pickle: the stored rows are data, not code. Texts keep their buttons and edit
key; images and documents keep their bytes (base64) up to `KEPT_FILE_BYTES` each; an album keeps
its caption and its images, in order. The engine
replaces a larger file by a short text before storing (`fits`), so what is stored is always what
a redelivery gets.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from bot.core.replies import Album, Button, Document, Image, Reply, Text, Toast

KEPT_FILE_BYTES = 1024 * 1024
"""The largest file kept for a redelivery. Charts are tens of kilobytes and exports rarely pass
a few hundred; a larger file is not kept (the redelivery says so), so that a claim row stays
small. Stored replies are forgotten after REPLIES_KEEP_HOURS (`bot.scheduler.retention`)."""


def fits(reply: Reply) -> bool:
    """Whether a reply is kept as it is (a file within `KEPT_FILE_BYTES`)."""
    if isinstance(reply, (Image, Document)):
        return len(reply.data) <= KEPT_FILE_BYTES
    if isinstance(reply, Album):
        return all(fits(image) for image in reply.images)
    return True


def encode(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """Replies → JSON-ready objects."""
    return [_encode(reply) for reply in replies]


def decode(data: list[dict[str, Any]]) -> list[Reply]:
    """What `encode` made → the replies again."""
    return [_decode(item) for item in data]


def _encode(reply: Reply) -> dict[str, Any]:
    if isinstance(reply, Text):
        item: dict[str, Any] = {"type": "text", "text": reply.text}
        if reply.buttons:
            item["buttons"] = [[[b.label, b.action] for b in row] for row in reply.buttons]
        if reply.edit_key:
            item["edit_key"] = reply.edit_key
        return item
    if isinstance(reply, Toast):
        return {"type": "toast", "text": reply.text}
    if isinstance(reply, Album):
        return {
            "type": "album",
            "caption": reply.caption,
            "images": [_encode(image) for image in reply.images],
        }
    if isinstance(reply, Image):
        return {
            "type": "image",
            "caption": reply.caption,
            "data": _b64(reply.data),
            "url": reply.url,
            "file_name": reply.file_name,
        }
    if isinstance(reply, Document):
        return {
            "type": "document",
            "file_name": reply.file_name,
            "data": _b64(reply.data),
            "caption": reply.caption,
            "mime_type": reply.mime_type,
            "url": reply.url,
        }
    raise TypeError(f"cannot store a {type(reply).__name__} reply")


def _decode(item: dict[str, Any]) -> Reply:
    kind = item.get("type")
    if kind == "text":
        rows = tuple(
            tuple(Button(label, action) for label, action in row) for row in item.get("buttons", [])
        )
        return Text(item["text"], rows, edit_key=item.get("edit_key", ""))
    if kind == "toast":
        return Toast(item["text"])
    if kind == "album":
        images = tuple(_decode(image) for image in item.get("images", []))
        return Album(tuple(i for i in images if isinstance(i, Image)), item.get("caption", ""))
    if kind == "image":
        return Image(
            caption=item.get("caption", ""),
            data=base64.b64decode(item.get("data", "")),
            url=item.get("url", ""),
            file_name=item.get("file_name", "image.png"),
        )
    if kind == "document":
        return Document(
            file_name=item["file_name"],
            data=base64.b64decode(item.get("data", "")),
            caption=item.get("caption", ""),
            mime_type=item.get("mime_type", "application/octet-stream"),
            url=item.get("url", ""),
        )
    raise ValueError(f"unknown stored reply type {kind!r}")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
