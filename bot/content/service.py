"""The knowledge-base service: answers questions, keeps content current, logs what it cannot answer.

Content reaches a running bot in two ways. At start a process reads the content files; if they are
valid and new it publishes them as a content version in the database, and if they are broken it
keeps to the last published version. While running it looks (at most every few seconds) for a
newer published version — `cdsbot content reload`, or another process that started on new files —
and swaps to it once its index is built. Every reader sees either the old or the new content.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import InterfaceError, OperationalError

from bot.content.analysis import warm_up as load_segmenter
from bot.content.answers import Answer, AnswerKind, respond
from bot.content.loader import Snapshot, read_snapshot
from bot.content.model import KnowledgeBase, Theme, Tip, Topic
from bot.content.store import ContentInvalid, cached_index, index_for, load_directory, parse
from bot.core.clock import Clock
from bot.core.redact import redact
from bot.observability import metrics
from bot.storage.db import Database
from bot.storage.repositories import knowledge as repo
from bot.storage.repositories.knowledge import FeedbackCount, UnansweredGroup

log = logging.getLogger(__name__)

MAX_LOGGED_QUESTION = 1000


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What `reload` did: the version now published, or the problems that stopped it."""

    version: str | None
    topics: int
    issues: list[str]
    changed: bool


class KnowledgeService:
    """Questions in, answers out; plus the topic browser's data, tips, feedback and the log."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        content_dir: Path | None = None,
        check_every: float = 5.0,
    ) -> None:
        self._db = db
        self._clock = clock
        self._dir = content_dir
        self._check_every = timedelta(seconds=check_every)
        self._kb: KnowledgeBase | None = None
        self._started = False
        self._seen_version: int | None = None
        self._checked_at: datetime | None = None
        self._lock = asyncio.Lock()
        self.warm = False
        """Whether the content, its index and (if needed) the word segmenter are loaded."""

    # Content -----------------------------------------------------------------------------------

    def knowledge(self) -> KnowledgeBase:
        """The current knowledge base (read from the content files on first use)."""
        if self._kb is None:
            self._kb = load_directory(self._dir)[1]
        return self._kb

    def tips(self) -> list[Tip]:
        """Every "Mẹo số mỗi ngày", in file order."""
        return list(self.knowledge().tips)

    def themes(self) -> list[Theme]:
        """The topic browser's groups, in display order."""
        return list(self.knowledge().themes)

    def topics_in(self, theme_id: str) -> list[Topic]:
        """The topics of a theme, in order."""
        kb = self.knowledge()
        return [kb.topics[slug] for slug in kb.by_theme.get(theme_id, ())]

    def topic(self, slug: str) -> Topic | None:
        """One topic by slug."""
        return self.knowledge().topic(slug)

    async def refresh(self) -> KnowledgeBase:
        """The current knowledge base, after picking up a newer published version if any."""
        now = self._clock.now()
        if (
            self._kb is not None
            and self._started
            and self._checked_at is not None
            and (now - self._checked_at < self._check_every)
        ):
            return self._kb
        async with self._lock:
            if self._checked_at is None or now - self._checked_at >= self._check_every:
                await self._refresh_locked()
                self._checked_at = now
        assert self._kb is not None
        return self._kb

    async def refresh_now(self) -> KnowledgeBase:
        """Pick up a just-published version at once (the knowledge desk after publishing)."""
        self._checked_at = None
        return await self.refresh()

    async def _refresh_locked(self) -> None:
        if not self._started:
            await self._first_load()
            self._started = True
            return
        assert self._kb is not None
        async with self._db.transaction() as session:
            latest = await repo.latest_version(session)
        if latest is None or latest[0] == self._seen_version:
            return
        self._seen_version = latest[0]
        if latest[1] != self._kb.version:
            await self._switch_to(latest[0])

    async def _first_load(self) -> None:
        try:
            files, kb = await asyncio.to_thread(load_directory, self._dir)
        except ContentInvalid as exc:
            log.error("content files are invalid, using the last published version:\n%s", exc)
            async with self._db.transaction() as session:
                latest = await repo.latest_version(session)
            if latest is None:
                raise
            self._seen_version = latest[0]
            await self._switch_to(latest[0])
            if self._kb is None:
                raise
            return
        self._kb = kb
        await asyncio.to_thread(index_for, kb)
        async with self._db.transaction() as session:
            latest = await repo.latest_version(session)
            if latest is None or latest[1] != kb.version:
                self._seen_version = await repo.publish_version(
                    session,
                    fingerprint=kb.version,
                    files=files,
                    topic_count=len(kb.topics),
                    now=self._clock.now(),
                )
            else:
                self._seen_version = latest[0]

    async def _switch_to(self, version_id: int) -> None:
        async with self._db.transaction() as session:
            files = await repo.version_files(session, version_id=version_id)
        if files is None:
            return
        try:
            kb = await asyncio.to_thread(_parse_and_index, files)
        except ContentInvalid as exc:
            log.error(
                "published content version %s is invalid, keeping the current one:\n%s",
                version_id,
                exc,
            )
            return
        self._kb = kb  # one assignment: readers see the old or the new content, never a mix
        log.info("knowledge base now at version %s (%d topics)", kb.version, len(kb.topics))

    async def warm_up(self) -> None:
        """Load the content, build its index (and the word segmenter if needed) now, so that the
        first question after a start is as quick as the others (servers call this before they say
        they are ready). With the database down, the shipped files are indexed anyway and the
        published version is looked up on the first question."""
        try:
            kb = await self.refresh()
        except ContentInvalid:
            return  # logged by the loader; the first question reports it as before
        except (OperationalError, InterfaceError, ConnectionError, TimeoutError) as error:
            log.warning("database unavailable while warming up: %s", type(error).__name__)
            try:
                _, kb = await asyncio.to_thread(load_directory, self._dir)
            except ContentInvalid:
                return
        index = await asyncio.to_thread(index_for, kb)
        if index.unlearned:
            # Only the lexical ranking segments words, and only topics the example-trained model
            # does not know go through it: with a current model the segmenter (underthesea,
            # ~80 MB and a second or more to load) is never needed to answer.
            await asyncio.to_thread(load_segmenter)
        self.warm = True

    async def reload(self) -> ReloadResult:
        """Validate the content files and publish them so every running bot switches to them."""
        files = await asyncio.to_thread(read_snapshot, *([self._dir] if self._dir else []))
        try:
            kb = await asyncio.to_thread(parse, files)
        except ContentInvalid as exc:
            return ReloadResult(None, 0, [str(issue) for issue in exc.issues], False)
        async with self._db.transaction() as session:
            latest = await repo.latest_version(session)
            changed = latest is None or latest[1] != kb.version
            if changed:
                await repo.publish_version(
                    session,
                    fingerprint=kb.version,
                    files=files,
                    topic_count=len(kb.topics),
                    now=self._clock.now(),
                )
        return ReloadResult(kb.version, len(kb.topics), [], changed)

    # Questions ---------------------------------------------------------------------------------

    async def ask(
        self, question: str, *, log_unanswered: bool = True, asker_id: int | None = None
    ) -> Answer:
        """Answer a question from the current knowledge base; log it when not sure, with
        personal details masked and linked to the asker only so that erasure removes it."""
        kb = await self.refresh()
        index = cached_index(kb) or await asyncio.to_thread(index_for, kb)
        answer = respond(question, index)
        metrics.count_knowledge(answer.kind.value)
        if answer.kind is AnswerKind.NOT_SURE and log_unanswered and question.strip():
            closest = answer.suggestions[0].slug if answer.suggestions else None
            async with self._db.transaction() as session:
                await repo.add_unanswered(
                    session,
                    question=redact(question.strip())[:MAX_LOGGED_QUESTION],
                    closest_topic=closest,
                    score=answer.score,
                    content_version=kb.version,
                    now=self._clock.now(),
                    asker_id=asker_id,
                )
        return answer

    async def record_feedback(self, slug: str, *, helpful: bool) -> bool:
        """Record a 👍/👎 on a topic's answer; False if the topic no longer exists."""
        kb = await self.refresh()
        if slug not in kb.topics:
            return False
        async with self._db.transaction() as session:
            await repo.add_feedback(
                session,
                topic=slug,
                helpful=helpful,
                content_version=kb.version,
                now=self._clock.now(),
            )
        return True

    async def unanswered(self, *, since: datetime | None = None) -> list[UnansweredGroup]:
        """Questions the bot declined, grouped by text, for editors."""
        async with self._db.transaction() as session:
            return await repo.unanswered_groups(session, since=since)

    async def feedback(self) -> list[FeedbackCount]:
        """👍/👎 counts per topic, for editors."""
        async with self._db.transaction() as session:
            return await repo.feedback_counts(session)


def _parse_and_index(files: Snapshot) -> KnowledgeBase:
    kb = parse(files)
    index_for(kb)
    return kb
