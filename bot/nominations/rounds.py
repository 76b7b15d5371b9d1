"""Nomination rounds: opened and closed by administrators, consulted before every nomination."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.dates import BadDate, parse_date
from bot.core.text import fold_words
from bot.nominations.types import CATEGORY_ALIASES, Category, RoundView, category_of
from bot.storage.db import Database
from bot.storage.models import NominationRound
from bot.storage.repositories import nomination_rounds as repo

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DEMO_CODE = "demo"


class RoundError(ValueError):
    """A round could not be opened or closed; `key` names the catalog message explaining why."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def parse_day(text: str) -> date:
    """A date typed as dd/mm/yyyy (or ISO yyyy-mm-dd), read by the one date parser."""
    try:
        return parse_date(text)
    except BadDate:
        raise RoundError("bad_date", value=text.strip()) from None


def parse_categories(text: str) -> tuple[Category, ...]:
    """Categories from a comma-separated list ("person,collective" or "ca-nhan,sang-kien")."""
    chosen: list[Category] = []
    for part in text.split(","):
        name = fold_words(part).replace(" ", "-")
        if not name:
            continue
        category = CATEGORY_ALIASES.get(name)
        if category is None:
            raise RoundError("bad_category", value=part.strip())
        if category not in chosen:
            chosen.append(category)
    if not chosen:
        raise RoundError("no_category")
    return tuple(sorted(chosen, key=list(Category).index))


def code_from_name(name: str) -> str:
    """A round code made from its name: "Đợt 1 năm 2026" → "dot-1-nam-2026"."""
    return fold_words(name).replace(" ", "-")[:64].strip("-")


def view(row: NominationRound) -> RoundView:
    """The read-only view of a round row."""
    categories = tuple(c for c in map(category_of, row.categories) if c is not None)
    return RoundView(
        row.id, row.code, row.name, categories, row.opens_on, row.closes_on, row.closed_at
    )


class RoundService:
    """Opening, closing and finding nomination rounds (dates are local days)."""

    def __init__(self, db: Database, clock: Clock, tz: ZoneInfo) -> None:
        self._db = db
        self._clock = clock
        self._tz = tz

    def today(self) -> date:
        """The local day now."""
        return self._clock.now().astimezone(self._tz).date()

    async def open(
        self,
        *,
        name: str,
        categories: tuple[Category, ...],
        opens_on: date,
        closes_on: date,
        code: str = "",
    ) -> RoundView:
        """Create a round; refuses bad dates, a taken code and overlapping rounds."""
        name = " ".join(name.split())
        if not 3 <= len(name) <= 200:
            raise RoundError("bad_name")
        code = (code or code_from_name(name)).lower()
        if not CODE_PATTERN.match(code):
            raise RoundError("bad_code", value=code)
        if closes_on < opens_on:
            raise RoundError("bad_range")
        if closes_on < self.today():
            raise RoundError("in_past")
        async with self._db.transaction() as session:
            if await repo.round_by_code(session, code=code) is not None:
                raise RoundError("code_taken", value=code)
            clash = await repo.overlapping(session, opens_on=opens_on, closes_on=closes_on)
            if clash:
                raise RoundError("overlap", value=clash[0].code)
            row = await repo.add_round(
                session,
                code=code,
                name=name,
                categories=[c.value for c in categories],
                opens_on=opens_on,
                closes_on=closes_on,
                now=self._clock.now(),
            )
            return view(row)

    async def close(self, code: str) -> RoundView:
        """Stop accepting nominations in a round now."""
        async with self._db.transaction() as session:
            row = await repo.round_by_code(session, code=code)
            if row is None:
                raise RoundError("unknown", value=code)
            if row.closed_at is None:
                row.closed_at = self._clock.now()
                await session.flush()
            return view(row)

    async def listing(self) -> list[tuple[RoundView, int]]:
        """Every round, newest first, with its number of nominees."""
        async with self._db.transaction() as session:
            counts = await repo.nomination_counts(session)
            return [(view(row), counts.get(row.id, 0)) for row in await repo.list_rounds(session)]

    async def get(self, code: str) -> RoundView | None:
        """A round by code."""
        async with self._db.transaction() as session:
            row = await repo.round_by_code(session, code=code)
            return view(row) if row else None

    async def current(self) -> RoundView | None:
        """The round accepting nominations today, if any."""
        async with self._db.transaction() as session:
            row = await repo.open_on(session, day=self.today())
            return view(row) if row else None

    async def upcoming(self) -> RoundView | None:
        """The next round to open, if one is scheduled."""
        async with self._db.transaction() as session:
            row = await repo.next_after(session, day=self.today())
            return view(row) if row else None

    async def latest(self) -> RoundView | None:
        """The open round, else the most recent one that has started (for exports)."""
        async with self._db.transaction() as session:
            row = await repo.open_on(session, day=self.today())
            if row is None:
                started = [r for r in await repo.list_rounds(session) if r.opens_on <= self.today()]
                row = started[0] if started else None
            return view(row) if row else None

    async def ensure_demo(self, *, name: str, days: int = 90) -> tuple[RoundView, bool]:
        """A round open today: the one already open, else the demo round (re)opened from today
        for `days` days. True when the demo round was created or reopened."""
        today = self.today()
        async with self._db.transaction() as session:
            current = await repo.open_on(session, day=today)
            if current is not None:
                return view(current), False
            row = await repo.round_by_code(session, code=DEMO_CODE)
            if row is None:
                row = await repo.add_round(
                    session,
                    code=DEMO_CODE,
                    name=name,
                    categories=[c.value for c in Category],
                    opens_on=today,
                    closes_on=today + timedelta(days=days),
                    now=self._clock.now(),
                )
            else:
                row.opens_on, row.closes_on = today, today + timedelta(days=days)
                row.closed_at = None
                await session.flush()
            return view(row), True
