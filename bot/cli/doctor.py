"""`cdsbot doctor`: checks the database and every configured channel and says in plain words what
is wrong and how to fix it (the checks are in `bot.cli.diagnosis`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from bot.cli._common import fail, run

if TYPE_CHECKING:
    from bot.app import BotApp
    from bot.cli.diagnosis import Finding


async def diagnose(app: BotApp) -> list[Finding]:
    """Every check, in order: database, Telegram, Zalo Bot, Zalo OA."""
    from bot.cli.diagnosis import diagnose as run_checks

    return await run_checks(app)


def doctor() -> None:
    """Kiểm tra cơ sở dữ liệu và các kênh đã cấu hình."""
    from bot.messages import load_catalog

    t = load_catalog()
    findings = run(diagnose, needs_database=False)
    typer.echo(t("doctor.title"))
    for finding in findings:
        mark = t("doctor.ok_mark") if finding.ok else t("doctor.problem_mark")
        typer.echo(f"{mark} {finding.message}")
    problems = sum(not finding.ok for finding in findings)
    if problems:
        fail(t("doctor.problems", count=problems))
    typer.echo(t("doctor.all_good"))
