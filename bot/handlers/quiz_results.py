"""/ketqua (my results), /thidua (unit leaderboard) and /donvi (a manager's unit).

Leaderboard buttons: qlb:t:<target> (the target's whole scope), qlb:p:<target>:<parent unit>.
Manager buttons: qdv:u:<unit>.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.core.clock import fmt_date
from bot.core.context import Context
from bot.core.replies import Album, Button, Image, Reply, Text, text
from bot.handlers.common import parse_int
from bot.handlers.staff import pending_reply
from bot.messages.numbers import percent
from bot.quiz.chart import rate_chart_pages
from bot.quiz.views import Leaderboard, RankedUnit, UnitTargetReport

BOARD_TOP = 10
LIST_MAX = 20


async def show_results(ctx: Context) -> Reply:
    """/ketqua: the person's attempts, passes and what remains for them."""
    t = ctx.t
    quiz = ctx.services.quiz
    recent, counted, passes = await quiz.attempts.history(ctx.user.id)
    # "Làm bài khác" only to someone who has done one; otherwise the first one.
    take = Button(t("quiz.again" if recent else "quiz.first"), "cmd:kiemtra")
    if not recent and not ctx.user.is_staff:
        return text(t("quiz.results_none"), [take])
    tz = ctx.services.settings.tz
    if recent:
        lines = [
            t("quiz.results_title", counted=counted, passes=passes),
            "",
            t("quiz.results_recent"),
        ]
    else:
        lines = [t("quiz.results_none")]
    for item in recent:
        lines.append(
            t(
                "quiz.results_item",
                date=fmt_date(item.finished_at, tz),
                set_title=item.set_title,
                correct=item.correct,
                total=item.total,
                percent=percent(item.score),
                verdict=t("quiz.verdict_passed") if item.passed else t("quiz.verdict_failed"),
                practice=t("quiz.practice_tag") if item.practice else "",
            )
        )
    if ctx.user.is_staff:
        lines += ["", t("quiz.results_targets")]
        progress = await quiz.personal_progress(ctx.user.id)
        for target in progress:
            values = {
                "title": target.title,
                "due": fmt_date(target.due_on),
                "rate": percent(target.unit_rate),
                "required": percent(target.required_rate),
            }
            if target.sets_remaining:
                lines.append(
                    t(
                        "quiz.results_target_left",
                        count=target.sets_remaining,
                        sets=", ".join(target.remaining_set_titles),
                        **values,
                    )
                )
            else:
                lines.append(t("quiz.results_target_done", **values))
        if not progress:
            lines.append(t("quiz.results_no_targets"))
    return text("\n".join(lines), [take], [Button(t("quiz.leaderboard"), "cmd:thidua")])


async def show_leaderboard(ctx: Context) -> Reply | list[Reply]:
    """/thidua: one target's board directly, or the targets to choose from."""
    t = ctx.t
    ctx.finish()
    targets = await ctx.services.quiz.targets.all()
    if not targets:
        return Text(t("quiz.board_none"))
    today = ctx.services.quiz.progress.today()
    current = [target for target in targets if target.starts_on <= today <= target.due_on]
    if len(targets) == 1 or len(current) == 1:
        return await _board(ctx, (current or targets)[0].id, None)
    ordered = current + [target for target in targets if target not in current]
    rows = [
        [
            Button(
                t("quiz.board_target_button", title=target.title, due=fmt_date(target.due_on)),
                f"qlb:t:{target.id}",
            )
        ]
        for target in ordered[:8]
    ]
    return text(t("quiz.board_choose"), *rows)


async def on_leaderboard_action(ctx: Context) -> Reply | list[Reply]:
    """qlb:t:<target>, qlb:p:<target>:<parent>, qlb:l (choose another target)."""
    args = ctx.action_args
    if args[:1] == ["l"]:
        targets = await ctx.services.quiz.targets.all()
        rows = [
            [
                Button(
                    ctx.t(
                        "quiz.board_target_button", title=target.title, due=fmt_date(target.due_on)
                    ),
                    f"qlb:t:{target.id}",
                )
            ]
            for target in targets[:8]
        ]
        return text(ctx.t("quiz.board_choose"), *rows) if rows else Text(ctx.t("quiz.board_none"))
    target_id = parse_int(args[1]) if len(args) > 1 else None
    parent_id = parse_int(args[2]) if len(args) > 2 else None
    if target_id is None or (args[0] == "p" and parent_id is None):
        return Text(ctx.t("common.stale_button"))
    return await _board(ctx, target_id, parent_id)


async def _board(ctx: Context, target_id: int, parent_id: int | None) -> Reply | list[Reply]:
    t = ctx.t
    board = await ctx.services.quiz.progress.leaderboard(target_id, parent_id)
    if board is None:
        return Text(t("quiz.board_unknown"))
    target = board.target
    sets = ", ".join(ctx.services.quiz.progress.set_title(slug) for slug in target.set_slugs)
    lines = [
        t(
            "quiz.board_title",
            title=target.title,
            due=fmt_date(target.due_on),
            period=f"{target.period}. " if target.period else "",
            required=percent(target.required_rate),
            sets=sets,
            parent=board.parent_name,
        ),
        t("quiz.board_rule"),
        "",
    ]
    if not board.rows:
        lines.append(t("quiz.board_empty"))
    for row in board.rows[:BOARD_TOP]:
        lines.append(
            t(
                "quiz.board_row",
                rank=row.rank,
                name=row.name,
                rate=percent(row.rate),
                passed=row.passed,
                headcount=row.headcount,
            )
        )
    if len(board.rows) > BOARD_TOP:
        lines.append(t("quiz.board_more", count=len(board.rows) - BOARD_TOP))
    mine = next((row for row in board.rows if row.unit_id == ctx.user.unit_id), None)
    if mine is not None:
        lines += ["", t("quiz.board_mine", rank=mine.rank, count=len(board.rows))]
    headcount, registered, passed = board.totals
    if headcount:
        lines.append(
            t(
                "quiz.board_totals",
                passed=passed,
                headcount=headcount,
                rate=percent(min(1.0, passed / headcount)),
                registered=registered,
            )
        )
    summary = text("\n".join(lines), *await _board_buttons(ctx, board))
    charts = await _charts(ctx, board.rows, target.required_rate, target.title, board.parent_name)
    return [*charts, summary]  # the buttons last, under the charts


async def _charts(
    ctx: Context, rows: list[RankedUnit], required_rate: float, title: str, scope: str
) -> list[Reply]:
    """The whole ranking as chart images (pages of units): one image, or one album of the pages
    (each page says its number and ranks in the picture itself; the album's caption says how
    many pages)."""
    if not rows:
        return []
    pages = await asyncio.to_thread(
        rate_chart_pages, rows, required_rate=required_rate, title=title, scope=scope, t=ctx.t
    )
    images = tuple(Image(data=page.png, file_name=f"xep-hang-{page.number}.png") for page in pages)
    if len(images) == 1:
        caption = ctx.t("quiz.chart_one_caption", title=title, scope=scope)
        return [replace(images[0], caption=caption)]
    caption = ctx.t("quiz.chart_album_caption", title=title, scope=scope, pages=len(images))
    return [Album(images, caption)]


async def _board_buttons(ctx: Context, board: Leaderboard) -> list[list[Button]]:
    t = ctx.t
    target = board.target
    rows: list[list[Button]] = []
    for child in await ctx.services.quiz.progress.subgroups(board.parent_id, limit=6):
        rows.append(
            [Button(t("quiz.board_within", name=child.name), f"qlb:p:{target.id}:{child.id}")]
        )
    if board.parent_id != target.unit_id:
        rows.append([Button(t("quiz.board_whole", name=target.unit_name), f"qlb:t:{target.id}")])
    rows.append([Button(t("quiz.board_other_target"), "qlb:l")])
    return rows


async def show_unit(ctx: Context) -> Reply | list[Reply]:
    """/donvi: the manager's unit (or the one they choose when they manage several)."""
    ctx.finish()
    unit_ids = list(ctx.user.managed_unit_ids)
    if not unit_ids and ctx.user.is_admin:
        unit_ids = await ctx.services.quiz.progress.root_unit_ids()
    if not unit_ids:
        return Text(ctx.t("quiz.unit_none"))
    if len(unit_ids) == 1:
        return await _unit_view(ctx, unit_ids[0])
    rows = []
    for unit_id in unit_ids[:10]:
        unit = await ctx.services.units.get(unit_id)
        if unit is not None:
            rows.append([Button(unit.name, f"qdv:u:{unit.id}")])
    return text(ctx.t("quiz.unit_choose"), *rows)


async def on_unit_action(ctx: Context) -> Reply | list[Reply]:
    """qdv:u:<unit> — only units the person manages (or any, for admins)."""
    args = ctx.action_args
    unit_id = parse_int(args[1]) if len(args) > 1 and args[0] == "u" else None
    allowed = ctx.user.is_admin or unit_id in ctx.user.managed_unit_ids
    if unit_id is None or not allowed:
        return Text(ctx.t("common.stale_button"))
    return await _unit_view(ctx, unit_id)


async def _unit_view(ctx: Context, unit_id: int) -> Reply | list[Reply]:
    t = ctx.t
    unit = await ctx.services.units.get(unit_id)
    if unit is None:
        return Text(t("common.stale_button"))
    reports = await ctx.services.quiz.progress.unit_report(unit_id)
    waiting = await pending_reply(ctx, unit_id)
    count = await ctx.services.staff.headcount(unit_id)
    replies: list[Reply] = []
    if count.over:
        replies.append(
            Text(
                t(
                    "staff.headcount_over",
                    unit=unit.name,
                    counted=count.counted,
                    headcount=count.headcount,
                )
            )
        )
    if not reports:
        replies.append(Text(t("quiz.unit_no_targets", unit=unit.name)))
        return replies + ([waiting] if waiting else [])
    for report in reports:
        replies.append(Text(_unit_text(ctx, unit.name, report)))
        progress = report.progress
        replies += await _charts(
            ctx, report.children, progress.required_rate, progress.title, unit.name
        )
    return replies + ([waiting] if waiting else [])


def _unit_text(ctx: Context, unit_name: str, report: UnitTargetReport) -> str:
    t = ctx.t
    p = report.progress
    lines = [
        t(
            "quiz.unit_summary",
            unit=unit_name,
            title=p.title,
            due=fmt_date(p.due_on),
            passed=p.passed,
            headcount=p.headcount,
            rate=percent(p.rate),
            required=percent(p.required_rate),
            registered=p.registered,
        )
    ]
    if not p.headcount:
        lines.append(t("quiz.unit_no_headcount"))
    if report.rank is not None:
        lines.append(t("quiz.unit_rank", rank=report.rank, count=report.ranked_units))
    registered = [person for person in report.pending if person.registered]
    unregistered = [person for person in report.pending if not person.registered]
    pending_total = p.registered - p.passed
    if pending_total > 0:
        lines += ["", t("quiz.unit_pending_title", count=pending_total)]
        for person in registered[:LIST_MAX]:
            lines.append(
                t(
                    "quiz.unit_pending_item",
                    name=person.name,
                    position=f" ({person.position})" if person.position else "",
                    passed=person.sets_passed,
                    sets=report.set_count,
                )
            )
        if pending_total > LIST_MAX:
            lines.append(t("quiz.unit_more", count=pending_total - LIST_MAX))
    elif p.registered:
        lines += ["", t("quiz.unit_all_done")]
    if unregistered:
        lines += ["", t("quiz.unit_unregistered_title", count=len(unregistered))]
        for person in unregistered[:LIST_MAX]:
            lines.append(
                t(
                    "quiz.unit_unregistered_item",
                    name=person.name,
                    position=f" ({person.position})" if person.position else "",
                )
            )
        if len(unregistered) > LIST_MAX:
            lines.append(t("quiz.unit_more", count=len(unregistered) - LIST_MAX))
    return "\n".join(lines)
