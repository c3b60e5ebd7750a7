"""The Magento admin in headless Chromium, driven the way a merchant clicks through it.

Debian's Chromium (/usr/bin/chromium) driven by Playwright's Python client; Playwright's own browser
download is never used. Pages are reached through the admin menu's own links, so every URL carries the
secret key Magento adds when "Add Secret Key to URLs" is on (the default).
"""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

from magento_kit import ADMIN_PASSWORD
from magento_kit import ADMIN_USER
from magento_kit import RealMagento

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Chromium:
    """One headless Chromium for the session, shared by every store's :class:`AdminUI`: Playwright's sync API
    runs one instance per thread, and a session opens several stores (one per Magento version, production)."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                                        headless=True)

    def close(self) -> None:
        self.browser.close()
        self._playwright.stop()


class AdminUI:
    """One store's admin in the session's Chromium; each :meth:`page` is a fresh, logged-in admin tab."""

    def __init__(self, magento: RealMagento, artifacts: Path, chromium: Chromium) -> None:
        self.magento = magento
        self.artifacts = artifacts
        self.browser = chromium.browser

    @contextmanager
    def page(self, *, login: bool = True):
        """A new browser context (no cookies) and its page; a screenshot is kept if the block fails."""
        context = self.browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(90_000)  # the first admin pages of a fresh store generate code for seconds
        try:
            if login:
                self.login(page)
            yield page
        except Exception:
            shot = self.artifacts / f"admin-failure-{len(list(self.artifacts.glob('admin-failure-*')))}.png"
            page.screenshot(path=str(shot), full_page=True)
            raise
        finally:
            context.close()

    def login(self, page, url: str | None = None) -> None:
        """Log in on the admin login form (at ``url``, default the admin home) and dismiss first-run dialogs."""
        page.goto(url or self.magento.admin_url)
        page.fill("#username", ADMIN_USER)
        page.fill("#login", ADMIN_PASSWORD)
        page.click("button.action-login")
        page.wait_for_load_state("networkidle")
        self.dismiss_usage_dialog(page)

    @staticmethod
    def dismiss_usage_dialog(page) -> None:
        """Magento asks every new admin whether Adobe may collect usage data; answer no."""
        if page.is_visible("text=Don't Allow"):
            page.click("text=Don't Allow")

    @staticmethod
    def follow_menu(page, fragment: str) -> None:
        """Open the first link on the page whose URL contains ``fragment`` (menu links carry secret keys)."""
        href = page.eval_on_selector_all(
            "a", "(links, fragment) => links.map(a => a.href).filter(h => h.includes(fragment))[0] || ''", fragment)
        if not href:
            raise AssertionError(f"no admin link containing {fragment!r} on {page.url}")
        page.goto(href)
        page.wait_for_load_state("networkidle")

    def open_gladly_settings(self, page) -> None:
        """Stores > Configuration > Gladly > Gladly Bridge."""
        self.follow_menu(page, "system_config/index")
        self.follow_menu(page, "section/gladly_connector")
        if not page.is_visible("#gladly_connector_general_bridge_url"):
            page.click("#gladly_connector_general-head")

    @staticmethod
    def set_field(page, field_id: str, value: str) -> None:
        """Fill a configuration field, unticking "Use system value" first where the field has one."""
        inherit = f"#{field_id}_inherit"
        if page.query_selector(inherit) and page.is_checked(inherit):
            page.uncheck(inherit)
        if page.eval_on_selector(f"#{field_id}", "el => el.tagName") == "SELECT":
            page.select_option(f"#{field_id}", value)
        else:
            page.fill(f"#{field_id}", value)

    @staticmethod
    def save_config(page) -> str:
        """Click Save Config; return the page's messages (success or the validation error)."""
        page.click("#save")
        page.wait_for_load_state("networkidle")
        return page.inner_text(".messages") if page.query_selector(".messages") else ""

    def save_bridge_settings(self, bridge_url: str, setup_code: str | None = None) -> str:
        """Save the Bridge URL and, when given, the Setup Code; returns Magento's message."""
        with self.page() as page:
            self.open_gladly_settings(page)
            self.set_field(page, "gladly_connector_general_bridge_url", bridge_url)
            if setup_code is not None:
                self.set_field(page, "gladly_connector_general_setup_code", setup_code)
            return self.save_config(page)

    def activate(self, integration: str = "Gladly") -> str:
        """System > Integrations: Activate (or Reauthorize) the integration, Allow, and follow the pop-up.

        Returns the text the bridge's identity pop-up showed.
        """
        with self.page() as page:
            self.follow_menu(page, "integration/index")
            row = page.locator("tr[data-role=row]", has_text=integration)
            row.locator("td.col-activate a").click()
            button = page.locator("aside._show button.action-primary")
            button.wait_for()
            with page.expect_popup() as popup_info:
                button.click()
            popup = popup_info.value
            popup.wait_for_load_state()
            text = popup.inner_text("body")
            popup.screenshot(path=str(self.artifacts / "identity-popup.png"))
            return text
