"""Quiz statistics of a target's period for the console: attempts, pass rate per set, and the
questions most often answered wrongly (with the share of wrong answers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.quiz.bank import Bank
from bot.quiz.targets import period_bounds
from bot.quiz.views import TargetView
from bot.storage.db import Database
from bot.storage.repositories import quiz_stats as stats_repo

HARDEST_SHOWN = 10
MIN_ANSWERS = 5  # a question answered fewer times says nothing yet about its difficulty


@dataclass(frozen=True, slots=True)
class SetStats:
    """One set's counted attempts in the period."""

    slug: str
    title: str
    attempts: int
    passed: int

    @property
    def pass_rate(self) -> float:
        """Passed attempts / attempts (0 without attempts)."""
        return self.passed / self.attempts if self.attempts else 0.0


@dataclass(frozen=True, slots=True)
class HardQuestion:
    """A question with its set, how often it was answered and the share answered wrongly."""

    set_title: str
    question_id: str
    text: str
    answered: int
    wrong: int

    @property
    def wrong_share(self) -> float:
        """Wrong (or timed-out) answers / answers."""
        return self.wrong / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class QuizStats:
    """Everything the dashboard shows about quizzes for one target's sets and period."""

    sets: list[SetStats]
    hardest: list[HardQuestion]

    @property
    def attempts(self) -> int:
        """Counted attempts over every set."""
        return sum(item.attempts for item in self.sets)

    @property
    def passed(self) -> int:
        """Passed attempts over every set."""
        return sum(item.passed for item in self.sets)

    @property
    def pass_rate(self) -> float:
        """Passed / attempts over every set."""
        return self.passed / self.attempts if self.attempts else 0.0


class QuizStatsService:
    """Reads the figures in aggregate SQL (attempts by index, questions from daily tallies)."""

    def __init__(self, db: Database, banks: Mapping[str, Bank], tz: ZoneInfo) -> None:
        self._db = db
        self._banks = banks
        self._tz = tz

    async def for_target(self, target: TargetView, *, shown: int = HARDEST_SHOWN) -> QuizStats:
        """Counted attempts of the target's sets within its period (everyone who took them),
        and the `shown` questions with the highest share of wrong answers."""
        start, end = period_bounds(target.starts_on, target.due_on, self._tz)
        async with self._db.transaction() as session:
            counts = {
                row.set_slug: row
                for row in await stats_repo.set_counts(
                    session, set_slugs=target.set_slugs, start=start, end=end
                )
            }
            questions = await stats_repo.hardest(
                session,
                set_slugs=target.set_slugs,
                first_day=target.starts_on,
                last_day=target.due_on,
                min_answers=MIN_ANSWERS,
                limit=shown,
            )
        sets = [
            SetStats(
                slug,
                self._title(slug),
                counts[slug].attempts if slug in counts else 0,
                counts[slug].passed if slug in counts else 0,
            )
            for slug in target.set_slugs
        ]
        return QuizStats(sets, [self._hard(item) for item in questions])

    def _title(self, slug: str) -> str:
        bank = self._banks.get(slug)
        return bank.title if bank else slug

    def _hard(self, item: stats_repo.QuestionCount) -> HardQuestion:
        bank = self._banks.get(item.set_slug)
        question = bank.question(item.question_id) if bank else None
        return HardQuestion(
            self._title(item.set_slug),
            item.question_id,
            question.text if question else item.question_id,
            item.answered,
            item.wrong,
        )
