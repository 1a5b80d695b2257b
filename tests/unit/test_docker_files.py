"""The deployment files: checked by `docker compose config` where a compose client is
installed, and by reading them everywhere."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from service.settings import BASE_DIR

COMPOSE = BASE_DIR / "docker" / "compose.yaml"
DOCKERFILE = BASE_DIR / "docker" / "Dockerfile"


def compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_config_accepts_the_file():
    command = compose_command()
    if command is None:
        pytest.skip("no docker compose client on this machine")
    result = subprocess.run(
        [*command, "-f", str(COMPOSE), "config"],
        env={**os.environ, "SECRET_KEY": "x" * 40},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    assert set(rendered["services"]) == {"postgres", "redis", "migrate", "app", "worker"}


def test_compose_refuses_to_start_without_a_secret_key():
    command = compose_command()
    if command is None:
        pytest.skip("no docker compose client on this machine")
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    result = subprocess.run(
        [*command, "-f", str(COMPOSE), "config"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_compose_wires_migrate_before_app_and_worker():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in ("app", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert "healthcheck" in services[name]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("postgres", "redis"):
        assert "healthcheck" in services[name]
        assert services[name]["volumes"]


def test_compose_trusts_no_proxy_by_default():
    """The app's port is published: a trusted `*` would let anyone choose the address that
    sign-in rate limits and the audit log see. Settings refuse `*` as well."""
    environment = yaml.safe_load(COMPOSE.read_text())["x-tupa"]["environment"]
    assert environment["TUPA_TRUSTED_PROXIES"] == "${TUPA_TRUSTED_PROXIES:-}"
    assert "*" not in COMPOSE.read_text().split("TUPA_TRUSTED_PROXIES:")[1].splitlines()[0]


def test_dockerfile_is_multi_stage_slim_and_non_root():
    text = DOCKERFILE.read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) >= 2
    assert all("-slim" in line for line in stages)
    assert "USER tupa" in text
    assert "HEALTHCHECK" in text


def dockerfile_stages() -> dict[str, str]:
    """Each stage's instructions by the stage's name (`FROM ... AS name`)."""
    stages: dict[str, str] = {}
    name = ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.startswith("FROM "):
            name = line.split(" AS ")[-1].strip()
            stages[name] = ""
        elif name:
            stages[name] += line + "\n"
    return stages


def test_the_build_stage_builds_the_wheel_from_the_shipped_folders():
    build = dockerfile_stages()["build"]
    assert "pip wheel" in build
    for folder in ("service", "templates", "migrations", "locales"):
        assert f"COPY {folder} ./{folder}" in build


def test_the_runtime_stage_installs_the_built_wheel_and_no_source_tree():
    runtime = dockerfile_stages()["runtime"]
    assert "COPY --from=build /dist" in runtime
    assert ".whl" in runtime
    text = DOCKERFILE.read_text()
    assert " -e " not in text
    assert "--editable" not in text
    for folder in ("service", "templates", "migrations", "locales"):
        assert f"COPY {folder}" not in runtime
