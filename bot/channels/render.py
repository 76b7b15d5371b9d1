"""Rendering helpers shared by channels without native buttons (terminal, Zalo)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.replies import Text

_LIST_ITEM = re.compile(r"^([ \t]*)(\d{1,2})[.)] ", re.MULTILINE)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def typed_as_labelled(labels: Sequence[str]) -> bool:
    """Choices people type as they read them (the quiz's A, B, C, D): they need no numbers, and
    the message itself says what to type."""
    return bool(labels) and all(len(label) == 1 and label.isalpha() for label in labels)


def distinct_list_marks(message: str) -> str:
    """The message's own numbered list ("1. Mang thẻ…") marked ①, ②, … instead, so that it
    cannot be mistaken for the numbered choices written below it, which the person answers
    with a digit."""

    def mark(match: re.Match[str]) -> str:
        number = int(match.group(2))
        circled = _CIRCLED[number - 1] if 1 <= number <= len(_CIRCLED) else f"({number})"
        return f"{match.group(1)}{circled} "

    return _LIST_ITEM.sub(mark, message)


def numbered(reply: Text, hint: str) -> str:
    """A text reply with its buttons as a numbered list ("1. Người dân") and a hint line; a
    numbered list of the text's own is marked ①, ② so that only the choices carry digits."""
    labels = [button.label for row in reply.buttons for button in row]
    if not labels or typed_as_labelled(labels):
        return reply.text
    lines = [distinct_list_marks(reply.text), ""]
    lines += [f"{index}. {label}" for index, label in enumerate(labels, 1)]
    return "\n".join(lines + ["", hint])
