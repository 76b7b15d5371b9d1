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


def split_text(message: str, limit: int) -> list[str]:
    """Split a long message at paragraph, then line, then sentence, then word boundaries."""
    if len(message) <= limit:
        return [message]
    for separator in ("\n\n", "\n", ". ", " "):
        parts = message.split(separator)
        if len(parts) > 1:
            chunks: list[str] = []
            current = ""
            for index, part in enumerate(parts):
                piece = part + (separator if index < len(parts) - 1 else "")
                if len(current) + len(piece) <= limit:
                    current += piece
                    continue
                if current:
                    chunks.append(current.rstrip())
                if len(piece) > limit:
                    chunks.extend(split_text(piece, limit))
                    current = ""
                else:
                    current = piece
            if current.strip():
                chunks.append(current.rstrip())
            return [chunk for chunk in chunks if chunk.strip()]
    return [message[i : i + limit] for i in range(0, len(message), limit)]
