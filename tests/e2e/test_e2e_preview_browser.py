"""The preview page in headless Chromium (Debian's), driven by Playwright: sign in, search, read what agents see."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the `test` extra installs it
    sync_playwright = None

from bench.procs import manual_connection_env
from tests.processes import start_bridge
from tests.processes import start_sandbox
from tests.processes import stop

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Debian's build, never a downloaded one: `playwright install` is not part of this project.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
USER, PASSWORD = "preview", "preview-password-0123"


@pytest.fixture
def chromium():
    """Playwright's Chromium driver on the Debian browser; skipped without it, failing when CI requires it."""
    missing = ("Chromium not installed: apt-get install chromium" if CHROMIUM is None else
               "Playwright not installed: pip install -e '.[test]'" if sync_playwright is None else None)
    if missing:
        if os.environ.get("BRIDGE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{missing} (BRIDGE_REQUIRE_BROWSER=1)")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def preview_bridge(tmp_path):
    shop = start_sandbox(tmp_path)
    bridge = start_bridge(tmp_path, {**manual_connection_env(shop), "BRIDGE_PREVIEW_USER": USER,
                                     "BRIDGE_PREVIEW_PASSWORD": PASSWORD}, workers=2)
    yield bridge
    stop(bridge.process)
    stop(shop.process)


def save_artifact(page, tmp_path: Path, name: str) -> Path:
    """A full-page screenshot under the test's tmp dir and, with BRIDGE_TEST_ARTIFACTS set, there too."""
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("BRIDGE_TEST_ARTIFACTS"):
        target = Path(os.environ["BRIDGE_TEST_ARTIFACTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / name)
    return path


def test_preview_shows_what_agents_see(chromium, preview_bridge, tmp_path):
    # What Gladly itself gets for Sam Smith, to compare the page with.
    [expected] = preview_bridge.lookup({"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                                        "query": {"externalCustomerId": "3", "id": "g-1"}}).json()["results"]
    order = next(order for order in expected["transactions"] if order["fulfillments"] and order["actions"])
    tracking = next(f["trackingNumber"] for f in order["fulfillments"] if f.get("trackingNumber"))

    context = chromium.new_context(http_credentials={"username": USER, "password": PASSWORD},
                                   viewport={"width": 1366, "height": 860})
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    response = page.goto(preview_bridge.url + "/preview")
    assert response.status == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.fill("input[name=q]", "sam@example.com")
    with page.expect_navigation():
        page.click("form.search button[type=submit]")

    text = page.inner_text("main")
    assert "Sam Smith" in text
    assert f"Order {order['orderNumber']}" in text
    assert order["products"][0]["sku"] in text
    assert tracking in text
    assert order["actions"][0]["name"] in text
    # The stylesheet applied under the CSP (the header bar is dark), and nothing was blocked.
    assert page.eval_on_selector(".top", "e => getComputedStyle(e).backgroundColor") == "rgb(31, 42, 68)"
    assert violations == []
    shot = save_artifact(page, tmp_path, "preview-sam-smith.png")
    assert shot.stat().st_size > 10_000

    # An e-mail two websites share: the agent's choice, then the chosen shopper's card (a second CSRF-checked POST).
    page.fill("input[name=q]", "jane@example.com")
    with page.expect_navigation():
        page.click("form.search button[type=submit]")
    assert "2 shoppers match" in page.inner_text("main")
    with page.expect_navigation():
        page.click("table button:has-text('Show')")
    assert page.inner_text(".customer h2").strip() and "Linked in Gladly as" in page.inner_text(".customer")
    assert violations == []
    context.close()


def test_preview_asks_for_credentials(chromium, preview_bridge):
    context = chromium.new_context(http_credentials={"username": USER, "password": "wrong"})
    page = context.new_page()
    assert page.goto(preview_bridge.url + "/preview").status == 401
    assert "Search a shopper" not in page.content()
    context.close()
