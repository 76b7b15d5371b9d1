"""Telegram's HTML parse mode, as strictly as the Bot API applies it: the allowed tags, the four
named entities plus numeric ones, and balanced tags. Returns the plain text and its entities
(offsets in UTF-16 code units, as Telegram counts them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")
_ENTITY = re.compile(r"&(?:#(\d+)|#x([0-9a-fA-F]+)|([a-zA-Z]+));")


class HtmlError(ValueError):
    """The text is not valid Telegram HTML; the message is the Bot API's description."""


@dataclass
class _Open:
    name: str
    offset: int
    attrs: dict[str, str]
    byte_offset: int


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (how Telegram measures texts and entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of an HTML-formatted message; raises HtmlError like the API."""
    out: list[str] = []
    length = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    index = 0
    while index < len(source):
        char = source[index]
        byte_offset = len(source[:index].encode("utf-8"))
        if char == "<":
            match = _TAG.match(source, index)
            if match is None:
                raise HtmlError(
                    f"Bad Request: can't parse entities: Unclosed start tag at byte offset "
                    f"{byte_offset}"
                )
            closing, name, raw_attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if closing:
                if not stack:
                    raise HtmlError(
                        f"Bad Request: can't parse entities: Unexpected end tag at "
                        f"byte offset {byte_offset}"
                    )
                top = stack.pop()
                if top.name != name:
                    raise HtmlError(
                        f"Bad Request: can't parse entities: Unmatched end tag at byte offset "
                        f'{byte_offset}, expected "</{top.name}>", found "</{name}>"'
                    )
                entities.append(_entity(top, length))
            else:
                attrs = _attrs(raw_attrs)
                _check_tag(name, attrs, byte_offset)
                stack.append(_Open(name, length, attrs, byte_offset))
            index = match.end()
            continue
        if char == ">":
            raise HtmlError(
                f"Bad Request: can't parse entities: Unexpected character '>' at "
                f"byte offset {byte_offset}"
            )
        if char == "&":
            match = _ENTITY.match(source, index)
            if match is None or (match.group(3) and match.group(3) not in NAMED_ENTITIES):
                raise HtmlError(
                    f"Bad Request: can't parse entities: Unsupported entity or "
                    f"unescaped '&' at byte offset {byte_offset}"
                )
            decimal, hexadecimal, named = match.groups()
            char = (
                NAMED_ENTITIES[named]
                if named
                else chr(int(decimal or hexadecimal, 16 if hexadecimal else 10))
            )
            index = match.end()
        else:
            index += 1
        out.append(char)
        length += utf16_len(char)
    if stack:
        raise HtmlError(
            f"Bad Request: can't parse entities: Can't find end tag corresponding to "
            f'start tag "{stack[-1].name}"'
        )
    return "".join(out), [e for e in entities if e["length"] > 0]


def _attrs(raw: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR.finditer(raw):
        found[match.group(1).lower()] = next((g for g in match.groups()[1:] if g is not None), "")
    return found


def _check_tag(name: str, attrs: dict[str, str], byte_offset: int) -> None:
    if name not in ENTITY_TYPES:
        raise HtmlError(
            f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" at '
            f"byte offset {byte_offset}"
        )
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlError(
            f'Bad Request: can\'t parse entities: Tag "span" must have class '
            f'"tg-spoiler" at byte offset {byte_offset}'
        )
    if name == "a" and not attrs.get("href"):
        raise HtmlError(
            f'Bad Request: can\'t parse entities: Tag "a" must have attribute '
            f'"href" at byte offset {byte_offset}'
        )


def _entity(tag: _Open, end: int) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "type": ENTITY_TYPES[tag.name],
        "offset": tag.offset,
        "length": end - tag.offset,
    }
    if tag.name == "a":
        entity["url"] = tag.attrs["href"]
    if tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    return entity
