"""The deployment kit's files, checked without Docker (no engine runs here): the Dockerfile is
parsed with the official parser (the `dockerfile` package) and held to the rules docs/DEPLOY.md
promises; the Compose file and the systemd units are checked for the same promises; the package
data the image installs carries the content and the migrations."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import dockerfile
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SECRET_NAMES = re.compile(r"(TOKEN|SECRET|PASSWORD|KEY)", re.IGNORECASE)


def _stages() -> list[list[dockerfile.Command]]:
    stages: list[list[dockerfile.Command]] = []
    for command in dockerfile.parse_file(str(DEPLOY / "Dockerfile")):
        if command.cmd == "FROM":
            stages.append([])
        stages[-1].append(command)
    return stages


def test_dockerfile_base_images_are_pinned_to_a_release() -> None:
    for stage in _stages():
        image = stage[0].value[0]
        assert ":" in image and not image.endswith(":latest"), image


def test_dockerfile_runs_as_a_non_root_user() -> None:
    final = _stages()[-1]
    users = [c for c in final if c.cmd == "USER"]
    assert users and users[-1].value[0] not in ("root", "0")
    # nothing after the switch runs as root again
    last_run = max((i for i, c in enumerate(final) if c.cmd == "RUN"), default=-1)
    assert final.index(users[-1]) > last_run


def test_dockerfile_bakes_in_no_secret_and_checks_health() -> None:
    commands = [c for stage in _stages() for c in stage]
    for command in commands:
        if command.cmd in ("ENV", "ARG"):
            names = command.value[::2] if command.cmd == "ENV" else command.value
            assert not any(SECRET_NAMES.search(name.split("=")[0]) for name in names), command
        assert command.cmd != "ADD", "ADD fetches URLs and unpacks archives: use COPY"
    assert any(c.cmd == "HEALTHCHECK" for c in commands)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".git" in ignored and "data" in ignored


def test_the_installed_package_carries_content_and_migrations() -> None:
    """The image pip-installs the project: every data file under bot/ must be package data."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["package-data"]["*"]
    data_files = [
        path
        for path in (ROOT / "bot").rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    ]
    assert any("migrations" in path.parts for path in data_files)
    missing = [
        str(path.relative_to(ROOT))
        for path in data_files
        if not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns)
    ]
    assert not missing, f"not installed into the image: {missing}"


def test_compose_services_and_secrets() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "migrate", "web", "worker", "caddy", "backup"} <= set(services)
    # only the proxy is published; the bot listens on the private network
    published = [name for name, service in services.items() if service.get("ports")]
    assert published == ["caddy"]
    # one process runs the scheduler: the web processes leave it to the worker
    assert services["web"]["environment"]["SCHEDULER_ENABLED"] == "false"
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    text = (DEPLOY / "compose.yaml").read_text()
    # secrets come from the environment or the env file, never written into the file
    for line in text.splitlines():
        key, _, value = line.strip().partition(":")
        if SECRET_NAMES.search(key) and value.strip():
            assert "${" in value, line
    example = (DEPLOY / "cdsbot.env.example").read_text()
    for line in example.splitlines():
        if line and not line.startswith("#") and SECRET_NAMES.search(line.split("=")[0]):
            assert line.endswith("="), f"the example must not carry a secret: {line}"


def test_systemd_units_run_unprivileged_with_the_env_file() -> None:
    for name in ("cdsbot-web.service", "cdsbot-worker.service", "cdsbot-backup.service"):
        unit = (DEPLOY / "systemd" / name).read_text()
        assert "User=cdsbot" in unit
        assert "EnvironmentFile=/etc/cdsbot/cdsbot.env" in unit
        assert "NoNewPrivileges=true" in unit
    web = (DEPLOY / "systemd" / "cdsbot-web.service").read_text()
    assert "ExecStartPre=/opt/cdsbot/bin/cdsbot db upgrade" in web
    assert "SCHEDULER_ENABLED=false" in web


def test_the_image_ships_compiled_bytecode() -> None:
    """The image's user cannot write /opt/cdsbot: without bytecode built into the image, every
    process start compiles every module again (2.5 s of CPU before the first answer)."""
    build = [c for c in _stages()[0] if c.cmd == "RUN"]
    compiled = [i for i, c in enumerate(build) if "compileall" in " ".join(c.value)]
    assert compiled, "no `python -m compileall` of the virtual environment"
    for command in build[compiled[-1] :]:
        assert "__pycache__" not in " ".join(command.value), command
