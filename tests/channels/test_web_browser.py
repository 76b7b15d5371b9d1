"""The web chat in a real browser (headless Chromium driven by Playwright), at phone and desktop
widths: the newest buttons stay in view, a failed send keeps the text and is retried once, a
reload restores the history and says which flow is open, pushed messages come on load, and no
request leaves the machine. One server and one browser serve the whole module."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.app import BotApp
from bot.config import Settings, get_settings
from bot.core.replies import Album, Button, Image, Notice, Reply, text
from bot.server import create_app
from bot.storage.migrate import upgrade
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, ensure_browser
from tests.helpers.server import serve_in_thread

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SIZES = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
WAIT_MS = 15_000
MESSAGES = "**/api/chat/messages*"  # sending (POST) and polling (GET, with `?seen=`)


def _off_the_browser_loop(
    work: Callable[[], Coroutine[Any, Any, None]] | Callable[[], None],
) -> None:
    """Run set-up work in its own thread: Playwright's sync API holds this thread's event loop."""

    def run() -> None:
        result = work()
        if asyncio.iscoroutine(result):
            asyncio.run(result)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, installed first when missing."""
    problem = ensure_browser()
    if problem is not None:
        pytest.skip(f"no headless Chromium for the browser tests: {problem}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Site:
    """Our server on loopback, on its own SQLite database with the demo units."""

    url: str
    settings: Settings

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def push(self, token: str, *replies: Reply) -> None:
        """Queue a pushed message (as a reminder would be) for the person behind a page."""

        async def queue() -> None:
            app = BotApp.build(self.settings)
            try:
                user_id = await app.services.web_sessions.resolve(token)
                assert user_id is not None
                await app.notifier.deliver([Notice("web", user_id, replies)])
            finally:
                await app.close()

        _off_the_browser_loop(queue)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("web-browser")
    url = f"sqlite+aiosqlite:///{folder / 'bot.db'}"
    _off_the_browser_loop(lambda: upgrade(url))
    settings = get_settings(
        database_url=url,
        data_dir=folder / "data",
        _env_file=None,
        scheduler_enabled=False,
        quiet_hours_start=0,  # no quiet hours: a pushed message is due at once, day or night
        quiet_hours_end=0,
    )

    async def load_units() -> None:
        app = BotApp.build(settings)
        try:
            assert (await app.services.units.import_csv(Path("bot/demo/units.csv"))).ok
        finally:
            await app.close()

    _off_the_browser_loop(load_units)
    with serve_in_thread(create_app(settings)) as base:
        yield Site(base, settings)


@dataclass
class Watch:
    """What one browser context did: the hosts it asked, console errors, the chat API posts."""

    hosts: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    posts: list[Any] = field(default_factory=list)
    tolerated: bool = False

    def request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss"):
            self.hosts.add(parts.netloc)
        elif parts.scheme not in ("data", "blob"):
            self.hosts.add(request.url[:40])
        if request.method == "POST" and parts.path == "/api/chat/messages":
            self.posts.append(request.post_data_json)

    def console(self, message: Any) -> None:
        if message.type != "error":
            return
        if self.tolerated and message.text.startswith("Failed to load resource"):
            return  # the failure this test causes on purpose
        self.errors.append(message.text)

    @contextmanager
    def failures_expected(self) -> Iterator[None]:
        """Within the block, failed requests are the test's doing, not the page's."""
        self.tolerated = True
        try:
            yield
        finally:
            self.tolerated = False


@dataclass
class Chat:
    """One browser tab on the web chat."""

    page: Any
    watch: Watch

    def idle(self) -> None:
        """Wait until every reply is in the page, laid out and scrolled to."""
        self.page.wait_for_selector('#log[aria-busy="false"]', state="attached", timeout=WAIT_MS)

    def press(self, label: str) -> None:
        """Press the newest button whose label contains `label` (case-sensitive)."""
        wanted = re.compile(re.escape(label))
        self.page.locator("#log .buttons button", has_text=wanted).last.click()
        self.idle()

    def type(self, text: str) -> None:
        self.page.fill("#q", text)
        self.page.press("#q", "Enter")
        self.idle()

    def last_bot_text(self) -> str:
        return self.page.locator("#log .msg.bot:not(.typing)").last.inner_text()

    def last_buttons(self) -> list[dict[str, Any]]:
        """The newest reply's buttons, and whether each lies wholly inside the visible log."""
        return self.page.evaluate(
            """() => {
              const log = document.getElementById('log').getBoundingClientRect();
              const form = document.getElementById('f').getBoundingClientRect();
              const replies = document.querySelectorAll('#log .msg.bot:not(.typing)');
              const last = replies[replies.length - 1];
              return [...last.querySelectorAll('.buttons button')].map((b) => {
                const r = b.getBoundingClientRect();
                return {label: b.textContent, top: r.top, bottom: r.bottom, inside:
                  r.top >= log.top - 1 && r.bottom <= log.bottom + 1 &&
                  r.bottom <= form.top + 1 && r.bottom <= window.innerHeight + 1};
              });
            }"""
        )

    def assert_last_buttons_in_view(self) -> None:
        buttons = self.last_buttons()
        assert buttons, f"the newest reply has no buttons: {self.last_bot_text()!r}"
        hidden = [b for b in buttons if not b["inside"]]
        assert not hidden, f"buttons outside the visible area: {hidden}"

    def token(self) -> str:
        return self.page.evaluate("localStorage.getItem('cdsbot-session')")

    def state(self) -> dict[str, Any]:
        """GET /api/chat/state with the page's own session."""
        return self.page.evaluate(
            """async (token) => (await fetch('/api/chat/state',
                 {headers: {Authorization: 'Bearer ' + token}})).json()""",
            self.token(),
        )


@contextmanager
def opened(browser: Any, site: Site, size: dict[str, int]) -> Iterator[Chat]:
    """A fresh browser profile on the chat page; at the end, nothing left the machine and the
    console stayed clean (the page carries a strict Content-Security-Policy: any inline script
    or style would show up there as an error)."""
    context = browser.new_context(viewport=size, locale="vi-VN")
    watch = Watch()
    context.on("request", watch.request)
    context.on("console", watch.console)
    context.on("weberror", lambda error: watch.errors.append(str(error.error)))
    page = context.new_page()
    page.goto(site.url)
    chat = Chat(page, watch)
    chat.idle()
    try:
        yield chat
        assert watch.hosts == {site.host}, f"requests left the machine: {watch.hosts}"
        assert not watch.errors, watch.errors
    finally:
        context.close()


def _stop_intercepting(page: Any) -> None:
    """Remove the test's routes once their handlers have finished. A plain `unroute` does not
    wait: a poll caught just before it was still being answered when interception stopped, and
    its `fulfill` failed with "Route is already handled" (a flaky failure at context close)."""
    page.unroute_all(behavior="wait")


def _register_and_start_a_quiz(chat: Chat) -> None:
    chat.press("Đồng ý")
    chat.press("Người dân")
    chat.type("/kiemtra")
    chat.page.locator("#log .msg.bot").last.locator(".buttons button").first.click()
    chat.idle()
    assert "Câu 1/" in chat.last_bot_text()


@pytest.mark.parametrize("size", SIZES)
def test_quiz_buttons_stay_in_view_and_a_reload_restores_the_flow(
    browser: Any, site: Site, size: dict[str, int]
) -> None:
    with opened(browser, site, size) as chat:
        page = chat.page
        assert page.evaluate("document.activeElement.id") == "q"  # focused on load
        assert "Xin chào" in page.locator("#log").inner_text()
        chat.assert_last_buttons_in_view()
        _register_and_start_a_quiz(chat)
        chat.assert_last_buttons_in_view()
        assert [b["label"] for b in chat.last_buttons()] == ["A", "B", "C", "D"]
        assert page.evaluate("document.activeElement.id") == "q"  # focused after a press
        small = page.evaluate(
            """() => [...document.querySelectorAll('button, input')]
                 .filter((e) => e.offsetParent !== null)
                 .map((e) => [e.textContent || e.id, e.getBoundingClientRect()])
                 .filter(([, r]) => r.height < 44 || r.width < 44)
                 .map(([name]) => name)"""
        )
        assert not small, f"tap targets under 44 px: {small}"
        # The on-screen keyboard takes half the screen: the answers stay above the input.
        page.set_viewport_size({"width": size["width"], "height": size["height"] // 2})
        page.wait_for_timeout(100)
        chat.assert_last_buttons_in_view()
        page.set_viewport_size(size)

        shown = page.locator("#log .msg").all_inner_texts()
        page.reload()
        chat.idle()
        assert page.locator("#log .msg").all_inner_texts() == shown  # the history is back
        flow = page.locator("#flow")
        assert flow.is_visible() and "Bài kiểm tra kỹ năng số" in flow.inner_text()
        chat.assert_last_buttons_in_view()
        flow.get_by_role("button", name="Tiếp tục").click()
        chat.idle()
        assert not flow.is_visible()
        assert "Câu 1/" in chat.last_bot_text() and "tiếp tục bài đang làm" in chat.last_bot_text()
        chat.assert_last_buttons_in_view()
        chat.press("A")
        assert "Câu 2/" in chat.last_bot_text()
        chat.assert_last_buttons_in_view()

        # Reloaded again, "Thoát" leaves the quiz (after the quiz's own confirmation).
        page.reload()
        chat.idle()
        flow.get_by_role("button", name="Thoát").click()
        chat.idle()
        chat.assert_last_buttons_in_view()
        chat.press("Bỏ bài này")
        assert chat.state() == {"flow": None}


def test_a_lost_answer_keeps_the_text_and_its_retry_is_handled_once(
    browser: Any, site: Site
) -> None:
    with opened(browser, site, PHONE) as chat:
        page = chat.page
        _register_and_start_a_quiz(chat)

        def lose_the_answer(route: Any) -> None:
            route.fetch()  # the server handles the message…
            route.abort("connectionreset")  # …but its answer never arrives

        with chat.watch.failures_expected():
            page.route(MESSAGES, lose_the_answer)
            chat.type("A")
            _stop_intercepting(page)
        failed = page.locator("#log .msg.me.failed")
        assert failed.count() == 1 and failed.inner_text().startswith("A")
        assert page.input_value("#q") == "A"  # the typed text is back in the box
        retry = failed.get_by_role("button", name="Gửi lại")
        assert retry.is_visible()

        retry.click()
        chat.idle()
        assert page.locator("#log .msg.failed").count() == 0
        assert page.input_value("#q") == ""
        # Two posts with one client id, and the quiz took one answer: it waits at question 2.
        sent = [body for body in chat.watch.posts if body.get("text") == "A"]
        assert len(sent) == 2 and sent[0]["client_id"] == sent[1]["client_id"]
        choices = chat.state()["flow"]["choices"]
        assert [c["label"] for c in choices] == ["A", "B", "C", "D"]
        assert all(c["action"].split(":")[3] == "1" for c in choices), choices


@pytest.mark.parametrize("size", SIZES)
def test_a_failed_send_shows_why_keeps_the_text_and_retries(
    browser: Any, site: Site, size: dict[str, int]
) -> None:
    with opened(browser, site, size) as chat:
        page = chat.page
        busy = '{"detail": "Hệ thống đang bận hoặc tạm gián đoạn. Anh/chị vui lòng thử lại sau."}'
        chat.press("Đồng ý")
        chat.press("Người dân")
        with chat.watch.failures_expected():
            page.route(
                MESSAGES,
                lambda route: (
                    route.abort("internetdisconnected")
                    if route.request.method == "POST"
                    else route.continue_()
                ),
            )
            chat.type("đăng ký vneid mức 2 ở đâu")
            failed = page.locator("#log .msg.me.failed")
            assert "Không kết nối được với máy chủ" in failed.inner_text()
            assert page.input_value("#q") == "đăng ký vneid mức 2 ở đâu"
            _stop_intercepting(page)

            page.route(
                MESSAGES,
                lambda route: (
                    route.fulfill(status=503, body=busy, content_type="application/json")
                    if route.request.method == "POST"
                    else route.continue_()
                ),
            )
            failed.get_by_role("button", name="Gửi lại").click()
            chat.idle()
            assert "Hệ thống đang bận" in failed.inner_text()
            assert page.input_value("#q") == "đăng ký vneid mức 2 ở đâu"
            _stop_intercepting(page)

        failed.get_by_role("button", name="Gửi lại").click()
        chat.idle()
        assert page.locator("#log .msg.failed").count() == 0
        assert "VNeID" in chat.last_bot_text()
        assert page.input_value("#q") == ""
        chat.assert_last_buttons_in_view()


def test_one_message_at_a_time_with_a_typing_indicator(browser: Any, site: Site) -> None:
    with opened(browser, site, DESKTOP) as chat:
        page = chat.page
        chat.press("Đồng ý")
        chat.press("Người dân")
        held: list[Any] = []
        page.route(
            MESSAGES,
            lambda route: (
                held.append(route) if route.request.method == "POST" else route.continue_()
            ),
        )
        posts_before = len(chat.watch.posts)
        page.fill("#q", "vneid là gì")
        page.press("#q", "Enter")
        page.wait_for_function("() => document.querySelector('#log .typing') !== null")
        assert "đang trả lời" in page.locator("#log .typing").inner_text()
        assert page.is_disabled("#send")
        page.fill("#q", "dịch vụ công là gì")
        page.press("#q", "Enter")  # refused while the first is in flight: the text stays
        page.locator("#log .buttons button").first.click()  # and so is a button
        assert page.input_value("#q") == "dịch vụ công là gì"
        assert page.locator("#hint").is_visible()
        page.wait_for_timeout(200)
        assert len(chat.watch.posts) - posts_before == 1 and len(held) == 1
        held[0].continue_()
        chat.idle()
        _stop_intercepting(page)
        assert page.locator("#log .typing").count() == 0 and not page.is_disabled("#send")
        assert not page.locator("#hint").is_visible()
        chat.assert_last_buttons_in_view()


def test_links_are_clickable_and_reply_text_is_never_markup(browser: Any, site: Site) -> None:
    with opened(browser, site, PHONE) as chat:
        page = chat.page
        chat.press("Đồng ý")
        chat.press("Người dân")
        chat.type("tố giác lừa đảo ở đâu")
        chat.press("Xem thêm")
        links = page.locator("#log .msg.bot").last.locator("a")
        assert links.count() >= 3
        for i in range(links.count()):
            link = links.nth(i)
            assert re.match(r"https?://", link.get_attribute("href") or "")
            assert "noopener" in (link.get_attribute("rel") or "")
            assert link.get_attribute("target") == "_blank"
        hostile = '<img src=x id=hostile> javascript:alert(1) <a href="javascript:x">x</a>'
        chat.type(hostile)
        assert page.locator("#hostile").count() == 0
        assert page.locator('#log a[href^="javascript"]').count() == 0
        assert hostile in page.locator("#log .msg.me").last.inner_text()


def _tall_chart() -> bytes:
    """A PNG taller than a phone's screen, like a ranking of many units."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3.6, 9), dpi=100)
    figure.add_subplot().barh(range(40), range(40))
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def test_pushed_messages_arrive_on_load_and_their_buttons_show_after_the_picture(
    browser: Any, site: Site
) -> None:
    with opened(browser, site, PHONE) as chat:
        site.push(
            chat.token(),
            Image(caption="Bảng thi đua", data=_tall_chart()),
            text(
                "⏰ Còn 3 ngày (đến 30/06/2026): hoàn thành bài kiểm tra.",
                [Button("✅ Đã nhận", "ack:1")],
            ),
        )
        chat.page.reload()
        # Polling runs every 20 s; the first fetch happens as the page opens.
        chat.page.locator("#log .msg.bot", has_text="Còn 3 ngày").wait_for(timeout=5_000)
        chat.idle()
        assert chat.page.locator("#log img").evaluate("img => img.naturalHeight") == 900
        chat.assert_last_buttons_in_view()


def test_polling_backs_off_while_the_server_is_busy(browser: Any, site: Site) -> None:
    with opened(browser, site, PHONE) as chat:
        page = chat.page
        polls: list[float] = []

        def busy(route: Any) -> None:
            if route.request.method != "GET":
                route.continue_()
                return
            polls.append(page.evaluate("Date.now()"))
            route.fulfill(status=503, body='{"detail": "bận"}', content_type="application/json")

        page.clock.install()
        with chat.watch.failures_expected():
            page.route(MESSAGES, busy)
            page.reload()
            chat.idle()
            for _ in range(120):  # ten minutes, five seconds at a time
                page.clock.run_for(5_000)
            _stop_intercepting(page)
        gaps = [later - earlier for earlier, later in zip(polls, polls[1:], strict=False)]
        assert 4 <= len(polls) <= 8, polls  # every 20 s would be 30 polls
        assert all(b > a for a, b in zip(gaps, gaps[1:], strict=False)), gaps  # growing
        assert max(gaps) <= 300_000 * 1.2


def test_api_docs_work_offline(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport=DESKTOP)
    watch = Watch()
    context.on("request", watch.request)
    context.on("console", watch.console)
    try:
        page = context.new_page()
        page.goto(f"{site.url}/docs")
        page.locator(".swagger-ui .info").wait_for(timeout=WAIT_MS)
        assert "/api/chat/messages" in page.locator(".swagger-ui").inner_text()
        page.goto(f"{site.url}/redoc")
        assert page.url == f"{site.url}/docs"
        assert watch.hosts == {site.host}, watch.hosts
        assert not watch.errors, watch.errors
    finally:
        context.close()


def test_a_pushed_message_whose_answer_was_lost_comes_again_after_a_reload(
    browser: Any, site: Site
) -> None:
    """The server handed a reminder to a poll whose answer never reached the page (a reload,
    a closed tab, a dropped connection): it is shown after the reload, once, and kept."""
    with opened(browser, site, PHONE) as chat:
        page = chat.page
        site.push(chat.token(), text("Nhắc hạn: hoàn thành bài kiểm tra trước 05/12/2026."))
        lost: list[str] = []

        def lose_the_answer(route: Any) -> None:
            if route.request.method != "GET":
                route.continue_()
                return
            route.fetch()  # the server hands the message out…
            lost.append(route.request.url)
            route.abort("connectionreset")  # …but its answer never arrives

        with chat.watch.failures_expected():
            page.route(MESSAGES, lose_the_answer)
            page.reload()
            for _ in range(100):
                if lost:
                    break
                page.wait_for_timeout(50)
            _stop_intercepting(page)
        assert lost, "the page did not poll"
        reminder = page.locator("#log .msg.bot", has_text="Nhắc hạn: hoàn thành")
        assert reminder.count() == 0
        page.reload()
        reminder.wait_for(timeout=WAIT_MS)
        chat.idle()
        page.wait_for_timeout(1_500)  # the next poll confirms it
        page.reload()
        chat.idle()
        page.wait_for_timeout(500)
        assert reminder.count() == 1


def test_an_album_is_one_gallery_kept_across_a_reload(browser: Any, site: Site) -> None:
    """The pages of a ranking arrive as one message holding every picture, in order, with the
    buttons below them; a reload shows the same gallery from the kept history."""
    pages = [_tall_chart() for _ in range(3)]
    with opened(browser, site, PHONE) as chat:
        site.push(
            chat.token(),
            Album(
                tuple(Image(data=png, file_name=f"p{n}.png") for n, png in enumerate(pages)),
                "Bảng thi đua: 3 trang",
            ),
            text("Xem theo nhóm:", [Button("Xã, phường", "qlb:l")]),
        )
        chat.page.reload()
        album = chat.page.locator("#log .msg.bot", has_text="Bảng thi đua: 3 trang")
        album.wait_for(timeout=5_000)
        chat.idle()
        assert album.count() == 1 and album.locator(".gallery img").count() == 3
        alts = album.locator(".gallery img").evaluate_all("imgs => imgs.map((i) => i.alt)")
        assert [alt.rsplit(" ", 1)[-1] for alt in alts] == ["(1/3)", "(2/3)", "(3/3)"]
        chat.assert_last_buttons_in_view()
        chat.page.reload()
        chat.idle()
        again = chat.page.locator("#log .msg.bot", has_text="Bảng thi đua: 3 trang")
        assert again.locator(".gallery img").count() == 3
