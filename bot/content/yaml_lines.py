"""YAML loading that remembers line numbers, so content errors can point at file and line.

Editors fix content files by hand; an error message must say where to look. Mappings load as
`LineDict` and sequences as `LineList`, both carrying the 1-based line of each key or item.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict[str, Any]):
    """A mapping with the line where it starts and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of `key`, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence with the line where it starts and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        """The line of item `index`."""
        return self.item_lines[index] if index < len(self.item_lines) else self.line


@dataclass(frozen=True, order=True)
class ContentIssue:
    """One problem in a content file: where it is and what to fix."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loader building LineDict/LineList; libyaml's parser when PyYAML has it (several
    times faster: the content is parsed at every start and every reload)."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


class YamlSyntaxError(Exception):
    """Broken YAML, with the line where the parser gave up."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse_yaml(text: str, first_line: int = 1) -> Any:
    """Parse YAML text; line numbers are offset so that the text starts at `first_line`."""
    if first_line != 1:
        text = "\n" * (first_line - 1) + text
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        # The context (e.g. where an unclosed bracket opened) is nearer the mistake than the
        # place the parser gave up.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark is not None else first_line
        problem = exc.problem or str(exc)
        raise YamlSyntaxError(line, f"YAML không hợp lệ: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(first_line, f"YAML không hợp lệ: {exc}") from None


def display_path(path: Path) -> str:
    """A path relative to the working directory when possible, for messages to editors."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
