"""Proof-reading of published text: no placeholders, no unconfirmed addresses, one quote style.

An answer a citizen acts on must not carry an editor's "TODO", an example address, or a hotline
that nobody could confirm. Addresses and numbers found to be unconfirmed are kept in a deny list
(`unconfirmed.yaml`) so they cannot come back unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.content.yaml_lines import ContentIssue, LineDict, LineList

UNCONFIRMED_FILE = "unconfirmed.yaml"

_PLACEHOLDERS = (
    (re.compile(r"\b(?:TODO|TBD|FIXME)\b", re.IGNORECASE), "dấu chờ sửa"),
    (re.compile(r"(?<![\w])x{3,}(?![\w])", re.IGNORECASE), "chỗ trống 'xxx'"),
    (
        re.compile(r"[(\[]\s*chưa\s+(?:xác\s+nhận|kiểm\s+tra)", re.IGNORECASE),
        "ghi chú chưa xác nhận",
    ),
    (re.compile(r"\?{3,}"), "chỗ trống '???'"),
    (re.compile(r"lorem\s+ipsum", re.IGNORECASE), "chữ mẫu"),
    (re.compile(r"\bexample\.(?:com|org|net)\b", re.IGNORECASE), "địa chỉ ví dụ"),
)
_PHONE_LIKE = re.compile(r"(?<![\w])\d[\d .\-]{1,14}\d(?![\w])")
_STRAIGHT_DOUBLE = '"'
_SINGLE_QUOTED = re.compile(r"(?<![\w])'[^'\n]{1,120}?'(?![\w])")


@dataclass(frozen=True)
class Unconfirmed:
    """An address or phone number that could not be confirmed from an official source."""

    value: str
    reason: str

    @property
    def digits(self) -> str:
        """The number's digits when the entry is a phone number, else empty."""
        return re.sub(r"\D", "", self.value) if not re.search(r"[^\d .\-+]", self.value) else ""

    def found_in(self, text: str) -> bool:
        """Whether `text` mentions this address or number (any spacing of the digits)."""
        if self.digits:
            return any(
                re.sub(r"\D", "", token) == self.digits for token in _PHONE_LIKE.findall(text)
            )
        return self.value.lower() in text.lower()


def parse_unconfirmed(data: Any, file: str, issues: list[ContentIssue]) -> tuple[Unconfirmed, ...]:
    """The deny list from its YAML (`unconfirmed: [{value, reason, noted}]`)."""
    raw = data.get("unconfirmed") if isinstance(data, LineDict) else None
    if data is not None and not isinstance(raw, LineList):
        issues.append(ContentIssue(file, 1, "cần danh sách 'unconfirmed' gồm {value, reason}"))
        return ()
    entries = []
    for index, item in enumerate(raw or []):
        value = item.get("value") if isinstance(item, LineDict) else None
        reason = item.get("reason") if isinstance(item, LineDict) else None
        if not isinstance(value, str) or not value.strip() or not reason:
            message = "mỗi mục cần 'value' (chữ, số điện thoại đặt trong ngoặc kép) và 'reason'"
            issues.append(ContentIssue(file, raw.line_of(index), message))
            continue
        entries.append(Unconfirmed(str(value).strip(), str(reason).strip()))
    return tuple(entries)


def text_problems(text: str, deny: Iterable[Unconfirmed], *, prose: bool = True) -> list[str]:
    """Why `text` cannot be published: placeholders, unconfirmed addresses, straight quotes.

    `prose` is False for values that are not sentences (a URL, a document number), where the
    quotation-mark rule does not apply.
    """
    problems = [
        f"còn {label}: “{match.group(0)}”"
        for pattern, label in _PLACEHOLDERS
        for match in [pattern.search(text)]
        if match
    ]
    problems += [
        f"nhắc địa chỉ/số chưa xác nhận “{entry.value}” ({entry.reason})"
        for entry in deny
        if entry.found_in(text)
    ]
    if prose and _STRAIGHT_DOUBLE in text:
        problems.append('dùng dấu ngoặc kép “…” thay cho "…"')
    if prose and (match := _SINGLE_QUOTED.search(text)):
        problems.append(f"dùng dấu ngoặc kép “…” thay cho ngoặc đơn: {match.group(0)}")
    return problems
