"""A per-word cache that cannot be grown without bound by long hostile input.

The analysis caches results per word because the same few thousand words come back all the
time; a message of one 100,000-letter "word" (or thousands of such messages) would otherwise be
kept in full in the cache. Only inputs up to `longest` characters are cached — every real
Vietnamese syllable and everyday word is far shorter — longer ones are computed each time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps

LONGEST_CACHED = 32


def word_cache(
    maxsize: int, longest: int = LONGEST_CACHED
) -> Callable[[Callable[[str], object]], Callable[[str], object]]:
    """`lru_cache(maxsize)` for inputs of at most `longest` characters; longer ones uncached."""

    def wrap(function):  # type: ignore[no-untyped-def]
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(text: str):  # type: ignore[no-untyped-def]
            return cached(text) if len(text) <= longest else function(text)

        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call

    return wrap
