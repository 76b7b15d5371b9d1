"""The web chat page still works under its Content-Security-Policy, in a real browser (Debian's
Chromium driven by Playwright): the page loads, its script (a file of its own: no inline code is
allowed) runs and talks to the API, and the browser reports no policy violation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import get_settings
from bot.core.clock import FrozenClock
from tests.channels.conftest import served_bot

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.slow
async def test_the_chat_page_runs_under_its_policy(
    db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    playwright_api = pytest.importorskip("playwright.async_api")
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    if not db_url.startswith("sqlite"):
        pytest.skip("the page does not depend on the database: SQLite is enough")

    def settings(_: str):  # type: ignore[no-untyped-def]
        return get_settings(_env_file=None, database_url=db_url, data_dir=tmp_path / "data")

    async with served_bot(clock, settings) as (_, _, url):
        async with playwright_api.async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                page = await browser.new_page()
                violations: list[str] = []
                page.on(
                    "console",
                    lambda message: (
                        violations.append(message.text)
                        if "Content Security Policy" in message.text
                        else None
                    ),
                )
                answer = await page.goto(url + "/")
                assert answer is not None
                policy = answer.headers["content-security-policy"]
                assert "script-src 'self'" in policy and "unsafe-inline" not in policy
                await page.wait_for_selector(".msg.bot", timeout=15_000)  # the script ran
                await page.fill("#q", "VNeID là gì")
                await page.press("#q", "Enter")
                await page.wait_for_function(
                    "document.querySelectorAll('.msg.bot').length >= 2", timeout=15_000
                )
                assert violations == []
            finally:
                await browser.close()
