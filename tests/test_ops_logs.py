"""Logging: the JSON line of a request, ids on every line, and masking of shoppers' e-mails and phones."""
from __future__ import annotations

import io
import json
import logging
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import create_app
from bridge import metrics
from bridge.config import environ_value
from bridge.errors import ConfigError
from bridge.gladly import lookup_views as views
from bridge.ops import logs as log
from bridge.ops.logs import JsonFormatter
from bridge.ops.logs import MaskFilter
from bridge.ops.logs import RequestContextFilter
from bridge.ops.logs import formatter_for
from bridge.ops.logs import mask
from tests.conftest import MAGENTO_URL

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@pytest.mark.parametrize("text, expected", [
    ("lookup for jane.doe@example.com", "lookup for j***@example.com"),
    ("value%5D=jane.doe%40example.co.uk&x", "value%5D=j***%40example.co.uk&x"),
    ("phone +1 555-123-4567 given", "phone ***67 given"),
    ("phone (555) 123-4567.", "phone ***67."),
    ("digits 5551234567 only", "digits ***67 only"),
    ("query phone%2B447700900123&", "query phone%2B***23&"),
    ("two: a@b.io, +44 7700 900123", "two: a***@b.io, ***23"),
])
def test_mask_hides_emails_and_phones(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("text", [
    "2026-12-02 11:30:51,123 took 8546.28 ms",
    "GET /V1/orders/12345678 from 192.168.100.200 pid 123456",
    "correlation 123e4567-e89b-12d3-a456-426614174000",
    "order 42: HTTP 503",
])
def test_mask_leaves_dates_paths_addresses_and_ids(text):
    assert mask(text) == text


def capture(app_config, **config):
    """An app whose ``bridge`` loggers write JSON lines, with the production filters, into a buffer."""
    app = create_app({**app_config, **config})
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    handler.addFilter(MaskFilter())
    logger = logging.getLogger("bridge")
    logger.addHandler(handler)
    return app, stream, lambda: logger.removeHandler(handler)


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def fan_out_lookup(monkeypatch, magento):
    """A lookup that makes three Magento calls, two of them on the client's thread pool, logs an e-mail and,
    on a pool thread, names its read plan."""
    def run_lookup(query, client, settings, order_actions, profile_actions):
        logging.getLogger("bridge.lookup").info("matching jane@example.com / +1 555 123 4567")
        client.parallel(lambda: client.get("/V1/orders/1"), lambda: client.get("/V1/orders/2"),
                        lambda: (client.get("/V1/orders/3"), metrics.observe_read_plan("module", "ok")))
        return []

    for order in (1, 2, 3):
        magento.get(f"{MAGENTO_URL}rest/default/V1/orders/{order}", json={"entity_id": order})
    monkeypatch.setattr(views, "run_lookup", run_lookup)


def test_one_json_line_per_request_with_ids_calls_and_outcome(app_config, fan_out_lookup, gladly_headers):
    app, stream, done = capture(app_config)
    try:
        raw = (DATA / "gladly_detailed_flat.json").read_bytes()
        headers = gladly_headers("POST", "/gladly/lookup", raw, correlation_id="vXmSEPjVSWCaCMzvjufxZg")
        assert app.test_client().post("/gladly/lookup", data=raw, headers=headers).status_code == 200
    finally:
        done()
    matching, request_line = lines(stream)
    assert matching["message"] == "matching j***@example.com / ***67"
    # Gladly's own pair (gladly-lookup-adaptor.md §5.2): the trace id is the correlation id decoded, in hex.
    ids = ("vXmSEPjVSWCaCMzvjufxZg", "bd799210f8d549609a08ccef8ee7f166")
    assert (matching["correlation_id"], matching["trace_id"]) == ids
    assert set(request_line) == {"time", "level", "logger", "pid", "correlation_id", "trace_id", "message",
                                 "method", "route", "status", "kind", "magento_calls", "duration_ms", "outcome",
                                 "read_plan"}
    assert request_line["time"].endswith("+00:00") and request_line["level"] == "INFO"
    assert request_line["logger"] == "bridge.request"
    assert (request_line["correlation_id"], request_line["trace_id"]) == ids
    assert (request_line["method"], request_line["route"], request_line["status"]) == ("POST", "/gladly/lookup", 200)
    assert (request_line["kind"], request_line["outcome"]) == ("detailed", "not_found")
    assert request_line["magento_calls"] == 3  # two of them on the client's pool threads
    assert request_line["read_plan"] == "module"
    assert request_line["duration_ms"] >= 0


def test_error_outcome_route_template_and_a_w3c_or_fresh_trace_id(app_config):
    app, stream, done = capture(app_config)
    try:
        app.test_client().get("/gladly/actions/cancel/form?orderId=5&email=jane@example.com",
                              headers={"traceparent": TRACEPARENT})
        app.test_client().get("/nowhere")
    finally:
        done()
    form, nowhere = lines(stream)[-2:]
    assert (form["route"], form["status"], form["outcome"]) == ("/gladly/actions/<action>/form", 401,
                                                                 "invalid_signature")
    assert form["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736" and form["kind"] is None
    assert (nowhere["route"], nowhere["outcome"]) == ("unmatched", "not_found")
    assert len(nowhere["trace_id"]) == 32 and nowhere["trace_id"] != form["trace_id"]
    assert "jane" not in stream.getvalue()


def test_tracebacks_are_masked(app_config):
    app, stream, done = capture(app_config)
    try:
        try:
            raise ValueError("no customer jane@example.com")
        except ValueError:
            logging.getLogger("bridge.test").exception("failed for +15551234567")
    finally:
        done()
    line = lines(stream)[-1]
    assert line["message"] == "failed for ***67"
    assert "ValueError: no customer j***@example.com" in line["exception"]


def test_masking_can_be_turned_off_for_debugging(app_config, monkeypatch):
    app, stream, done = capture(app_config, LOG_MASK=False)
    try:
        logging.getLogger("bridge.test").info("jane@example.com")
    finally:
        done()
        log.set_masking(True)
    assert lines(stream)[-1]["message"] == "jane@example.com"
    monkeypatch.setenv("BRIDGE_LOG_MASK", "false")
    assert environ_value("LOG_MASK") is False


class Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("setting, tty, expected", [
    ("auto", True, "text"), ("auto", False, "json"), ("json", True, "json"), ("text", False, "text")])
def test_text_on_a_terminal_json_otherwise(setting, tty, expected):
    assert formatter_for(setting, Stream(tty)) == expected


def test_gunicorn_logging_config_installs_the_filters(monkeypatch):
    monkeypatch.setenv("BRIDGE_LOG_FORMAT", "json")
    config = log.logging_config()
    assert config["handlers"]["console"]["formatter"] == "json"
    assert config["handlers"]["console"]["filters"] == ["request", "mask"]
    monkeypatch.setenv("BRIDGE_LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="BRIDGE_LOG_FORMAT must be one of auto, json, text"):
        log.logging_config()


def test_a_record_marked_safe_is_left_alone(app_config):
    app, stream, done = capture(app_config)
    try:
        logging.getLogger("bridge.test").warning("Setup code for the Magento module: %s", "2345-6789",
                                                 extra={"masked": True})
        logging.getLogger("bridge.test").warning("Setup code for the Magento module: %s", "2345-6789")
    finally:
        done()
    safe, unmarked = lines(stream)[-2:]
    assert safe["message"].endswith("2345-6789") and unmarked["message"].endswith("***89")


@pytest.mark.parametrize("terminal, expected", [(True, "text"), (False, "json")])
def test_gunicorn_conf_logs_text_to_a_terminal_and_json_otherwise(tmp_path, terminal, expected):
    """gunicorn.conf.py as gunicorn's master runs it, with stderr on a pseudo-terminal or a pipe."""
    code = ("import runpy; config = runpy.run_path('gunicorn.conf.py'); "
            "print(config['logconfig_dict']['handlers']['console']['formatter'])")
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIDGE_")}
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)  # else the config makes a folder of its own
    primary, secondary = pty.openpty() if terminal else os.pipe()
    try:
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=secondary, text=True, timeout=60)
    finally:
        os.close(primary)
        os.close(secondary)
    assert result.returncode == 0
    assert result.stdout.strip() == expected
