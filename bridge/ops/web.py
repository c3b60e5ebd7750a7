"""The bridge's HTTP conventions on every answer: JSON on orjson, no caching or sniffing, security headers on
HTML answers.

JSON: a detailed lookup answers tens of kilobytes of JSON, which the standard library's encoder took a
twentieth of the bridge's CPU per lookup to write.

Caching: lookups, action forms and results, and the preview carry shoppers' personal data, so no answer may
be kept by a browser or a shared cache (RFC 9111 §5.2.2.5 ``no-store``) unless its route says otherwise, and
none may be read as another type than it declares (``X-Content-Type-Options: nosniff``, WHATWG Fetch).

Framing: the activation pop-up shows and acts on an activation and may send the browser back to Magento,
so no other site may frame an HTML answer (clickjacking; CSP Level 2 ``frame-ancestors``, with
``X-Frame-Options`` for older browsers), and its URL, which carries the consumer key, must not leak as a
``Referer``.
"""
from __future__ import annotations

from typing import Any

import orjson
from flask import Flask
from flask import Response
from flask.json.provider import DefaultJSONProvider

# Dates and dataclasses go to Flask's own default hook, so every answer reads as it did with the default
# provider (HTTP dates, not ISO); orjson handles str, numbers, lists and dicts itself.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


class FastJSONProvider(DefaultJSONProvider):
    """``DefaultJSONProvider`` with orjson doing the encoding and decoding; unsorted keys."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return self._encode(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any):
        """The JSON answer as bytes straight from orjson (no str round trip)."""
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self._encode(obj) + b"\n", mimetype=self.mimetype)

    def _encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(obj, default=self.default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            # orjson refuses what the standard library escapes (a lone surrogate in a Magento value, an
            # integer past 64 bits): fall back rather than fail the answer.
            return super().dumps(obj).encode()


HTML_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def add_headers(response: Response) -> Response:
    """Forbid caching (unless the route set its own ``Cache-Control``) and type sniffing on every answer; add
    :data:`HTML_HEADERS` to a ``text/html`` one (JSON answers are never rendered as pages)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("Cache-Control", "no-store")
    if response.mimetype == "text/html":
        for name, value in HTML_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Answer JSON with :class:`FastJSONProvider` and run :func:`add_headers` after every request."""
    app.json = FastJSONProvider(app)
    app.after_request(add_headers)
