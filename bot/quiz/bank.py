"""Quiz banks: the schema of `bot/quiz/banks/<set-slug>.yaml`, loading and validation.

A bank is a set of four-option questions (see docs/CONTENT_FORMAT.md). Every problem found is
reported with the file and line so an editor can fix it; `load_banks` refuses a directory with any
problem, `check_banks` returns what loaded plus the list of problems.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.content.kept import keep, read_kept
from bot.content.model import Source
from bot.content.sources import is_home_page  # one rule for topics, tips and quiz banks
from bot.content.yaml_lines import (
    ContentIssue,
    LineDict,
    LineList,
    YamlSyntaxError,
    display_path,
    parse_yaml,
)
from bot.core.clock import VN_TZ
from bot.core.text import fold_words

BANKS_DIR = Path(__file__).parent / "banks"

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QUESTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_TEXT = 300
MAX_OPTION = 100
MAX_EXPLANATION = 200
MAX_NUMBER = 60
OPTIONS = 4
# Option wordings the content guide forbids: they make the "one correct answer" ambiguous.
_BANNED_OPTIONS = ("tat ca cac dap an", "tat ca deu dung", "ca a va b", "khong dap an nao")


@dataclass(frozen=True)
class Question:
    """One question with exactly four options, `correct` being the index of the right one."""

    id: str
    text: str
    options: tuple[str, ...]
    correct: int
    explanation: str
    source: Source
    topic: str  # the knowledge-base topic the question's facts come from (its slug)

    @property
    def answer(self) -> str:
        """The text of the correct option."""
        return self.options[self.correct]


@dataclass(frozen=True)
class Bank:
    """A quiz set: its questions and how an attempt is drawn and passed."""

    slug: str
    title: str
    description: str
    pass_ratio: float
    questions_per_attempt: int
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        """The question with `question_id`, if the bank has it."""
        return next((q for q in self.questions if q.id == question_id), None)


class BankError(Exception):
    """Quiz banks that failed validation; `issues` says where and why."""

    def __init__(self, issues: list[ContentIssue]) -> None:
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues


def _text(node: LineDict, key: str, limit: int, problems: list[tuple[int, str]]) -> str:
    value = node.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append((node.line_of(key), f"thiếu '{key}' (chữ, không để trống)"))
        return ""
    if len(value.strip()) > limit:
        problems.append(
            (node.line_of(key), f"'{key}' dài {len(value.strip())} ký tự, tối đa {limit}")
        )
    return value.strip()


def _date(
    node: LineDict, key: str, problems: list[tuple[int, str]], *, required: bool
) -> date | None:
    value = node.get(key)
    if value is None and not required:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            pass
    if not isinstance(value, date):
        problems.append((node.line_of(key), f"'{key}' phải là ngày dạng YYYY-MM-DD"))
        return None
    return value


def parse_source(node: Any, line: int, problems: list[tuple[int, str]]) -> Source:
    """A `{title, url, number?, issued?, checked}` source naming the exact page of the fact.

    `url` must be the page itself, never a site's front page; `number` is the document's number
    where there is one; `issued` (publication) and `checked` (last confirmed by an editor) are
    YYYY-MM-DD dates, `checked` required and not in the future. Problems are appended with
    their line.
    """
    if not isinstance(node, LineDict):
        problems.append((line, "thiếu 'source' dạng {title, url, number, issued, checked}"))
        return Source("", "")
    title = _text(node, "title", 200, problems)
    url = _text(node, "url", 500, problems)
    if url and not url.startswith(("https://", "http://")):
        problems.append((node.line_of("url"), f"đường dẫn nguồn phải bắt đầu bằng https://: {url}"))
    elif url and is_home_page(url):
        problems.append(
            (
                node.line_of("url"),
                f"nguồn là trang chủ ({url}): hãy dẫn đúng trang văn bản hoặc bài viết",
            )
        )
    number = None
    if node.get("number") is not None:
        number = _text(node, "number", MAX_NUMBER, problems) or None
    issued = _date(node, "issued", problems, required=False)
    checked = _date(node, "checked", problems, required=True)
    if checked is not None and checked > datetime.now(VN_TZ).date():
        problems.append((node.line_of("checked"), f"'checked' ({checked}) là ngày trong tương lai"))
    if issued is not None and checked is not None and issued > checked:
        problems.append((node.line_of("issued"), "'issued' sau ngày 'checked'"))
    return Source(title, url, number, issued, checked)


def _parse_options(node: LineDict, problems: list[tuple[int, str]]) -> tuple[str, ...]:
    options = node.get("options")
    line = node.line_of("options")
    if not isinstance(options, LineList) or len(options) != OPTIONS:
        problems.append((line, f"cần đúng {OPTIONS} phương án trong 'options'"))
        return ()
    texts: list[str] = []
    seen: dict[str, int] = {}
    for index, option in enumerate(options):
        option_line = options.line_of(index)
        if not isinstance(option, str | int | float) or not str(option).strip():
            problems.append((option_line, "phương án không được để trống"))
            continue
        text = str(option).strip()
        if len(text) > MAX_OPTION:
            problems.append((option_line, f"phương án dài {len(text)} ký tự, tối đa {MAX_OPTION}"))
        key = fold_words(text)
        if key in seen:
            problems.append((option_line, f"phương án trùng với phương án ở dòng {seen[key]}"))
        seen[key] = option_line
        if any(banned in key for banned in _BANNED_OPTIONS):
            problems.append((option_line, "không dùng phương án kiểu 'tất cả các đáp án trên'"))
        texts.append(text)
    return tuple(texts)


def _parse_question(
    node: Any, line: int, problems: list[tuple[int, str]], topics: Collection[str] | None
) -> Question | None:
    if not isinstance(node, LineDict):
        problems.append((line, "mỗi câu hỏi phải là một mục có id, text, options, correct…"))
        return None
    qid = node.get("id")
    if not isinstance(qid, str) or not QUESTION_ID.match(qid):
        problems.append((node.line_of("id"), "thiếu 'id' (chữ, số, '-' hoặc '_', tối đa 32)"))
        qid = ""
    text = _text(node, "text", MAX_TEXT, problems)
    options = _parse_options(node, problems)
    correct = node.get("correct")
    if isinstance(correct, bool) or not isinstance(correct, int):
        problems.append(
            (node.line_of("correct"), "'correct' phải là số thứ tự phương án đúng (0–3)")
        )
        correct = -1
    elif not 0 <= correct < OPTIONS:
        problems.append((node.line_of("correct"), f"'correct' = {correct} nằm ngoài 0–3"))
    explanation = _text(node, "explanation", MAX_EXPLANATION, problems)
    source = parse_source(node.get("source"), node.line_of("source"), problems)
    topic = node.get("topic")
    if not isinstance(topic, str) or not SLUG.match(topic):
        problems.append((node.line_of("topic"), "thiếu 'topic' (slug chủ đề trong kho kiến thức)"))
        topic = ""
    elif topics is not None and topic not in topics:
        problems.append((node.line_of("topic"), f"chủ đề '{topic}' không có trong kho kiến thức"))
    if len(options) != OPTIONS or not 0 <= correct < OPTIONS:
        return None
    return Question(qid, text, options, correct, explanation, source, topic)


def _parse_bank(
    data: Any, stem: str, problems: list[tuple[int, str]], topics: Collection[str] | None
) -> Bank | None:
    if not isinstance(data, LineDict):
        problems.append((1, "tệp bộ câu hỏi phải là một mục có slug, title, questions…"))
        return None
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        problems.append((data.line_of("slug"), "thiếu 'slug' (chữ thường a-z, số và '-')"))
    elif slug != stem:
        problems.append((data.line_of("slug"), f"slug '{slug}' phải trùng tên tệp '{stem}'"))
    title = _text(data, "title", 120, problems)
    description = _text(data, "description", 400, problems)
    pass_ratio = data.get("pass_ratio", 0.8)
    if isinstance(pass_ratio, bool) or not isinstance(pass_ratio, int | float):
        pass_ratio = -1.0
    if not 0 < pass_ratio <= 1:
        problems.append((data.line_of("pass_ratio"), "'pass_ratio' phải lớn hơn 0 và không quá 1"))
    per_attempt = data.get("questions_per_attempt", 10)
    if isinstance(per_attempt, bool) or not isinstance(per_attempt, int) or per_attempt < 1:
        problems.append((data.line_of("questions_per_attempt"), "'questions_per_attempt' ≥ 1"))
        per_attempt = 1
    raw = data.get("questions")
    if not isinstance(raw, LineList) or not raw:
        problems.append((data.line_of("questions"), "thiếu danh sách 'questions'"))
        return None
    questions: list[Question] = []
    ids: dict[str, int] = {}
    texts: dict[str, int] = {}
    for index, node in enumerate(raw):
        question = _parse_question(node, raw.line_of(index), problems, topics)
        if question is None:
            continue
        line = raw.line_of(index)
        if question.id in ids:
            problems.append((line, f"id '{question.id}' trùng với câu ở dòng {ids[question.id]}"))
        ids.setdefault(question.id, line)
        text_key = fold_words(question.text)
        if text_key in texts:
            problems.append((line, f"câu hỏi trùng nội dung với câu ở dòng {texts[text_key]}"))
        texts.setdefault(text_key, line)
        questions.append(question)
    if per_attempt > len(raw):
        problems.append(
            (
                data.line_of("questions_per_attempt"),
                f"chỉ có {len(raw)} câu, ít hơn số câu mỗi lượt",
            )
        )
    return Bank(str(slug), title, description, float(pass_ratio), per_attempt, tuple(questions))


def read_bank(
    path: Path, topics: Collection[str] | None = None
) -> tuple[Bank | None, list[ContentIssue]]:
    """Parse and validate one bank file; the bank is None when it cannot be used.

    With `topics` (the knowledge base's slugs), a question citing an unknown topic is a problem.
    """
    name = display_path(path)
    problems: list[tuple[int, str]] = []
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        return None, [ContentIssue(name, exc.line, exc.message)]
    except UnicodeDecodeError:
        return None, [ContentIssue(name, 1, "tệp không phải UTF-8")]
    bank = _parse_bank(data, path.stem, problems, topics)
    issues = sorted(ContentIssue(name, line, message) for line, message in problems)
    return (bank if not issues else None), issues


def check_banks(
    directory: Path = BANKS_DIR, topics: Collection[str] | None = None
) -> tuple[dict[str, Bank], list[ContentIssue]]:
    """Every valid bank in `directory` by slug, and every problem found in any of them.

    `topics` are the knowledge base's slugs: given, every question's `topic` must be one of them.
    """
    banks: dict[str, Bank] = {}
    issues: list[ContentIssue] = []
    for path in sorted(directory.glob("*.yaml")):
        bank, found = read_bank(path, topics)
        issues.extend(found)
        if bank is not None:
            banks[bank.slug] = bank
    return banks, issues


def load_banks(directory: Path = BANKS_DIR, *, keep_in: Path | None = None) -> dict[str, Bank]:
    """All banks in `directory` by slug; raises BankError listing every problem if any.

    With `keep_in` (a bot's DATA_DIR/cache), banks that loaded without a problem are kept there
    and read back by the next start with the same files, code and Python: parsing and checking
    the 200-odd questions is about 60 ms of CPU before a server's first answer, reading them
    back about 2 ms. A bank's validity depends only on its files and this code (and the dates
    it checks, which only ever come true), so what was valid then is valid now."""
    path = _kept_file(directory, keep_in) if keep_in is not None else None
    if path is not None:
        kept = read_kept(path)
        if isinstance(kept, dict) and all(isinstance(bank, Bank) for bank in kept.values()):
            return kept
    banks, issues = check_banks(directory)
    if issues:
        raise BankError(issues)
    if path is not None:
        keep(path, banks)
    return banks


def _kept_file(directory: Path, folder: Path) -> Path:
    """The cache file of the banks in `directory` as they are now: its name carries a digest of
    every bank file, the code that parses them and Python's version."""
    digest = hashlib.sha256(sys.version.encode())
    code = Path(__file__).parent
    for path in [
        *sorted(directory.glob("*.yaml")),
        Path(__file__),
        code.parents[0] / "content" / "yaml_lines.py",
        code.parents[0] / "content" / "sources.py",
        code.parents[0] / "content" / "model.py",
        code.parents[0] / "content" / "kept.py",
        code.parents[0] / "core" / "text.py",
    ]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return folder / f"banks-{digest.hexdigest()[:24]}.pickle"
