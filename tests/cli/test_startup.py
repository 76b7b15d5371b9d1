"""Start-up of the command line: `cdsbot --help` loads no server stack, and routine log lines
(scheduler job runs, Alembic's chatter) stay out of the log at INFO."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, get_settings
from bot.logs import configure_logging

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("matplotlib", "openpyxl", "fastapi", "alembic", "sqlalchemy", "telegram", "uvicorn")


def _modules_after(code: str) -> list[str]:
    """The heavy modules a fresh interpreter has loaded after running `code`."""
    probe = (
        f"import sys\n{code}\n"
        f"import json; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_command_line_loads_no_heavy_module() -> None:
    assert _modules_after("import bot.cli") == []


@pytest.mark.parametrize("args", [["--help"], ["deadlines", "--help"], ["users", "list", "--help"]])
def test_help_loads_no_heavy_module(args: list[str]) -> None:
    run_help = (
        f"sys.argv = ['cdsbot', *{args!r}]\n"
        "from bot.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stdout.flush()"
    )
    assert _modules_after(run_help) == []


def _levels(settings: Settings, **kwargs: bool) -> dict[str, int]:
    configure_logging(settings, **kwargs)
    return {name: logging.getLogger(name).level for name in ("apscheduler", "alembic")}


@pytest.fixture
def clean_logging():  # type: ignore[no-untyped-def]
    names = ("apscheduler", "alembic")
    before = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("clean_logging")
def test_logging_silences_routine_job_runs_and_migrations_unless_debug(tmp_path: Path) -> None:
    info = get_settings(data_dir=tmp_path, log_level="INFO", _env_file=None)
    assert _levels(info) == {"apscheduler": logging.WARNING, "alembic": logging.WARNING}
    assert _levels(info, migrations=True)["alembic"] == logging.NOTSET  # `cdsbot db`: INFO
    debug = get_settings(data_dir=tmp_path, log_level="DEBUG", _env_file=None)
    assert _levels(debug) == {"apscheduler": logging.NOTSET, "alembic": logging.NOTSET}


@pytest.mark.usefixtures("clean_logging")
def test_a_running_scheduler_logs_nothing_per_routine_job_run(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The jobs `serve` runs (sweep, sender, housekeeping), started as `serve` starts them, with
    logging configured as `serve` configures it: a second of job runs writes no INFO line."""
    from bot.app import BotApp
    from bot.scheduler.jobs import SchedulerJobs

    fast = settings.model_copy(
        update={"sweep_interval_seconds": 0.05, "sender_interval_seconds": 0.05}
    )
    caplog.set_level(logging.INFO)  # the root at INFO, as LOG_LEVEL=INFO sets it in `serve`
    configure_logging(fast)

    async def run_jobs() -> None:
        bot = BotApp.build(fast)
        jobs = SchedulerJobs(bot, {"telegram": _NoSender()})
        jobs.start()
        await asyncio.sleep(1.0)
        await jobs.stop()
        await bot.close()

    asyncio.run(run_jobs())
    assert any(r.name == "bot.scheduler.jobs" for r in caplog.records)  # "scheduler started"
    # routine lines only: a job that fails (e.g. cut off by the shutdown at the end of this
    # second on a loaded machine) is logged as an error, which is not what this test is about
    routine = [
        r for r in caplog.records if r.name.startswith("apscheduler") and r.levelno < logging.ERROR
    ]
    assert routine == []
    job_runs = [r for r in caplog.records if "Running job" in r.getMessage()]
    assert job_runs == []


class _NoSender:
    """A channel sender with nothing to do (the outbox is empty)."""

    async def send(self, chat_id: str, replies: object, *, skip: int = 0) -> None:
        raise AssertionError("nothing should be sent")


def test_a_bare_serve_runs_without_the_command_line_libraries() -> None:
    """`cdsbot serve` with no options is run by `bot.cli.serving` without Typer, Click or Rich
    (a sixth of a second of CPU before the first answer); with options it goes through Typer."""
    probe = (
        "import sys\n"
        "import bot.cli.serving\n"
        "bot.cli.serving.run = lambda workers=None: print('ran', workers)\n"
        "sys.argv = ['cdsbot', 'serve']\n"
        "from bot.entry import main\n"
        "main()\n"
        "print(sorted(m for m in ('typer', 'click', 'rich') if m in sys.modules))\n"
        "sys.argv = ['cdsbot', 'serve', '--workers', '2']\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["ran None", "[]", "ran 2"]


def test_the_server_imports_no_export_or_chart_library() -> None:
    """openpyxl and matplotlib are for exports and charts, made long after a start: importing
    them cost `cdsbot serve` a tenth of a second before its first answer."""
    assert [m for m in _modules_after("import bot.server") if m in ("openpyxl", "matplotlib")] == []


def test_serve_starts_without_garbage_collection_then_freezes_and_resumes_it(
    settings: Settings,
) -> None:
    """`cdsbot serve` holds the cyclic collector while it imports and loads (its full passes
    were a fifth of the start-up), and the started app freezes what start-up made and turns the
    collector back on (bot.startup)."""
    probe = (
        "import gc, sys\n"
        "import bot.cli.serving\n"
        "seen = []\n"
        "bot.cli.serving.main = lambda: seen.append(gc.isenabled())\n"
        "sys.argv = ['cdsbot', 'serve']\n"
        "from bot.entry import main\n"
        "main()\n"
        "import asyncio\n"
        "from bot.config import get_settings\n"
        "from bot.server import create_app\n"
        f"app = create_app(get_settings(_env_file=None, database_url={settings.database_url!r},"
        f" data_dir={str(settings.data_dir)!r}))\n"
        "async def start():\n"
        "    async with app.router.lifespan_context(app):\n"
        "        seen.append(gc.isenabled())\n"
        "        seen.append(gc.get_freeze_count() > 100_000)\n"
        "asyncio.run(start())\n"
        "print(seen)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[False, True, True]"


def test_the_console_templates_compile_after_the_start_not_before(settings: Settings) -> None:
    """Compiling the console's templates (0.15 s) no longer delays the first answer: building
    the app compiles none, `warm_up_console` (run by the started server) compiles them all."""
    probe = (
        "import asyncio\n"
        "from bot.admin.rendering import TEMPLATES\n"
        "from bot.admin.web import warm_up_console\n"
        "from bot.config import get_settings\n"
        "from bot.server import create_app\n"
        f"create_app(get_settings(_env_file=None, database_url={settings.database_url!r},"
        f" data_dir={str(settings.data_dir)!r}))\n"
        "before = len(TEMPLATES.env.cache or {})\n"
        "asyncio.run(warm_up_console(0))\n"
        "print(before, len(TEMPLATES.env.cache or {}) > 5)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "0 True"
