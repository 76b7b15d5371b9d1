"""How deeply a JSON text nests, checked without parsing it (Python's json module recurses once per
level, so `[` x 100,000 raises RecursionError before any signature or schema is looked at)."""

from __future__ import annotations

import re

MAX_JSON_DEPTH = 32
"""Deepest nesting any route accepts: platform updates nest about 8 levels (an update, its
message, the replied-to message, its keyboard rows, a button)."""

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nests_deeper_than(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `body` opens more than `limit` arrays or objects inside one another. Exact for
    well-formed JSON; malformed input may be judged deeper than it is (a parser refuses it
    anyway). Linear C-speed passes, at most `limit` + 1 of them."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", body).translate(_BRACKETS, _NOT_BRACKETS)
    depth = 0
    while True:  # each pass removes the innermost level of pairs
        inner = brackets.replace(b"[]", b"")
        if len(inner) == len(brackets):
            break
        brackets = inner
        depth += 1
        if depth > limit:
            return True
    return depth + len(brackets) > limit  # unclosed or stray brackets count as levels
