"""/metrics and /readyz of the running server, over real HTTP against the fake Telegram: the
counters move with a scripted conversation and a delivery; /metrics is refused without its
token or on a public address; /readyz turns unready when PostgreSQL is cut and ready again
when it is back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from bot.config import Settings, get_settings
from bot.core.clock import FrozenClock
from bot.core.replies import Notice, Text
from bot.observability.http import private_address, readiness
from bot.scheduler.jobs import SchedulerJobs, channel_senders
from tests.channels.conftest import TG_SECRET, TG_TOKEN, served_bot
from tests.channels.platform_chat import TelegramChat
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers.tcp_proxy import FORWARD, REFUSE, FaultyProxy, faulty_proxy

TOKEN = "metrics-token-for-the-test"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _settings(db_url: str, tmp_path: Path, fake: FakeTelegram, **extra: object):
    def build(base: str) -> Settings:
        return get_settings(
            _env_file=None,
            database_url=db_url,
            data_dir=tmp_path / "data",
            telegram_bot_token=TG_TOKEN,
            telegram_api_base_url=fake.base_url,
            telegram_webhook_url=f"{base}/tg/hook",
            telegram_webhook_secret=TG_SECRET,
            telegram_rate_per_chat=1000.0,
            **extra,
        )

    return build


async def _scrape(url: str) -> Samples:
    async with httpx.AsyncClient(base_url=url) as client:
        answer = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_move_with_a_scripted_conversation_and_a_delivery(
    db_url: str, tmp_path: Path, clock: FrozenClock, fake_telegram: FakeTelegram
) -> None:
    settings = _settings(db_url, tmp_path, fake_telegram, metrics_token=TOKEN, web_host="0.0.0.0")
    async with served_bot(clock, settings) as (app, _, url):
        before = await _scrape(url)
        chat = TelegramChat(fake_telegram, 42, fake_telegram.post_webhook)
        await chat.say("/start")
        await chat.press("Đồng ý")
        assert "Đăng ký xong" in await chat.press("Người dân")
        assert "VNeID" in await chat.say("VNeID là gì?")
        await chat.say("qwxz plugh zzyzx frobnicate")  # nothing in the knowledge base
        assert await fake_telegram.post_webhook(chat.updates[0]) == 200  # a redelivery
        # Three pushes to the same chat at once: the fake allows one a second and answers 429.
        fake_telegram.configure(rate_limits=True, per_chat_per_second=1)
        await app.deliver_notices(
            [Notice("telegram", "42", (Text(f"Thông báo {n}"),)) for n in range(3)]
        )
        jobs = SchedulerJobs(app, channel_senders(app))
        await jobs.run_once()
        after = await _scrape(url)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert moved("cdsbot_updates_total", channel="telegram", outcome="answered") == 5
    assert moved("cdsbot_updates_total", channel="telegram", outcome="replayed") == 1
    assert moved("cdsbot_turn_seconds_count", channel="telegram") == 6
    assert moved("cdsbot_turn_seconds_bucket", channel="telegram", le="+Inf") == 6
    assert moved("cdsbot_knowledge_questions_total", result="answered") >= 1
    assert moved("cdsbot_knowledge_questions_total", result="declined") == 1
    assert moved("cdsbot_deliveries_total", outcome="sent", reason="") >= 1
    assert moved("cdsbot_platform_rate_limited_total", channel="telegram", path="outbox") >= 1
    assert moved("cdsbot_sweep_seconds_count") == 1
    assert _value(after, "cdsbot_sweep_last_success_timestamp_seconds") > 0
    assert _value(after, "cdsbot_database_up") == 1
    assert _value(after, "cdsbot_db_pool_connections", state="size") > 0
    assert ("cdsbot_db_pool_connections", (("state", "in_use"),)) in after
    depth = sum(
        _value(after, "cdsbot_outbox_depth", state=state)
        for state in ("waiting", "scheduled", "sending")
    )
    # what the 429s left in the outbox, and how long it has been due
    assert depth == 3 - moved("cdsbot_deliveries_total", outcome="sent", reason="")
    assert ("cdsbot_outbox_oldest_waiting_age_seconds", ()) in after


async def test_metrics_need_the_token_or_a_private_address(
    db_url: str, tmp_path: Path, clock: FrozenClock, fake_telegram: FakeTelegram
) -> None:
    public = _settings(db_url, tmp_path, fake_telegram, web_host="0.0.0.0")
    async with served_bot(clock, public) as (_, _, url):
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/metrics")).status_code == 404
    private = _settings(db_url, tmp_path, fake_telegram, web_host="127.0.0.1")
    async with served_bot(clock, private) as (_, _, url):
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/metrics")).status_code == 200
            proxied = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
            assert proxied.status_code == 404  # relayed by the public proxy
    token = _settings(db_url, tmp_path, fake_telegram, web_host="127.0.0.1", metrics_token=TOKEN)
    async with served_bot(clock, token) as (_, _, url):
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/metrics")).status_code == 401
            wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            right = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            assert right.status_code == 200 and "cdsbot_updates" in right.text


@pytest.mark.parametrize(
    ("host", "private"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("10.1.2.3", True),
        ("192.168.1.10", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("14.225.0.1", False),
        ("bot.example.gov.vn", False),
    ],
)
def test_private_addresses(host: str, private: bool) -> None:
    assert private_address(host) is private


@pytest.fixture
def proxy(db_url: str) -> Iterator[tuple[FaultyProxy, str]]:
    """A proxy in front of the test PostgreSQL database, and the URL through it."""
    if not db_url.startswith("postgresql"):
        pytest.skip("faults of a PostgreSQL server")
    url = make_url(db_url)
    with faulty_proxy(url.host or "127.0.0.1", url.port or 5432) as running:
        yield running, url.set(host="127.0.0.1", port=running.port).render_as_string(False)


async def test_readyz_follows_the_database(
    proxy: tuple[FaultyProxy, str], tmp_path: Path, clock: FrozenClock, fake_telegram: FakeTelegram
) -> None:
    faulty, through_proxy = proxy
    settings = _settings(
        through_proxy,
        tmp_path,
        fake_telegram,
        db_connect_timeout_seconds=1.0,
        db_statement_timeout_seconds=1.0,
        db_pool_timeout_seconds=1.0,
        health_timeout_seconds=1.0,
    )
    async with served_bot(clock, settings) as (_, _, url):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json() == {
                "status": "ready",
                "checks": {
                    "database": "ok",
                    "migrations": "ok",
                    "content": "ok",
                    "scheduler": "off",
                },
            }
            faulty.set_mode(REFUSE)
            down = await client.get("/readyz")
            assert down.status_code == 503
            assert down.json()["checks"]["database"] == "unreachable"
            assert (await client.get("/healthz")).status_code == 503  # liveness says so too
            faulty.set_mode(FORWARD)
            again = await client.get("/readyz")
            assert again.status_code == 200, again.text


async def test_readyz_names_a_schema_behind_and_a_stalled_scheduler(
    db_url: str, tmp_path: Path, clock: FrozenClock, fake_telegram: FakeTelegram
) -> None:
    from sqlalchemy import text

    async with served_bot(clock, _settings(db_url, tmp_path, fake_telegram)) as (app, _, url):
        async with app.db.connection(autocommit=True) as connection:
            head = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar()
            await connection.execute(text("UPDATE alembic_version SET version_num = 'old0'"))
        try:
            async with httpx.AsyncClient(base_url=url) as client:
                behind = await client.get("/readyz")
        finally:  # the database is shared by the session's tests: put the true version back
            async with app.db.connection(autocommit=True) as connection:
                await connection.execute(
                    text("UPDATE alembic_version SET version_num = :head"), {"head": head}
                )
        assert behind.status_code == 503
        assert behind.json()["checks"]["migrations"].startswith("at old0, expected ")

        class Stalled:
            def alive(self, *, within_s: float) -> bool:
                return False

        checks = await readiness(app, Stalled())
        assert checks["scheduler"] == "stalled"


async def test_a_429_to_a_reply_in_a_turn_is_counted_and_the_reply_still_arrives(
    db_url: str, tmp_path: Path, clock: FrozenClock, fake_telegram: FakeTelegram
) -> None:
    """Replies sent in the turn (not through the outbox) meet 429s too: counted under their own
    path, waited out, delivered."""
    settings = _settings(
        db_url,
        tmp_path,
        fake_telegram,
        metrics_token=TOKEN,
        web_host="0.0.0.0",
        telegram_webhook_answers="off",  # every reply through the API, where a 429 is seen
    )
    async with served_bot(clock, settings) as (_, _, url):
        chat = TelegramChat(fake_telegram, 43, fake_telegram.post_webhook)
        await chat.say("/start")
        before = await _scrape(url)
        # The bot paces this chat at 1,000 a second: the fake, allowing one, refuses the second.
        fake_telegram.configure(rate_limits=True, per_chat_per_second=1)
        await chat.say("/menu")
        await chat.say("/trogiup")
        after = await _scrape(url)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert fake_telegram.too_many_requests >= 1
    assert moved("cdsbot_platform_rate_limited_total", channel="telegram", path="reply") == (
        fake_telegram.too_many_requests
    )
    assert moved("cdsbot_platform_rate_limited_total", channel="telegram", path="outbox") == 0
    assert len(fake_telegram.texts(43)) >= 3  # /start's answer, /menu's, /trogiup's
