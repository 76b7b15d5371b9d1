"""Taking a quiz: starting an attempt, answering with a server-side time limit, finishing.

Every step is one short transaction on the attempt row. An answer is accepted only for the
attempt's current question, by its owner, within the time limit counted from when that question
was sent (stored in the database, so restarts do not reset it). The answer's primary key and a
conditional update of the attempt make a double tap count once, even across workers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError

from bot.core.clock import Clock, as_utc
from bot.quiz.bank import Bank, Question
from bot.quiz.outcomes import (
    AnswerOutcome,
    AttemptResult,
    Outcome,
    QuestionView,
    StartOutcome,
    WrongAnswer,
)
from bot.quiz.selection import draw_questions, seen_counts, shuffled_order
from bot.quiz.targets import refresh_standings
from bot.quiz.views import AttemptSummary
from bot.storage.db import Database
from bot.storage.models import QuizAttempt
from bot.storage.repositories import quiz_attempts as repo
from bot.storage.repositories import quiz_stats as stats_repo
from bot.storage.repositories import users as user_repo
from bot.storage.repositories.quiz_attempts import RecordedAnswer

STAFF = "staff"

AttemptRecord = QuizAttempt | Row[Any]
"""An attempt as an ORM object or as the row the answer path reads (same attribute names)."""


class AttemptService:
    """Attempts of one person at a time; handlers pass the sender's user id to every call."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        banks: Mapping[str, Bank],
        tz: ZoneInfo,
        *,
        question_seconds: int = 60,
        rng: random.Random | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._banks = banks
        self._tz = tz
        self._seconds = question_seconds
        self._rng = rng or random.Random()

    def sets(self) -> list[Bank]:
        """Every question set, in title order."""
        return sorted(self._banks.values(), key=lambda bank: bank.title)

    def bank(self, slug: str) -> Bank | None:
        """One set by slug."""
        return self._banks.get(slug)

    async def start(self, user_id: int, set_slug: str, *, practice: bool) -> StartOutcome:
        """Begin an attempt (practice unless the person is staff), or report the active one."""
        bank = self._banks.get(set_slug)
        if bank is None:
            return StartOutcome(Outcome.NOT_FOUND)
        try:
            return await self._start(user_id, bank, practice=practice)
        except IntegrityError:  # a second start raced this one: show the attempt that won
            current = await self.current(user_id)
            return StartOutcome(Outcome.BUSY, current)

    async def _start(self, user_id: int, bank: Bank, *, practice: bool) -> StartOutcome:
        set_slug = bank.slug
        now = self._clock.now()
        async with self._db.transaction() as session:
            active = await repo.active_for_user(session, user_id=user_id)
            if active is not None:
                return StartOutcome(Outcome.BUSY, self._view(active, now))
            user = await user_repo.by_id(session, user_id=user_id)
            counted = not practice and user is not None and user.kind == STAFF
            drawn = await repo.drawn_questions(session, user_id=user_id, set_slug=set_slug)
            ids = draw_questions(bank, bank.questions_per_attempt, seen_counts(drawn), self._rng)
            attempt = await repo.create(
                session,
                user_id=user_id,
                set_slug=set_slug,
                practice=not counted,
                status=repo.ACTIVE,
                question_ids=ids,
                option_orders=[
                    shuffled_order(len(bank.question(i).options), self._rng)  # type: ignore[union-attr]
                    for i in ids
                ],
                current_index=0,
                question_sent_at=now,
                time_limit_s=self._seconds,
                pass_ratio=bank.pass_ratio,
                correct_count=0,
                passed=False,
                started_at=now,
            )
            return StartOutcome(Outcome.ACCEPTED, self._view(attempt, now))

    async def current(self, user_id: int) -> QuestionView | None:
        """The person's active attempt at its current question, if any."""
        async with self._db.transaction() as session:
            active = await repo.active_for_user(session, user_id=user_id)
            return self._view(active, self._clock.now()) if active else None

    async def resume(self, user_id: int, attempt_id: int) -> AnswerOutcome:
        """Show the current question again; if its time ran out meanwhile, record that first."""
        view = await self.current(user_id)
        if view is None or view.attempt_id != attempt_id:
            return await self.answer(user_id, attempt_id, -1, None)
        if view.seconds_left > 0:
            return AnswerOutcome(Outcome.SHOWN, view.index, question=view)
        return await self.answer(user_id, attempt_id, view.index, None)

    async def answer(
        self, user_id: int, attempt_id: int, question_index: int, shown_option: int | None
    ) -> AnswerOutcome:
        """Record the option shown at `shown_option` for question `question_index`."""
        now = self._clock.now()
        # In a turn (a button press), no savepoint of its own: nothing here catches a failed
        # statement, so any error ends the turn, which rolls back whole (answer, state, claim).
        async with self._db.connection(savepoint=False) as connection:
            found = await repo.read(
                connection, attempt_id=attempt_id, day=now.astimezone(self._tz).date()
            )
            if found is None:
                return AnswerOutcome(Outcome.NOT_FOUND, question_index)
            attempt, periods = found
            if attempt.user_id != user_id:
                return AnswerOutcome(Outcome.FOREIGN, question_index)
            index = attempt.current_index
            if attempt.status != repo.ACTIVE:
                done = attempt.status == repo.FINISHED and 0 <= question_index < index
                if not done:
                    return AnswerOutcome(Outcome.CLOSED, question_index)
                return await self._past(connection, attempt.id, question_index)
            if question_index != index:
                if 0 <= question_index < index:
                    return await self._past(connection, attempt.id, question_index)
                return AnswerOutcome(Outcome.STALE, question_index)
            bank = self._banks.get(attempt.set_slug)
            question = bank.question(attempt.question_ids[index]) if bank else None
            if bank is None or question is None:
                await repo.set_status(connection, attempt_id=attempt.id, status=repo.ABANDONED)
                return AnswerOutcome(Outcome.WITHDRAWN, question_index)
            order = attempt.option_orders[index]
            timed_out = shown_option is None or now > self._deadline(attempt)
            chosen: int | None = None
            if not timed_out and shown_option is not None:
                if not 0 <= shown_option < len(order):
                    return AnswerOutcome(Outcome.STALE, question_index)
                chosen = order[shown_option]
            correct = chosen == question.correct
            total = len(attempt.question_ids)
            finished = index + 1 >= total
            correct_count = attempt.correct_count + int(correct)
            result = None
            if finished:
                passed = correct_count >= _needed(attempt.pass_ratio, total)
                result = (correct_count / total, passed)
            recorded = await repo.record_answer(
                connection,
                attempt_id=attempt.id,
                from_index=index,
                answer={
                    "question_id": question.id,
                    "chosen": chosen,
                    "correct": correct,
                    "timed_out": timed_out,
                },
                correct_count=correct_count,
                now=now,
                result=result,
            )
            if recorded is None:  # a second press raced this one and was recorded first
                return await self._past(connection, attempt.id, question_index)
            outcome = AnswerOutcome(
                Outcome.TIMED_OUT if timed_out else Outcome.ACCEPTED,
                question_index,
                correct=correct,
                chosen_text=question.options[chosen] if chosen is not None else None,
                correct_text=question.answer,
                explanation=question.explanation,
                total=len(attempt.question_ids),
                time_limit=attempt.time_limit_s,
            )
            if finished:
                await stats_repo.add_answers(
                    connection,
                    set_slug=attempt.set_slug,
                    day=now.astimezone(self._tz).date(),
                    answers=[(item.question_id, item.correct) for item in recorded],
                )
                if not attempt.practice:
                    await refresh_standings(
                        connection, periods, user_id=user_id, set_slug=attempt.set_slug, tz=self._tz
                    )
                outcome.result = self._result(attempt, bank, recorded, correct_count)
            else:
                outcome.question = self._view(attempt, now, index=index + 1, sent_at=now)
            return outcome

    @staticmethod
    async def _past(connection: Any, attempt_id: int, question_index: int) -> AnswerOutcome:
        """A press on a question already behind the person: answered, or its time ran out."""
        recorded = await repo.answers(connection, attempt_id=attempt_id)
        late = any(a.question_index == question_index and a.timed_out for a in recorded)
        return AnswerOutcome(Outcome.EXPIRED if late else Outcome.DUPLICATE, question_index)

    async def abandon(self, user_id: int, attempt_id: int) -> bool:
        """Give up an active attempt of one's own; it never counts."""
        async with self._db.transaction() as session:
            attempt = await repo.get(session, attempt_id=attempt_id)
            if attempt is None or attempt.user_id != user_id:
                return False
            return await repo.set_status(session, attempt_id=attempt_id, status=repo.ABANDONED)

    async def history(self, user_id: int, limit: int = 10) -> tuple[list[AttemptSummary], int, int]:
        """The person's latest finished attempts, and their counted attempts and passes."""
        async with self._db.transaction() as session:
            recent = await repo.recent(session, user_id=user_id, limit=limit)
            counted, passes = await repo.counts(session, user_id=user_id)
        summaries = [
            AttemptSummary(
                self._title(a.set_slug),
                a.practice,
                a.correct_count,
                len(a.question_ids),
                a.score or 0.0,
                a.passed,
                as_utc(a.finished_at),  # type: ignore[arg-type]
            )
            for a in recent
        ]
        return summaries, counted, passes

    def _title(self, slug: str) -> str:
        bank = self._banks.get(slug)
        return bank.title if bank else slug

    def _deadline(self, attempt: AttemptRecord, sent_at: datetime | None = None) -> datetime:
        sent = as_utc(sent_at or attempt.question_sent_at or attempt.started_at)
        return sent + timedelta(seconds=attempt.time_limit_s)

    def _view(
        self,
        attempt: AttemptRecord,
        now: datetime,
        *,
        index: int | None = None,
        sent_at: datetime | None = None,
    ) -> QuestionView:
        """The question at `index` (default: the current one), sent at `sent_at`."""
        index = attempt.current_index if index is None else index
        index = min(index, len(attempt.question_ids) - 1)
        bank = self._banks.get(attempt.set_slug)
        question: Question | None = bank.question(attempt.question_ids[index]) if bank else None
        order = attempt.option_orders[index]
        options = tuple(question.options[i] for i in order) if question else ()
        left = (self._deadline(attempt, sent_at) - now).total_seconds()
        return QuestionView(
            attempt.id,
            index,
            len(attempt.question_ids),
            self._title(attempt.set_slug),
            question.text if question else "",
            options,
            max(0, math.ceil(left)),
            attempt.time_limit_s,
            attempt.practice,
        )

    def _result(
        self, attempt: AttemptRecord, bank: Bank, answers: list[RecordedAnswer], correct_count: int
    ) -> AttemptResult:
        wrong = []
        for answer in answers:
            if answer.correct:
                continue
            question = bank.question(answer.question_id)
            if question is None:
                continue
            wrong.append(
                WrongAnswer(
                    answer.question_index,
                    question.text,
                    question.options[answer.chosen] if answer.chosen is not None else None,
                    question.answer,
                    answer.timed_out,
                )
            )
        total = len(attempt.question_ids)
        return AttemptResult(
            attempt.id,
            bank.title,
            correct_count,
            total,
            correct_count / total,
            correct_count >= _needed(attempt.pass_ratio, total),
            attempt.pass_ratio,
            attempt.practice,
            wrong,
        )


def _needed(pass_ratio: float, total: int) -> int:
    """Correct answers needed to pass (8 of 10 at 80 %), robust to float rounding."""
    return math.ceil(pass_ratio * total - 1e-9)
