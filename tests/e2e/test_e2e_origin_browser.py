"""The pop-up's redirect check parses URLs as Chromium does: the same origin and serialisation for each attack."""
from __future__ import annotations

import html
import json
import re

import pytest
from ada_url import URL

from bridge.magento.views import browser_origin
from tests.e2e.test_e2e_identity_browser import browser  # noqa: F401 (fixture)
from tests.e2e.test_e2e_identity_browser import render

pytestmark = pytest.mark.e2e

URLS = [
    "http://evil.example\\@127.0.0.1/",
    "http://evil.example\\@127.0.0.1:8081/admin/",
    "https:\\\\evil.example\\@shop.test/",
    "http:/\\shop.test/x",
    "https://shop.test@evil.example/",
    "https://user:pw@shop.test/admin/",
    "https://sh\top.te\nst/admin/",
    " https://shop.test/admin/ ",
    "HTTPS://SHOP.TEST:443/admin/",
    "http://shop.test:80/admin/",
    "https://shop.test:8443/admin/",
    "http://0x7f.0.0.1:8081/",
    "http://2130706433/",
    "https://%73hop.test/admin/",
    "https://BÜCHER.example/admin/",
    "https://evil.example%2Fshop.test/",
    "https://[::1]:443/admin/",
    "javascript:alert(1)//shop.test/",
    "//evil.example/shop.test/",
]


def ada_view(url: str):
    """[origin, href, username, password] as the bridge's parser sees ``url``, or None if it is no URL."""
    try:
        parsed = URL(url)
    except ValueError:
        return None
    return [parsed.origin, parsed.href, parsed.username, parsed.password]


def test_the_bridge_reads_each_url_as_chromium_does(tmp_path, browser):  # noqa: F811
    page = tmp_path / "urls.html"
    page.write_text('<!doctype html><meta charset="utf-8"><pre id="out"></pre><script>'
                    f"const urls = {json.dumps(URLS)};"
                    "document.getElementById('out').textContent = JSON.stringify(urls.map(u => {"
                    "  try { const x = new URL(u); return [x.origin, x.href, x.username, x.password]; }"
                    "  catch (e) { return null; } }));"
                    "</script>", encoding="utf-8")
    dom = render(browser, page.as_uri(), tmp_path / "profile")
    chromium = json.loads(html.unescape(re.search(r'<pre id="out">(.*?)</pre>', dom, re.S).group(1)))
    assert {url: ada_view(url) for url in URLS} == dict(zip(URLS, chromium, strict=True))
    # and the exact attack (a backslash before the host) is not the store's origin for the bridge either
    assert browser_origin(URLS[0])[0] == "http://evil.example"
