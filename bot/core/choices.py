"""Which choices a typed "2" or a typed label answers: those of the newest message with choices.

Every message with buttons opens its own scope of choices, and the most recent one the person
was shown wins — the replies of a turn as well as a pushed reminder (the outbox records a push's
choices when it is delivered). On channels without buttons the same choices are the numbered
list the person sees, so a number always means what is on the screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.core.events import EventKind, IncomingEvent
from bot.core.replies import Reply, Text, Toast
from bot.core.text import fold_words

Menu = list[list[str]]
"""[[label, action], ...] in reading order, as stored with the conversation."""

TYPED_CHOICE_CHANNELS = frozenset({"zalo_bot", "console"})
"""Channels that show no buttons: choices are written out and answered by typing (a number, a
letter, the label). Catalog messages have a `_typed` variant where their wording differs."""


def menu_index(replies: Sequence[Reply]) -> int:
    """Index of the reply whose buttons are the choices (the last one with any), or -1."""
    for index in range(len(replies) - 1, -1, -1):
        reply = replies[index]
        if isinstance(reply, Text) and reply.buttons:
            return index
    return -1


def menu_of(replies: Sequence[Reply]) -> Menu | None:
    """The choices these replies leave open: the buttons of the last reply that has any, [] when
    they offer none, or None when they show nothing new (only toasts) and the menu stays."""
    if replies and all(isinstance(reply, Toast) for reply in replies):
        return None
    index = menu_index(replies)
    if index < 0:
        return []
    reply = replies[index]
    assert isinstance(reply, Text)
    return [[button.label, button.action] for row in reply.buttons for button in row]


def resolve_typed_choice(event: IncomingEvent, menu: Menu) -> IncomingEvent:
    """Turn "2", or a choice's label typed out, into its action. Labels are compared folded (no
    accents, case or emoji: "da nhan" is "✅ Đã nhận"); the first words of a label are enough
    when they name only one choice ("ca nhan" for "Cá nhân tiêu biểu")."""
    if event.kind is not EventKind.TEXT or not menu:
        return event
    typed = event.text.strip().rstrip(".)")
    if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= len(menu):
        return replace(event, kind=EventKind.ACTION, action=menu[int(typed) - 1][1])
    action = _label_match(fold_words(typed), menu)
    return event if action is None else replace(event, kind=EventKind.ACTION, action=action)


def _label_match(folded: str, menu: Menu) -> str | None:
    """The action of the one label that is `folded`, or else that begins with its words."""
    if not folded:
        return None
    labels = [(fold_words(label), action) for label, action in menu]
    for label, action in labels:
        if label == folded:
            return action
    starting = {action for label, action in labels if label.startswith(folded + " ")}
    return starting.pop() if len(starting) == 1 else None
