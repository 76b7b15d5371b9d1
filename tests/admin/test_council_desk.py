"""The council's desk in the console: the queue, a nomination in full, and a decision that
notifies the nominator through the outbox with the same words as the chat review, and is
written to the audit log."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from bot.app import BotApp
from bot.nominations.notices import decision_notices
from bot.nominations.review import DecisionResult, Recipient, Verdict
from bot.nominations.types import Decision, Status
from bot.services.users import Role
from bot.storage.models import AuditEntry, OutboxMessage, User
from tests.admin.conftest import csrf_of, link_token, person_with, sign_in_with_link
from tests.helpers.chat import Chat
from tests.nominations.forms import nominate_person


@pytest.mark.usefixtures("open_round")
async def test_a_decision_in_the_console_reaches_the_nominator(
    bot: BotApp, web: httpx.AsyncClient, staff: Chat
) -> None:
    await nominate_person(staff)
    council = await person_with(bot, "c1", Role.COUNCIL, name="Trần Văn Hội")
    await sign_in_with_link(web, await link_token(council))

    queue = await web.get("/admin/de-cu?trang_thai=pending")
    assert queue.status_code == 200 and "DC-2026-0001" in queue.text and "Lê Văn Minh" in queue.text
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None
    page = await web.get(f"/admin/de-cu/{detail.id}")
    assert "Võ Thị Thanh Xuân" in page.text  # the nominator, for the council

    # a reason too short is refused and the choice and text are kept
    short = await web.post(
        f"/admin/de-cu/{detail.id}/quyet-dinh",
        data={
            "csrf": csrf_of(page.text),
            "decision": "approve",
            "expected": "pending",
            "reason": "ok",
        },
    )
    assert short.status_code == 422 and 'value="approve" required checked' in short.text

    reason = "Thành tích nổi bật, minh chứng đầy đủ."
    done = await web.post(
        f"/admin/de-cu/{detail.id}/quyet-dinh",
        data={
            "csrf": csrf_of(page.text),
            "decision": "approve",
            "expected": "pending",
            "reason": reason,
        },
    )
    assert done.status_code == 303
    assert "Đã ghi quyết định" in (await web.get(done.headers["location"])).text

    async with bot.db.transaction() as session:
        nominator = await session.scalar(select(User).where(User.external_id == "u1"))
        assert nominator is not None
        queued = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.recipient_id == nominator.id)
            )
        ).all()
        entries = (await session.scalars(select(AuditEntry))).all()
    assert len(queued) == 1 and queued[0].purpose == "notice"
    expected = decision_notices(
        bot.catalog,
        detail.id,
        Decision.APPROVE,
        reason,
        DecisionResult(
            Verdict.RECORDED,
            "DC-2026-0001",
            Status.APPROVED,
            (Recipient("test", "u1", "Lê Văn Minh"),),
        ),
    )[0]
    assert [part["text"] for part in queued[0].payload] == [expected.replies[0].text]
    decided = [e for e in entries if e.action == "nomination.decide"]
    assert len(decided) == 1
    assert decided[0].actor == "Trần Văn Hội" and decided[0].target == "DC-2026-0001"
    assert decided[0].before == {"status": "pending"} and decided[0].after == {"status": "approved"}

    # deciding again on the old page says someone changed it, and sends nothing more
    again = await web.post(
        f"/admin/de-cu/{detail.id}/quyet-dinh",
        data={
            "csrf": csrf_of(page.text),
            "decision": "reject",
            "expected": "pending",
            "reason": reason,
        },
    )
    assert "ket_qua=changed" in again.headers["location"]
    async with bot.db.transaction() as session:
        count = len((await session.scalars(select(OutboxMessage))).all())
    assert count == 1


async def test_the_audit_log_is_shown_and_exported_to_admins(
    bot: BotApp, web: httpx.AsyncClient
) -> None:
    admin = await person_with(bot, "a1", Role.ADMIN, name="Nguyễn Quản Trị")
    await sign_in_with_link(web, await link_token(admin))
    page = await web.get("/admin/nhat-ky")
    assert page.status_code == 200
    exported = await web.get("/admin/nhat-ky.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.startswith("\ufeffThời điểm")
    assert "audit.export" in (await web.get("/admin/nhat-ky")).text


@pytest.mark.usefixtures("open_round")
async def test_evidence_opens_in_the_browser_and_a_round_exports(
    bot: BotApp, web: httpx.AsyncClient, staff: Chat
) -> None:
    from pydantic import SecretStr

    from bot.storage.models import NominationAttachment
    from tests.fakes.telegram_api import FakeTelegram

    await nominate_person(staff)
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None
    photo = b"\x89PNG\r\n\x1a\n" + b"x" * 100
    async with bot.db.transaction() as session:
        session.add(
            NominationAttachment(
                nomination_id=detail.id,
                channel="telegram",
                kind="photo",
                ref="PHOTO-1",
                file_name=None,
                mime_type="image/png",
                size=len(photo),
            )
        )
    fake = FakeTelegram()
    fake.files["PHOTO-1"] = photo
    council = await person_with(bot, "c1", Role.COUNCIL)
    await sign_in_with_link(web, await link_token(council))
    with fake.running():
        bot.settings.telegram_bot_token = SecretStr(fake.token)
        bot.settings.telegram_api_base_url = fake.base_url
        page = await web.get(f"/admin/de-cu/{detail.id}")
        assert f"/admin/de-cu/{detail.id}/minh-chung/0" in page.text
        shown = await web.get(f"/admin/de-cu/{detail.id}/minh-chung/0")
        assert shown.status_code == 200 and shown.content == photo
        assert shown.headers["content-type"] == "image/png"
        assert shown.headers["content-disposition"].startswith("inline")
        assert "sandbox" in shown.headers["content-security-policy"]
        fake.files.clear()
        gone = await web.get(f"/admin/de-cu/{detail.id}/minh-chung/0")
        assert gone.status_code == 502 and "Chưa mở được tệp" in gone.text
    assert (await web.get(f"/admin/de-cu/{detail.id}/minh-chung/7")).status_code == 404

    exported = await web.get("/admin/de-cu/xuat")
    assert exported.status_code == 200
    assert exported.content[:2] == b"PK"  # an XLSX (zip) file
