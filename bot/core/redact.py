"""Masking personal details in free text before it is kept (the unanswered-question log) and
scrubbing a named person out of texts when they erase their data.

What is masked, whoever it belongs to: e-mail addresses; phone numbers (Vietnamese mobile and
landline, with or without +84 and separators); and any other run of 8 or more digits written
together or in groups (CCCD 12 digits, old CMND 9, passport and social-insurance numbers, bank
account and card numbers, tax codes). Passport-style codes (a letter and 7–8 digits) too. Amounts
written with thousand separators ("10.000.000 đồng"), dates and times are left alone: editors
need them to understand a question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

EMAIL_MASK = "[email đã ẩn]"
NUMBER_MASK = "[số đã ẩn]"
NAME_MASK = "[đã xóa]"

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
# Digits in groups separated by one space, dot, dash or bracket; + and brackets allowed in front.
# "_" separates words in file names ("Nguyen_Van_An_0905123456.jpg"): not part of a word here.
_BEFORE, _AFTER = r"(?<![^\W_])", r"(?![^\W_])"
_DIGIT_RUN = re.compile(_BEFORE + r"(?<!/)\+?\(?\d(?:[\s.\-()]{0,2}\d)+(?!/)" + _AFTER)
_PASSPORT = re.compile(_BEFORE + r"[A-Za-z]\d{7,8}" + _AFTER)
_AMOUNT = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
MIN_DIGITS = 8


def redact(text: str) -> str:
    """The text with e-mail addresses, phone numbers, ID and account numbers masked."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _DIGIT_RUN.sub(_mask_number, text)
    return _PASSPORT.sub(NUMBER_MASK, text)


def _mask_number(match: re.Match[str]) -> str:
    found = match.group(0)
    digits = sum(ch.isdigit() for ch in found)
    if digits < MIN_DIGITS:
        return found
    bare = found.strip()
    if _AMOUNT.fullmatch(bare) and not bare.startswith("0"):
        return found  # 10.000.000 (an amount), not 0912.345.678 (a phone)
    return NUMBER_MASK


def _fold_char(ch: str) -> str:
    """One character, lower case, without diacritics (đ → d): always one character out."""
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0]
    return base.lower() if len(base.lower()) == 1 else ch


def scrub_names(text: str, names: Iterable[str]) -> str:
    """The text with every occurrence of these names masked, matched without regard to case,
    diacritics or separators ("Nguyễn Văn An", "nguyen van an", "Nguyen_Van_An")."""
    wanted = [name for name in (_words(n) for n in names) if name]
    if not wanted or not text:
        return text
    normal = unicodedata.normalize("NFC", text)
    folded = "".join(_fold_char(ch) for ch in normal)
    spans: list[tuple[int, int]] = []
    for words in wanted:
        pattern = _BEFORE + r"[\s_.\-]*".join(re.escape(w) for w in words) + _AFTER
        spans += [(m.start(), m.end()) for m in re.finditer(pattern, folded)]
    if not spans:
        return text
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out += [normal[last:start], NAME_MASK]
        last = end
    out.append(normal[last:])
    return "".join(out)


def scrub(text: str | None, names: Iterable[str]) -> str | None:
    """`scrub_names` then `redact` (a person's own contact details typed into a text)."""
    if text is None:
        return None
    return redact(scrub_names(text, names))


def _words(name: str | None) -> list[str]:
    if not name:
        return []
    folded = "".join(_fold_char(ch) for ch in unicodedata.normalize("NFC", name))
    return [word for word in re.split(r"[\W_]+", folded) if word]
