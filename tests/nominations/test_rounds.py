"""Rounds: local-day boundaries, validation, closing early, and the demo round."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.nominations.demo import load_nominations_demo
from bot.nominations.rounds import RoundError, parse_categories, parse_day
from bot.nominations.types import Category


def test_parsing_dates_and_categories() -> None:
    assert parse_day("01/06/2026") == parse_day("2026-06-01") == date(2026, 6, 1)
    assert parse_categories("Cá nhân, sang-kien, person") == (Category.PERSON, Category.INITIATIVE)
    with pytest.raises(RoundError) as bad:
        parse_day("32/01/2026")
    assert bad.value.key == "bad_date"
    with pytest.raises(RoundError):
        parse_categories(" , ")


async def test_a_round_is_open_on_local_days_only(bot: BotApp, clock: FrozenClock) -> None:
    rounds = bot.services.nominations.rounds
    await rounds.open(
        name="Đợt tháng 7",
        categories=tuple(Category),
        opens_on=date(2026, 7, 1),
        closes_on=date(2026, 7, 31),
    )
    clock.set(datetime(2026, 6, 30, 16, 59, tzinfo=UTC))  # 23:59 on 30/06 locally
    assert await rounds.current() is None
    upcoming = await rounds.upcoming()
    assert upcoming is not None and upcoming.code == "dot-thang-7"
    clock.set(datetime(2026, 6, 30, 17, 0, tzinfo=UTC))  # 00:00 on 01/07 locally
    assert (await rounds.current()) is not None
    clock.set(datetime(2026, 7, 31, 16, 59, tzinfo=UTC))
    assert (await rounds.current()) is not None
    clock.set(datetime(2026, 7, 31, 17, 0, tzinfo=UTC))
    assert await rounds.current() is None and await rounds.upcoming() is None


async def test_invalid_rounds_are_refused(bot: BotApp) -> None:
    rounds = bot.services.nominations.rounds
    await rounds.open(
        name="Đợt A",
        code="a",
        categories=(Category.PERSON,),
        opens_on=date(2026, 6, 1),
        closes_on=date(2026, 6, 30),
    )
    cases = {
        "overlap": dict(
            name="Đợt B", code="b", opens_on=date(2026, 6, 20), closes_on=date(2026, 7, 10)
        ),
        "code_taken": dict(
            name="Đợt A lại", code="A", opens_on=date(2026, 8, 1), closes_on=date(2026, 8, 2)
        ),
        "bad_range": dict(name="Đợt C", opens_on=date(2026, 9, 2), closes_on=date(2026, 9, 1)),
        "in_past": dict(name="Đợt cũ", opens_on=date(2026, 1, 1), closes_on=date(2026, 1, 31)),
        "bad_code": dict(
            name="Đợt D", code="đợt d", opens_on=date(2026, 9, 1), closes_on=date(2026, 9, 2)
        ),
        "bad_name": dict(name="  ", opens_on=date(2026, 9, 1), closes_on=date(2026, 9, 2)),
    }
    for key, values in cases.items():
        with pytest.raises(RoundError) as refused:
            await rounds.open(categories=tuple(Category), **values)  # type: ignore[arg-type]
        assert refused.value.key == key
    closed = await rounds.close("a")
    assert closed.closed_at is not None and await rounds.current() is None
    again = await rounds.open(
        name="Đợt B",
        code="b",
        categories=tuple(Category),
        opens_on=date(2026, 6, 20),
        closes_on=date(2026, 7, 10),
    )
    assert again.code == "b"
    with pytest.raises(RoundError):
        await rounds.close("khong-co")


async def test_the_demo_round_opens_once_and_reopens_when_expired(
    bot: BotApp, clock: FrozenClock
) -> None:
    messages: list[str] = []
    assert await load_nominations_demo(bot, echo=messages.append) == []
    assert await load_nominations_demo(bot, echo=messages.append) == []
    assert messages[0].startswith("Đợt đề cử mới mở: Đợt đề cử mẫu")
    assert messages[1].startswith("Đợt đề cử đang mở")
    listing = await bot.services.nominations.rounds.listing()
    assert len(listing) == 1
    clock.set(datetime(2027, 6, 1, 2, 0, tzinfo=UTC))
    await load_nominations_demo(bot, echo=messages.append)
    current = await bot.services.nominations.rounds.current()
    assert current is not None and current.code == "demo" and current.opens_on == date(2027, 6, 1)
