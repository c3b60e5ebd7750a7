"""Logging: one line per request, Gladly's correlation id and a trace id on every line, shoppers masked.

Lines are JSON objects (one per line, for a log shipper) unless stderr is a terminal, where people read
them (``BRIDGE_LOG_FORMAT``). E-mail addresses and phone numbers are masked in every line, tracebacks
included, unless ``BRIDGE_LOG_MASK`` is off for debugging.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime
from datetime import timezone

from flask import Flask
from flask import g
from flask import has_request_context
from flask import request

from bridge import metrics
from bridge.config import LOG_FORMATS
from bridge.config import environ_value
from bridge.errors import ConfigError

request_log = logging.getLogger("bridge.request")

# Also the URL-encoded forms found in Magento query strings inside exception texts: %40 for @, %2B for +.
EMAIL_RE = re.compile(r"(?P<first>[A-Za-z0-9_%+-])[A-Za-z0-9._%+-]*(?P<at>@|%40)"
                      r"(?P<domain>[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# 7 to 15 digits (E.164) with optional single separators, not inside a word, path, date or IPv4 address.
PHONE_RE = re.compile(r"(?:(?<=%2B)|(?<![\w.:/+%-]))(?!\d{4}-\d{2}-\d{2})(?!\d{1,3}(?:\.\d{1,3}){3}(?!\d))"
                      r"\+?\(?\d(?:[ ().-]{0,2}\d){6,14}(?![\w:/])")
B3_RE = re.compile(r"[0-9a-f]{16}|[0-9a-f]{32}")  # Zipkin B3 trace ids are 64 or 128 bits
# W3C Trace Context: version-traceid-parentid-flags (https://www.w3.org/TR/trace-context/#traceparent-header).
TRACEPARENT_RE = re.compile(r"[0-9a-f]{2}-(?P<trace>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})  # probed every few seconds: DEBUG only

_masking = {"enabled": True}


def mask(text: str) -> str:
    """The text with e-mail local parts and all but the last two digits of phone numbers hidden."""
    text = EMAIL_RE.sub(lambda m: f"{m['first']}***{m['at']}{m['domain']}", text)
    return PHONE_RE.sub(lambda m: "***" + re.sub(r"\D", "", m.group(0))[-2:], text)


def set_masking(enabled: bool) -> None:
    """Turn masking on or off for this process (``BRIDGE_LOG_MASK``)."""
    _masking["enabled"] = bool(enabled)


class MaskFilter(logging.Filter):
    """Masks shoppers' e-mails and phones in the message and any traceback of every record it sees, except
    records logged with ``extra={"masked": True}`` (known to hold no shopper data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _masking["enabled"] or getattr(record, "masked", False):
            return True
        record.msg, record.args = mask(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        record.masked = True  # several handlers may share the record
        return True


class RequestContextFilter(logging.Filter):
    """Adds ``correlation_id`` (Gladly-Correlation-Id) and ``trace_id`` to every record logged in a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = record.trace_id = "-"
        if has_request_context():
            record.correlation_id = g.get("correlation_id") or request.headers.get("Gladly-Correlation-Id", "-")
            record.trace_id = g.get("trace_id", "-")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, pid, ids, message, the request fields, any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "correlation_id": getattr(record, "correlation_id", "-"),
            "trace_id": getattr(record, "trace_id", "-"),
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str, separators=(",", ":"))


TEXT_FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s [%(correlation_id)s] %(message)s"


def formatter_for(log_format: str, stream=None) -> str:
    """``json`` or ``text`` for a ``BRIDGE_LOG_FORMAT`` value; ``auto`` is text on a terminal only."""
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"BRIDGE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, got {log_format!r}.")
    if log_format == "auto":
        stream = stream or sys.stderr
        return "text" if stream.isatty() else "json"
    return log_format


def logging_config() -> dict:
    """The ``logging.dictConfig`` mapping gunicorn.conf.py installs in the master and every worker."""
    set_masking(environ_value("LOG_MASK"))
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestContextFilter}, "mask": {"()": MaskFilter}},
        "formatters": {"json": {"()": JsonFormatter}, "text": {"format": TEXT_FORMAT}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": formatter_for(environ_value("LOG_FORMAT")),
                        "filters": ["request", "mask"], "stream": "ext://sys.stderr"},
        },
        "root": {"level": environ_value("LOG_LEVEL").upper(), "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            # bridge.request writes one line per request, so gunicorn's access log would only repeat it.
            "gunicorn.access": {"level": "WARNING", "handlers": ["console"], "propagate": False},
            # urllib3 logs full URLs at DEBUG, and Magento query strings carry shoppers' e-mails and phones.
            "urllib3": {"level": "WARNING"},
        },
    }


def _trace_id() -> str:
    """Gladly's X-B3-Traceid (gladly-lookup-adaptor.md §5.2: log both ids for support cases), else a W3C
    traceparent's trace id, else a new one, so every line of one request can be found together."""
    b3 = request.headers.get("X-B3-Traceid", "").strip().lower()
    if B3_RE.fullmatch(b3):
        return b3
    found = TRACEPARENT_RE.fullmatch(request.headers.get("traceparent", "").strip())
    return found["trace"] if found else uuid.uuid4().hex


def _start_request() -> None:
    g.started = time.perf_counter()
    g.trace_id = _trace_id()
    g.magento_calls = metrics.CallTally()
    g.tally_token = metrics.current_tally.set(g.magento_calls)


def _outcome(response) -> str:
    """What became of the request: a view's own word (``found``), ``ok``, or the error code it answered."""
    if g.get("outcome"):
        return g.outcome
    if response.status_code < 400:
        return "ok"
    body = response.get_json(silent=True) if response.is_json else None
    try:
        return str(body["errors"][0]["code"])
    except (TypeError, KeyError, IndexError):
        return str(response.status_code)


def _finish_request(response):
    """Write the request's line and its metrics."""
    if "started" not in g:  # a before_request hook failed before ours ran
        return response
    seconds = time.perf_counter() - g.started
    metrics.current_tally.reset(g.tally_token)
    route = request.url_rule.rule if request.url_rule else "unmatched"
    kind, outcome = g.get("lookup_kind"), _outcome(response)
    plan = g.magento_calls.read_plan
    fields = {"method": request.method, "route": route, "status": response.status_code, "kind": kind,
              "magento_calls": g.magento_calls.count, "duration_ms": round(seconds * 1000, 1), "outcome": outcome}
    if plan:
        fields["read_plan"] = plan
    level = (logging.DEBUG if route in QUIET_ROUTES else logging.WARNING if response.status_code >= 500
             else logging.INFO)
    request_log.log(level, "%s %s %s %s%s%s magento_calls=%d %.0f ms", request.method, route, response.status_code,
                    outcome, f" kind={kind}" if kind else "", f" read_plan={plan}" if plan else "",
                    g.magento_calls.count, seconds * 1000, extra={"fields": fields})
    if request.endpoint == "gladly.lookup":
        metrics.LOOKUPS.labels(kind or "unknown", outcome).inc()
        metrics.LOOKUP_SECONDS.labels(kind or "unknown").observe(seconds)
    elif request.endpoint == "magento.callback":
        metrics.ACTIVATIONS.labels("callback", outcome).inc()
    return response


def init_app(app: Flask) -> None:
    """Set the level and masking, log one line per request, and give the bridge a handler outside gunicorn."""
    set_masking(app.config["LOG_MASK"])
    logger = logging.getLogger("bridge")
    logger.setLevel(app.config["LOG_LEVEL"].upper())
    # gunicorn.conf.py installs its handlers (with the same filters) through logging_config().
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        if formatter_for(app.config["LOG_FORMAT"], handler.stream) == "json":
            handler.setFormatter(JsonFormatter())
        else:
            handler.setFormatter(logging.Formatter(TEXT_FORMAT))
        handler.addFilter(RequestContextFilter())
        handler.addFilter(MaskFilter())
        logger.addHandler(handler)
    app.before_request(_start_request)
    app.after_request(_finish_request)
