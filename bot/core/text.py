"""Vietnamese text normalisation shared by every part that matches what people type.

People type with or without diacritics, with old ("hoà") or new ("hòa") tone placement, with
decomposed Unicode from some keyboards and with the look-alike "Ð" (U+00D0) for "Đ". Everything is
normalised here before any comparison.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u00f0": "đ", "\u0189": "Đ"})

# Tone marks on the first vowel of the rhymes oa/oe/uy when nothing follows them: the placement
# most readers see daily ("hòa", "khỏe", "thủy"), which is also what underthesea produces.
_TONED = {
    "a": "àáảãạ",
    "e": "èéẻẽẹ",
    "y": "ỳýỷỹỵ",
    "o": "òóỏõọ",
    "u": "ùúủũụ",
}
_TONE_OF = {ch: i for base in _TONED.values() for i, ch in enumerate(base)}


def _base(ch: str) -> str:
    for base, toned in _TONED.items():
        if ch in toned:
            return base
    return ch


def _retone(match: re.Match[str]) -> str:
    """Move the tone from the second vowel of oa/oe/uy to the first: "oà" → "òa"."""
    first, second = match.group(1), match.group(2)
    base = _base(second.lower())
    if (first.lower(), base) not in _MOVABLE:
        return match.group(0)
    new_first = _TONED[first.lower()][_TONE_OF[second.lower()]]
    return (new_first.upper() if first.isupper() else new_first) + (
        base.upper() if second.isupper() else base
    )


_MOVABLE = {("o", "a"), ("o", "e"), ("u", "y")}
_OLD_TONE = re.compile(r"(?<![qQ])([oOuU])([àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ])(?![\w])")


def normalize(text: str) -> str:
    """NFC, look-alike letters fixed, traditional tone placement, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES)
    text = _OLD_TONE.sub(_retone, text)
    return " ".join(text.split())


def strip_accents(text: str) -> str:
    """Remove every diacritic and turn đ into d: "Đắk Lắk" → "Dak Lak"."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """The form used to compare labels and names: normalised, lower case, no diacritics."""
    return strip_accents(normalize(text)).lower()


_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold_words(text: str) -> str:
    """Folded text with punctuation turned into single spaces."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with "…" where it was cut
    (a button label never ends in half a word)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = textwrap.shorten(text, width=limit, placeholder="…")
    if cut == "…":  # a single word longer than the limit
        return text[: limit - 1] + "…"
    return cut
