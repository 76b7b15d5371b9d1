"""Read the content files and turn them into a validated `KnowledgeBase`, or a list of problems.

Content is handled as a snapshot — relative path → file text — so the same code validates the files
on disk, the copy a running bot keeps as its last good content, and a copy published for reload.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.content.claims import CLAIMS_FILE, Claim, parse_claims, topic_contradictions
from bot.content.model import KnowledgeBase, Source, Theme, Tip, Topic
from bot.content.proofing import UNCONFIRMED_FILE, Unconfirmed, parse_unconfirmed, text_problems
from bot.content.sources import parse_sources
from bot.content.yaml_lines import ContentIssue, LineDict, LineList, YamlSyntaxError, parse_yaml
from bot.core.clock import VN_TZ
from bot.core.text import fold_words, normalize

CONTENT_DIR = Path(__file__).parent
THEMES_FILE = "themes.yaml"
TIPS_FILE = "tips.yaml"
TOPICS_DIR = "topics"

Snapshot = dict[str, str]
"""Content files by path relative to the content folder ("topics/vneid-muc-2.md") → text."""

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
AUDIENCES = ("citizen", "staff", "all")
MAX_ANSWER = 900
MAX_DETAIL = 3500
MAX_TIP = 300
MIN_QUESTIONS = 5
TOPIC_KEYS = {
    "slug",
    "title",
    "theme",
    "audience",
    "sector",
    "related",
    "questions",
    "keywords",
    "sources",
    "reviewed",
}
_DETAIL_HEADING = re.compile(r"^##\s+Xem thêm\s*$", re.MULTILINE | re.IGNORECASE)
# "Thông tin cập nhật đến tháng 12/2026" or "… đến 02/12/2026": must agree with `reviewed`.
_UPDATED = re.compile(
    r"cập nhật đến (?:ngày |tháng )?(?:(\d{1,2})/)?(\d{1,2})/(\d{4})", re.IGNORECASE
)
OPTIONAL_FILES = (CLAIMS_FILE, UNCONFIRMED_FILE)


def read_snapshot(directory: Path = CONTENT_DIR) -> Snapshot:
    """The content files under `directory`: themes, tips and every topic file."""
    files: Snapshot = {}
    for name in (THEMES_FILE, TIPS_FILE, *OPTIONAL_FILES):
        path = directory / name
        if path.exists():
            files[name] = path.read_text(encoding="utf-8")
    for path in sorted((directory / TOPICS_DIR).glob("*.md")):
        files[f"{TOPICS_DIR}/{path.name}"] = path.read_text(encoding="utf-8")
    return files


def fingerprint(files: Snapshot) -> str:
    """A short hash that changes whenever any content file changes."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()[:16]


class _Problems:
    """Collects problems of one file with their lines, under the snapshot's proofing rules."""

    def __init__(
        self,
        file: str,
        into: list[ContentIssue],
        *,
        today: date | None = None,
        deny: tuple[Unconfirmed, ...] = (),
    ) -> None:
        self.file = file
        self._into = into
        self.today = today or datetime.now(VN_TZ).date()
        self.deny = deny

    def add(self, line: int, message: str) -> None:
        self._into.append(ContentIssue(self.file, line, message))

    def proof(self, line: int, text: str, *, prose: bool = True) -> None:
        """Report placeholders, unconfirmed addresses and straight quotes in published text."""
        for problem in text_problems(text, self.deny, prose=prose):
            self.add(line, problem)

    def text(self, node: LineDict, key: str, limit: int, *, required: bool = True) -> str:
        value = node.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str | int | float) or not str(value).strip():
            self.add(node.line_of(key), f"thiếu '{key}' (chữ, không để trống)")
            return ""
        text = normalize(str(value))
        if len(text) > limit:
            self.add(node.line_of(key), f"'{key}' dài {len(text)} ký tự, tối đa {limit}")
        return text

    def strings(self, node: LineDict, key: str) -> tuple[list[str], list[int]]:
        value = node.get(key)
        if value is None:
            return [], []
        if not isinstance(value, LineList):
            self.add(node.line_of(key), f"'{key}' phải là một danh sách")
            return [], []
        texts, lines = [], []
        for index, item in enumerate(value):
            if not isinstance(item, str | int | float) or not str(item).strip():
                self.add(value.line_of(index), f"mục trong '{key}' phải là chữ, không để trống")
                continue
            texts.append(normalize(str(item)))
            lines.append(value.line_of(index))
        return texts, lines

    def sources(self, node: LineDict, key: str) -> tuple[Source, ...]:
        """Sources under `key` by the shared rules (exact page, checked date), proof-read."""
        found = parse_sources(node, key, self.add, today=self.today)
        value = node.get(key)
        items = value if isinstance(value, LineList) else [value] if value is not None else []
        for item in items:
            if isinstance(item, LineDict):
                for field, prose in (("title", True), ("url", False), ("number", False)):
                    if isinstance(item.get(field), str):
                        self.proof(item.line_of(field), item[field], prose=prose)
        return found


def _load_yaml(files: Snapshot, name: str, issues: list[ContentIssue]) -> Any:
    if name not in files:
        issues.append(ContentIssue(name, 1, "thiếu tệp"))
        return None
    try:
        return parse_yaml(files[name])
    except YamlSyntaxError as exc:
        issues.append(ContentIssue(name, exc.line, exc.message))
        return None


def _themes(files: Snapshot, issues: list[ContentIssue]) -> tuple[Theme, ...]:
    data = _load_yaml(files, THEMES_FILE, issues)
    problems = _Problems(THEMES_FILE, issues)
    raw = data.get("themes") if isinstance(data, LineDict) else None
    if not isinstance(raw, LineList) or not raw:
        if data is not None:
            problems.add(1, "cần danh sách 'themes' gồm các mục {id, title}")
        return ()
    themes: list[Theme] = []
    for index, item in enumerate(raw):
        if not isinstance(item, LineDict):
            problems.add(raw.line_of(index), "mỗi nhóm chủ đề cần id và title")
            continue
        theme_id = str(item.get("id", ""))
        if not SLUG.match(theme_id):
            problems.add(item.line_of("id"), "id nhóm chủ đề: chữ thường a-z, số và '-'")
        elif any(theme.id == theme_id for theme in themes):
            problems.add(item.line_of("id"), f"id nhóm chủ đề '{theme_id}' bị trùng")
        themes.append(Theme(theme_id, problems.text(item, "title", 60)))
    return tuple(themes)


def _split_body(body: str) -> tuple[str, str]:
    match = _DETAIL_HEADING.search(body)
    if match is None:
        return body.strip(), ""
    return body[: match.start()].strip(), body[match.end() :].strip()


def _topic(
    name: str, text: str, theme_ids: set[str], issues: list[ContentIssue], rules: dict[str, Any]
) -> Topic | None:
    problems = _Problems(name, issues, **rules)
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.add(1, "tệp phải bắt đầu bằng dòng '---' rồi phần đầu YAML")
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.add(1, "thiếu dòng '---' đóng phần đầu YAML")
        return None
    try:
        header = parse_yaml("\n".join(lines[1:end]), first_line=2)
    except YamlSyntaxError as exc:
        problems.add(exc.line, exc.message)
        return None
    if not isinstance(header, LineDict):
        problems.add(2, "phần đầu YAML phải là các cặp khóa: giá trị")
        return None
    for key in sorted(set(header) - TOPIC_KEYS):
        problems.add(header.line_of(key), f"khóa '{key}' không có trong định dạng (gõ nhầm?)")
    slug = str(header.get("slug", ""))
    stem = name.rsplit("/", 1)[-1].removesuffix(".md")
    if not SLUG.match(slug):
        problems.add(header.line_of("slug"), "thiếu 'slug' (chữ thường a-z, số và '-')")
    elif slug != stem:
        problems.add(header.line_of("slug"), f"slug '{slug}' phải trùng tên tệp '{stem}'")
    title = problems.text(header, "title", 120)
    problems.proof(header.line_of("title"), title)
    theme = str(header.get("theme", ""))
    if theme not in theme_ids:
        problems.add(header.line_of("theme"), f"'theme' phải là một id trong {THEMES_FILE}")
    audience = str(header.get("audience", ""))
    if audience not in AUDIENCES:
        problems.add(header.line_of("audience"), "'audience' phải là citizen, staff hoặc all")
    sector = problems.text(header, "sector", 80)
    related, _ = problems.strings(header, "related")
    questions, _ = problems.strings(header, "questions")
    if len(questions) < MIN_QUESTIONS:
        problems.add(header.line_of("questions"), f"cần ít nhất {MIN_QUESTIONS} câu hỏi mẫu")
    keywords, _ = problems.strings(header, "keywords")
    sources = problems.sources(header, "sources")
    reviewed = header.get("reviewed")
    if not isinstance(reviewed, date):
        problems.add(header.line_of("reviewed"), "'reviewed' phải là ngày dạng 2026-11-29")
        reviewed = date.min
    elif reviewed > problems.today:
        problems.add(header.line_of("reviewed"), "'reviewed' là ngày trong tương lai")
    answer, detail = _split_body(normalize_body("\n".join(lines[end + 1 :])))
    body_line = end + 2
    for number in range(end + 1, len(lines)):
        problems.proof(number + 1, lines[number])
    if reviewed != date.min:
        _check_updated_line(problems, answer, reviewed, body_line)
        if any(source.checked and source.checked > reviewed for source in sources):
            problems.add(header.line_of("reviewed"), "có nguồn 'checked' sau ngày 'reviewed'")
    if not answer:
        problems.add(body_line, "thiếu câu trả lời ngắn sau phần đầu YAML")
    elif len(answer) > MAX_ANSWER:
        problems.add(body_line, f"câu trả lời ngắn dài {len(answer)} ký tự, tối đa {MAX_ANSWER}")
    if len(detail) > MAX_DETAIL:
        problems.add(body_line, f"phần 'Xem thêm' dài {len(detail)} ký tự, tối đa {MAX_DETAIL}")
    return Topic(
        slug,
        title,
        theme,
        audience,
        sector,
        tuple(related),
        tuple(questions),
        tuple(keywords),
        sources,
        reviewed,
        answer,
        detail,
    )


def _check_updated_line(problems: _Problems, answer: str, reviewed: date, line: int) -> None:
    """The short answer says as of when it holds, and that is the `reviewed` month."""
    match = _UPDATED.search(answer)
    if match is None:
        problems.add(line, "câu trả lời ngắn thiếu dòng “Thông tin cập nhật đến tháng MM/YYYY”")
        return
    day, month, year = (int(g) if g else None for g in match.groups())
    if (month, year) != (reviewed.month, reviewed.year) or day not in (None, reviewed.day):
        problems.add(
            line,
            f"dòng “{match.group(0)}” không khớp 'reviewed' {reviewed.strftime('%d/%m/%Y')}",
        )


def normalize_body(text: str) -> str:
    """NFC and tone placement for a Markdown body, keeping its line breaks."""
    return "\n".join(normalize(line) if line.strip() else "" for line in text.split("\n"))


def _question_lines(text: str) -> dict[str, int]:
    """Where each example question sits in a topic file (for duplicate reports)."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("- "):
            found.setdefault(fold_words(stripped[2:].strip().strip('"')), number)
    return found


def _check_topics(
    topics: dict[str, Topic], names: dict[str, str], files: Snapshot, issues: list[ContentIssue]
) -> None:
    seen: dict[str, str] = {}
    for slug, topic in topics.items():
        name = names[slug]
        lines = _question_lines(files[name])
        header_line = 2
        for related in topic.related:
            if related == slug or related not in topics:
                issues.append(
                    ContentIssue(
                        name,
                        _key_line(files[name], "related") or header_line,
                        f"'related' nhắc chủ đề không có: {related}",
                    )
                )
        for question in topic.questions:
            key = fold_words(question)
            line = lines.get(key, header_line)
            if key in seen:
                where = "trong cùng tệp" if seen[key] == slug else f"ở chủ đề {seen[key]}"
                issues.append(ContentIssue(name, line, f"câu hỏi mẫu trùng {where}: {question}"))
            seen.setdefault(key, slug)


def _key_line(text: str, key: str) -> int:
    return next((n for n, line in enumerate(text.split("\n"), 1) if line.startswith(f"{key}:")), 0)


def _tips(
    files: Snapshot, topics: dict[str, Topic], issues: list[ContentIssue], rules: dict[str, Any]
) -> tuple[Tip, ...]:
    data = _load_yaml(files, TIPS_FILE, issues)
    problems = _Problems(TIPS_FILE, issues, **rules)
    raw = data.get("tips") if isinstance(data, LineDict) else None
    if not isinstance(raw, LineList):
        if data is not None:
            problems.add(1, "cần danh sách 'tips'")
        return ()
    tips: list[Tip] = []
    for index, item in enumerate(raw):
        if not isinstance(item, LineDict):
            problems.add(raw.line_of(index), "mỗi mẹo cần id, text, source")
            continue
        tip_id = str(item.get("id", ""))
        if not re.match(r"^[A-Za-z0-9_-]{1,32}$", tip_id):
            problems.add(item.line_of("id"), "thiếu 'id' của mẹo (chữ, số, '-' hoặc '_')")
        elif any(tip.id == tip_id for tip in tips):
            problems.add(item.line_of("id"), f"id mẹo '{tip_id}' bị trùng")
        text = problems.text(item, "text", MAX_TIP)
        problems.proof(item.line_of("text"), text)
        topic = item.get("topic")
        if topic is not None and str(topic) not in topics:
            problems.add(item.line_of("topic"), f"'topic' nhắc chủ đề không có: {topic}")
        sources = problems.sources(item, "source")
        tips.append(
            Tip(
                tip_id,
                text,
                str(topic) if topic else None,
                sources[0].title if sources else "",
                sources[0].url if sources else "",
            )
        )
    return tuple(tips)


def parse_snapshot(
    files: Snapshot, *, today: date | None = None
) -> tuple[KnowledgeBase | None, list[ContentIssue]]:
    """Validate a snapshot; the knowledge base is None whenever any problem was found.

    `today` (default: today in Asia/Ho_Chi_Minh) bounds the `checked` and `reviewed` dates.
    """
    issues: list[ContentIssue] = []
    deny: tuple[Unconfirmed, ...] = ()
    if UNCONFIRMED_FILE in files:
        deny = load_deny_list(files, issues)
    rules: dict[str, Any] = {"today": today, "deny": deny}
    themes = _themes(files, issues)
    theme_ids = {theme.id for theme in themes}
    topics: dict[str, Topic] = {}
    names: dict[str, str] = {}
    for name in sorted(n for n in files if n.startswith(f"{TOPICS_DIR}/")):
        topic = _topic(name, files[name], theme_ids, issues, rules)
        if topic is not None and topic.slug not in topics:
            topics[topic.slug] = topic
            names[topic.slug] = name
    if not topics:
        issues.append(ContentIssue(TOPICS_DIR, 1, "không có chủ đề nào"))
    _check_topics(topics, names, files, issues)
    claims = load_claims(files, topics, issues)
    issues.extend(topic_contradictions(claims, topics, files, names))
    tips = _tips(files, topics, issues, rules)
    if issues:
        return None, sorted(set(issues))
    by_theme = {
        theme.id: tuple(s for s, t in topics.items() if t.theme == theme.id) for theme in themes
    }
    return KnowledgeBase(topics, themes, tips, fingerprint(files), by_theme), []


def load_claims(
    files: Snapshot, topics: dict[str, Topic], issues: list[ContentIssue]
) -> tuple[Claim, ...]:
    """The curated claims of the snapshot (none when it has no claims file)."""
    if CLAIMS_FILE not in files:
        return ()
    return parse_claims(_load_yaml(files, CLAIMS_FILE, issues), CLAIMS_FILE, topics, issues)


def load_deny_list(files: Snapshot, issues: list[ContentIssue]) -> tuple[Unconfirmed, ...]:
    """The addresses and numbers known to be unconfirmed (none without the file)."""
    if UNCONFIRMED_FILE not in files:
        return ()
    return parse_unconfirmed(_load_yaml(files, UNCONFIRMED_FILE, issues), UNCONFIRMED_FILE, issues)
