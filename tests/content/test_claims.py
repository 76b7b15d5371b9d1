"""Curated claims: a topic sentence or quiz answer contradicting what a topic states is refused."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app as cli
from bot.content.claims import Claim, Term, quiz_contradictions
from bot.content.loader import parse_snapshot, read_snapshot
from bot.quiz.bank import BANKS_DIR
from tests.content.helpers import copy_content, edit

runner = CliRunner()

PILLARS = Claim(
    "dich-vu-cong-thuoc-chinh-quyen-so",
    "cds-ba-tru-cot",
    (Term("dịch vụ công trực tuyến"), Term("nộp hồ sơ")),
    (Term("chính quyền số"),),
    (Term("xã hội số"), Term("kinh tế số")),
)


@dataclass(frozen=True)
class _Question:
    id: str
    text: str
    options: tuple[str, ...]
    correct: int


@dataclass(frozen=True)
class _Bank:
    questions: tuple[_Question, ...]


def _problems(directory: Path) -> list[str]:
    kb, issues = parse_snapshot(read_snapshot(directory))
    assert kb is None
    return [str(issue) for issue in issues]


def test_a_term_with_a_gap_matches_its_pieces_in_order_as_whole_words() -> None:
    term = Term("chỉ … tại trụ sở")
    assert term.in_("chi cung cap thong tin cho can bo tai tru so")
    assert not term.in_("tai tru so chi can mang the")
    assert not Term("xã hội số").in_("xa hoi sohoa")


def test_a_topic_that_files_online_procedures_under_the_wrong_pillar_is_refused(
    tmp_path: Path,
) -> None:
    directory = copy_content(tmp_path / "content")
    edit(
        directory / "topics/dvc-quoc-gia.md",
        "**Cổng làm được gì?**",
        "Nộp hồ sơ trực tuyến là một tiện ích của xã hội số.\n\n**Cổng làm được gì?**",
    )
    problems = _problems(directory)
    assert any(
        p.startswith("topics/dvc-quoc-gia.md:")
        and "mâu thuẫn với nhận định 'dich-vu-cong-thuoc-chinh-quyen-so'" in p
        and "“xã hội số”" in p
        for p in problems
    ), problems


def test_the_old_de_an_06_advice_to_give_data_only_at_the_office_is_refused(
    tmp_path: Path,
) -> None:
    directory = copy_content(tmp_path / "content")
    edit(
        directory / "topics/de-an-06.md",
        "📌 Hỏi công an xã, phường nơi cư trú.",
        "⚠️ Chỉ cung cấp thông tin cá nhân cho cán bộ tại trụ sở cơ quan có thẩm quyền.\n\n"
        "📌 Hỏi công an xã, phường nơi cư trú.",
    )
    problems = _problems(directory)
    assert any("de-an-06.md:" in p and "“chỉ … tại trụ sở”" in p for p in problems), problems


def test_a_claim_its_topic_no_longer_states_is_reported(tmp_path: Path) -> None:
    directory = copy_content(tmp_path / "content")
    edit(
        directory / "claims.yaml", "is: [chính quyền số, chính phủ số]", "is: [chính quyền điện tử]"
    )
    problems = _problems(directory)
    assert any(
        p.startswith("claims.yaml:") and "không nêu nhận định 'dich-vu-cong" in p for p in problems
    ), problems


def test_a_quiz_answer_on_the_wrong_side_of_a_claim_is_flagged() -> None:
    wrong_answer = _Question(
        "q-1",
        "Người dân nộp hồ sơ trực tuyến gắn với trụ cột nào?",
        ("Chính quyền số", "Kinh tế số", "Xã hội số", "Không thuộc trụ cột nào"),
        2,
    )
    truth_as_distractor = _Question(
        "q-2",
        "Dịch vụ công trực tuyến thuộc nhóm nào?",
        ("Chính quyền số", "Hạ tầng số", "Dữ liệu số", "Không thuộc nhóm nào"),
        3,
    )
    fine = _Question(
        "q-3",
        "Người dân nộp hồ sơ trực tuyến gắn với trụ cột nào?",
        ("Chính quyền số", "Kinh tế số", "Xã hội số", "Không thuộc trụ cột nào"),
        0,
    )
    text = "questions:\n  - id: q-1\n  - id: q-2\n  - id: q-3\n"
    issues = quiz_contradictions(
        [PILLARS],
        {"thu": _Bank((wrong_answer, truth_as_distractor, fine))},
        {"thu": text},
        {"thu": "banks/thu.yaml"},
    )
    messages = [str(issue) for issue in issues]
    assert len(messages) == 2, messages
    assert messages[0].startswith("banks/thu.yaml:2: câu q-1: đáp án đúng gắn với “xã hội số”")
    assert messages[1].startswith("banks/thu.yaml:3: câu q-2: phương án sai “Chính quyền số”")


def test_content_check_flags_a_quiz_bank_that_contradicts_a_topic(tmp_path: Path) -> None:
    banks = tmp_path / "banks"
    shutil.copytree(BANKS_DIR, banks)
    path = banks / "chu-truong-chinh-sach.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: ccs-004\n")
    block_end = text.index("  - id: ccs-005\n")
    block = text[start:block_end].replace("    correct: 0\n", "    correct: 2\n")
    path.write_text(text[:start] + block + text[block_end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    result = runner.invoke(cli, ["content", "check", "--json", "--banks", str(banks)])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    found = [p for p in report["problems"] if "ccs-004" in p["message"]]
    assert found and found[0]["line"] == line, report["problems"]
    assert found[0]["file"].endswith("chu-truong-chinh-sach.yaml")
    assert "trái với chủ đề cds-ba-tru-cot" in found[0]["message"]


def test_content_check_refuses_an_unconfirmed_address_in_a_quiz_bank(tmp_path: Path) -> None:
    banks = tmp_path / "banks"
    shutil.copytree(BANKS_DIR, banks)
    path = banks / "an-toan-thong-tin.yaml"
    text = path.read_text(encoding="utf-8")
    marker = '    explanation: "'
    index = text.index(marker) + len(marker)
    path.write_text(
        text[:index] + "Tra tại canhbao.khonggianmang.gov.vn. " + text[index:], encoding="utf-8"
    )
    result = runner.invoke(cli, ["content", "check", "--banks", str(banks)])
    assert result.exit_code == 1
    assert "canhbao.khonggianmang.gov.vn" in result.output
