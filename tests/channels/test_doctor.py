"""`cdsbot doctor` reports each configured channel's state in plain words."""

from __future__ import annotations

from pathlib import Path

from bot.app import BotApp
from bot.cli.doctor import diagnose
from tests.channels.conftest import TG_SECRET, TG_TOKEN, ZB_TOKEN, oa_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOa


async def test_doctor_checks_database_tokens_webhooks_and_the_oa_token(
    db_url: str,
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    fake_zalo_bot: FakeZaloBot,
    fake_zalo_oa: FakeZaloOa,
) -> None:
    hook = "https://bot.example.vn/tg/hook"
    settings = oa_settings(
        fake_zalo_oa,
        database_url=db_url,
        data_dir=tmp_path,
        public_base_url="https://bot.example.vn",
        telegram_bot_token=TG_TOKEN,
        telegram_api_base_url=fake_telegram.base_url,
        telegram_webhook_url=hook,
        telegram_webhook_secret=TG_SECRET,
        zalo_bot_token=ZB_TOKEN,
        zalo_bot_api_base_url=fake_zalo_bot.base_url,
    )
    app = BotApp.build(settings)
    try:
        report = [(f.ok, f.message) for f in await diagnose(app)]
        assert report[0][0] and report[0][1].startswith("Cơ sở dữ liệu: kết nối được")
        assert (True, "Telegram: token hợp lệ, bot @cds_fake_bot.") in report
        assert (
            False,
            "Telegram: webhook chưa được đặt (Telegram đang ghi: —). Chạy cdsbot "
            f"serve để Trợ lý tự đặt webhook {hook}.",
        ) in report
        assert (True, "Zalo Bot: chạy kiểu polling (không có ZALO_BOT_WEBHOOK_URL).") in report
        assert (
            True,
            "Zalo OA: lấy được access token; khai báo Webhook URL "
            "https://bot.example.vn/webhook/zalo-oa trong trang quản lý ứng dụng Zalo.",
        ) in report
        fake_telegram.webhook = {"url": hook, "secret_token": TG_SECRET}
        report = [(f.ok, f.message) for f in await diagnose(app)]
        assert (True, f"Telegram: webhook đã đặt đúng {hook}.") in report
        assert all(ok for ok, _ in report), report
        fake_telegram.token = "123456:another-token"  # the token in our settings is now refused
        report = [(f.ok, f.message) for f in await diagnose(app)]
        assert any(not ok and "token bị từ chối" in message for ok, message in report)
    finally:
        fake_telegram.token = TG_TOKEN
        await app.close()
