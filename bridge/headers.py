"""Security headers on every HTML answer of the bridge (today: the activation identity pop-up).

The pop-up shows and acts on an activation and may send the browser back to Magento, so no other site
may frame it (clickjacking; CSP Level 2 ``frame-ancestors``, with ``X-Frame-Options`` for older
browsers), and its URL, which carries the consumer key, must not leak as a ``Referer`` (issue 11).
"""
from __future__ import annotations

from flask import Flask
from flask import Response

HTML_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def add_html_headers(response: Response) -> Response:
    """Add :data:`HTML_HEADERS` to a ``text/html`` response (JSON answers are never rendered as pages)."""
    if response.mimetype == "text/html":
        for name, value in HTML_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Run :func:`add_html_headers` after every request."""
    app.after_request(add_html_headers)
