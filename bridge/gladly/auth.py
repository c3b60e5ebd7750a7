"""Authenticates a Flask request from Gladly: signature, freshness and, when configured, HTTP Basic (§5.1)."""
from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable
from collections.abc import Mapping
from datetime import datetime
from datetime import timezone
from typing import Any

from flask import Request
from flask import current_app
from flask import g
from flask import request

from bridge.errors import Unauthorized
from bridge.gladly.signature import verify

log = logging.getLogger(__name__)


def verify_request(req: Request, config: Mapping[str, Any], now: datetime | None = None) -> None:
    """Raise InvalidSignature, StaleRequest or Unauthorized unless ``req`` is an authentic Gladly request."""
    # Set first so that even a rejection is logged with Gladly's id (§5.2: log it for support cases).
    g.correlation_id = req.headers.get("Gladly-Correlation-Id")
    try:
        # §5.4: hash the raw bytes before anything parses them; the path is the one configured in the
        # Gladly App, i.e. with the prefix a proxy strips.
        verify(config["GLADLY_SIGNING_KEY"], method=req.method, path=config["GLADLY_PATH_PREFIX"] + req.path,
               query=req.query_string.decode("utf-8", "replace"), headers=req.headers, body=req.get_data(),
               now=now or datetime.now(timezone.utc), tolerance=config["GLADLY_TIME_TOLERANCE"])
        if config["GLADLY_BASIC_USER"]:
            check_basic(req, config["GLADLY_BASIC_USER"], config["GLADLY_BASIC_PASSWORD"])
    except Unauthorized as error:
        log.warning("rejected Gladly request to %s: %s (%s)", req.path, error.detail, error.code)
        raise


def gladly_signed(view: Callable) -> Callable:
    """Decorate a view so that it runs only for authenticated Gladly requests."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        verify_request(request, current_app.config)
        return view(*args, **kwargs)

    return wrapper


def check_basic(req: Request, user: str, password: str) -> None:
    """Require HTTP Basic ``user`` and ``password`` (Gladly's, §5.1, or the preview page's); Unauthorized if not."""
    credentials = req.authorization
    if credentials is None or credentials.type != "basic":
        raise Unauthorized("HTTP Basic credentials are required.", attr="Authorization")
    # Both comparisons always run, in constant time, so timing reveals neither which part was wrong.
    user_ok = hmac.compare_digest((credentials.username or "").encode(), user.encode())
    password_ok = hmac.compare_digest((credentials.password or "").encode(), password.encode())
    if not (user_ok and password_ok):
        raise Unauthorized("HTTP Basic credentials are incorrect.", attr="Authorization")
