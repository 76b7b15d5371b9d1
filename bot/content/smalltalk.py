"""Greetings, thanks and chit-chat: recognised so they get a friendly reply, not a search.

A greeting or a thank-you around a real question ("chào ad, cho hỏi VNeID là gì ạ") is peeled
off and the rest is searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.analysis import Lexicon
from bot.core.text import fold, normalize

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Reading:
    """What a message is: small talk of some kind, or a question (possibly with a greeting)."""

    kind: str | None  # "greeting", "thanks", "bye", "identity", "ack"; None for a question
    question: str  # the message with any greeting or thanks peeled off


def _longest_prefix(words: list[str], phrases: frozenset[str]) -> int:
    for size in range(min(len(words), 5), 0, -1):
        if " ".join(words[:size]) in phrases:
            return size
    return 0


def read(text: str, lexicon: Lexicon) -> Reading:
    """Classify a message as small talk or a question."""
    original = _WORD.findall(normalize(text))
    words = [fold(word) for word in original]
    content = [word for word in words if word not in lexicon.fillers]
    for kind, phrases in lexicon.smalltalk.items():
        if " ".join(words) in phrases or (content and " ".join(content) in phrases):
            return Reading(kind, text)
    if not content:
        return Reading("ack" if len(words) <= 2 else None, text)
    courtesy = lexicon.smalltalk["greeting"] | lexicon.smalltalk["thanks"]
    lead = _longest_prefix(words, courtesy)
    tail = _longest_prefix(
        list(reversed(words)),
        frozenset(" ".join(reversed(phrase.split())) for phrase in lexicon.smalltalk["thanks"]),
    )
    if lead or tail:
        rest = range(lead, len(words) - tail)
        if sum(words[i] not in lexicon.fillers for i in rest) >= 2:
            return Reading(None, " ".join(original[i] for i in rest))
    return Reading(None, text)
