"""Request-scoped logging: Gladly's correlation id and the Magento path on every line."""
from __future__ import annotations

import logging

from flask import Flask
from flask import g
from flask import has_request_context
from flask import request


class RequestContextFilter(logging.Filter):
    """Adds ``correlation_id`` (Gladly-Correlation-Id) to every record logged inside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = "-"
        if has_request_context():
            record.correlation_id = g.get("correlation_id") or request.headers.get("Gladly-Correlation-Id", "-")
        return True


def init_app(app: Flask) -> None:
    """Attach the context filter to the bridge's loggers and set their level."""
    logger = logging.getLogger("bridge")
    logger.setLevel(app.config["LOG_LEVEL"].upper())
    # gunicorn.conf.py installs its own handlers (with the same filter) through dictConfig.
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"))
        handler.addFilter(RequestContextFilter())
        logger.addHandler(handler)
