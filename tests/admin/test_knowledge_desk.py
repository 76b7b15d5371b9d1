"""The knowledge desk: a declined question assigned to a topic and published is then answered
with that topic, by the running bot and by `cdsbot ask` (which reads the content files); a
publish that fails validation changes nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import BotApp
from bot.config import Settings, get_settings
from bot.content.answers import AnswerKind
from bot.content.desk import with_example
from bot.core.clock import FrozenClock
from bot.server import create_app
from bot.services.users import Role
from tests.admin.conftest import BASE, csrf_of, link_token, person_with, sign_in_with_link

ROOT = Path(__file__).resolve().parents[2]
# A question the bot declines today (its model has not learned such wording); once an editor
# adds it to a topic it is that topic's example, answered at once (bot.content.index._literal).
QUESTION = "thôn tôi có mấy đứa thanh niên rảnh muốn làm việc có ích cho làng"
TOPIC = "to-cong-nghe-so-cong-dong"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A copy of the shipped content that the desk may edit."""
    target = tmp_path / "content"
    shutil.copytree(
        ROOT / "bot" / "content", target, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    return target


@pytest.fixture
async def desk_bot(
    db_url: str, tmp_path: Path, clock: FrozenClock, content_dir: Path
) -> AsyncIterator[BotApp]:
    settings: Settings = get_settings(
        database_url=db_url, data_dir=tmp_path / "data", content_dir=content_dir, _env_file=None
    )
    app = BotApp.build(settings, clock=clock)
    report = await app.services.units.import_csv(ROOT / "bot" / "demo" / "units.csv")
    assert report.ok
    try:
        yield app
    finally:
        await app.close()


def _ask(content_dir: Path, question: str) -> dict[str, object]:
    env = dict(os.environ, CONTENT_DIR=str(content_dir))
    done = subprocess.run(
        [sys.executable, "-m", "bot.entry", "ask", "--jsonl"],
        input=question + "\n",
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


async def test_assign_publish_then_answered_with_that_topic(
    desk_bot: BotApp, content_dir: Path
) -> None:
    bot = desk_bot
    before = await bot.services.knowledge.ask(QUESTION)  # logged as unanswered
    assert before.kind is AnswerKind.NOT_SURE
    app = create_app(bot.settings, bot=bot, run_jobs=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40001))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as web:
        admin = await person_with(bot, "a1", Role.ADMIN, name="Biên Tập Viên")
        await sign_in_with_link(web, await link_token(admin))
        desk = await web.get("/admin/kien-thuc")
        assert desk.status_code == 200 and QUESTION in desk.text
        assigned = await web.post(
            "/admin/kien-thuc/gan",
            data={"csrf": csrf_of(desk.text), "question": QUESTION, "topic": TOPIC},
        )
        assert assigned.status_code == 303
        queued = await web.get("/admin/kien-thuc")
        assert "Hàng chờ xuất bản (1)" in queued.text
        published = await web.post("/admin/kien-thuc/xuat-ban", data={"csrf": csrf_of(queued.text)})
        assert published.status_code == 303 and "so=1" in published.headers["location"]
        after = await web.get("/admin/kien-thuc?cau=" + QUESTION)
        assert "Trợ lý trả lời bằng chủ đề" in after.text
    answer = await bot.services.knowledge.ask(QUESTION)
    assert answer.kind is AnswerKind.TOPIC and answer.topic is not None
    assert answer.topic.slug == TOPIC
    assert QUESTION in (content_dir / "topics" / f"{TOPIC}.md").read_text(encoding="utf-8")
    assert _ask(content_dir, QUESTION)["topic"] == TOPIC


async def test_a_publish_that_fails_validation_changes_nothing(
    desk_bot: BotApp, content_dir: Path
) -> None:
    bot = desk_bot
    path = content_dir / "topics" / f"{TOPIC}.md"
    original = path.read_text(encoding="utf-8")
    # an example question that another topic already has is refused by the content check
    other = (content_dir / "topics" / "lua-dao-truc-tuyen.md").read_text(encoding="utf-8")
    taken = next(
        line.strip()[2:]
        for line in other.splitlines()
        if line.startswith("  - ") and '"' not in line
    )
    await bot.services.desk.assign([taken], TOPIC, actor="Biên Tập Viên")
    result = await bot.services.desk.publish()
    assert result.published == 0 and result.problems
    assert path.read_text(encoding="utf-8") == original
    assert len(await bot.services.desk.queue()) == 1


def test_with_example_appends_to_the_questions_list() -> None:
    text = "---\nslug: x\nquestions:\n  - một\n  - hai\nkeywords: [a]\n---\nBody\n"
    changed = with_example(text, 'câu "ba": có dấu hai chấm')
    assert changed.splitlines()[5].startswith("  - ")
    import yaml

    front = yaml.safe_load(changed.split("---")[1])
    assert front["questions"] == ["một", "hai", 'câu "ba": có dấu hai chấm']
