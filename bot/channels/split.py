"""Splitting a long reply into messages that each fit a channel's limit, for any text.

Each message is the longest stretch of the remaining text that fits the limit, cut at the best
boundary inside it: a blank line (paragraph), else a line break, else the space after a sentence,
else any space, and only when the stretch has no space at all (a long link, a run of emoji), between
two grapheme clusters, so that an emoji with skin tone or ZWJ parts, or a letter with its combining
marks, is never cut in two. A cluster longer than the limit by itself (e.g. a letter under
thousands of combining marks) is cut between code points, the only way it can be sent.

What is kept: the pieces, in order, joined by the whitespace that was removed at each cut, give back
the text with its leading and trailing whitespace stripped. A cut either removes one maximal run of
whitespace (`str.isspace`) entirely, or removes nothing (a cut inside a word). Pieces never begin or
end with whitespace and are never empty (platforms refuse empty and trim surrounding whitespace).

The length of a piece is what the channel counts (`measure`): code points on Zalo, UTF-16 code units
on Telegram. `measure` must add up over concatenation (as both do), so a longer prefix never
measures less. The work is iterative and linear in the text for each piece.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import regex

Measure = Callable[[str], int]

_SPACE = re.compile(r"\s+")
_CLUSTER = regex.compile(r"\X")
_SENTENCE_ENDS = ".!?…"
_CLOSERS = "\"'”’»)]"

PARAGRAPH, LINE, SENTENCE, WORD = 3, 2, 1, 0


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int, *, measure: Measure = len) -> list[str]:
    """The text as pieces of at most `limit` (by `measure`), cut at the best boundaries."""
    if limit < 2:
        raise ValueError("a limit below 2 cannot hold every character (UTF-16 pairs)")
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if measure(rest) <= limit:
            pieces.append(rest)
            break
        fits = _fitting_prefix(rest, limit, measure)
        end, start = _cut(rest, fits)
        pieces.append(rest[:end])
        rest = rest[start:]
    return pieces


def _fitting_prefix(text: str, limit: int, measure: Measure) -> int:
    """The largest n such that text[:n] fits (text itself does not fit, and one code point does)."""
    # text[:1] fits (checked below); text[:high + 1] does not (every character measures >= 1)
    low, high = 1, min(len(text) - 1, limit)
    if measure(text[:1]) > limit:
        raise ValueError(f"one character measures more than the limit {limit}")
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def _cut(text: str, fits: int) -> tuple[int, int]:
    """(end of this piece, start of the next) for a text whose first `fits` characters fit."""
    best: dict[int, tuple[int, int]] = {}
    # A whitespace run that starts at or before `fits` can be removed: the piece ends before it.
    for match in _SPACE.finditer(text, 1, fits + 1):
        run = _SPACE.match(text, match.start())
        assert run is not None
        best[_level(text, run.start(), run.group())] = (run.start(), run.end())
    for level in (PARAGRAPH, LINE, SENTENCE, WORD):
        if level in best:
            return best[level]
    end = _last_cluster_boundary(text, fits)
    return end, end


def _level(text: str, start: int, run: str) -> int:
    """How strong a boundary a whitespace run is."""
    breaks = len((run + "x").splitlines()) - 1  # line breaks in the run; "\r\n" counts once
    if breaks >= 2:
        return PARAGRAPH
    if breaks == 1:
        return LINE
    before = start
    while before > 0 and text[before - 1] in _CLOSERS:
        before -= 1
    return SENTENCE if before > 0 and text[before - 1] in _SENTENCE_ENDS else WORD


def _last_cluster_boundary(text: str, fits: int) -> int:
    """The end of the last whole grapheme cluster within text[:fits], or `fits` if even the first
    cluster is longer (then it is cut between code points)."""
    end = 0
    for match in _CLUSTER.finditer(text):
        if match.end() > fits:
            break
        end = match.end()
    return end or fits
