"""The editors' command line: content check, reload, unanswered export, and `ask --jsonl`."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.app import BotApp
from bot.cli import app as cli
from bot.config import Settings
from bot.content.console import ask
from tests.content.helpers import copy_content, edit

runner = CliRunner()


@pytest.fixture
def env(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    content = copy_content(tmp_path / "content")
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CONTENT_DIR", str(content))
    return content


def test_check_json_lists_topics_quiz_sets_and_tips() -> None:
    result = runner.invoke(cli, ["content", "check", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["topics"]) == 30 and "phong-trao-thi-dua-cds" in report["topics"]
    assert report["tips"] >= 30
    assert len(report["quiz_sets"]) >= 5 and all(n >= 10 for n in report["quiz_sets"].values())
    fairness = report["quiz_fairness"]
    assert set(fairness) == set(report["quiz_sets"])
    assert all(0 <= bank["longest_share"] <= 1 / 3 for bank in fairness.values())
    assert report["model_current"] is True  # the shipped topic model matches its examples


def test_check_tells_when_the_topic_model_is_older_than_the_examples(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.content import learned

    monkeypatch.setattr(learned, "FEATURE_VERSION", learned.FEATURE_VERSION + " changed")
    result = runner.invoke(cli, ["content", "check"])
    assert result.exit_code == 0, result.output
    assert "cdsbot content train" in result.output


def _biased_bank(directory: Path) -> Path:
    """A valid bank of twelve questions whose correct option is always the longest."""
    directory.mkdir()
    items = "".join(
        f"""  - id: b-{i:03d}
    text: Câu hỏi thử số {i}?
    options: ["Phương án đúng được viết dài và cẩn thận hơn", "Sai", "Chưa đúng", "Không"]
    correct: 0
    explanation: Vì phương án đầu đúng.
    topic: cds-khai-niem
    source: {{title: Nguồn, url: "https://mst.gov.vn/tin/1.htm", checked: 2026-11-30}}
"""
        for i in range(12)
    )
    text = "slug: lech\ntitle: Bộ lệch\ndescription: Thử.\nquestions:\n" + items
    (directory / "lech.yaml").write_text(text, encoding="utf-8")
    return directory


def test_check_fails_a_biased_bank(tmp_path: Path) -> None:
    banks = _biased_bank(tmp_path / "banks")
    result = runner.invoke(cli, ["content", "check", "--banks", str(banks)])
    assert result.exit_code == 1
    assert "lech.yaml:1: đáp án đúng là phương án dài nhất ở 12/12 câu" in result.output
    result = runner.invoke(cli, ["content", "check", "--json", "--banks", str(banks)])
    report = json.loads(result.output)
    assert result.exit_code == 1 and report["quiz_fairness"]["lech"]["longest_share"] == 1.0
    assert any("dài nhất" in error for error in report["errors"])


def test_check_fails_with_file_and_line(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    edit(content / "topics/chu-ky-so.md", "audience: all", "audience: ai cung duoc")
    result = runner.invoke(cli, ["content", "check", "--dir", str(content)])
    assert result.exit_code == 1
    assert "topics/chu-ky-so.md:5: 'audience'" in result.output


def test_reload_refuses_an_invalid_edit_and_publishes_a_valid_one(env: Path) -> None:
    edit(env / "tips.yaml", 'text: "Mã OTP', 'text: ["Mã OTP')
    result = runner.invoke(cli, ["content", "reload"])
    assert result.exit_code == 1 and "tips.yaml:4: YAML không hợp lệ" in result.output
    assert "vẫn dùng nội dung cũ" in result.output
    edit(env / "tips.yaml", 'text: ["Mã OTP', 'text: "Mã OTP')
    result = runner.invoke(cli, ["content", "reload"])
    assert result.exit_code == 0 and "Đã nạp phiên bản" in result.output
    result = runner.invoke(cli, ["content", "reload"])
    assert result.exit_code == 0 and "Nội dung không đổi" in result.output


def test_unanswered_export_has_the_questions_and_no_user(env: Path, settings: Settings) -> None:
    async def ask_twice() -> None:
        bot = BotApp.build(settings.model_copy(update={"content_dir": env}))
        try:
            for _ in range(2):
                await bot.services.knowledge.ask("giá vàng hôm nay bao nhiêu")
            await bot.services.knowledge.ask("đăng ký VNeID mức 2 ở đâu")
        finally:
            await bot.close()

    asyncio.run(ask_twice())
    result = runner.invoke(cli, ["content", "unanswered", "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["cau_hoi", "so_lan", "chu_de_gan_nhat", "diem", "lan_dau", "lan_cuoi"]
    assert [row[:2] for row in rows[1:]] == [["giá vàng hôm nay bao nhiêu", "2"]]
    result = runner.invoke(cli, ["content", "unanswered", "--since", "31/02/2026"])
    assert result.exit_code == 1 and "dd/mm/yyyy" in result.output


def test_ask_jsonl_prints_one_object_per_question() -> None:
    app = typer.Typer()
    app.command()(ask)
    stdin = "lam sao dang ky vneid muc 2\ngiá vàng hôm nay\nxin chào\n"
    result = runner.invoke(app, ["--jsonl"], input=stdin)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [row["q"] for row in rows] == stdin.splitlines()
    assert rows[0]["topic"] == "vneid-muc-2" and "Mức 2" in rows[0]["answer"]
    assert rows[1]["topic"] is None and rows[1]["answer"] is None
    assert rows[2]["topic"] is None and isinstance(rows[2]["score"], float)
    person = runner.invoke(app, ["Chữ ký số là gì?"])
    assert person.exit_code == 0 and "Chữ ký số" in person.output
