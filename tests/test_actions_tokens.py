"""Form tokens: signed by the bridge for one action, order and expiry, each serving exactly one write; and a held
claim answered from Magento when its write is already there."""
import functools
import json

import pytest

from bridge.actions.journal import DUPLICATE
from bridge.actions.journal import Journal
from bridge.actions.journal import idempotency_key
from bridge.actions.tokens import FORM_LIFETIME
from bridge.actions.tokens import FormTokens
from bridge.config import ACTION_NAMES
from bridge.errors import ActionRejected
from bridge.gladly import action_views
from bridge.storage import get_stores
from bridge.storage.database import utcnow
from tests.conftest import SIGNING_KEY
from tests.conftest import FinishingJournalStore
from tests.conftest import audit_entries
from tests.conftest import form_token
from tests.conftest import run_together
from tests.test_actions_offer import order
from tests.test_actions_service import API
from tests.test_actions_service import MEMO
from tests.test_actions_service import ORDER_URL
from tests.test_actions_service import REFUND_INPUT
from tests.test_actions_service import RULES
from tests.test_actions_service import audit
from tests.test_actions_service import comment_posted
from tests.test_actions_service import left_by_a_dead_worker
from tests.test_actions_service import listing
from tests.test_actions_service import posts
from tests.test_actions_service import reads_for_refund
from tests.test_actions_service import recovery_reads
from tests.test_actions_service import rereads_for_refund
from tests.test_actions_service import search

pytestmark = pytest.mark.usefixtures("cold_catalog")

MODULE = {"allowed_actions": list(ACTION_NAMES), "coupon_rules": RULES, "capabilities": ["goodwill_coupon"]}
COUPON_URL = f"{API}/V1/gladly/orders/7/goodwill-coupon"


def issued(code: str) -> dict:
    """The module's reply to one goodwill coupon on order 7."""
    return {"code": code, "rule_id": 9, "order_id": 7, "customer_id": 3, "issued_at": "2026-12-08 02:00:00"}


ALREADY = "This form was already submitted; open the action again for a new form."



@pytest.fixture
def post(client, gladly_headers, magento):
    """POST a signed submission of one form (``token``) with the module's settings in place."""
    magento.get(f"{API}/V1/gladly/config", json=MODULE)

    def send(action, token, body, order_id="7"):
        raw = json.dumps(body).encode()
        path, query = f"/gladly/actions/{action}", f"orderId={order_id}&token={token}"
        return client.post(f"{path}?{query}", data=raw, headers=gladly_headers("POST", path, raw, query=query))

    return send


def first_error(reply) -> dict:
    return reply.get_json()["errors"][0]


def journal_row(app, action, token):
    with app.app_context():
        return get_stores().journal.get(idempotency_key(action, "7", token))


# -- the token ----------------------------------------------------------------------------------------


def test_a_token_is_url_safe_and_differs_per_form():
    tokens = FormTokens(SIGNING_KEY)
    issued = {tokens.issue("refund", 7) for _ in range(20)}
    assert len(issued) == 20
    assert all(len(token) <= 64 and all(ch.isalnum() or ch in "._-" for ch in token) for token in issued)
    for token in issued:
        tokens.check(token, "refund", 7)


@pytest.mark.parametrize(("token", "action", "order_id", "message"), [
    (form_token("refund", 8), "refund", 7, "Form not valid"),  # another order's form
    (form_token("comment"), "refund", 7, "Form not valid"),  # another action's form
    (FormTokens("another-signing-key").issue("refund", 7), "refund", 7, "Form not valid"),  # not this bridge's
    (form_token("refund") + " ", "refund", 7, "Form not valid"),
    ("tok-0123456789abcdef", "refund", 7, "Form not valid"),  # any 16-64 characters used to pass
    ("", "refund", 7, "Form not valid"),
])
def test_a_token_the_bridge_did_not_issue_for_this_form_is_refused(token, action, order_id, message):
    with pytest.raises(ActionRejected) as refused:
        FormTokens(SIGNING_KEY).check(token, action, order_id)
    assert refused.value.status_code == 406 and refused.value.message == message


def test_a_forged_mac_is_refused():
    token = form_token("refund")
    expires, nonce, mac = token.split(".")
    forged = f"{int(expires) + FORM_LIFETIME}.{nonce}.{mac}"  # a later expiry under the old MAC
    with pytest.raises(ActionRejected):
        FormTokens(SIGNING_KEY).check(forged, "refund", 7)


def test_a_token_expires():
    now = [1_700_000_000.0]
    tokens = FormTokens(SIGNING_KEY, clock=lambda: now[0])
    token = tokens.issue("hold", 7)
    now[0] += FORM_LIFETIME
    tokens.check(token, "hold", 7)
    now[0] += 1
    with pytest.raises(ActionRejected) as refused:
        tokens.check(token, "hold", 7)
    assert refused.value.message == "Form out of date" and "expired" in refused.value.detail


@pytest.mark.parametrize("token", [
    form_token("comment", 8),
    FormTokens(SIGNING_KEY, clock=lambda: 1_000_000_000).issue("comment", 7),  # expired long ago
    "tok-0123456789abcdef",
])
def test_a_submission_with_a_bad_token_is_406_audited_and_writes_nothing(app, post, magento, token):
    reply = post("comment", token, {"comment": "Hi"})
    assert reply.status_code == 406 and "open the action again" in first_error(reply)["detail"]
    assert [call for call in magento.calls if "/V1/orders" in call.request.url] == []  # not even read
    with app.app_context():
        [row] = audit_entries(get_stores(), "7")
        assert get_stores().journal.get(idempotency_key("comment", "7", token)) is None
    assert row["outcome"] == "rejected" and "open the action again" in row["error"]


# -- one token, one write -----------------------------------------------------------------------------


def test_one_comment_form_writes_one_comment_whatever_the_body(app, post, magento):
    token = form_token("comment")
    magento.get(ORDER_URL, json=order())
    comment_posted(magento, "processing", "TOKEN-A\n(added from Gladly)")
    magento.get(ORDER_URL, json=order())
    replies = [post("comment", token, body) for body in (
        {"comment": "TOKEN-A"}, {"comment": "TOKEN-A "}, {"comment": "TOKEN-A", "unknown": "field"})]
    assert [reply.status_code for reply in replies] == [200] * 3
    assert replies[0].get_json() == replies[1].get_json() == replies[2].get_json()
    other = post("comment", token, {"comment": "Another comment"})
    assert other.status_code == 406 and first_error(other)["detail"] == ALREADY
    assert len(posts(magento, "/comments")) == 1
    assert audit(app) == [("comment", "succeeded"), ("comment", "duplicate"), ("comment", "duplicate"),
                          ("comment", "refused")]
    assert journal_row(app, "comment", token)["input"] == {"comment": "TOKEN-A"}  # the first submission's
    with app.app_context():
        assert audit_entries(get_stores(), "7")[-1]["error"] == ALREADY


def test_one_refund_form_makes_one_credit_memo_whatever_the_body(app, post, magento):
    token = form_token("refund")
    reads_for_refund(magento, order())
    magento.post(f"{API}/V1/order/7/refund", json=5)
    rereads_for_refund(magento, order(total_refunded=20), [MEMO])
    comment_posted(magento, "processing", "Credit memo 000000005")
    magento.get(f"{API}/V1/invoices", json=listing([]), match=[search("order_id", 7, 50)])
    replies = [post("refund", token, body) for body in (
        REFUND_INPUT, {**REFUND_INPUT, "qty_11": "1 ", "comment": " "}, {**REFUND_INPUT, "unknown": "field"},
        {**REFUND_INPUT, "qty_11": "1.0", "qty_12": ""})]
    assert [reply.status_code for reply in replies] == [200] * 4, [reply.get_json() for reply in replies]
    assert all(reply.get_json() == replies[0].get_json() for reply in replies)
    other = post("refund", token, {**REFUND_INPUT, "adjustment_positive": "5"})
    assert other.status_code == 406 and first_error(other)["detail"] == ALREADY
    assert len(posts(magento, "/refund")) == 1
    assert audit(app)[-1] == ("refund", "refused") and audit(app).count(("refund", "duplicate")) == 3


def test_one_coupon_form_issues_one_code_whatever_the_body(app, post, magento):
    token = form_token("coupon")
    magento.get(ORDER_URL, json=order())
    magento.post(COUPON_URL, json=issued("K3QZ-7PLM-X2D9"))
    replies = [post("coupon", token, body) for body in (
        {"rule": "9", "comment": "Late"}, {"rule": "9 ", "comment": "Late "}, {"rule": "9", "comment": "Late", "x": 1})]
    assert [reply.status_code for reply in replies] == [200] * 3
    assert all(reply.get_json() == replies[0].get_json() for reply in replies)
    other = post("coupon", token, {"rule": "4"})
    assert other.status_code == 406 and first_error(other)["detail"] == ALREADY
    assert len(posts(magento, "/goodwill-coupon")) == 1


def test_a_second_form_is_a_second_coupon(app, post, magento):
    app.config["COUPON_LIMIT"] = 2  # the bridge's cap would refuse the second code
    magento.get(ORDER_URL, json=order())
    magento.post(COUPON_URL, json=issued("AAAA-AAAA-AAAA"))
    magento.post(COUPON_URL, json=issued("BBBB-BBBB-BBBB"))
    codes = {post("coupon", form_token("coupon"), {"rule": "9"}).get_json()["message"] for _ in range(2)}
    assert codes == {"Coupon AAAA-AAAA-AAAA issued", "Coupon BBBB-BBBB-BBBB issued"}


def test_a_form_corrected_after_a_400_runs_with_the_corrected_input(app, post, magento):
    token = form_token("comment")
    magento.get(ORDER_URL, json=order())
    assert post("comment", token, {"comment": " "}).status_code == 400  # nothing written: fix and resubmit
    comment_posted(magento, "processing", "Fixed\n(added from Gladly)")
    assert post("comment", token, {"comment": "Fixed"}).status_code == 200
    assert journal_row(app, "comment", token)["input"] == {"comment": "Fixed"}
    assert audit(app) == [("comment", "invalid"), ("comment", "succeeded")]


def test_concurrent_submissions_of_one_form_write_once(app, magento, gladly_headers):
    magento.get(f"{API}/V1/gladly/config", json=MODULE)
    magento.get(ORDER_URL, json=order())
    magento.post(f"{ORDER_URL}/comments", json=True)
    token = form_token("comment")
    bodies = iter([{"comment": "Hi"}, {"comment": "Hi "}, {"comment": "Hi", "x": 1}, {"comment": "Other"}] * 2)

    def submit():
        raw = json.dumps(next(bodies)).encode()
        path, query = "/gladly/actions/comment", f"orderId=7&token={token}"
        reply = app.test_client().post(f"{path}?{query}", data=raw,
                                       headers=gladly_headers("POST", path, raw, query=query))
        return reply.status_code, reply.get_json()

    replies = run_together(8, submit)
    assert len(posts(magento, "/comments")) == 1
    successes = {json.dumps(body) for status, body in replies if status == 200}
    assert len(successes) == 1
    assert all(status == 200 or (status in (400, 406) and body["errors"][0]["code"] in (
        "already_submitted", "in_progress")) for status, body in replies), replies


# -- a resubmission finds the claim still held ----------------------------------------------------------


@pytest.fixture
def impatient_journal(monkeypatch):
    """A duplicate gives up at once instead of waiting up to 10 s for the claim's owner."""
    monkeypatch.setattr(action_views, "Journal", functools.partial(Journal, wait=0.0))


def test_a_held_claim_whose_refund_magento_shows_answers_at_once(app, post, magento):
    token = form_token("refund")
    # Died after its write 15 s ago: longer than a live run takes (10 s), shorter than the lease (60 s).
    key = left_by_a_dead_worker(app, token=token, seconds_ago=15)
    recovery_reads(magento, order(total_refunded=20), [{"entity_id": 4}, MEMO])
    comment_posted(magento, "processing",
                   "Credit memo 000000005 for $20.00 refunded offline from Gladly by a Gladly agent")
    reply = post("refund", token, REFUND_INPUT)
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["message"] == "Refund went through (recovered after an interruption)"
    assert posts(magento, "/refund") == []
    assert audit(app) == [("refund", "recovered")]
    with app.app_context():
        row = get_stores().journal.get(key)
    assert row["status"] == "succeeded" and row["result"] == {"status": 200, "body": {
        **reply.get_json(), "facts": {"creditMemo": "000000005", "amount": "$20.00"}}}


def test_a_held_claim_without_its_write_in_magento_keeps_waiting(app, post, magento, impatient_journal):
    token = form_token("refund")
    key = left_by_a_dead_worker(app, token=token, seconds_ago=5)
    recovery_reads(magento, order(), [{"entity_id": 4}])  # no new credit memo: the owner may be at work
    reply = post("refund", token, REFUND_INPUT)
    assert reply.status_code == 400 and first_error(reply)["code"] == "in_progress"
    assert posts(magento, "/refund") == []
    with app.app_context():
        assert get_stores().journal.get(key)["status"] == "pending"  # left to its owner


def test_a_live_owner_is_left_to_answer_before_magento_is_asked(app):
    with app.app_context():
        store = get_stores().journal
        store.claim("k", order_id="7", action="refund")
        store.checkpoint("k", {"memo_ids": [4]}, "d" * 64, utcnow())  # the owner is writing now
        finishing = FinishingJournalStore(store, after=3)
        reply, how = Journal(finishing, wait=60, poll=0).run_once(
            "k", lambda: pytest.fail("must not run"), lambda row: pytest.fail("must not ask Magento"),
            lambda row: True, order_id="7", action="refund")
    assert how == DUPLICATE and reply.body == {"message": "m", "detail": "d"}
