"""Replies stored in an outbox row as JSON, and read back to the same reply objects."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from bot.core.replies import Button, Document, Image, Reply, Text


def dump(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """Replies → JSON-able dicts."""
    return [_dump_one(reply) for reply in replies]


def load(payload: Sequence[dict[str, Any]]) -> list[Reply]:
    """JSON dicts (from `dump`) → replies."""
    return [_load_one(item) for item in payload]


def _dump_one(reply: Reply) -> dict[str, Any]:
    if isinstance(reply, Text):
        item: dict[str, Any] = {"type": "text", "text": reply.text}
        if reply.buttons:
            item["buttons"] = [[[b.label, b.action] for b in row] for row in reply.buttons]
        if reply.edit_key:
            item["edit_key"] = reply.edit_key
        return item
    if isinstance(reply, Image):
        return {
            "type": "image",
            "caption": reply.caption,
            "url": reply.url,
            "data": base64.b64encode(reply.data).decode("ascii"),
            "file_name": reply.file_name,
        }
    if isinstance(reply, Document):
        return {
            "type": "document",
            "caption": reply.caption,
            "file_name": reply.file_name,
            "data": base64.b64encode(reply.data).decode("ascii"),
            "mime_type": reply.mime_type,
            "url": reply.url,
        }
    raise TypeError(f"cannot store {type(reply).__name__} in the outbox")


def _load_one(item: dict[str, Any]) -> Reply:
    kind = item.get("type")
    if kind == "text":
        rows = tuple(
            tuple(Button(label, action) for label, action in row) for row in item.get("buttons", [])
        )
        return Text(item["text"], rows, edit_key=item.get("edit_key", ""))
    if kind == "image":
        return Image(
            caption=item.get("caption", ""),
            url=item.get("url", ""),
            data=base64.b64decode(item.get("data", "")),
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
    raise ValueError(f"unknown reply type in outbox payload: {kind!r}")
