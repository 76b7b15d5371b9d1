"""Rendering helpers shared by channels without native buttons (terminal, Zalo)."""

from __future__ import annotations

from bot.core.replies import Text


def numbered(reply: Text, hint: str) -> str:
    """A text reply with its buttons as a numbered list ("1. Người dân") and a hint line."""
    labels = [button.label for row in reply.buttons for button in row]
    if not labels:
        return reply.text
    lines = [reply.text, ""] + [f"{index}. {label}" for index, label in enumerate(labels, 1)]
    return "\n".join(lines + ["", hint])
