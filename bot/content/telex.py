"""Repair words typed with a Telex keyboard whose accents never got applied: "chuyeenr" → "chuyển".

Only plain-ASCII words that carry Telex markers (doubled vowels, "dd", "w", or a final tone key
s/f/r/x/j) are touched, and only when the result is a well-formed Vietnamese syllable, so English
words ("shopee", "thanks") and ordinary unaccented Vietnamese pass through unchanged.
"""

from __future__ import annotations

import re
import unicodedata

from bot.content.wordcache import word_cache

_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_MODIFIERS = (
    ("uwow", "ươ"),
    ("uow", "ươ"),
    ("uwo", "ươ"),
    ("aa", "â"),
    ("ee", "ê"),
    ("oo", "ô"),
    ("aw", "ă"),
    ("ow", "ơ"),
    ("uw", "ư"),
    ("w", "ư"),
)
_ONSETS = (
    "ngh",
    "ch",
    "gh",
    "gi",
    "kh",
    "ng",
    "nh",
    "ph",
    "qu",
    "th",
    "tr",
    "b",
    "c",
    "d",
    "đ",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "x",
)
_NUCLEI = {
    "a",
    "ă",
    "â",
    "e",
    "ê",
    "i",
    "o",
    "ô",
    "ơ",
    "u",
    "ư",
    "y",
    "ai",
    "ao",
    "au",
    "ay",
    "âu",
    "ây",
    "eo",
    "êu",
    "ia",
    "iê",
    "iu",
    "oa",
    "oă",
    "oe",
    "oi",
    "ôi",
    "ơi",
    "ua",
    "uâ",
    "uê",
    "ui",
    "uô",
    "uơ",
    "uy",
    "ưa",
    "ưi",
    "ưu",
    "ươ",
    "yê",
    "oai",
    "oay",
    "oeo",
    "uây",
    "uôi",
    "uya",
    "uyê",
    "uyu",
    "ươi",
    "ươu",
    "iêu",
    "yêu",
}
_CODAS = ("ng", "nh", "ch", "c", "m", "n", "p", "t", "")
_NEEDS_CODA = {"iê", "yê", "uô", "ươ", "uyê", "oă", "uâ"}
_MARKED = "ăâêôơư"
_SYLLABLE = re.compile(r"^([^aăâeêioôơuưy]*)([aăâeêioôơuưy]+)([^aăâeêioôơuưy]*)$")
_CANDIDATE = re.compile(r"dd|aa|ee|oo|w|[aeiouy][a-z]*[sfrxj]$")


def _split(word: str) -> tuple[str, str, str] | None:
    """Onset, vowel nucleus and coda of a syllable, or None if it is not one."""
    match = _SYLLABLE.match(word)
    if match is None:
        return None
    onset, nucleus, coda = match.groups()
    # "qu" and "gi" take the following vowel's glide into the onset.
    if onset == "q" and nucleus.startswith("u"):
        onset, nucleus = "qu", nucleus[1:]
    elif onset == "g" and nucleus.startswith("i") and len(nucleus) > 1:
        onset, nucleus = "gi", nucleus[1:]
    if onset and onset not in _ONSETS or coda not in _CODAS or nucleus not in _NUCLEI:
        return None
    if nucleus in _NEEDS_CODA and not coda:
        return None
    return onset, nucleus, coda


def _tone_position(nucleus: str, coda: str) -> int:
    """Which vowel of the nucleus carries the tone, in the traditional placement ("hòa")."""
    for index, vowel in enumerate(nucleus):
        if vowel in _MARKED and not (nucleus == "ươ" and index == 0):
            return index
    if len(nucleus) == 1:
        return 0
    if len(nucleus) == 3:
        return 1
    return 1 if coda else 0


@word_cache(maxsize=4096)
def repair(word: str) -> str:
    """The Vietnamese syllable a Telex-typed ASCII word stands for, or the word unchanged."""
    if not word.isascii() or not word.isalpha() or not _CANDIDATE.search(word):
        return word
    tone = ""
    base = word
    if base[-1] in _TONES and len(base) > 1:
        tone, base = _TONES[base[-1]], base[:-1]
    if base.startswith("dd"):
        base = "đ" + base[2:]
    for pattern, replacement in _MODIFIERS:
        base = base.replace(pattern, replacement)
    parts = _split(base)
    if parts is None:
        return word
    onset, nucleus, coda = parts
    if tone and coda in ("c", "ch", "p", "t") and tone not in ("\u0301", "\u0323"):
        return word  # stop-final syllables only take sắc or nặng
    if tone:
        position = _tone_position(nucleus, coda)
        nucleus = nucleus[:position] + nucleus[position] + tone + nucleus[position + 1 :]
    result = unicodedata.normalize("NFC", onset + nucleus + coda)
    return word if result == word else result


_DOUBLED_CONSONANT = re.compile(r"([bcdghklmnpqrstvx])\1+")
_TONE_MARKS = frozenset(_TONES.values())
_TELEX_OF_MARK = {"\u0302": "", "\u0306": "w", "\u031b": "w"}  # circumflex: vowel doubled below


def _as_telex(word: str) -> str | None:
    """An accented word written back as Telex keys without its tone ("phân" → "phaan"), or None
    when it already carries a tone mark."""
    keys: list[str] = []
    for char in unicodedata.normalize("NFD", word):
        if char in _TONE_MARKS:
            return None
        if char == "\u0302":
            keys.append(keys[-1] if keys else "")
        elif char in _TELEX_OF_MARK:
            keys.append(_TELEX_OF_MARK[char])
        elif char == "đ":
            keys.append("dd")
        else:
            keys.append(char)
    return "".join(keys)


@word_cache(maxsize=4096)
def repair_accented(word: str) -> str:
    """Typing slips on a word that already has accents: a doubled consonant ("mứcc" → "mức",
    "mạnng" → "mạng") and a Telex tone key typed after it ("phânf" → "phần"; "mởr" → "mở")."""
    if word.isascii() or not word.isalpha():
        return word
    fixed = _DOUBLED_CONSONANT.sub(r"\1", word)
    if len(fixed) > 1 and fixed[-1] in _TONES and not fixed[:-1].isascii():
        keys = _as_telex(fixed[:-1])
        if keys is None:  # already toned: the key was a slip
            return fixed[:-1]
        repaired = repair(keys + fixed[-1])
        return repaired if repaired != keys + fixed[-1] else fixed
    return fixed
