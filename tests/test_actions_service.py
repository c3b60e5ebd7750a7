"""Action views against a strictly mocked Magento: forms, submissions, error mapping, timeouts, idempotency, audit."""
import json

import pytest
import requests
from responses import matchers

from bridge.actions.journal import DUPLICATE
from bridge.actions.journal import Journal
from bridge.actions.journal import idempotency_key
from bridge.actions.model import ActionResult
from bridge.actions.runner import succeeded_reply
from bridge.config import ACTION_NAMES
from bridge.gladly.responses import ActionResultSchema
from bridge.storage import get_stores
from tests.conftest import FinishingJournalStore
from tests.conftest import audit_entries
from tests.conftest import form_token
from tests.test_actions_offer import ONLINE_INVOICE
from tests.test_actions_offer import order
from tests.test_actions_offer import unpaid

pytestmark = pytest.mark.usefixtures("cold_catalog")

API = "https://shop.test/rest/default"
ORDER_URL = f"{API}/V1/orders/7"
# One form per action on order 7: every act() of a test submits the same form unless it passes another token.
TOKENS = {action: form_token(action) for action in ACTION_NAMES}
TOKEN = TOKENS["refund"]
# The note on the order names no agent id, only that an agent acted.
REFUND_NOTE = "Credit memo 000000005 for $20.00 refunded offline from Gladly by a Gladly agent"
MEMO = {"entity_id": 5, "increment_id": "000000005", "order_id": 7, "grand_total": 20, "order_currency_code": "USD"}



@pytest.fixture
def companion(magento):
    """The module's settings; absent (404) unless a test replaces the reply."""
    return magento.get(f"{API}/V1/gladly/config", status=404,
                       json={"message": "Request does not match any route."})


def search(field, value, size):
    return matchers.query_param_matcher({
        "searchCriteria[filter_groups][0][filters][0][field]": field,
        "searchCriteria[filter_groups][0][filters][0][value]": str(value),
        "searchCriteria[pageSize]": str(size), "searchCriteria[currentPage]": "1"})


def listing(items):
    return {"items": items, "search_criteria": {}, "total_count": len(items)}


@pytest.fixture
def act(client, gladly_headers, companion):
    """Sign and send an action request: ``act("refund", {...})`` posts, ``act("refund")`` gets the form."""

    def send(action, body=None, order_id="7", token=None, agent=None):
        extra = {"Gladly-Agent-Id": agent} if agent else None
        if body is None:
            path, query = f"/gladly/actions/{action}/form", f"orderId={order_id}"
            headers = gladly_headers("GET", path, b"", query=query, extra=extra)
            return client.get(f"{path}?{query}", headers=headers)
        raw = json.dumps(body).encode()
        token = TOKENS.get(action, TOKEN) if token is None else token
        path, query = f"/gladly/actions/{action}", f"orderId={order_id}&token={token}"
        return client.post(f"{path}?{query}", data=raw, headers=gladly_headers("POST", path, raw, query=query,
                                                                                extra=extra))

    return send


def reads_for_refund(magento, data, invoices=(), memos=()):
    magento.get(ORDER_URL, json=data)
    magento.get(f"{API}/V1/invoices", json=listing(list(invoices)), match=[search("order_id", 7, 50)])
    magento.get(f"{API}/V1/creditmemos", json=listing(list(memos)), match=[search("order_id", 7, 100)])


def rereads_for_refund(magento, after, memos):
    magento.get(ORDER_URL, json=after)
    magento.get(f"{API}/V1/creditmemos", json=listing(list(memos)), match=[search("order_id", 7, 100)])


def comment_posted(magento, status, text_part, notify=0):
    def match(request):
        history = json.loads(request.body)["statusHistory"]
        ok = (history["status"] == status and text_part in history["comment"] and history["parent_id"] == 7
              and history["is_customer_notified"] == notify)
        return ok, "" if ok else f"unexpected comment {history}"

    return magento.post(f"{ORDER_URL}/comments", json=True, match=[match])


def posts(magento, path_part):
    return [call for call in magento.calls if call.request.method == "POST" and path_part in call.request.url]


def audit(app):
    with app.app_context():
        return [(row["action"], row["outcome"]) for row in audit_entries(get_stores(), "7")]


# -- forms -----------------------------------------------------------------------------------------


def test_refund_form_reads_the_order_and_its_invoices(act, magento):
    magento.get(ORDER_URL, json=order(payment={"method": "braintree"}))
    magento.get(f"{API}/V1/invoices", json=listing([ONLINE_INVOICE]), match=[search("order_id", 7, 50)])
    reply = act("refund")
    assert reply.status_code == 200
    form = reply.get_json()
    assert form["title"] == "Refund order 000000007"
    assert form["actionUrl"].startswith("/gladly/actions/refund?orderId=7&token=")
    token = form["actionUrl"].rsplit("=", 1)[1]
    assert len(token) >= 16 and all(ch.isalnum() or ch in "._-" for ch in token)
    assert "online" in form["sections"][0]["text"]
    assert [s["attr"] for s in form["sections"] if s.get("attr", "").startswith("qty_")] == ["qty_11", "qty_12"]


def test_two_forms_carry_different_tokens(act, magento):
    magento.get(ORDER_URL, json=unpaid())
    urls = {act("cancel").get_json()["actionUrl"] for _ in range(2)}
    assert len(urls) == 2


def test_form_for_an_order_that_cannot_take_the_action_is_406(act, magento):
    magento.get(ORDER_URL, json=order("complete"))
    reply = act("cancel")
    assert reply.status_code == 406
    assert "Complete" in reply.get_json()["errors"][0]["detail"]


def test_disabled_action_is_406_without_reading_the_order(app, act, magento):
    app.config["ACTIONS"] = ["comment"]
    assert act("refund").status_code == 406


def test_the_module_narrows_the_enabled_actions(act, magento, companion):
    magento.replace("GET", f"{API}/V1/gladly/config", json={"enabled": True, "allowed_actions": ["comment"]})
    reply = act("hold", {"comment": ""})
    assert reply.status_code == 406 and reply.get_json()["errors"][0]["message"] == "Action unavailable"


def test_action_requests_must_be_signed_over_the_query(client, gladly_headers, magento):
    path = "/gladly/actions/cancel/form"
    assert client.get(f"{path}?orderId=7").status_code == 401
    headers = gladly_headers("GET", path, b"", query="orderId=8")
    assert client.get(f"{path}?orderId=7", headers=headers).status_code == 401


# -- refund ----------------------------------------------------------------------------------------


REFUND_INPUT = {"mode": "partial", "qty_11": "1", "qty_12": "0", "shipping_amount": "0", "adjustment_positive": "0",
                "adjustment_negative": "0", "return_to_stock": True, "notify": False, "comment": ""}
OFFLINE_BODY = {"items": [{"order_item_id": 11, "qty": 1}], "notify": False, "appendComment": False,
                "arguments": {"shipping_amount": 0, "adjustment_positive": 0, "adjustment_negative": 0,
                              "extension_attributes": {"return_to_stock_items": [11]}}}


def test_offline_refund(app, act, magento):
    reads_for_refund(magento, order())
    magento.post(f"{API}/V1/order/7/refund", json=5, match=[matchers.json_params_matcher(OFFLINE_BODY)])
    rereads_for_refund(magento, order(total_refunded=20), [MEMO])
    comment_posted(magento, "processing", REFUND_NOTE)
    reply = act("refund", REFUND_INPUT, agent="A7")
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json() == {"message": "Refund went through", "detail": "Credit memo 000000005 for $20.00 "
                                "refunded offline; order 000000007 is now Processing."}
    with app.app_context():
        [row] = audit_entries(get_stores(), "7")
    assert row["outcome"] == "succeeded" and row["agent_id"] == "A7" and row["increment_id"] == "000000007"
    assert row["input"] == REFUND_INPUT and row["magento_result"]["magento"] == 5 and row["correlation_id"]


def test_the_body_gladly_gets_and_the_journal_stores_is_what_the_result_schema_dumps(app, act, magento):
    """The runner writes the result as a plain dict; Gladly's ActionResultSchema dumps exactly the same (§6.5)."""
    result = ActionResult(message="Order cancelled", detail="Order 000000007 was cancelled in Magento. «ok»")
    assert succeeded_reply(result).body == ActionResultSchema().dump(result)
    reads_for_refund(magento, order())
    magento.post(f"{API}/V1/order/7/refund", json=5, match=[matchers.json_params_matcher(OFFLINE_BODY)])
    rereads_for_refund(magento, order(total_refunded=20), [MEMO])
    comment_posted(magento, "processing", "Credit memo 000000005")
    body = act("refund", REFUND_INPUT).get_json()
    assert body == ActionResultSchema().dump(ActionResult(**body))
    with app.app_context():
        stored = get_stores().journal.get(idempotency_key("refund", "7", TOKEN))["result"]
    # The journal keeps the facts Gladly AI's answer names too; Gladly's body leaves them out.
    assert stored == {"status": 200, "body": {**body, "facts": {"creditMemo": "000000005", "amount": "$20.00"}}}


def test_online_refund_goes_through_the_invoice(act, magento):
    reads_for_refund(magento, order(payment={"method": "braintree"}), [ONLINE_INVOICE])
    magento.post(f"{API}/V1/invoice/3/refund", json=5,
                 match=[matchers.json_params_matcher({**OFFLINE_BODY, "isOnline": True})])
    rereads_for_refund(magento, order(), [MEMO])
    comment_posted(magento, "processing", "refunded online through invoice 000000003")
    reply = act("refund", REFUND_INPUT)
    assert reply.status_code == 200
    assert "online through invoice 000000003" in reply.get_json()["detail"]


@pytest.mark.parametrize(("change", "attr"), [
    ({"qty_11": "3"}, "qty_11"),
    ({"qty_12": "two"}, "qty_12"),
    ({"shipping_amount": "9"}, "shipping_amount"),
    ({"adjustment_positive": "500"}, "adjustment_positive"),
    ({"qty_11": "0"}, "qty_11"),
])
def test_invalid_refund_is_400_with_field_errors_and_no_write(app, act, magento, change, attr):
    reads_for_refund(magento, order())
    reply = act("refund", {**REFUND_INPUT, **change})
    assert reply.status_code == 400
    assert [error["attr"] for error in reply.get_json()["errors"]] == [attr]
    assert posts(magento, "/refund") == []
    assert audit(app) == [("refund", "invalid")]


def test_refund_no_longer_possible_is_406(app, act, magento):
    reads_for_refund(magento, order("closed", total_refunded=69))
    reply = act("refund", REFUND_INPUT)
    assert reply.status_code == 406 and posts(magento, "/refund") == []
    assert audit(app) == [("refund", "rejected")]


def test_magento_validation_message_comes_back_one_error_per_line(app, act, magento):
    reads_for_refund(magento, order())
    magento.post(f"{API}/V1/order/7/refund", status=400, json={
        "message": "Creditmemo Document Validation Error(s):\nThe most money available to refund is %1.\n"
                   "We can't create creditmemo for the order.", "parameters": ["5"]})
    reply = act("refund", REFUND_INPUT)
    assert reply.status_code == 400
    assert [(e["detail"], e["message"]) for e in reply.get_json()["errors"]] == [
        ("The most money available to refund is 5.", "Could not refund"),
        ("We can't create creditmemo for the order.", "Could not refund")]
    assert audit(app) == [("refund", "rejected")]


def test_timed_out_refund_found_on_reread_is_confirmed_without_a_second_write(app, act, magento):
    reads_for_refund(magento, order(), memos=[{"entity_id": 4, "increment_id": "000000004"}])
    magento.post(f"{API}/V1/order/7/refund", body=requests.ReadTimeout("read timed out"))
    rereads_for_refund(magento, order(total_refunded=20), [{"entity_id": 4, "increment_id": "000000004"}, MEMO])
    comment_posted(magento, "processing", "Credit memo 000000005")
    reply = act("refund", REFUND_INPUT)
    assert reply.status_code == 200
    assert reply.get_json()["message"] == "Refund went through (confirmed after a timeout)"
    assert "Credit memo 000000005 for $20.00" in reply.get_json()["detail"]
    assert len(posts(magento, "/refund")) == 1
    assert audit(app) == [("refund", "confirmed")]


def test_timed_out_refund_not_found_on_reread_is_400_and_not_repeated(app, act, magento):
    reads_for_refund(magento, order())
    magento.post(f"{API}/V1/order/7/refund", body=requests.ReadTimeout("read timed out"))
    rereads_for_refund(magento, order(), [])
    reply = act("refund", REFUND_INPUT)
    assert reply.status_code == 400
    assert reply.get_json()["errors"][0]["detail"] == "Magento did not confirm; nothing was refunded. Try again."
    assert len(posts(magento, "/refund")) == 1 and posts(magento, "/comments") == []
    assert audit(app) == [("refund", "failed")]


def test_lost_reply_and_unreadable_order_is_406_and_stays_unknown(app, act, magento):
    reads_for_refund(magento, order())
    magento.post(f"{API}/V1/order/7/refund", body=requests.ReadTimeout("read timed out"))
    magento.get(ORDER_URL, status=503, json={"message": "Down"})
    magento.get(f"{API}/V1/creditmemos", status=503, json={"message": "Down"})
    reply = act("refund", REFUND_INPUT)
    assert reply.status_code == 406 and "before trying again" in reply.get_json()["errors"][0]["detail"]
    again = act("refund", REFUND_INPUT)  # the same submission: replayed, nothing sent to Magento
    assert again.status_code == 406 and again.get_json() == reply.get_json()
    assert len(posts(magento, "/refund")) == 1
    assert audit(app) == [("refund", "unknown"), ("refund", "duplicate")]


def test_unreachable_magento_before_the_write_is_retryable(app, act, magento):
    magento.get(ORDER_URL, body=requests.ConnectionError("refused"))
    reply = act("hold", {})
    assert reply.status_code == 400 and "nothing was changed" in reply.get_json()["errors"][0]["detail"]
    assert audit(app) == [("hold", "failed")]


def test_a_write_is_refused_cleanly_when_the_circuit_opened_after_the_read(app, act, magento, monkeypatch):
    from bridge.magento.registry import get_client

    with app.app_context():
        breaker = get_client().breaker
    record = breaker.record

    def store_fails_after_the_read(ok: bool) -> None:
        record(ok)
        if magento.calls[-1].request.url == ORDER_URL:  # the store fails right after the order was read
            for _ in range(breaker.threshold):
                record(False)

    monkeypatch.setattr(breaker, "record", store_fails_after_the_read)
    magento.get(ORDER_URL, json=order())
    reply = act("hold", {})
    detail = reply.get_json()["errors"][0]["detail"]
    assert reply.status_code == 400
    assert detail.startswith("Magento could not be reached") and "nothing was changed" in detail
    assert [call.request.url for call in magento.calls][-1] == ORDER_URL  # the hold was never sent
    assert breaker.state == "open" and audit(app) == [("hold", "failed")]  # retryable, nothing to reconcile


# -- idempotency -----------------------------------------------------------------------------------


def test_same_submission_twice_writes_once_and_returns_the_first_reply(app, act, magento):
    reads_for_refund(magento, order())
    magento.post(f"{API}/V1/order/7/refund", json=5)
    rereads_for_refund(magento, order(total_refunded=20), [MEMO])
    comment_posted(magento, "processing", "Credit memo 000000005")
    first = act("refund", REFUND_INPUT)
    second = act("refund", REFUND_INPUT)
    assert first.status_code == second.status_code == 200 and first.get_json() == second.get_json()
    assert len(posts(magento, "/refund")) == 1
    assert audit(app) == [("refund", "succeeded"), ("refund", "duplicate")]


def test_a_new_form_token_is_a_new_submission(act, magento):
    magento.get(ORDER_URL, json=order())
    magento.post(f"{ORDER_URL}/hold", json=True)
    magento.get(ORDER_URL, json=order("holded"))
    comment_posted(magento, "holded", "Order put on hold from Gladly")
    assert act("hold", {"comment": ""}).status_code == 200
    # A second form: the order is on hold now, so hold is refused instead of repeated.
    magento.get(ORDER_URL, json=order("holded"))
    assert act("hold", {"comment": ""}, token=form_token("hold")).status_code == 406
    assert len(posts(magento, "/hold")) == 1


def test_a_retryable_failure_may_run_again_under_the_same_key(app, act, magento):
    reads_for_refund(magento, order())
    reply = act("refund", {**REFUND_INPUT, "qty_11": "0"})  # nothing selected: 400
    assert reply.status_code == 400
    reads_for_refund(magento, order())
    assert act("refund", {**REFUND_INPUT, "qty_11": "0"}).status_code == 400  # ran again, not replayed
    assert audit(app) == [("refund", "invalid"), ("refund", "invalid")]


def NEVER_RECOVER(previous):
    pytest.fail("nothing to recover")


def SAME(row):
    return True


def test_a_pending_duplicate_gets_in_progress_when_the_first_does_not_finish(app):
    with app.app_context():
        stores = get_stores()
        stores.journal.claim("k", order_id="7", action="refund")
        journal = Journal(stores.journal, wait=0, poll=0)
        reply, how = journal.run_once("k", lambda: pytest.fail("must not run"), NEVER_RECOVER, SAME, order_id="7",
                                      action="refund")
    assert how == DUPLICATE and reply.status == 400 and reply.body["errors"][0]["code"] == "in_progress"


def test_a_pending_duplicate_returns_the_first_result_once_stored(app):
    with app.app_context():
        store = get_stores().journal
        store.claim("k", order_id="7", action="refund")
        finishing = FinishingJournalStore(store, after=2)
        reply, how = Journal(finishing, wait=60, poll=0).run_once(
            "k", lambda: pytest.fail("must not run"), NEVER_RECOVER, SAME, order_id="7", action="refund")
    assert how == DUPLICATE and (reply.status, reply.body) == (200, {"message": "m", "detail": "d"})


# -- crash recovery: a claim whose worker died ------------------------------------------------------


def left_by_a_dead_worker(app, token=TOKEN, payload=None, memo_ids=(4,), seconds_ago=120):
    """The journal row a worker killed during its refund write leaves: pending, checkpointed, not renewed."""
    from datetime import timedelta

    import sqlalchemy as sa

    from bridge.actions.journal import idempotency_key
    from bridge.storage.database import action_journal
    from bridge.storage.database import utcnow

    key = idempotency_key("refund", "7", token)
    with app.app_context():
        stores = get_stores()
        stores.journal.claim(key, order_id="7", action="refund", input=payload or REFUND_INPUT, agent_id="A1")
        stores.journal.checkpoint(key, {"memo_ids": list(memo_ids), "invoice": None}, None, utcnow())
        past = utcnow() - timedelta(seconds=seconds_ago)
        with stores.database.engine.begin() as conn:
            conn.execute(sa.update(action_journal).values(updated_at=past))
    return key


def recovery_reads(magento, after, memos):
    magento.get(ORDER_URL, json=after)
    magento.get(f"{API}/V1/invoices", json=listing([]), match=[search("order_id", 7, 50)])
    rereads_for_refund(magento, after, memos)


def test_a_resubmission_recovers_the_refund_a_dead_worker_made(app, act, magento):
    left_by_a_dead_worker(app)
    recovery_reads(magento, order(total_refunded=20), [{"entity_id": 4}, MEMO])
    comment_posted(magento, "processing", REFUND_NOTE)
    reply = act("refund", REFUND_INPUT)
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["message"] == "Refund went through (recovered after an interruption)"
    assert posts(magento, "/refund") == []
    assert audit(app) == [("refund", "recovered")]
    again = act("refund", REFUND_INPUT)  # from now on the recovered reply is the stored one
    assert again.get_json() == reply.get_json() and audit(app)[-1] == ("refund", "duplicate")


def test_the_note_a_dead_worker_already_wrote_is_not_written_twice(app, act, magento):
    left_by_a_dead_worker(app)
    note = f"{REFUND_NOTE}."
    recovery_reads(magento, order(total_refunded=20, status_histories=[{"comment": note}]), [MEMO])
    assert act("refund", REFUND_INPUT).status_code == 200
    assert posts(magento, "/comments") == []


def test_a_dead_worker_that_never_refunded_lets_the_resubmission_run(app, act, magento):
    left_by_a_dead_worker(app)
    recovery_reads(magento, order(), [{"entity_id": 4}])
    reads_for_refund(magento, order(), memos=[{"entity_id": 4}])
    magento.post(f"{API}/V1/order/7/refund", json=5, match=[matchers.json_params_matcher(OFFLINE_BODY)])
    rereads_for_refund(magento, order(total_refunded=20), [{"entity_id": 4}, MEMO])
    comment_posted(magento, "processing", "Credit memo 000000005")
    reply = act("refund", REFUND_INPUT)
    assert reply.status_code == 200 and reply.get_json()["message"] == "Refund went through"
    assert len(posts(magento, "/refund")) == 1
    assert audit(app) == [("refund", "succeeded")]


def test_a_live_claim_is_not_taken_over(app, act, magento):
    left_by_a_dead_worker(app, seconds_ago=0)
    app.config["ACTION_LEASE"] = 60.0
    from bridge.actions import journal

    journal.WAIT_SECONDS, saved = 0.0, journal.WAIT_SECONDS
    try:
        reply = act("refund", REFUND_INPUT)
    finally:
        journal.WAIT_SECONDS = saved
    assert reply.status_code == 400 and reply.get_json()["errors"][0]["code"] == "in_progress"


def test_a_second_write_to_an_order_another_run_is_writing_to_waits_its_turn(app, act, magento):
    other = left_by_a_dead_worker(app, token=form_token("refund"), seconds_ago=0)  # another agent's, alive
    reads_for_refund(magento, order(), memos=[{"entity_id": 4}])
    reply = act("refund", REFUND_INPUT)
    assert reply.status_code == 400, reply.get_json()
    [error] = reply.get_json()["errors"]
    assert (error["code"], error["message"]) == ("order_busy", "Order busy")
    assert "another agent's or Gladly AI's refund" in error["detail"]
    assert posts(magento, "/refund") == [] and audit(app) == [("refund", "failed")]
    with app.app_context():
        get_stores().journal.finish(other, "succeeded", {"status": 200, "body": {}})
    reads_for_refund(magento, order(), memos=[{"entity_id": 4}])  # the other run is done: this form may run
    magento.post(f"{API}/V1/order/7/refund", json=5, match=[matchers.json_params_matcher(OFFLINE_BODY)])
    rereads_for_refund(magento, order(total_refunded=20), [{"entity_id": 4}, MEMO])
    comment_posted(magento, "processing", "Credit memo 000000005")
    assert act("refund", REFUND_INPUT).status_code == 200
    assert len(posts(magento, "/refund")) == 1


def test_a_new_form_token_does_not_repeat_a_refund_a_dead_worker_made(app, act, magento):
    left_by_a_dead_worker(app, token=form_token("refund"))
    recovery_reads(magento, order(total_refunded=20), [{"entity_id": 4}, MEMO])
    comment_posted(magento, "processing", "Credit memo 000000005")
    reply = act("refund", REFUND_INPUT, token=form_token("refund"))
    assert reply.status_code == 400
    [error] = reply.get_json()["errors"]
    assert error["message"] == "Done earlier" and "Credit memo 000000005 for $20.00" in error["detail"]
    assert posts(magento, "/refund") == []
    assert audit(app) == [("refund", "recovered"), ("refund", "rejected")]
    with app.app_context():
        [row] = [row for row in audit_entries(get_stores(), "7") if row["outcome"] == "recovered"]
    assert row["agent_id"] == "A1"  # the dead run's agent, for the recovered refund


def test_recovery_that_cannot_read_magento_writes_nothing_and_tries_again_later(app, act, magento):
    left_by_a_dead_worker(app)
    magento.get(ORDER_URL, status=503, json={"message": "Down"})
    magento.get(f"{API}/V1/invoices", status=503, json={"message": "Down"})
    reply = act("refund", REFUND_INPUT)
    assert reply.status_code == 400 and "cannot be read to tell" in reply.get_json()["errors"][0]["detail"]
    assert posts(magento, "/refund") == []
    recovery_reads(magento, order(total_refunded=20), [MEMO])  # Magento is back: the next try reconciles
    comment_posted(magento, "processing", "Credit memo 000000005")
    assert act("refund", REFUND_INPUT).status_code == 200
    assert posts(magento, "/refund") == []
    assert audit(app) == [("refund", "unreconciled"), ("refund", "recovered")]


# -- the other actions -----------------------------------------------------------------------------


def test_cancel(app, act, magento):
    magento.get(ORDER_URL, json=unpaid())
    magento.post(f"{ORDER_URL}/cancel", json=True)
    magento.get(ORDER_URL, json=unpaid("canceled"))
    comment_posted(magento, "canceled", "Order cancelled from Gladly by a Gladly agent. Reason: Customer request. "
                                        "Asked by phone", notify=1)
    reply = act("cancel", {"reason": "customer", "comment": "Asked by phone", "notify": True}, agent="A7")
    assert reply.status_code == 200
    assert reply.get_json() == {"message": "Order cancelled",
                                "detail": "Order 000000007 was cancelled in Magento. It is now Canceled."}


def test_cancel_answered_false_is_406(app, act, magento):
    magento.get(ORDER_URL, json=unpaid())
    magento.post(f"{ORDER_URL}/cancel", json=False)
    reply = act("cancel", {"reason": "customer", "notify": False})
    assert reply.status_code == 406 and reply.get_json()["errors"][0]["message"] == "Could not cancel"
    assert audit(app) == [("cancel", "rejected")]


def test_cancel_needs_a_reason(act, magento):
    magento.get(ORDER_URL, json=unpaid())
    reply = act("cancel", {"reason": "", "notify": False})
    assert reply.status_code == 400 and reply.get_json()["errors"][0]["attr"] == "reason"


def test_comment_keeps_the_status_and_says_it_came_from_gladly(app, act, magento):
    magento.get(ORDER_URL, json=order())
    comment_posted(magento, "processing", "Parcel re-sent\n(added from Gladly by a Gladly agent)", notify=1)
    magento.get(ORDER_URL, json=order())
    reply = act("comment", {"comment": "Parcel re-sent", "notify": True, "visible_on_front": False}, agent="A7")
    assert reply.status_code == 200 and reply.get_json()["message"] == "Comment added"
    assert len(posts(magento, "/comments")) == 1  # no second, recording comment


def test_empty_comment_is_400(act, magento):
    magento.get(ORDER_URL, json=order())
    reply = act("comment", {"comment": " ", "notify": False})
    assert reply.status_code == 400 and reply.get_json()["errors"][0]["attr"] == "comment"


def test_timed_out_comment_found_in_the_history_is_confirmed(act, magento):
    magento.get(ORDER_URL, json=order())
    magento.post(f"{ORDER_URL}/comments", body=requests.ReadTimeout("slow"))
    magento.get(ORDER_URL, json=order(status_histories=[{"comment": "Hi\n(added from Gladly)"}]))
    reply = act("comment", {"comment": "Hi"})
    assert reply.status_code == 200 and reply.get_json()["message"] == "Comment added (confirmed after a timeout)"


@pytest.mark.parametrize(("action", "before", "after", "message"), [
    ("hold", "processing", "holded", "Order put on hold"),
    ("unhold", "holded", "processing", "Order released from hold"),
    ("email", "processing", "processing", "Order e-mail sent"),
])
def test_hold_unhold_email(app, act, magento, action, before, after, message):
    magento.get(ORDER_URL, json=order(before))
    magento.post(f"{ORDER_URL}/{'emails' if action == 'email' else action}", json=True)
    magento.get(ORDER_URL, json=order(after))
    comment_posted(magento, after, f"{message} from Gladly. Note")
    reply = act(action, {"comment": "Note"})
    assert reply.status_code == 200 and reply.get_json()["message"] == message
    assert audit(app) == [(action, "succeeded")]


def test_messages_name_statuses_as_the_store_labels_them(act, magento, companion):
    magento.replace("GET", f"{API}/V1/gladly/config", json={"enabled": True, "allowed_actions": ["hold"],
                                                             "order_statuses": [
                                                                 {"store_id": 0, "code": "holded", "label": "On Hold"},
                                                             ]})
    magento.get(ORDER_URL, json=order("processing"))
    magento.post(f"{ORDER_URL}/hold", json=True)
    magento.get(ORDER_URL, json=order("holded"))
    comment_posted(magento, "holded", "Order put on hold from Gladly.")
    reply = act("hold", {})
    assert reply.status_code == 200 and reply.get_json()["detail"].endswith("It is now On Hold.")


def test_a_failed_recording_comment_does_not_fail_the_action(act, magento):
    magento.get(ORDER_URL, json=order())
    magento.post(f"{ORDER_URL}/hold", json=True)
    magento.get(ORDER_URL, json=order("holded"))
    magento.post(f"{ORDER_URL}/comments", status=401, json={"message": "The consumer isn't authorized"})
    reply = act("hold", {})
    assert reply.status_code == 200 and "note could not be added" in reply.get_json()["detail"]


def test_unauthorized_write_is_406(act, magento):
    magento.get(ORDER_URL, json=order())
    magento.post(f"{ORDER_URL}/emails", status=401, json={"message": "The consumer isn't authorized to access "
                                                                      "%resources.",
                                                           "parameters": {"resources": "Magento_Sales::emails"}})
    reply = act("email", {})
    assert reply.status_code == 406 and "Magento_Sales::emails" in reply.get_json()["errors"][0]["detail"]


@pytest.mark.parametrize(("query", "status"), [("orderId=abc&token=" + TOKEN, 406), ("orderId=7&token=bad", 406)])
def test_malformed_action_urls_are_406(app, client, gladly_headers, companion, query, status):
    raw = b"{}"
    headers = gladly_headers("POST", "/gladly/actions/comment", raw, query=query)
    assert client.post(f"/gladly/actions/comment?{query}", data=raw, headers=headers).status_code == status
    with app.app_context():
        assert [row["outcome"] for row in audit_entries(get_stores())] == ["rejected"]


def test_a_body_that_is_not_an_object_is_400(client, gladly_headers):
    raw = b"[1]"
    query = f"orderId=7&token={TOKEN}"
    headers = gladly_headers("POST", "/gladly/actions/comment", raw, query=query)
    assert client.post(f"/gladly/actions/comment?{query}", data=raw, headers=headers).status_code == 400


def test_every_outcome_is_audited(app, act, magento):
    magento.get(ORDER_URL, json=order())
    act("comment", {"comment": ""})  # invalid
    magento.get(ORDER_URL, json=order("closed"))
    act("hold", {})  # rejected
    act("bogus", {})  # rejected before anything is read
    outcomes = audit(app)
    assert outcomes == [("comment", "invalid"), ("hold", "rejected"), ("bogus", "rejected")]


# -- goodwill coupon and shipping address (the module's actions) ------------------------------------


RULES = [{"id": 4, "name": "Sorry 10", "amount": "10% off matching items", "expires_on": ""},
         {"id": 9, "name": "Five off", "amount": "USD 5.00 off the cart", "expires_on": "2026-12-31"}]
MODULE = {"enabled": True, "allowed_actions": ["comment", "coupon", "address"], "coupon_rules": RULES,
          "capabilities": ["order_address", "goodwill_coupon"]}
COUPON_URL = f"{API}/V1/gladly/orders/7/goodwill-coupon"
ISSUED = {"code": "K3QZ-7PLM-X2D9", "rule_id": 9, "order_id": 7, "customer_id": 3, "issued_at": "2026-12-08 02:00:00"}
SHIP_TO = {"firstname": "Jane", "lastname": "Doe", "street": ["123 Oak Ave"], "city": "Austin", "region": "Texas",
           "region_code": "TX", "postcode": "78701", "country_id": "US", "telephone": "512-555-1111"}
NEW_ADDRESS = {"firstname": "Jane", "lastname": "Doe", "company": "", "street1": "500 Market St", "street2": "",
               "city": "San Francisco", "region": "CA", "postcode": "94105", "country_id": "US",
               "telephone": "415-555-0134"}
SENT_ADDRESS = {"firstname": "Jane", "lastname": "Doe", "company": "", "street": ["500 Market St"],
                "city": "San Francisco", "region": "CA", "postcode": "94105", "country_id": "US",
                "telephone": "415-555-0134"}


@pytest.fixture
def module(magento, companion):
    """The module answers with coupon rules and the address endpoint."""
    magento.replace("GET", f"{API}/V1/gladly/config", json=MODULE)


def shippable(state="processing", address=SHIP_TO):
    return order(state, extension_attributes={"shipping_assignments": [{"shipping": {"address": dict(address)}}]})


def test_coupon_form_offers_the_allowed_rules(act, magento, module):
    magento.get(ORDER_URL, json=order())
    form = act("coupon").get_json()
    assert form["actionUrl"].startswith("/gladly/actions/coupon?orderId=7&token=")
    [rule] = [section for section in form["sections"] if section.get("attr") == "rule"]
    assert [option["value"] for option in rule["input"]["options"]] == ["4", "9"]


def test_coupon_issues_one_code_through_the_module_which_records_it(app, act, magento, module):
    magento.get(ORDER_URL, json=order())
    magento.post(COUPON_URL, json=ISSUED, match=[matchers.json_params_matcher(
        {"ruleId": 9, "note": "from Gladly by a Gladly agent. Parcel was late"})])
    submission = {"rule": "9", "comment": "Parcel was late"}
    first = act("coupon", submission, agent="A7")
    second = act("coupon", submission, agent="A7")  # a double click: the same code, not a second one
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == second.get_json()
    assert first.get_json()["message"] == "Coupon K3QZ-7PLM-X2D9 issued"
    assert first.get_json()["detail"].startswith("Coupon code K3QZ-7PLM-X2D9 (Five off")
    assert len(posts(magento, "/goodwill-coupon")) == 1
    assert posts(magento, "/comments") == []  # the module wrote the code on the order
    assert audit(app) == [("coupon", "succeeded"), ("coupon", "duplicate")]
    with app.app_context():
        assert audit_entries(get_stores(), "7")[0]["magento_result"]["magento"] == ISSUED


def test_the_bridges_coupon_cap_refuses_before_calling_magento(app, act, magento, module):
    app.config["COUPON_LIMIT"] = 2
    magento.get(ORDER_URL, json=order())
    magento.get(f"{API}/V1/orders/8", json=order(entity_id=8, increment_id="000000008", customer_id=5))
    magento.post(COUPON_URL, json=ISSUED)
    magento.post(f"{API}/V1/gladly/orders/8/goodwill-coupon", json={**ISSUED, "order_id": 8, "customer_id": 5})
    assert act("coupon", {"rule": "9"}, order_id="8", token=form_token("coupon", 8)).status_code == 200
    for _ in range(2):  # two forms, two codes: the limit is 2
        assert act("coupon", {"rule": "9"}, token=form_token("coupon")).status_code == 200
    reply = act("coupon", {"rule": "4"}, token=form_token("coupon"))
    assert reply.status_code == 406, reply.get_json()
    error = reply.get_json()["errors"][0]
    assert error["message"] == "Coupon limit reached"
    assert error["detail"] == ("The customer of order 000000007 has already received 2 goodwill coupon(s) from "
                               "Gladly in the last 30 days, the most this bridge allows (BRIDGE_COUPON_LIMIT); no "
                               "code was issued.")
    assert len(posts(magento, "/orders/7/goodwill-coupon")) == 2
    assert audit(app)[-1] == ("coupon", "rejected")


def test_coupon_from_a_rule_not_offered_is_400_without_a_code(app, act, magento, module):
    magento.get(ORDER_URL, json=order())
    reply = act("coupon", {"rule": "5"})
    assert reply.status_code == 400 and reply.get_json()["errors"][0]["attr"] == "rule"
    assert posts(magento, "/goodwill-coupon") == []


@pytest.mark.parametrize("refusal", [
    {"message": "The customer of order %1 has already received %2 goodwill coupon(s) in the last %3 days, the most "
                "this store allows; no code was issued.", "parameters": ["000000007", 1, 30]},
    {"message": "Order %1 was placed as a guest; goodwill coupons go to registered customers only.",
     "parameters": ["000000007"]},
], ids=["module-cap", "guest"])
def test_coupon_refused_by_the_module_shows_its_reason(act, magento, module, refusal):
    magento.get(ORDER_URL, json=order())
    magento.post(COUPON_URL, status=400, json=refusal)
    reply = act("coupon", {"rule": "4"})
    assert reply.status_code == 400
    detail = refusal["message"]
    for number, value in enumerate(refusal["parameters"], 1):
        detail = detail.replace(f"%{number}", str(value))
    assert reply.get_json()["errors"][0]["detail"] == detail


@pytest.mark.parametrize("changes", [{"customer_id": None, "customer_is_guest": 1}, {"state": "canceled"}],
                         ids=["guest", "canceled"])
def test_coupon_for_a_guest_or_canceled_order_is_406_without_a_write(act, magento, module, changes):
    magento.get(ORDER_URL, json=order(**changes))
    assert act("coupon").status_code == 406
    assert act("coupon", {"rule": "4"}).status_code == 406
    assert posts(magento, "/goodwill-coupon") == []


@pytest.mark.parametrize("reply", [["K3QZ-7PLM-X2D9"], {"code": "", "customer_id": 3}, {"code": "K3QZ"}],
                         ids=["old-shape", "empty-code", "no-customer"])
def test_coupon_reply_without_a_code_is_refused_clearly(act, magento, module, reply):
    magento.get(ORDER_URL, json=order())
    magento.post(COUPON_URL, json=reply)
    answer = act("coupon", {"rule": "4"})
    assert answer.status_code == 406
    assert "recorded in the order's history" in answer.get_json()["errors"][0]["detail"]


def test_coupon_and_address_are_not_offered_without_the_module(act, magento):
    assert act("coupon").status_code == act("address").status_code == 406
    assert not [call for call in magento.calls if "/V1/orders" in call.request.url]


def test_address_form_is_prefilled(act, magento, module):
    magento.get(ORDER_URL, json=shippable())
    form = act("address").get_json()
    values = {section["attr"]: section.get("defaultValue") for section in form["sections"] if "attr" in section}
    assert (values["street1"], values["city"], values["region"], values["country_id"]) == (
        "123 Oak Ave", "Austin", "TX", "US")


def test_address_change_goes_through_the_module_which_records_it(app, act, magento, module):
    magento.get(ORDER_URL, json=shippable())
    magento.put(f"{API}/V1/gladly/orders/7/shipping-address", json={**SENT_ADDRESS, "region": "California"},
                match=[matchers.json_params_matcher({"address": SENT_ADDRESS,
                                                     "note": "from Gladly by a Gladly agent"})])
    magento.get(ORDER_URL, json=shippable(address=SENT_ADDRESS))
    reply = act("address", NEW_ADDRESS, agent="A7")
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json() == {"message": "Shipping address changed", "detail": "Order 000000007 now ships to "
                                "500 Market St, San Francisco, California 94105, US."}
    assert posts(magento, "/comments") == []  # the module wrote the old and new address on the order
    assert audit(app) == [("address", "succeeded")]


def test_address_of_a_shipped_order_is_406_without_a_write(app, act, magento, module):
    shipped = shippable()
    shipped["items"][0]["qty_shipped"] = 1
    magento.get(ORDER_URL, json=shipped)
    assert act("address", NEW_ADDRESS).status_code == 406
    assert not [call for call in magento.calls if call.request.method == "PUT"]


def test_address_refused_by_the_module_shows_its_reason(act, magento, module):
    magento.get(ORDER_URL, json=shippable())
    magento.put(f"{API}/V1/gladly/orders/7/shipping-address", status=400,
                json={"message": "\"%1\" is not a region of %2; enter one of: %3.", "parameters": ["Tx.", "US", "TX"]})
    reply = act("address", {**NEW_ADDRESS, "region": "Tx."})
    assert reply.status_code == 400
    assert reply.get_json()["errors"][0]["detail"] == '"Tx." is not a region of US; enter one of: TX.'


@pytest.mark.parametrize(("after", "status", "message"), [
    (SENT_ADDRESS, 200, "Shipping address changed (confirmed after a timeout)"),
    (SHIP_TO, 400, "Could not change the shipping address"),
])
def test_address_change_after_a_lost_reply_is_judged_by_the_re_read_order(act, magento, module, after, status,
                                                                            message):
    magento.get(ORDER_URL, json=shippable())
    magento.put(f"{API}/V1/gladly/orders/7/shipping-address", body=requests.ReadTimeout("read timed out"))
    magento.get(ORDER_URL, json=shippable(address=after))
    reply = act("address", NEW_ADDRESS)
    assert reply.status_code == status, reply.get_json()
    assert (reply.get_json().get("message") or reply.get_json()["errors"][0]["message"]) == message
    assert len([call for call in magento.calls if call.request.method == "PUT"]) == 1  # never repeated


def test_coupon_after_a_lost_reply_asks_for_another_try(act, magento, module):
    magento.get(ORDER_URL, json=order())
    magento.post(COUPON_URL, body=requests.ReadTimeout("read timed out"))
    reply = act("coupon", {"rule": "4"})
    assert reply.status_code == 400 and "no code reached the bridge" in reply.get_json()["errors"][0]["detail"]
    assert posts(magento, "/comments") == []
