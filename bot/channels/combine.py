"""Fewer platform messages for the same replies: platforms let a bot send about one message per
second to a chat, so a turn of four short texts would take four seconds (or provoke 429s)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.replies import Reply, Text

SEPARATOR = "\n\n"


def combine_texts(
    replies: Sequence[Reply],
    *,
    limit: int,
    size: Callable[[Text], int] | None = None,
    edits_in_place: bool = False,
) -> list[Reply]:
    """Consecutive texts without buttons joined (by a blank line) into one text while the result
    fits `limit` as measured by `size` (the text's length by default); such a run also takes in
    a text with buttons right after it, whose buttons then close the message. On a platform that
    `edits_in_place` (Telegram), texts with an edit key stay apart: each replaces a message of
    its own. Everything that is not a text stays as it is, in order."""
    measure = size or (lambda reply: len(reply.text))
    out: list[Reply] = []
    for reply in replies:
        previous = out[-1] if out else None
        if (
            isinstance(reply, Text)
            and isinstance(previous, Text)
            and not previous.buttons
            and not (edits_in_place and (reply.edit_key or previous.edit_key))
        ):
            joined = SEPARATOR.join(
                part for part in (previous.text.strip(), reply.text.strip()) if part
            )
            candidate = Text(joined, reply.buttons)
            if measure(candidate) <= limit:
                out[-1] = candidate
                continue
        out.append(reply)
    return out
