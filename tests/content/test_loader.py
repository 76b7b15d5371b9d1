"""Content validation: the shipped files pass; every kind of mistake is named with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import parse_snapshot, read_snapshot
from tests.content.helpers import copy_content, edit

REQUIRED_SLUGS = {
    "cds-khai-niem",
    "cds-ba-tru-cot",
    "cong-dan-so",
    "binh-dan-hoc-vu-so",
    "phong-trao-thi-dua-cds",
    "linh-vuc-uu-tien",
    "khen-thuong-thi-dua",
    "ngay-cds-quoc-gia",
    "de-an-06",
    "vneid-gioi-thieu",
    "vneid-muc-2",
    "vneid-quen-mat-khau",
    "can-cuoc-gan-chip",
    "dvc-quoc-gia",
    "dvc-nop-ho-so",
    "dvc-toan-trinh",
    "thanh-toan-khong-tien-mat",
    "chu-ky-so",
    "lua-dao-truc-tuyen",
    "bao-ve-du-lieu-ca-nhan",
    "mat-khau-an-toan",
    "so-suc-khoe-dien-tu",
    "giao-duc-so",
    "nong-nghiep-so",
    "thuong-mai-dien-tu",
    "du-lieu-mo",
    "to-cong-nghe-so-cong-dong",
    "cds-can-bo-cong-chuc",
    "bot-huong-dan",
    "bot-quyen-rieng-tu",
}


def test_shipped_content_is_valid_and_complete() -> None:
    kb, issues = parse_snapshot(read_snapshot())
    assert issues == []
    assert kb is not None
    assert set(kb.topics) == REQUIRED_SLUGS
    assert len(kb.tips) >= 30
    for topic in kb.topics.values():
        assert len(topic.answer) <= 900 and len(topic.questions) >= 5 and topic.sources
        assert topic.theme in kb.by_theme and topic.slug in kb.by_theme[topic.theme]
    plan = kb.topics["phong-trao-thi-dua-cds"].answer
    assert "08/3/2023" in plan and "người đứng đầu" in plan


def _problems(directory: Path) -> list[str]:
    kb, issues = parse_snapshot(read_snapshot(directory))
    assert kb is None, "an invalid snapshot must not produce a knowledge base"
    return [str(issue) for issue in issues]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "topics/vneid-muc-2.md",
            "title: Tài khoản định danh điện tử mức 1 và mức 2\n",
            "",
            "topics/vneid-muc-2.md:2: thiếu 'title'",
        ),
        (
            "topics/vneid-muc-2.md",
            "related: [vneid-gioi-thieu,",
            "related: [khong-co-that,",
            "topics/vneid-muc-2.md:7: 'related' nhắc chủ đề không có: khong-co-that",
        ),
        (
            "topics/vneid-muc-2.md",
            "theme: vneid",
            "theme: khong-co",
            "topics/vneid-muc-2.md:4: 'theme' phải là một id",
        ),
        (
            "topics/vneid-muc-2.md",
            "audience: citizen",
            "audience: moi-nguoi",
            "topics/vneid-muc-2.md:5: 'audience'",
        ),
        (
            "topics/vneid-muc-2.md",
            "reviewed: 2026-12-02",
            "reviewed: hôm qua",
            "topics/vneid-muc-2.md:51: 'reviewed'",
        ),
        (
            "topics/vneid-muc-2.md",
            "  - lam sao dang ky vneid muc 2\n",
            "  - Chuyển đổi số là gì vậy?\n",
            "topics/vneid-muc-2.md:11: câu hỏi mẫu trùng ở chủ đề cds-khai-niem",
        ),
        (
            "topics/vneid-muc-2.md",
            "questions:\n",
            "question:\n",
            "topics/vneid-muc-2.md:8: khóa 'question' không có trong định dạng",
        ),
        (
            "topics/vneid-muc-2.md",
            "title: Tài",
            "title: [Tài",
            "topics/vneid-muc-2.md:3: YAML không hợp lệ",
        ),
        (
            "topics/vneid-muc-2.md",
            "Đăng ký mức 2:\n",
            "Đăng ký mức 2:\n" + "x" * 900 + "\n",
            "topics/vneid-muc-2.md:53: câu trả lời ngắn dài",
        ),
        (
            "topics/vneid-muc-2.md",
            "    url: https://plo.vn/can-lam-gi-khi-quen-passcode-cua-ung-dung-vneid-post795976.html\n",
            "    url: plo.vn/can-lam-gi\n",
            "topics/vneid-muc-2.md:45: đường dẫn nguồn phải bắt đầu bằng https://",
        ),
        (
            "tips.yaml",
            "    topic: mat-khau-an-toan\n",
            "    topic: khong-co\n",
            "tips.yaml:9: 'topic' nhắc chủ đề không có: khong-co",
        ),
        (
            "tips.yaml",
            "  - id: tip-002\n",
            "  - id: tip-001\n",
            "tips.yaml:7: id mẹo 'tip-001' bị trùng",
        ),
        (
            "themes.yaml",
            "  - id: tro-ly\n",
            "  - id: cds\n",
            "themes.yaml:15: id nhóm chủ đề 'cds'",
        ),
    ],
)
def test_mistakes_are_reported_with_file_and_line(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    directory = copy_content(tmp_path / "content")
    edit(directory / file, old, new)
    problems = _problems(directory)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_slug_must_match_file_name_and_fewer_than_five_questions(tmp_path: Path) -> None:
    directory = copy_content(tmp_path / "content")
    path = directory / "topics" / "du-lieu-mo.md"
    path.rename(directory / "topics" / "du-lieu-mo-cu.md")
    problems = _problems(directory)
    assert any("du-lieu-mo-cu.md:2: slug 'du-lieu-mo' phải trùng tên tệp" in p for p in problems)
