"""A real server (uvicorn, SQLite, demo data) and headless Chromium for page tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.frozen_time import real_time

CHROMIUM = os.environ.get("TUPA_CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "demo-password-e2e"


@pytest.fixture(autouse=True)
def machine_time() -> Iterator[None]:
    """The server runs in its own process on the real clock; so do the browser tests."""
    with real_time():
        yield


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir: Path = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "TUPA_DATA_DIR": str(data_dir),
        "TUPA_DEMO_PASSWORD": DEMO_PASSWORD,
        # Every browser test signs in; the real limit is tested at the API.
        "TUPA_LOGIN_ATTEMPTS_PER_MINUTE": "1000",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "service.cli"]
    for step in (["migrate"], ["demo"]):
        subprocess.run([*command, *step], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError((data_dir / "server.log").read_text())
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Module-scoped: Playwright's sync API keeps an event loop running in this thread
    while it is open, which the asyncio tests that follow must not find."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM}"
        if os.environ.get("TUPA_REQUIRE_SERVICES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


def refuse_policy_violations(tab) -> list[str]:
    """What the Content-Security-Policy blocked on this tab (inline script or style, a
    script from elsewhere): the pages must need nothing it refuses."""
    violations: list[str] = []
    tab.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    violations = refuse_policy_violations(tab)
    yield tab
    context.close()
    assert violations == []


@pytest.fixture
def phone(browser, server):
    context = browser.new_context(
        base_url=server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    tab = context.new_page()
    violations = refuse_policy_violations(tab)
    yield tab
    context.close()
    assert violations == []
