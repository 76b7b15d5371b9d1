"""Load the Vietnamese message catalog from `bot/messages/vi/*.yaml` and look strings up by key.

Each YAML file holds one area's messages (`start.yaml`, `quiz.yaml`, …) as nested mappings; keys
are joined with dots, prefixed by the file name: `start.greeting`. Editors fix wording in those
files without touching code.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

from bot.messages.address import DEFAULT, readdress

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it: the catalog is read at every start, and
the pure-Python parser took about a quarter of a second of it."""

CATALOG_DIR = Path(__file__).parent / "vi"


class MissingMessage(KeyError):
    """A key that the catalog does not have: a bug, caught by the catalog tests."""


class Catalog:
    """Keyed Vietnamese messages with `str.format` placeholders."""

    def __init__(self, messages: Mapping[str, str], *, address_form: str = DEFAULT) -> None:
        self._messages = dict(messages)
        self.address_form = address_form

    def __call__(self, key: str, /, **values: Any) -> str:
        """The message for `key`, with `{placeholders}` filled from `values`."""
        try:
            template = self._messages[key]
        except KeyError:
            raise MissingMessage(key) from None
        return template.format(**values) if values else template

    def addressed(self, shipped_text: str) -> str:
        """A text shipped with the bot outside the catalog (a knowledge-base answer, a tip) in
        this catalog's address form. Never for what people typed."""
        return readdress(shipped_text, self.address_form)

    def has(self, key: str) -> bool:
        """Whether the catalog knows `key`."""
        return key in self._messages

    def keys(self) -> list[str]:
        """Every key, sorted."""
        return sorted(self._messages)

    def placeholders(self, key: str) -> set[str]:
        """The placeholder names a message expects."""
        return {name for _, name, _, _ in Formatter().parse(self._messages[key]) if name}


def _flatten(prefix: str, node: Any, into: dict[str, str]) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, into)
    elif isinstance(node, str):
        into[prefix] = node.strip("\n") if "\n" in node else node
    else:
        raise ValueError(f"message {prefix!r} must be text, got {type(node).__name__}")


def read_catalog(directory: Path = CATALOG_DIR, *, address_form: str = DEFAULT) -> Catalog:
    """Read every catalog file in `directory` (no caching), addressing people in `address_form`."""
    messages: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=SAFE_LOADER) or {}  # noqa: S506 - a SafeLoader
        _flatten(path.stem, data, messages)
    return Catalog(
        {key: readdress(text, address_form) for key, text in messages.items()},
        address_form=address_form,
    )


@cache
def load_catalog(address_form: str = DEFAULT) -> Catalog:
    """The shipped catalog, read once per process and address form (`ADDRESS_FORM`)."""
    return read_catalog(address_form=address_form)
