"""Parsed content and search indexes, built once per process and shared by every service.

Building an index takes about a second (underthesea loads its model on first use), so both the
parsed knowledge base and its index are cached by the content fingerprint: a second bot built in
the same process, or a reload to content already seen, costs nothing.

Indexes are also kept on disk (`keep_indexes_in`, DATA_DIR/cache for a bot): a process that
starts on content an earlier process already indexed reads the index back (about 15 ms) instead
of building it again (about half a second of CPU at start-up, before the first answer), and
the parsed content with it (the index holds it: the checks need not run again). The
file's name carries the content fingerprint and a fingerprint of the code and libraries that
build indexes, so a change to either builds afresh; a file that cannot be read is rebuilt and
replaced. The folder is the bot's own state (like its SQLite file), not a place for others' files.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
from collections import OrderedDict
from functools import cache
from importlib import metadata
from pathlib import Path

from bot.content.analysis import Analyzer, load_lexicon
from bot.content.index import TopicIndex
from bot.content.kept import keep, read_kept
from bot.content.learned import MODEL_FILE, shipped
from bot.content.loader import CONTENT_DIR, Snapshot, fingerprint, parse_snapshot, read_snapshot
from bot.content.model import KnowledgeBase
from bot.content.yaml_lines import ContentIssue

log = logging.getLogger(__name__)

_KEEP = 3
_INDEX_CODE = (Path(__file__).parent, Path(__file__).parents[1] / "core")
"""Where the code that builds an index lives (bot/content, and bot/core for folding text)."""
_INDEX_LIBRARIES = ("bm25s", "numpy", "rapidfuzz", "underthesea", "underthesea_core")
_disk: Path | None = None
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
    path = _index_file(key)
    kept = _read_index(path, key) if path is not None else None
    if kept is not None:  # indexed earlier, so valid then; the same files and code now
        with _lock:
            _remember(_parsed, key, kept.kb)
            _remember(_indexes, key, kept)
        return kept.kb
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
    """The search index of a knowledge base: from memory, else from the disk cache, else built
    (and then saved to the disk cache)."""
    with _lock:
        if kb.version in _indexes:
            return _indexes[kb.version]
    path = _index_file(kb.version)
    index = _read_index(path, kb.version) if path is not None else None
    if index is None:
        index = TopicIndex(kb, Analyzer(load_lexicon()), classifier=shipped())
        if path is not None:
            _write_index(path, index)
    with _lock:
        _remember(_indexes, kb.version, index)
    return index


def keep_indexes_in(directory: Path | None) -> None:
    """Keep built indexes in `directory` (created when first written); None keeps them in
    memory only."""
    global _disk
    _disk = directory


@cache
def code_fingerprint() -> str:
    """What an index depends on besides the content: the source of the code that builds it,
    its data files (the lexicon), the libraries' versions and Python's."""
    digest = hashlib.sha256(sys.version.encode())
    for name in _INDEX_LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=-".encode())
    for folder in _INDEX_CODE:
        for path in sorted([*folder.glob("*.py"), *folder.glob("lexicon.yaml")]):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    # the shipped topic model, which the index holds (retrained by `cdsbot content train`)
    if MODEL_FILE.exists():
        digest.update(MODEL_FILE.read_bytes())
    return digest.hexdigest()[:16]


def _index_file(version: str) -> Path | None:
    if _disk is None:
        return None
    return _disk / f"index-{version[:32]}-{code_fingerprint()}.pickle"


def _read_index(path: Path, version: str) -> TopicIndex | None:
    index = read_kept(path)
    if not isinstance(index, TopicIndex) or index.kb.version != version:
        return None
    return index


def _write_index(path: Path, index: TopicIndex) -> None:
    keep(path, index)
