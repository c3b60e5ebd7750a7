"""Values from request headers are cut to their columns before storage, and no SQL parameter reaches a log line;
on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import logging

import pytest

from bridge.storage import get_stores
from bridge.storage.database import TRUNCATED
from tests.conftest import audit_entries
from tests.test_actions_offer import order
from tests.test_actions_service import API
from tests.test_actions_service import ORDER_URL
from tests.test_actions_service import comment_posted

pytestmark = pytest.mark.usefixtures("cold_catalog")

LONG_AGENT = "agent-" + "a" * 294
LONG_CORRELATION = "corr-" + "c" * 295
SECRET_TEXT = "Parcel re-sent to 1 Hidden Lane"



@pytest.fixture
def app_config(app_config, database_url):
    """The app on an empty database of each back end."""
    app_config["DATABASE_URL"] = database_url
    return app_config


def cut(value: str, length: int) -> str:
    return value[:length - 1] + TRUNCATED


def test_the_stores_cut_header_values_to_their_columns(stores):
    stores.audit.record(action="comment", order_id="7", outcome="succeeded", agent_id=LONG_AGENT,
                        correlation_id=LONG_CORRELATION)
    claimed, row = stores.journal.claim("k", order_id="7", action="comment", agent_id=LONG_AGENT,
                                        correlation_id=LONG_CORRELATION)
    audited = audit_entries(stores)[0]
    assert (audited["agent_id"], audited["correlation_id"]) == (cut(LONG_AGENT, 128), cut(LONG_CORRELATION, 128))
    stored = stores.journal.get("k")
    assert claimed and (stored["gladly_agent_id"], stored["correlation_id"]) == (cut(LONG_AGENT, 128),
                                                                                 cut(LONG_CORRELATION, 128))
    stores.audit.record(action="comment", order_id="7", outcome="succeeded", agent_id="A" * 128)
    assert audit_entries(stores)[1]["agent_id"] == "A" * 128  # a value that fits is kept whole


def signed(client, gladly_headers, method, url, body=b"", extra=None):
    path, _, query = url.partition("?")
    headers = gladly_headers(method, path, body, query=query, extra=extra,
                             correlation_id=extra and extra.get("Gladly-Correlation-Id"))
    return client.open(url, method=method, data=body, headers=headers)


def test_long_agent_and_correlation_ids_are_kept_in_the_audit(app, client, gladly_headers, magento):
    magento.get(f"{API}/V1/gladly/config", status=404, json={"message": "no"})
    magento.get(ORDER_URL, json=order())
    comment_posted(magento, "processing", SECRET_TEXT)
    form = signed(client, gladly_headers, "GET", "/gladly/actions/comment/form?orderId=7").get_json()
    body = json.dumps({"comment": SECRET_TEXT, "notify": False}).encode()
    reply = signed(client, gladly_headers, "POST", form["actionUrl"], body,
                   extra={"Gladly-Agent-Id": LONG_AGENT, "Gladly-Correlation-Id": LONG_CORRELATION})
    assert reply.status_code == 200, reply.get_json()
    with app.app_context():
        rows = audit_entries(get_stores(), "7")
    assert [(row["outcome"], row["agent_id"], row["correlation_id"]) for row in rows] == [
        ("succeeded", cut(LONG_AGENT, 128), cut(LONG_CORRELATION, 128))]



def test_an_over_long_order_id_is_refused_and_audited_cut_to_its_column(app, client, gladly_headers, magento):
    magento.get(f"{API}/V1/gladly/config", status=404, json={"message": "no"})
    order_id = "9" * 300  # no order has such an id; the refusal is audited all the same
    reply = signed(client, gladly_headers, "POST", f"/gladly/actions/comment?orderId={order_id}&token=" + "t" * 24,
                   json.dumps({"comment": "x"}).encode())
    assert reply.status_code == 406, reply.get_json()
    with app.app_context():
        assert [row["order_id"] for row in audit_entries(get_stores())] == [cut(order_id, 64)]

FAILING_TRIGGER = {
    "sqlite": ["CREATE TRIGGER audit_fails BEFORE INSERT ON action_audit BEGIN SELECT RAISE(ABORT, 'forced'); END"],
    "postgresql": ["CREATE FUNCTION audit_fails() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'forced'; END $$ "
                   "LANGUAGE plpgsql",
                   "CREATE TRIGGER audit_fails BEFORE INSERT ON action_audit FOR EACH ROW EXECUTE FUNCTION "
                   "audit_fails()"],
}


def test_a_failed_statement_logs_no_parameters(app, client, gladly_headers, magento, caplog):
    magento.get(f"{API}/V1/gladly/config", status=404, json={"message": "no"})
    engine = app.extensions["storage"].database.engine
    with engine.begin() as conn:
        for statement in FAILING_TRIGGER[engine.dialect.name]:
            conn.exec_driver_sql(statement)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: Flask logs the traceback and answers 500
    body = json.dumps({"comment": SECRET_TEXT}).encode()
    with caplog.at_level(logging.ERROR):
        # An unknown action is refused and audited at once: the audit row carries the form values.
        reply = signed(client, gladly_headers, "POST", "/gladly/actions/bogus?orderId=7&token=" + "t" * 24, body,
                       extra={"Gladly-Agent-Id": "agent-7"})
    assert reply.status_code == 500
    assert "forced" in caplog.text and "[SQL parameters hidden due to hide_parameters=True]" in caplog.text
    assert SECRET_TEXT not in caplog.text and "agent-7" not in caplog.text
