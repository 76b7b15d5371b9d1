"""One set of audience names: what `--audience` takes is what a deadlines file takes."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app import BotApp
from bot.scheduler.audience import Audience, AudienceKind, BadAudience, resolve

SAME = [
    ("all-staff", "all-staff", {"kind": "all_staff"}),
    ("managers", "managers", {"kind": "managers"}),
    ("everyone", "Everyone", {"kind": "everyone"}),
    ("subscribers", "subscribers", {"kind": "subscribers"}),
    ("units:SYT,SKHCN", "units:SYT, SKHCN", {"kind": "units", "units": ["SYT", "SKHCN"]}),
    ("under:SYT", "under:SYT", {"kind": "under", "units": ["SYT"]}),
    ("under:SYT", "UNDER:SYT", {"kind": "units", "units": "SYT", "subunits": True}),
    ("below-target", "below_target", {"kind": "below-target"}),
]


@pytest.mark.parametrize(("flag", "in_file", "mapping"), SAME)
async def test_flag_and_file_name_the_same_audience(
    bot: BotApp, flag: str, in_file: str, mapping: dict[str, object]
) -> None:
    async with bot.db.transaction() as session:

        async def read(written: object) -> Audience:
            return await resolve(session, written, progress=None, on=date(2026, 6, 1))  # type: ignore[arg-type]

        expected = await read(flag)
        assert await read(mapping) == expected
        assert await read(in_file) == expected
        with pytest.raises(BadAudience, match="under:MÃ"):
            await read({"kind": "phong-ban"})


async def test_a_file_may_write_the_audience_as_on_the_command_line(bot: BotApp) -> None:
    report = await bot.services.reminders.deadlines.import_text(
        "deadlines:\n"
        "  - code: a\n    title: A\n    due: 31/12/2099\n    audience: under:SYT\n"
        "  - code: b\n    title: B\n    due: 31/12/2099\n    audience: {kind: all-staff}\n"
        "  - code: c\n    title: C\n    due: 31/12/2099\n\n    audience: units:KHONGCO\n"
    )
    assert report.errors == ["Dòng 14, mục 3 (c): Không có đơn vị mã 'KHONGCO'."]
    report = await bot.services.reminders.deadlines.import_text(
        "deadlines:\n"
        "  - code: a\n    title: A\n    due: 31/12/2099\n    audience: under:SYT\n"
        "  - code: b\n    title: B\n    due: 31/12/2099\n    audience: {kind: all-staff}\n"
    )
    assert report.created == 2
    kinds = {view.code: view.audience for view in await bot.services.reminders.deadlines.all()}
    assert kinds["a"].kind is AudienceKind.UNITS and kinds["a"].subunits
    assert kinds["b"] == Audience(AudienceKind.ALL_STAFF)
