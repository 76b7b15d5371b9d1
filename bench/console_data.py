"""Data for the console benchmark, on top of the quiz generator's province (`bench_quiz`:
units, staff, attempts, the BENCH target): daily question tallies, nomination rounds with
nominations, supporters and history, and deadlines with their outbox rows and acknowledgements.
Everything is loaded with COPY through the `bulk(table, columns, rows)` loader of bench_quiz;
deadlines themselves are defined through the service (so their reminder rounds are real)."""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from bot.app import BotApp
from bot.scheduler.audience import Audience, AudienceKind
from bot.scheduler.deadlines import DeadlineSpec

Bulk = Callable[[str, list[str], list[tuple[Any, ...]]], Awaitable[list[int]]]
"""COPY rows into a table with an `id` column and return the new ids (bench_quiz's loader)."""
Copy = Callable[[str, list[str], list[tuple[Any, ...]]], Awaitable[None]]
"""COPY rows into a table (without reading anything back)."""

NOMINATIONS = 3_000  # a province's nominations over three rounds (about 1 per 17 staff)
STATUSES = (("pending", 0.45), ("more_info", 0.1), ("approved", 0.3), ("rejected", 0.15))
CATEGORIES = (("person", 0.6), ("collective", 0.25), ("initiative", 0.15))


async def question_tallies(
    bot: BotApp, copy: Copy, *, answers: int, first: date, last: date, rng: random.Random
) -> int:
    """About `answers` answers spread over every question of every bank and every day between
    `first` and `last`, each question with its own difficulty; returns the rows written."""
    banks = bot.services.quiz.banks
    questions = [(slug, q.id) for slug, bank in banks.items() for q in bank.questions]
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    per_cell = max(1, answers // (len(questions) * len(days)))
    difficulty = {key: rng.uniform(0.05, 0.6) for key in questions}
    rows = []
    for slug, qid in questions:
        for day in days:
            answered = max(1, int(per_cell * rng.uniform(0.5, 1.5)))
            wrong = sum(rng.random() < difficulty[(slug, qid)] for _ in range(min(answered, 40)))
            wrong = round(wrong * answered / min(answered, 40))
            rows.append((slug, qid, day, answered, wrong))
    await copy(
        "quiz_question_tallies", ["set_slug", "question_id", "day", "answered", "wrong"], rows
    )
    return len(rows)


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


async def nominations(
    bot: BotApp, bulk: Bulk, staff_ids: Sequence[int], now: datetime, rng: random.Random
) -> int:
    """Three rounds and NOMINATIONS nominations with two supporters each on average, and one
    history line per decision."""
    rounds = await bulk(
        "nomination_rounds",
        ["code", "name", "categories", "opens_on", "closes_on", "created_at"],
        [
            (
                f"dot{n}-2026",
                f"Đợt {n} năm 2026",
                json.dumps(["person", "collective", "initiative"]),
                date(2026, 2 * n - 1, 1),
                date(2026, 2 * n, 28),
                now,
            )
            for n in (1, 2, 3)
        ],
    )
    async with bot.db.transaction() as session:
        units = [
            row[0]
            for row in await session.execute(text("SELECT id FROM units WHERE headcount > 0"))
        ]
    rows = []
    for n in range(NOMINATIONS):
        when = now - timedelta(days=rng.randint(0, 150), minutes=rng.randint(0, 1440))
        name = f"Người được đề cử {n}"
        rows.append(
            (
                f"DC-2026-{n + 1:05d}",
                rng.choice(rounds),
                _pick(rng, CATEGORIES),
                name,
                name.lower(),
                rng.choice(units),
                "Chuyên viên",
                "Thành tích nổi bật trong chuyển đổi số của đơn vị. " * 4,
                "Giảm 30% thời gian xử lý hồ sơ.",
                None,
                _pick(rng, STATUSES),
                rng.choice(staff_ids),
                None,
                when,
                when,
            )
        )
    ids = await bulk(
        "nominations",
        [
            "code",
            "round_id",
            "kind",
            "nominee_name",
            "name_key",
            "unit_id",
            "position",
            "achievements",
            "results",
            "evidence_note",
            "status",
            "nominator_id",
            "nominator_contact",
            "submitted_at",
            "updated_at",
        ],
        rows,
    )
    supports, history = [], []
    for nomination_id, row in zip(ids, rows, strict=True):
        for supporter in rng.sample(staff_ids, rng.randint(0, 4)):
            supports.append(
                (
                    nomination_id,
                    supporter,
                    row[2],
                    row[3],
                    "Chuyên viên",
                    "Đồng ý đề cử.",
                    None,
                    None,
                    row[13],
                )
            )
        if row[10] != "pending":
            action = {"more_info": "more_info", "approved": "approve", "rejected": "reject"}[
                row[10]
            ]
            history.append(
                (
                    nomination_id,
                    action,
                    None,
                    "Hội đồng",
                    "Đã xem xét.",
                    row[13] + timedelta(days=3),
                )
            )
    await bulk(
        "nomination_supports",
        [
            "nomination_id",
            "user_id",
            "kind",
            "nominee_name",
            "position",
            "reason",
            "results",
            "evidence_note",
            "created_at",
        ],
        supports,
    )
    await bulk(
        "nomination_history",
        ["nomination_id", "action", "actor_id", "actor_label", "note", "at"],
        history,
    )
    return len(rows)


async def deadlines(
    bot: BotApp,
    bulk: Bulk,
    copy: Copy,
    staff: Sequence[tuple[int, int]],
    now: datetime,
    rng: random.Random,
) -> int:
    """Three deadlines for all staff and nine for one group each, defined through the service;
    two reminder rounds already went out to everyone of each (90 % sent, 5 % waiting, 5 %
    undeliverable), and 60 % of the recipients acknowledged."""
    async with bot.db.transaction() as session:
        groups = {
            code: uid
            for uid, code in await session.execute(
                text("SELECT id, code FROM units WHERE code LIKE 'G%'")
            )
        }
        paths = {
            uid: path for uid, path in await session.execute(text("SELECT id, path FROM units"))
        }
    group_paths = {code: paths[uid] for code, uid in groups.items()}
    service = bot.services.reminders.deadlines
    outbox, acks = [], []
    specs = [("TOAN-TINH-" + str(n), None) for n in range(3)]
    specs += [(f"KHOI-{code}", code) for code in sorted(groups)[:9]]
    for index, (code, group) in enumerate(specs):
        due = now + timedelta(days=index * 3 - 10)
        audience = (
            Audience(AudienceKind.ALL_STAFF)
            if group is None
            else Audience(AudienceKind.UNITS, (groups[group],), subunits=True)
        )
        view, _ = await service.define(
            DeadlineSpec(code, f"Báo cáo số {index + 1}", due, audience, offsets=("7d", "3d"))
        )
        members = [
            uid
            for uid, unit in staff
            if group is None or paths[unit].startswith(group_paths[group])
        ]
        for label, days in (("7d", 7), ("3d", 3)):
            occurrence = f"{view.id}:{due.astimezone(UTC):%Y%m%dT%H%M}:{label}"
            sent_at = due - timedelta(days=days)
            for uid in members:
                roll = rng.random()
                status, reason = (
                    ("sent", None)
                    if roll < 0.9
                    else ("pending", None)
                    if roll < 0.95
                    else ("undeliverable", "blocked")
                )
                outbox.append(
                    (
                        "deadline",
                        uid,
                        occurrence,
                        "bench",
                        str(uid),
                        "[]",
                        False,
                        view.id,
                        status,
                        sent_at,
                        0,
                        0,
                        reason,
                        sent_at,
                        sent_at if status == "sent" else None,
                    )
                )
        acks += [(view.id, uid, due - timedelta(days=2)) for uid in members if rng.random() < 0.6]
    await copy(
        "outbox",
        [
            "purpose",
            "recipient_id",
            "occurrence",
            "channel",
            "chat_id",
            "payload",
            "urgent",
            "deadline_id",
            "status",
            "available_at",
            "attempts",
            "parts_sent",
            "reason",
            "created_at",
            "sent_at",
        ],
        outbox,
    )
    await copy("deadline_acks", ["deadline_id", "user_id", "acked_at"], acks)
    return len(outbox)
