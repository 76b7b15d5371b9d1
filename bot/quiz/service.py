"""`services.quiz`: attempts, targets, progress and the staff roster behind one name."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.clock import Clock
from bot.messages import load_catalog
from bot.quiz.attempts import AttemptService
from bot.quiz.bank import BANKS_DIR, Bank, load_banks
from bot.quiz.progress import ProgressService
from bot.quiz.roster import RosterService
from bot.quiz.stats import QuizStatsService
from bot.quiz.targets import TargetService
from bot.quiz.views import PersonalProgress, TargetView, UnitProgress
from bot.storage.db import Database
from bot.storage.models import QuizAnswer, QuizAttempt, QuizTargetMember
from bot.storage.repositories import quiz_attempts as attempt_repo
from bot.storage.repositories import quiz_progress as progress_repo
from bot.storage.repositories.records import rows_as_dicts


class QuizService:
    """The quiz feature. Handlers use `attempts`, `progress`, `targets` and `roster`, the console
    `stats`; other
    features (reminders) use the four methods below."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        banks: Mapping[str, Bank] | None = None,
        banks_dir: Path = BANKS_DIR,
    ) -> None:
        self.banks: Mapping[str, Bank] = (
            banks
            if banks is not None
            else load_banks(banks_dir, keep_in=settings.data_dir / "cache")
        )
        self._clock = clock
        self._tz = settings.tz
        self._catalog = load_catalog(settings.address_form)
        self.attempts = AttemptService(
            db, clock, self.banks, settings.tz, question_seconds=settings.quiz_question_seconds
        )
        self.progress = ProgressService(db, clock, settings.tz, self.banks)
        self.targets = TargetService(db, self.banks, settings.tz)
        self.roster = RosterService(db)
        self.stats = QuizStatsService(db, self.banks, settings.tz)

    async def staff_below_target(self, target_id: int | None = None) -> list[int]:
        """User ids of registered staff who have not yet met that (or any) active target."""
        return await self.progress.staff_below_target(target_id)

    async def personal_progress(self, user_id: int) -> list[PersonalProgress]:
        """Each active target of the person's unit: due date, unit rate, sets still to pass."""
        return await self.progress.personal_progress(user_id)

    async def unit_progress(self, unit_id: int) -> list[UnitProgress]:
        """The unit's figures against each active target that covers it."""
        return await self.progress.unit_progress(unit_id)

    async def active_targets(self, on: date) -> list[TargetView]:
        """Targets whose period contains `on`."""
        return await self.progress.active_targets(on)

    async def targets_report(self, codes: Sequence[str] = ()) -> tuple[bytes, list[str]]:
        """The XLSX report of every target (or those with `codes`), and any unknown codes."""
        targets = await self.targets.all()
        known = {target.code for target in targets}
        if codes:
            targets = [target for target in targets if target.code in set(codes)]
        boards = [
            board
            for target in targets
            if (board := await self.progress.leaderboard(target.id)) is not None
        ]
        titles = {slug: bank.title for slug, bank in self.banks.items()}
        # Imported here: openpyxl is for the exports, not for every process start.
        from bot.quiz.report import targets_workbook

        data = await asyncio.to_thread(
            partial(targets_workbook, now=self._clock.now(), tz=self._tz),
            boards,
            titles,
            self._catalog,
        )
        return data, [code for code in codes if code not in known]


async def export_quiz_data(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """The person's attempts (with each answer) and standings against targets."""
    attempts = await rows_as_dicts(session, QuizAttempt, QuizAttempt.user_id == user_id)
    ids = [attempt["id"] for attempt in attempts]
    answers = await rows_as_dicts(session, QuizAnswer, QuizAnswer.attempt_id.in_(ids))
    for attempt in attempts:
        attempt["answers"] = [a for a in answers if a["attempt_id"] == attempt["id"]]
    standings = await rows_as_dicts(session, QuizTargetMember, QuizTargetMember.user_id == user_id)
    return {"attempts": attempts, "standings": standings}


async def erase_quiz_data(session: AsyncSession, user_id: int) -> None:
    """Personal-data eraser: unlink the person's attempts so only anonymous figures remain."""
    await progress_repo.delete_members(session, user_id=user_id)
    await attempt_repo.anonymise(session, user_id=user_id)
