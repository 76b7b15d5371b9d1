"""The knowledge desk: questions the bot could not answer, grouped by similarity, with the closest
topics; an editor's verdict (belongs to topic X, or out of scope); a review queue of example
questions published into the topic files through the usual validation and reload.

Publishing edits the content files (CONTENT_DIR, or the shipped bot/content), because they stay
the source of truth: a bot that starts later reads them, and `cdsbot ask` answers from them. An
edit that fails validation is undone and nothing is published.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot.content.answers import Answer
from bot.content.loader import CONTENT_DIR
from bot.content.service import KnowledgeService
from bot.core.clock import Clock
from bot.core.text import fold_words
from bot.storage.db import Database
from bot.storage.models import KnowledgeTriage
from bot.storage.repositories import knowledge_desk as repo

SIMILAR = 82
"""rapidfuzz token-set ratio (0–100) from which two declined questions count as one group."""
STALE_AFTER = timedelta(days=183)
"""A topic or quiz set not reviewed for this long is flagged (about six months)."""


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Declined questions that say the same thing, with how often they were asked."""

    question: str  # the most frequent wording
    times: int
    variants: tuple[str, ...]
    last_at: datetime


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What publishing did: how many example questions went live, or why nothing did."""

    published: int
    problems: tuple[str, ...] = ()


class KnowledgeDesk:
    """Triage of unanswered questions and publishing of example questions."""

    def __init__(
        self, db: Database, clock: Clock, knowledge: KnowledgeService, content_dir: Path | None
    ) -> None:
        self._db = db
        self._clock = clock
        self._knowledge = knowledge
        self._dir = content_dir or CONTENT_DIR
        self._publishing = asyncio.Lock()

    async def groups(self, *, days: int = 30, limit: int = 100) -> list[QuestionGroup]:
        """Declined questions of the last `days` not decided yet, grouped by similarity, the most
        asked first."""
        since = self._clock.now() - timedelta(days=days)
        found = await self._knowledge.unanswered(since=since)
        async with self._db.transaction() as session:
            decided = await repo.decided_keys(session)
        open_ones = [g for g in found if fold_words(g.question) not in decided]
        open_ones.sort(key=lambda g: (-g.times, g.question))
        clusters: list[tuple[str, list[tuple[str, int, datetime]]]] = []
        for group in open_ones[: limit * 5]:
            key = fold_words(group.question)
            for head, members in clusters:
                if fuzz.token_set_ratio(head, key) >= SIMILAR:
                    members.append((group.question, group.times, group.last_at))
                    break
            else:
                clusters.append((key, [(group.question, group.times, group.last_at)]))
        result = [
            QuestionGroup(
                question=members[0][0],
                times=sum(times for _, times, _ in members),
                variants=tuple(text for text, _, _ in members),
                last_at=max(at for _, _, at in members),
            )
            for _, members in clusters
        ]
        result.sort(key=lambda g: (-g.times, g.question))
        return result[:limit]

    async def preview(self, question: str) -> Answer:
        """How the bot answers a question now (nothing is logged)."""
        return await self._knowledge.ask(question, log_unanswered=False)

    async def assign(self, questions: list[str], topic_slug: str, *, actor: str) -> int:
        """Queue the questions as example questions of a topic; returns how many were new."""
        if self._knowledge.topic(topic_slug) is None:
            raise LookupError(topic_slug)
        return await self._decide(questions, "topic", topic_slug, "pending", actor)

    async def out_of_scope(self, questions: list[str], *, actor: str) -> int:
        """Mark questions as outside what the bot answers (they leave the list)."""
        return await self._decide(questions, "out_of_scope", None, "done", actor)

    async def queue(self) -> list[KnowledgeTriage]:
        """Example questions waiting to be published."""
        async with self._db.transaction() as session:
            return await repo.pending(session)

    async def withdraw(self, triage_id: int) -> bool:
        """Take an example question back out of the queue (it returns to the list)."""
        async with self._db.transaction() as session:
            return await repo.withdraw(session, triage_id=triage_id)

    async def publish(self) -> PublishResult:
        """Write every queued example question into its topic's file, validate and publish the
        content; on any problem restore the files and publish nothing."""
        async with self._publishing:
            waiting = await self.queue()
            if not waiting:
                return PublishResult(0)
            originals: dict[Path, str] = {}
            try:
                for item in waiting:
                    assert item.topic_slug is not None
                    path = self._dir / "topics" / f"{item.topic_slug}.md"
                    text = originals.get(path) or path.read_text(encoding="utf-8")
                    originals.setdefault(path, text)
                    path.write_text(
                        with_example(path.read_text(encoding="utf-8"), item.question),
                        encoding="utf-8",
                    )
                outcome = await self._knowledge.reload()
            except OSError as error:
                outcome = None
                problems: tuple[str, ...] = (str(error),)
            else:
                problems = tuple(outcome.issues)
            if outcome is None or problems:
                for path, text in originals.items():
                    path.write_text(text, encoding="utf-8")
                return PublishResult(0, problems)
            async with self._db.transaction() as session:
                await repo.mark_published(
                    session, ids=[item.id for item in waiting], now=self._clock.now()
                )
            await self._knowledge.refresh_now()
            return PublishResult(len(waiting))

    def review_dates(
        self, banks: dict[str, date | None]
    ) -> list[tuple[str, str, date | None, bool]]:
        """(kind, name, reviewed on, stale?) for every topic and quiz set, the oldest first."""
        today = self._clock.now().date()
        rows: list[tuple[str, str, date | None, bool]] = []
        kb = self._knowledge.knowledge()
        for topic in kb.topics.values():
            reviewed = topic.reviewed
            rows.append(("topic", topic.title, reviewed, _stale(reviewed, today)))
        for title, reviewed in banks.items():
            rows.append(("quiz", title, reviewed, _stale(reviewed, today)))
        rows.sort(key=lambda row: (row[2] or date.min, row[1]))
        return rows

    async def _decide(
        self, questions: list[str], verdict: str, topic: str | None, status: str, actor: str
    ) -> int:
        added = 0
        now = self._clock.now()
        async with self._db.transaction() as session:
            for question in questions:
                text = " ".join(question.split())[:500]
                if not text:
                    continue
                added += await repo.add(
                    session,
                    question_key=fold_words(text)[:600],
                    question=text,
                    verdict=verdict,
                    topic_slug=topic,
                    status=status,
                    actor=actor,
                    now=now,
                )
        return added


def _stale(reviewed: date | None, today: date) -> bool:
    return reviewed is None or today - reviewed > STALE_AFTER


def with_example(text: str, question: str) -> str:
    """A topic file with one more example question at the end of its `questions:` list."""
    lines = text.split("\n")
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip() == "questions:")
    except StopIteration as missing:
        raise OSError("topic file has no 'questions:' list") from missing
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    item = yaml.safe_dump([question], allow_unicode=True, width=10**6).rstrip("\n")
    lines.insert(end, "  " + item)
    return "\n".join(lines)
