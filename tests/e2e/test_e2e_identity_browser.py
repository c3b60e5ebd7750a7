"""The identity pop-up in a real browser: headless Chromium renders it and follows it back to Magento."""
from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest
import requests

from bench.procs import free_port
from tests.e2e.conftest import start_bridge
from tests.e2e.conftest import start_sandbox
from tests.e2e.conftest import stop

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser():
    if CHROMIUM is None:
        if os.environ.get("BRIDGE_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (BRIDGE_REQUIRE_BROWSER=1) but was not found")
        pytest.skip("Chromium not installed: apt-get install chromium")
    return CHROMIUM


HEADLESS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def render(browser: str, url: str, profile_dir, attempts: int = 3) -> str:
    """The DOM of ``url`` once loaded, as headless Chromium builds it.

    A loaded machine sometimes makes a fresh Chromium print nothing; it is asked again, and the last
    error output is shown if it never answers.
    """
    command = [browser, *HEADLESS, f"--user-data-dir={profile_dir}", "--dump-dom", url]
    for _ in range(attempts):
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if done.stdout.strip():
            return done.stdout
    raise AssertionError(f"Chromium rendered nothing (exit {done.returncode}): {done.stderr[-2000:]}")


def landing_url(browser: str, url: str, profile_dir, wanted_prefix: str, seconds: float = 20.0) -> str:
    """Open ``url`` in headless Chromium and return the page's URL once it starts with ``wanted_prefix``
    (read from the DevTools HTTP endpoint), or the last URL seen when ``seconds`` pass."""
    port = free_port()
    process = subprocess.Popen([browser, *HEADLESS, f"--user-data-dir={profile_dir}",
                                f"--remote-debugging-port={port}", url],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen = ""
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not seen.startswith(wanted_prefix):
            time.sleep(0.3)
            try:
                pages = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
            except requests.RequestException:
                continue
            seen = next((page["url"] for page in pages if page.get("type") == "page"), seen)
        return seen
    finally:
        stop(process)


def test_identity_popup_shows_the_store_and_returns_to_magento(tmp_path, browser):
    shop = start_sandbox(tmp_path)
    bridge = start_bridge(tmp_path, {"BRIDGE_MAGENTO_URL": shop.url, "BRIDGE_MAGENTO_ADMIN_URL": shop.url + "admin/"})
    try:
        key = shop.call("POST", "/sandbox/activate", json={
            "endpoint_url": bridge.url + "/magento/oauth/callback",
            "identity_url": bridge.url + "/magento/oauth/identity"}).json()["consumer_key"]
        # Magento opens the pop-up with success_call_back = its admin action; the sandbox's stats page
        # stands in for it (same host as the store, so the bridge may redirect there).
        popup = (f"{bridge.url}/magento/oauth/identity?oauth_consumer_key={key}"
                 f"&success_call_back={shop.url}sandbox/stats")
        page = render(browser, popup, tmp_path / "profile-1")
        assert shop.url in page  # which store is connecting
        assert "refund" in page.lower() and "cancel" in page.lower()  # what the bridge will be able to do
        # The page sends the browser back to Magento's success_call_back, which closes the pop-up.
        assert landing_url(browser, popup, tmp_path / "profile-2", shop.url) == shop.url + "sandbox/stats"
    finally:
        stop(bridge.process)
        stop(shop.process)
