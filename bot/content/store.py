"""Parsed content and search indexes, built once per process and shared by every service.

Building an index takes about a second (underthesea loads its model on first use), so both the
parsed knowledge base and its index are cached by the content fingerprint: a second bot built in
the same process, or a reload to content already seen, costs nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from bot.content.analysis import Analyzer, load_lexicon
from bot.content.index import TopicIndex
from bot.content.learned import shipped
from bot.content.loader import CONTENT_DIR, Snapshot, fingerprint, parse_snapshot, read_snapshot
from bot.content.model import KnowledgeBase
from bot.content.yaml_lines import ContentIssue

_KEEP = 3
_lock = threading.Lock()
_parsed: OrderedDict[str, KnowledgeBase] = OrderedDict()
_indexes: OrderedDict[str, TopicIndex] = OrderedDict()


class ContentInvalid(Exception):
    """Content files that failed validation; `issues` lists file, line and problem."""

    def __init__(self, issues: list[ContentIssue]) -> None:
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues


def _remember(cache: OrderedDict, key: str, value: object) -> None:  # type: ignore[type-arg]
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _KEEP:
        cache.popitem(last=False)


def parse(files: Snapshot) -> KnowledgeBase:
    """The knowledge base of a snapshot; raises ContentInvalid listing every problem."""
    key = fingerprint(files)
    with _lock:
        if key in _parsed:
            return _parsed[key]
    kb, issues = parse_snapshot(files)
    if kb is None:
        raise ContentInvalid(issues)
    with _lock:
        _remember(_parsed, key, kb)
    return kb


def load_directory(directory: Path | None = None) -> tuple[Snapshot, KnowledgeBase]:
    """Read and validate the content files of a folder (the shipped one by default)."""
    files = read_snapshot(directory or CONTENT_DIR)
    return files, parse(files)


def cached_index(kb: KnowledgeBase) -> TopicIndex | None:
    """The index of a knowledge base if it is already built (cheap, never builds)."""
    with _lock:
        return _indexes.get(kb.version)


def index_for(kb: KnowledgeBase) -> TopicIndex:
    """The search index of a knowledge base, built on first use."""
    with _lock:
        if kb.version in _indexes:
            return _indexes[kb.version]
    index = TopicIndex(kb, Analyzer(load_lexicon()), classifier=shipped())
    with _lock:
        _remember(_indexes, kb.version, index)
    return index
