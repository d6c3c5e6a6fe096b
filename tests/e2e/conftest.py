"""Browser tests: Playwright drives Debian's Chromium against a real server process.

The server runs `propulse serve` on a database of its own (a SQLite file in a temporary
data directory), seeded through the CLI, as a user would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import REQUIRE_ALL
from tests.support.smtp import free_port

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
ADMIN_EMAIL = "claire@alpinea.example"
ADMIN_PASSWORD = "browser test password"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("PROPULSE_CHROMIUM"), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]

    def propulse(
        self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> str:
        """Run the CLI on the server's data (``env`` adds settings, e.g. an SMTP server)."""
        result = subprocess.run(
            [sys.executable, "-m", "propulse", *args],
            env={**self.env, **(env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("live-server")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROPULSE_")}
    env.update(PROPULSE_DATA_DIR=str(data_dir), PROPULSE_BASE_URL=f"http://127.0.0.1:{port}")
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env)
    server.propulse("init")
    server.propulse(
        "users",
        "add",
        ADMIN_EMAIL,
        "--name",
        "Claire Martin",
        "--role",
        "admin",
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "propulse", "serve", "--no-worker", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(server.url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError(
            "the server did not start: " + (process.stderr.read() if process.stderr else "")
        )
    yield server
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        message = "Chromium is not installed (apt-get install chromium): browser tests skipped"
        if REQUIRE_ALL:
            pytest.fail(message.replace("skipped", "required by PROPULSE_TEST_REQUIRE_ALL=1"))
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server: LiveServer):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


def sign_in(page, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the form, then make sure the interface is in English.

    The server lives for the whole session and remembers each person's language, so a test
    that switched to French must not change what the next one reads.
    """
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    if page.locator("html").get_attribute("lang") != "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_function("document.documentElement.lang === 'en'")
