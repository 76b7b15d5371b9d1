"""The knowledge base's index kept on disk: a restart reads it back instead of building it
(half a second of CPU before the first answer), and gets the same answers."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pytest

from bot.content import store
from bot.content.store import index_for, keep_indexes_in, load_directory

QUESTIONS = ["VNeID mức 2 là gì?", "Cách đặt mật khẩu an toàn", "dich vu cong truc tuyen", "abc"]


@pytest.fixture
def disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder, and this process's in-memory indexes forgotten (as in a new process)."""
    monkeypatch.setattr(store, "_indexes", OrderedDict())
    monkeypatch.setattr(store, "_disk", None)
    keep_indexes_in(tmp_path / "cache")
    return tmp_path / "cache"


def _no_building(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("the index was built, not read back")

    monkeypatch.setattr(store, "Analyzer", refuse)


def test_a_restart_reads_the_index_back_and_answers_the_same(
    disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, kb = load_directory()
    built = index_for(kb)
    assert [path.name for path in disk.iterdir()] == [
        f"index-{kb.version[:32]}-{store.code_fingerprint()}.pickle"
    ]
    monkeypatch.setattr(store, "_indexes", OrderedDict())  # a new process
    _no_building(monkeypatch)
    read = index_for(kb)
    assert read is not built
    for question in QUESTIONS:
        assert repr(read.rank(question)) == repr(built.rank(question))


def test_an_unreadable_file_is_rebuilt_and_replaced(
    disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, kb = load_directory()
    built = index_for(kb)
    (cached,) = disk.iterdir()
    cached.write_bytes(b"not a pickle")
    monkeypatch.setattr(store, "_indexes", OrderedDict())
    rebuilt = index_for(kb)  # a warning in the log, no error
    assert repr(rebuilt.rank(QUESTIONS[0])) == repr(built.rank(QUESTIONS[0]))
    monkeypatch.setattr(store, "_indexes", OrderedDict())
    _no_building(monkeypatch)
    index_for(kb)  # the replaced file reads back


def test_without_a_folder_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_indexes", OrderedDict())
    monkeypatch.setattr(store, "_disk", None)
    _, kb = load_directory()
    index_for(kb)
    assert list(tmp_path.iterdir()) == []


def test_a_restart_takes_the_checked_content_from_the_kept_index(
    disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, kb = load_directory()
    index_for(kb)
    monkeypatch.setattr(store, "_indexes", OrderedDict())  # a new process
    monkeypatch.setattr(store, "_parsed", OrderedDict())

    def refuse(*_: object) -> None:
        raise AssertionError("the content was parsed and checked again")

    monkeypatch.setattr(store, "parse_snapshot", refuse)
    _, again = load_directory()
    assert again.version == kb.version and list(again.topics) == list(kb.topics)
    assert store.cached_index(again) is not None  # and its index came with it
