"""Quiz banks kept in the bot's cache folder: a restart reads them back instead of parsing and
checking every question again (about 60 ms of CPU before the first answer), and any change to
a bank file is parsed and checked afresh, so a bank made invalid is still refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.quiz import bank as bank_module
from bot.quiz.bank import BANKS_DIR, BankError, load_banks


@pytest.fixture
def banks_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "banks"
    shutil.copytree(BANKS_DIR, folder)
    return folder


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the banks were parsed, not read back")

    monkeypatch.setattr(bank_module, "check_banks", refuse)


def test_a_restart_reads_the_banks_back(
    banks_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    parsed = load_banks(banks_dir, keep_in=cache)
    assert [path.name.split("-")[0] for path in cache.iterdir()] == ["banks"]
    _no_parsing(monkeypatch)
    assert load_banks(banks_dir, keep_in=cache) == parsed


def test_a_changed_bank_is_checked_again(banks_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_banks(banks_dir, keep_in=cache)
    first = sorted(banks_dir.glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nbroken: [\n", encoding="utf-8")
    with pytest.raises(BankError):
        load_banks(banks_dir, keep_in=cache)


def test_an_unreadable_cache_file_is_parsed_again(banks_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    parsed = load_banks(banks_dir, keep_in=cache)
    (kept,) = cache.iterdir()
    kept.write_bytes(b"not a pickle")
    assert load_banks(banks_dir, keep_in=cache) == parsed
