"""Curated claims that topics state and that no topic sentence or quiz answer may contradict.

A claim names what it is about, what is true and what is false, in plain words
(`bot/content/claims.yaml`, described in docs/CONTENT_FORMAT.md). The check is lexical and
deliberately modest: within one sentence (or list item) of a topic, or within one quiz question,
words about the claim next to a false value and no true value are a contradiction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from bot.content.model import Topic
from bot.content.yaml_lines import ContentIssue, LineDict, LineList
from bot.core.text import fold_words

CLAIMS_FILE = "claims.yaml"
_GAP = "…"
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[^\s])")


@dataclass(frozen=True)
class Term:
    """A phrase to look for; "A … B" means A, then later in the same sentence B."""

    text: str

    @cached_property
    def parts(self) -> tuple[str, ...]:
        """The folded pieces that must appear in order (folded once: every content load checks
        each term against every statement)."""
        return tuple(folded for part in self.text.split(_GAP) if (folded := fold_words(part)))

    def in_(self, folded: str) -> bool:
        """Whether the folded sentence contains this term (whole words, pieces in order)."""
        position = 0
        padded = f" {folded} "
        for part in self.parts:
            found = padded.find(f" {part} ", position)
            if found < 0:
                return False
            position = found + len(part) + 1
        return bool(self.parts)


@dataclass(frozen=True)
class Claim:
    """What a topic states: about these words, these values are true and those are false."""

    id: str
    topic: str
    about: tuple[Term, ...]
    true: tuple[Term, ...]
    false: tuple[Term, ...]

    def is_about(self, folded: str) -> bool:
        """Whether a folded sentence speaks about this claim."""
        return any(term.in_(folded) for term in self.about)

    def affirms(self, folded: str) -> bool:
        """Whether it names a true value."""
        return any(term.in_(folded) for term in self.true)

    def denied(self, folded: str) -> Term | None:
        """The false value it names, if any."""
        return next((term for term in self.false if term.in_(folded)), None)


class QuestionLike(Protocol):
    """The parts of a quiz question the check reads."""

    id: str
    text: str
    options: tuple[str, ...]
    correct: int


class BankLike(Protocol):
    """The parts of a quiz bank the check reads."""

    questions: tuple[Any, ...]


def _terms(node: LineDict, key: str) -> tuple[Term, ...]:
    value = node.get(key)
    items = value if isinstance(value, LineList) else [] if value is None else [value]
    return tuple(Term(str(item)) for item in items if str(item).strip())


def parse_claims(
    data: Any, file: str, topics: Mapping[str, Topic], issues: list[ContentIssue]
) -> tuple[Claim, ...]:
    """The claims in `claims.yaml`, each checked to be stated by the topic it names."""
    raw = data.get("claims") if isinstance(data, LineDict) else None
    if data is not None and not isinstance(raw, LineList):
        issues.append(ContentIssue(file, 1, "cần danh sách 'claims'"))
        return ()
    claims: list[Claim] = []
    for index, node in enumerate(raw or []):
        line = raw.line_of(index)
        if not isinstance(node, LineDict):
            issues.append(ContentIssue(file, line, "mỗi nhận định cần id, topic, about, is/not"))
            continue
        claim = Claim(
            str(node.get("id", "")),
            str(node.get("topic", "")),
            _terms(node, "about"),
            _terms(node, "is"),
            _terms(node, "not"),
        )
        if not claim.id or not claim.about or not (claim.true or claim.false):
            issues.append(
                ContentIssue(file, line, "nhận định cần 'id', 'about' và 'is' hoặc 'not'")
            )
            continue
        topic = topics.get(claim.topic)
        if topic is None:
            issues.append(ContentIssue(file, line, f"'topic' không có: {claim.topic}"))
            continue
        if claim.true and not any(
            claim.is_about(folded) and claim.affirms(folded)
            for _, folded in statements(topic.answer + "\n" + topic.detail)
        ):
            issues.append(
                ContentIssue(file, line, f"chủ đề {claim.topic} không nêu nhận định '{claim.id}'")
            )
        claims.append(claim)
    return tuple(claims)


def statements(text: str) -> list[tuple[int, str]]:
    """The sentences and list items of a body, folded, with the body line they start on."""
    found = []
    for offset, line in enumerate(text.split("\n")):
        for sentence in _SENTENCE_END.split(line):
            folded = fold_words(sentence)
            if folded:
                found.append((offset, folded))
    return found


def topic_contradictions(
    claims: Iterable[Claim],
    topics: Mapping[str, Topic],
    files: Mapping[str, str],
    names: Mapping[str, str],
) -> list[ContentIssue]:
    """Topic sentences that speak about a claim and name a false value but no true one."""
    issues = []
    claims = list(claims)
    for slug in topics:
        name = names[slug]
        statements_of_topic = _body_statements(files[name])  # once per topic, not per claim
        for claim in claims:
            for offset, folded in statements_of_topic:
                wrong = claim.denied(folded)
                if claim.is_about(folded) and wrong and not claim.affirms(folded):
                    issues.append(
                        ContentIssue(
                            name,
                            offset,
                            f"mâu thuẫn với nhận định '{claim.id}' (chủ đề {claim.topic}): "
                            f"câu này gắn với “{wrong.text}”",
                        )
                    )
    return issues


def _body_statements(text: str) -> list[tuple[int, str]]:
    """Statements of a topic file's body with their file line numbers."""
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    body = "\n".join(lines[end + 1 :])
    return [(end + 2 + offset, folded) for offset, folded in statements(body)]


def quiz_contradictions(
    claims: Iterable[Claim],
    banks: Mapping[str, BankLike],
    bank_texts: Mapping[str, str],
    bank_files: Mapping[str, str],
) -> list[ContentIssue]:
    """Quiz questions whose correct answer a claim contradicts, or that mark its truth wrong."""
    issues = []
    for slug, bank in banks.items():
        text = bank_texts.get(slug, "")
        for question in bank.questions:
            stem = fold_words(question.text)
            right = fold_words(question.options[question.correct])
            line = _line_of_id(text, question.id)
            for claim in claims:
                if not (claim.is_about(stem) or claim.is_about(right)):
                    continue
                wrong = claim.denied(right)
                if wrong and not claim.affirms(right):
                    issues.append(
                        ContentIssue(
                            bank_files[slug],
                            line,
                            f"câu {question.id}: đáp án đúng gắn với “{wrong.text}”, trái với "
                            f"chủ đề {claim.topic} (nhận định '{claim.id}')",
                        )
                    )
                    continue
                if claim.true and not claim.affirms(right):
                    for index, option in enumerate(question.options):
                        if index != question.correct and claim.affirms(fold_words(option)):
                            issues.append(
                                ContentIssue(
                                    bank_files[slug],
                                    line,
                                    f"câu {question.id}: phương án sai “{option}” lại là điều "
                                    f"chủ đề {claim.topic} nói đúng (nhận định '{claim.id}')",
                                )
                            )
    return issues


def _line_of_id(text: str, question_id: str) -> int:
    pattern = re.compile(rf"^\s*-?\s*id:\s*[\"']?{re.escape(question_id)}[\"']?\s*$")
    return next((n for n, line in enumerate(text.split("\n"), 1) if pattern.match(line)), 1)
