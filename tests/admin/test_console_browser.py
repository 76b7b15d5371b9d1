"""The web console in a real browser (headless Chromium driven by Playwright), on the demo data:
a council member signs in through a /dangnhapweb link obtained in the web chat, opens the
dashboard and a nomination, views its evidence and approves it, and the nominator's chat gets the
notice; a manager creates a deadline for their unit and sees it delivered; an editor assigns an
unanswered question to a topic, publishes, and `cdsbot ask` then answers it with that topic.
Every page at phone and desktop widths; no console error and no request leaving the machine.

Screenshots go to a temporary folder, or to CDSBOT_SCREENSHOTS (docs/screenshots for the README).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr

from bot.app import BotApp
from bot.config import Settings, get_settings
from bot.server import create_app
from bot.services.users import Role
from bot.storage.models import NominationAttachment
from tests.channels.test_web_browser import _off_the_browser_loop
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, ensure_browser
from tests.helpers.chat import Chat as ServiceChat
from tests.helpers.server import free_port, serve_in_thread
from tests.nominations.forms import nominate_person

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
WAIT_MS = 20_000


def _png(width: int = 120, height: int = 80) -> bytes:
    """A small, valid PNG (a blue picture) standing for a photo sent as evidence."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x0b\x5c\xad" * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


PHOTO = _png()
# A question the bot declines today (as in test_knowledge_desk.py): it must reach the unanswered
# list for the editor to assign it.
QUESTION = "thôn tôi có mấy đứa thanh niên rảnh muốn làm việc có ích cho làng"
TOPIC = "to-cong-nghe-so-cong-dong"


@dataclass
class Console:
    """Our server on loopback with the demo data, a fake Telegram holding an evidence photo."""

    url: str
    settings: Settings
    content: Path
    shots: Path

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def run(self, work: Any) -> Any:
        """Run `work(app)` against the site's database, off the browser's event loop."""
        box: list[Any] = []

        async def body() -> None:
            app = BotApp.build(self.settings)
            try:
                box.append(await work(app))
            finally:
                await app.close()

        _off_the_browser_loop(body)
        return box[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = ensure_browser()
    if problem is not None:
        pytest.skip(f"no headless Chromium for the browser tests: {problem}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    folder = tmp_path_factory.mktemp("console-browser")
    content = folder / "content"
    shutil.copytree(
        ROOT / "bot" / "content", content, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    url = f"sqlite+aiosqlite:///{folder / 'bot.db'}"
    env = dict(
        os.environ, DATABASE_URL=url, DATA_DIR=str(folder / "data"), CONTENT_DIR=str(content)
    )
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run(
            [sys.executable, "-m", "bot.entry", *command],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=600,
        )
    fake = FakeTelegram().start()
    fake.files["EVIDENCE-1"] = PHOTO
    port = free_port()
    settings = get_settings(
        database_url=url,
        public_base_url=f"http://127.0.0.1:{port}",
        data_dir=folder / "data",
        content_dir=content,
        _env_file=None,
        scheduler_enabled=False,
        quiet_hours_start=0,
        quiet_hours_end=0,
        telegram_bot_token=SecretStr(fake.token),
        telegram_api_base_url=fake.base_url,
        telegram_webhook_url="https://example.invalid/webhook/telegram",
        telegram_webhook_secret=SecretStr("secret-for-the-browser-test"),
    )
    shots = Path(os.environ.get("CDSBOT_SCREENSHOTS") or folder / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    try:
        with serve_in_thread(create_app(settings), port=port) as base:
            yield Console(base, settings, content, shots)
    finally:
        fake.stop()


@dataclass
class Watch:
    hosts: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    def request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss"):
            self.hosts.add(parts.netloc)
        elif parts.scheme not in ("data", "blob"):
            self.hosts.add(request.url[:40])


@contextmanager
def tab(browser: Any, console: Console, size: dict[str, int]) -> Iterator[Any]:
    """A fresh browser profile; at the end nothing left the machine and the console stayed clean."""
    context = browser.new_context(viewport=size, locale="vi-VN")
    watch = Watch()
    context.on("request", watch.request)
    context.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    context.on("weberror", lambda error: watch.errors.append(str(error.error)))
    page = context.new_page()
    try:
        yield page
        assert watch.hosts <= {console.host}, f"requests left the machine: {watch.hosts}"
        assert not watch.errors, watch.errors
    finally:
        context.close()


def _idle(page: Any) -> None:
    page.wait_for_selector('#log[aria-busy="false"]', state="attached", timeout=WAIT_MS)


def sign_in_from_the_chat(page: Any, console: Console, role: Role, unit: str = "") -> str:
    """Open the web chat, give its person a role, ask for /dangnhapweb and follow the link."""
    page.goto(console.url)
    _idle(page)
    token = page.evaluate("localStorage.getItem('cdsbot-session')")

    async def grant(app: BotApp) -> str:
        user_id = await app.services.web_sessions.resolve(token)
        assert user_id is not None
        profile = await app.services.users.touch(channel="web", external_id=user_id)
        await app.services.users.record_consent(profile.id)
        found = await app.services.units.search(unit or "SKHCN")
        await app.services.users.register_staff(
            profile.id,
            unit_id=found.units[0].id,
            full_name=f"Cán bộ {role.value}",
            position="Chuyên viên",
        )
        await app.services.users.grant(
            channel="web",
            external_id=user_id,
            role=role,
            unit_code=found.units[0].code if role is Role.MANAGER else None,
        )
        return user_id

    user_id = console.run(grant)
    page.fill("#q", "/dangnhapweb")
    page.press("#q", "Enter")
    _idle(page)
    link = page.locator("#log .msg.bot a[href*='/admin/vao/']").last
    href = link.get_attribute("href")
    assert href and href.startswith(console.url), href
    page.goto(href)
    page.get_by_role("button", name="Vào trang quản trị").click()
    page.wait_for_url(f"{console.url}/admin")
    return user_id


def shot(
    page: Any, console: Console, name: str, size: dict[str, int], *, whole: bool = False
) -> None:
    label = "phone" if size["width"] < 600 else "desktop"
    path = str(console.shots / f"admin-{name}-{label}.png")
    page.screenshot(path=path, full_page=whole or size is PHONE)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_council_approves_a_nomination_and_the_nominator_is_told(
    browser: Any, console: Console, size: dict[str, int]
) -> None:
    nominator_token = httpx.post(f"{console.url}/api/chat/sessions").json()["session"]

    async def nominate(app: BotApp) -> int:
        user_id = await app.services.web_sessions.resolve(nominator_token)
        assert user_id is not None
        users = app.services.users
        profile = await users.touch(channel="web", external_id=user_id)
        await users.record_consent(profile.id)
        found = await app.services.units.search("SKHCN")
        await users.register_staff(
            profile.id,
            unit_id=found.units[0].id,
            full_name="Võ Thị Thanh Xuân",
            position="Chuyên viên",
        )
        name = "Lê Văn Minh" if size is PHONE else "Trần Thị Lan Anh"
        await nominate_person(ServiceChat(app, channel="web", user_id=user_id), name=name)
        detail = next(
            d
            for d in await app.services.nominations.review.in_round(
                (await app.services.nominations.rounds.current()).id  # type: ignore[union-attr]
            )
            if d.nominee_name == name
        )
        async with app.db.transaction() as session:
            session.add(
                NominationAttachment(
                    nomination_id=detail.id,
                    channel="telegram",
                    kind="photo",
                    ref="EVIDENCE-1",
                    file_name="anh-minh-chung.png",
                    mime_type="image/png",
                    size=len(PHOTO),
                )
            )
        return detail.id

    nomination_id = console.run(nominate)
    with tab(browser, console, size) as page:
        sign_in_from_the_chat(page, console, Role.COUNCIL)
        assert page.locator("h1").first.inner_text() == "Tổng quan"
        assert "Đề cử theo trạng thái" in page.locator("main").inner_text()
        page.get_by_role("link", name="Đề cử").first.click()
        page.get_by_role("link", name=re.compile(r"DC-\d{4}-\d{4}")).first.wait_for()
        page.goto(f"{console.url}/admin/de-cu/{nomination_id}")
        evidence = page.locator(".evidence img").first
        evidence.scroll_into_view_if_needed()  # pictures load lazily, as they come into view
        page.wait_for_function(
            "(img) => img.complete && img.naturalWidth === 120",
            arg=evidence.element_handle(),
            timeout=WAIT_MS,
        )
        shot(page, console, "nomination", size)
        page.get_by_label("✅ Duyệt").check()
        page.fill("textarea[name=reason]", "Thành tích nổi bật, minh chứng đầy đủ.")
        page.get_by_role("button", name="Ghi quyết định và báo cho người đề cử").click()
        page.get_by_text("Đã ghi quyết định").wait_for()
    pushed = httpx.get(
        f"{console.url}/api/chat/messages", headers={"Authorization": f"Bearer {nominator_token}"}
    ).json()["replies"]
    assert any("đã được Hội đồng Thi đua – Khen thưởng duyệt" in r["text"] for r in pushed), pushed


def test_a_manager_creates_a_deadline_for_their_unit_and_sees_it_delivered(
    browser: Any, console: Console
) -> None:
    staff_token = httpx.post(f"{console.url}/api/chat/sessions").json()["session"]

    async def staff(app: BotApp) -> None:
        user_id = await app.services.web_sessions.resolve(staff_token)
        assert user_id is not None
        profile = await app.services.users.touch(channel="web", external_id=user_id)
        await app.services.users.record_consent(profile.id)
        found = await app.services.units.search("SNNMT")
        await app.services.users.register_staff(
            profile.id, unit_id=found.units[0].id, full_name="Đinh Thị Nhận", position="Chuyên viên"
        )
        assert await app.services.staff.confirm_by_admin(
            profile.id
        )  # deadlines reach confirmed staff

    console.run(staff)
    with tab(browser, console, PHONE) as page:
        sign_in_from_the_chat(page, console, Role.MANAGER, unit="SNNMT")
        page.get_by_role("link", name="Hạn").click()
        page.fill("input[name=title]", "Nộp báo cáo chuyển đổi số quý IV")
        # due in three days: the "7 days before" reminder is already due, so a sweep sends it
        due = datetime.now(console.settings.tz) + timedelta(days=3)
        page.fill("input[name=due]", due.strftime("%d/%m/%Y 17:00"))
        page.get_by_role("button", name="Xem số người nhận").click()
        assert "sẽ được nhắc cho" in page.locator("p.notice").inner_text()
        page.get_by_role("button", name="Lưu hạn").click()
        page.get_by_text("Đã lưu hạn").wait_for()

        async def sweep(app: BotApp) -> None:
            await app.services.reminders.sweeper.run()

        console.run(sweep)
        pushed = httpx.get(
            f"{console.url}/api/chat/messages", headers={"Authorization": f"Bearer {staff_token}"}
        ).json()["replies"]
        assert any("Nộp báo cáo chuyển đổi số quý IV" in r["text"] for r in pushed), pushed
        page.get_by_role("link", name="Nộp báo cáo chuyển đổi số quý IV").click()
        assert "đã gửi tới" in page.locator(".fields").inner_text()
        # Which round went out depends on the hour the test runs (after 17:00 the "3 days before"
        # round is due and the earlier one is skipped), so the rounds are summed.
        rows = page.locator("table tbody tr")
        sent = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())]
        assert sum(int(count.replace(".", "")) for count in sent) >= 1, sent


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_editor_assigns_a_question_and_cdsbot_ask_then_answers_it(
    browser: Any, console: Console, size: dict[str, int]
) -> None:
    asker = httpx.post(
        f"{console.url}/api/chat/messages",
        json={"text": QUESTION},
        headers={
            "Authorization": "Bearer "
            + httpx.post(f"{console.url}/api/chat/sessions").json()["session"]
        },
    )
    assert asker.status_code == 200
    with tab(browser, console, size) as page:
        sign_in_from_the_chat(page, console, Role.ADMIN)
        meta = page.locator("section.card p.meta").first.inner_text()
        units = int(re.search(r"([\d.]+) đơn vị", meta).group(1).replace(".", ""))  # type: ignore[union-attr]
        if page.locator(".pager").count():
            page.get_by_role("link", name="Các đơn vị thấp nhất").click()
            assert page.locator("ol.bars li").count() > 0  # the units furthest behind
        else:
            assert page.locator("ol.bars li").count() == units  # every unit on one page
        page.goto(f"{console.url}/admin")
        assert page.locator("svg.trend circle.dot").count() > 0  # the weekly trend, drawn
        assert page.locator("table.groups tbody tr").count() > 0  # totals per group
        shot(page, console, "dashboard", size, whole=True)  # every section of the dashboard
        page.get_by_role("link", name="Kiến thức").click()
        shot(page, console, "knowledge", size)
        if size is PHONE:  # the desktop run finds the question already published
            row = page.locator("tr", has_text=QUESTION).first
            row.locator("select[name=topic]").select_option(TOPIC)
            row.get_by_role("button", name="Đưa vào hàng chờ").click()
            page.get_by_text("vào hàng chờ xuất bản").wait_for()
            page.get_by_role("button", name="Kiểm tra và xuất bản").click()
            page.get_by_text("Đã xuất bản 1 câu hỏi mẫu").wait_for()
    env = dict(os.environ, CONTENT_DIR=str(console.content))
    answered = subprocess.run(
        [sys.executable, "-m", "bot.entry", "ask", "--jsonl"],
        input=QUESTION + "\n",
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f'"topic": "{TOPIC}"' in answered.stdout, answered.stdout + answered.stderr
