"""Intent cues: phrases that say which topic a question needs, whatever else it shares.

The cues are data, the lexicon's "intents" ("bị lừa", "báo ở đâu" → the scam topic; "bot này",
"làm lại bài" → how to use the bot).

A cue word written with accents matches a typed word with accents only exactly, and a word typed
without accents by its bare form: "số là" in "công dân số là gì" is not "số lạ" (a strange
number), while "so la" typed without accents may be either and counts.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.content.analysis import fold_word, has_diacritics
from bot.core.text import fold, normalize

Phrase = tuple[str, ...]


class CueTable:
    """Cue phrases by their bare form, each with its accented words and the topics it names."""

    def __init__(self, cues: Iterable[tuple[str, str]], fillers: Iterable[str] = ()) -> None:
        """`cues`: (phrase as written, topic slug) pairs; `fillers`: words passed over when
        matching (lexicon "cue_fillers": "hỏi cái mã" is "hỏi mã", "đưa mấy cái mã" too)."""
        self._fillers = frozenset(fillers)
        self._by_bare: dict[Phrase, list[tuple[Phrase, str]]] = {}
        longest = 1
        for phrase, slug in cues:
            words = tuple(normalize(phrase).lower().split())
            if not words:
                continue
            bare = tuple(fold(word) for word in words)
            entries = self._by_bare.setdefault(bare, [])
            if (words, slug) not in entries:
                entries.append((words, slug))
            longest = max(longest, len(words))
        self._longest = longest

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._by_bare.values())

    def find(self, words: list[str]) -> dict[str, int]:
        """How many distinct cues of each topic the (lower-case, expanded) words contain."""
        words = [word for word in words if word not in self._fillers]
        bare = [fold_word(word) for word in words]
        accented = [has_diacritics(word) for word in words]
        found: set[tuple[Phrase, str]] = set()
        for size in range(1, self._longest + 1):
            for start in range(len(words) - size + 1):
                entries = self._by_bare.get(tuple(bare[start : start + size]))
                if not entries:
                    continue
                for phrase, slug in entries:
                    if all(
                        not accented[start + i] or words[start + i] == phrase[i]
                        for i in range(size)
                    ):
                        found.add((phrase, slug))
        counts: dict[str, int] = {}
        for _, slug in found:
            counts[slug] = counts.get(slug, 0) + 1
        return counts
