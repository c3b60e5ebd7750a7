"""Gladly AI's surface against a strictly mocked Magento: authentication, every endpoint, every refusal code,
identity, confirmation tokens, idempotency, caps, the audit and the order comment."""
import json
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from decimal import Decimal

import pytest
from responses import matchers

from bridge.actions.ai import AiLimits
from bridge.actions.tokens import ConfirmationTokens
from bridge.config import SETTINGS
from bridge.metrics import AI_ACTIONS
from bridge.metrics import AI_REFUSALS
from bridge.storage import get_stores
from bridge.storage.database import action_journal
from bridge.storage.database import ai_reservation
from bridge.storage.database import utcnow
from bridge.storage.reservations import day_start
from tests.conftest import SIGNING_KEY
from tests.conftest import audit_entries
from tests.test_actions_offer import ONLINE_INVOICE
from tests.test_actions_offer import order
from tests.test_actions_service import API
from tests.test_actions_service import MEMO
from tests.test_actions_service import ORDER_URL
from tests.test_actions_service import RULES
from tests.test_actions_service import SHIP_TO
from tests.test_actions_service import listing
from tests.test_actions_service import posts
from tests.test_actions_service import search

pytestmark = pytest.mark.usefixtures("cold_catalog")

TOKEN, OLD_TOKEN = "t" * 40, "o" * 40
EMAIL = "jane@example.com"
WRITES = ["lookup", "cancel", "refund", "address", "coupon"]
MODULE = {"allowed_actions": [], "coupon_rules": RULES, "capabilities": ["order_address", "goodwill_coupon"],
          "ai_actions": WRITES, "ai_coupon_rule": 9}


def placed(days_ago=1, **changes):
    """Order 7 of jane@example.com, placed ``days_ago`` days ago."""
    when = (datetime.now(timezone.utc) - timedelta(days=days_ago)).strftime("%Y-%m-%d %H:%M:%S")
    return order(changes.pop("state", "processing"), **{"customer_email": EMAIL, "created_at": when, **changes})


@pytest.fixture
def app_config(app_config):
    return {**app_config, "AI_TOKENS": [OLD_TOKEN, TOKEN], "AI_ACTIONS": WRITES, "AI_REFUND_MAX": 100.0,
            "AI_REFUND_DAILY_MAX": 150.0, "AI_ORDER_MAX_AGE_DAYS": 30}


@pytest.fixture
def companion(magento):
    """No module unless a test replaces the reply."""
    return magento.get(f"{API}/V1/gladly/config", status=404, json={"message": "Request does not match any route."})


@pytest.fixture
def module(magento, companion):
    magento.replace("GET", f"{API}/V1/gladly/config", json=MODULE)


@pytest.fixture
def ai(client, companion):
    """POST to the AI surface: ``ai("orders/lookup", {...})``."""

    def send(path, body, token=TOKEN, headers=None):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return client.post(f"/gladly/ai/{path}", data=raw, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}", **(headers or {})})

    return send


def found(magento, *orders):
    """Magento's answer to the order-number search."""
    return magento.get(f"{API}/V1/orders", json=listing(list(orders)),
                       match=[matchers.query_param_matcher({"searchCriteria[filter_groups][0][filters][0][field]":
                                                            "increment_id"}, strict_match=False)])


@pytest.fixture
def no_magento(magento):
    """A test whose requests are refused before Magento is read: the module's settings may stay unread."""
    magento.assert_all_requests_are_fired = False


def error(reply):
    assert reply.status_code == 422, reply.get_data(as_text=True)
    [entry] = reply.get_json()["errors"]
    return entry["code"]


def asking(number="000000007", email=EMAIL, **more):
    return {"orderNumber": number, "customerEmail": email, **more}


# -- the surface -----------------------------------------------------------------------------------


def test_the_ai_surface_is_off_without_tokens(app, ai, no_magento):
    app.config["AI_TOKENS"] = None
    assert ai("orders/lookup", asking()).status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "])
def test_a_missing_or_wrong_token_is_401(client, no_magento, header):
    reply = client.post("/gladly/ai/orders/lookup", json=asking(),
                        headers={"Authorization": header} if header else {})
    assert reply.status_code == 401
    assert reply.get_json()["errors"][0]["code"] == "invalid_token"
    assert reply.headers["WWW-Authenticate"].startswith("Bearer ")


def test_either_token_of_the_list_is_accepted_while_rotating(ai, magento):
    found(magento)
    found(magento)
    assert error(ai("orders/lookup", asking(), token=OLD_TOKEN)) == error(ai("orders/lookup", asking())) \
        == "order_not_found"


def test_a_short_token_is_refused_at_start(app_config):
    from bridge import create_app
    from bridge.errors import ConfigError
    with pytest.raises(ConfigError, match="AI_TOKENS"):
        create_app({**app_config, "AI_TOKENS": "short"})


def test_lookup_only_is_the_default():
    assert SETTINGS["AI_ACTIONS"].default == ["lookup"]


def test_bad_input_names_each_field(ai, no_magento):
    reply = ai("orders/refund/preview", {"orderNumber": "", "customerEmail": "nobody", "items": [{"sku": "A"}]})
    assert reply.status_code == 422
    attrs = {entry["attr"]: entry["code"] for entry in reply.get_json()["errors"]}
    assert attrs == {"orderNumber": "invalid_input", "customerEmail": "invalid_input",
                     "items[0].quantity": "invalid_input"}


def test_a_body_that_is_no_json_object_is_400(ai, no_magento):
    assert ai("orders/lookup", b"[1]").status_code == ai("orders/lookup", b"{").status_code == 400


# -- lookup and identity ---------------------------------------------------------------------------


def site_reads(magento):
    magento.get(f"{API}/V1/store/storeConfigs", json=[{"id": 1, "base_link_url": "https://shop.test/",
                                                       "timezone": "UTC"}])
    magento.get(f"{API}/V1/store/websites", json=[])


def test_lookup_answers_the_order_contract_and_the_actions_it_allows(ai, magento):
    found(magento, placed(customer_email="Jane@Example.com"))
    site_reads(magento)
    magento.get(f"{API}/V1/shipments", json=listing([{"entity_id": 1, "order_id": 7, "created_at": "2026-12-01",
                                                      "items": [{"order_item_id": 11, "qty": 2}],
                                                      "tracks": [{"track_number": "1Z999", "carrier_code": "ups",
                                                                  "title": "UPS"}]}]))
    reply = ai("orders/lookup", asking(email=" JANE@example.com "))
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert set(body["order"]) == {"type", "orderNumber", "createdAt", "orderStatus", "orderTotal", "currencyCode",
                                  "customerOrderUrl", "products", "fulfillments"}
    assert body["order"]["type"] == "ORDER" and body["order"]["orderTotal"] == "$69.00"
    assert body["order"]["createdAt"].endswith("Z")
    assert body["order"]["fulfillments"][0]["trackingNumber"] == "1Z999"
    # Paid and invoiced: refundable, no longer cancelable; no module, so no address change nor coupon.
    assert body["availableActions"] == ["refund"]


def test_a_wrong_email_answers_exactly_like_an_unknown_order(ai, magento):
    found(magento, placed())
    wrong = ai("orders/lookup", asking(email="mallory@example.com"))
    calls = len(magento.calls)
    found(magento)
    unknown = ai("orders/lookup", asking(number="000000999"))
    assert (wrong.status_code, wrong.get_json()) == (unknown.status_code, unknown.get_json())
    assert wrong.get_json()["errors"][0]["code"] == "order_not_found"
    assert len(magento.calls) - calls == calls - 1  # the same Magento calls (the module's settings are cached)


def test_a_guest_order_is_found_by_its_email_too(ai, magento):
    found(magento, placed(customer_id=None, customer_is_guest=1))
    site_reads(magento)
    magento.get(f"{API}/V1/shipments", json=listing([]))
    body = ai("orders/lookup", asking()).get_json()
    assert body["order"]["orderNumber"] == "000000007" and "customerOrderUrl" not in body["order"]


def test_a_disabled_action_is_refused_before_magento_is_read(app, ai, magento):
    app.config["AI_ACTIONS"] = ["lookup"]
    assert error(ai("orders/cancel", asking(reason="changed my mind"))) == "action_disabled"
    app.config["AI_ACTIONS"] = []
    assert error(ai("orders/lookup", asking())) == "action_disabled"
    assert [call.request.url for call in magento.calls if "/V1/orders" in call.request.url] == []


# -- cancel ----------------------------------------------------------------------------------------


def unpaid_order(**changes):
    data = placed(state="new", total_paid=0, total_invoiced=0, shipping_invoiced=0, **changes)
    for item in data["items"]:
        item["qty_invoiced"] = 0
    return data


def cancels(magento, data):
    magento.get(ORDER_URL, json=data)
    magento.post(f"{ORDER_URL}/cancel", json=True)
    magento.get(ORDER_URL, json={**data, "state": "canceled", "status": "canceled"})

    def note(request):
        comment = json.loads(request.body)["statusHistory"]["comment"]
        ok = comment == "Order cancelled from Gladly by Gladly AI. Reason: Customer request. Shopper's reason: " \
                        "ordered the wrong size"
        return ok, "" if ok else comment

    magento.post(f"{ORDER_URL}/comments", json=True, match=[note])


def test_cancel_writes_once_notes_gladly_ai_and_audits_it(app, ai, magento):
    found(magento, unpaid_order())
    cancels(magento, unpaid_order())
    before = AI_ACTIONS.labels("cancel", "succeeded")._value.get()
    reply = ai("orders/cancel", asking(reason="ordered the wrong size"))
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["result"]["status"] == "canceled"
    assert "000000007" in reply.get_json()["result"]["message"]
    assert AI_ACTIONS.labels("cancel", "succeeded")._value.get() == before + 1
    with app.app_context():
        [row] = audit_entries(get_stores(), "7")
    assert row["agent_id"] == "Gladly AI" and row["outcome"] == "succeeded" and row["action"] == "cancel"


def test_cancel_of_an_invoiced_order_is_not_allowed_in_state(ai, magento):
    found(magento, placed())
    magento.get(ORDER_URL, json=placed())  # the runner's re-read, after the journal
    before = AI_REFUSALS.labels("not_allowed_in_state")._value.get()
    assert error(ai("orders/cancel", asking(reason="late"))) == "not_allowed_in_state"
    assert AI_REFUSALS.labels("not_allowed_in_state")._value.get() == before + 1
    assert posts(magento, "/cancel") == []


def test_an_order_older_than_the_window_is_refused(app, ai, magento):
    found(magento, unpaid_order(created_at="2020-01-01 00:00:00"))
    assert error(ai("orders/cancel", asking(reason="late"))) == "order_too_old"
    app.config["AI_ORDER_MAX_AGE_DAYS"] = 0  # no window
    found(magento, unpaid_order(created_at="2020-01-01 00:00:00"))
    cancels(magento, unpaid_order())
    assert ai("orders/cancel", asking(reason="ordered the wrong size")).status_code == 200


def test_the_same_idempotency_key_replays_the_first_answer_and_another_input_is_refused(ai, magento):
    found(magento, unpaid_order())
    cancels(magento, unpaid_order())
    key = {"Idempotency-Key": "conversation-42/cancel"}
    first = ai("orders/cancel", asking(reason="ordered the wrong size"), headers=key)
    found(magento, unpaid_order())  # the retry finds the order again before the journal answers
    again = ai("orders/cancel", asking(reason="ordered the wrong size"), headers=key)
    assert first.status_code == again.status_code == 200 and first.get_json() == again.get_json()
    found(magento, unpaid_order())
    other = ai("orders/cancel", asking(reason="something else"), headers=key)
    assert other.status_code == 422 and other.get_json()["errors"][0]["attr"] == "Idempotency-Key"
    assert len(posts(magento, "/cancel")) == 1


# -- refund ----------------------------------------------------------------------------------------


def dead_run(stores, key: str, action: str, payload: dict) -> datetime:
    """The journal claim of a run on order 7 whose worker died an hour ago before its write (no checkpoint);
    when it was."""
    long_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    stores.journal.claim(key, order_id="7", action=action, input=payload, agent_id="Gladly AI")
    with stores.database.begin() as conn:
        conn.execute(action_journal.update().where(action_journal.c.idempotency_key == key)
                     .values(updated_at=long_ago))
    return long_ago


def refund_left(stores) -> Decimal:
    """What the store's reservations of the day leave of its daily cap of 150."""
    return stores.reservations.left(scope="https://shop.test/", cap=Decimal(150),
                                    since=day_start(datetime.now(timezone.utc)))


def reserve_refund(stores, key: str, order_id: str, amount: Decimal, *, now=None):
    """A refund of ``amount`` held against the store's daily cap of 150, as ``GladlyAi`` reserves it."""
    now = now or datetime.now(timezone.utc)
    return stores.reservations.reserve(key, scope="https://shop.test/", store="https://shop.test/",
                                       action="refund", order_id=order_id, amount=amount, cap=Decimal(150),
                                       since=day_start(now), now=now)


def refund_reads(magento, data, memos=(), invoices=()):
    magento.get(ORDER_URL, json=data)
    magento.get(f"{API}/V1/invoices", json=listing(list(invoices)), match=[search("order_id", 7, 50)])


def preview(ai, magento, data=None, **body):
    data = data or placed()
    found(magento, data)
    refund_reads(magento, data)
    return ai("orders/refund/preview", asking(**body))


def test_preview_prices_the_lines_and_writes_nothing(ai, magento):
    reply = preview(ai, magento, items=[{"sku": "TEE", "quantity": 1}])
    assert reply.status_code == 200, reply.get_json()
    refund = reply.get_json()["refund"]
    assert refund["amount"] == "$20.00" and refund["shipping"] == "$0.00"
    assert refund["items"] == [{"sku": "TEE", "name": "Tee", "quantity": 1.0, "amount": "$20.00"}]
    assert refund["expiresAt"].endswith("Z") and refund["confirmationToken"]
    assert [call for call in magento.calls if call.request.method != "GET"] == []


def test_preview_without_items_is_everything_left_with_shipping(app, ai, magento):
    app.config["AI_REFUND_MAX"] = 1000.0
    reply = preview(ai, magento)
    assert reply.get_json()["refund"]["amount"] == "$69.00"


def test_preview_over_the_per_refund_cap_is_refused(app, ai, magento):
    app.config["AI_REFUND_MAX"] = 10.0
    assert error(preview(ai, magento, items=[{"sku": "TEE", "quantity": 1}])) == "over_refund_limit"


def test_preview_of_an_unknown_sku_or_too_many_names_the_line(ai, magento):
    reply = preview(ai, magento, items=[{"sku": "TEE", "quantity": 5}])
    assert [(e["attr"], e["code"]) for e in reply.get_json()["errors"]] == [("items[0].quantity", "invalid_input")]
    reply = preview(ai, magento, items=[{"sku": "NOPE", "quantity": 1}])
    assert reply.get_json()["errors"][0]["attr"] == "items[0].sku"


def refund_writes(magento, data, memo=MEMO):
    magento.get(ORDER_URL, json=data)
    magento.get(f"{API}/V1/invoices", json=listing([]), match=[search("order_id", 7, 50)])
    magento.get(f"{API}/V1/creditmemos", json=listing([]), match=[search("order_id", 7, 100)])
    magento.post(f"{API}/V1/order/7/refund", json=5)
    magento.get(ORDER_URL, json={**data, "total_refunded": 20})
    magento.get(f"{API}/V1/creditmemos", json=listing([memo]), match=[search("order_id", 7, 100)])
    magento.post(f"{ORDER_URL}/comments", json=True)


def confirmed_refund(ai, magento, quantity=1):
    token = preview(ai, magento, items=[{"sku": "TEE", "quantity": quantity}]).get_json()["refund"]
    return token["confirmationToken"]


def test_refund_is_exactly_the_previewed_one_once(app, ai, magento):
    token = confirmed_refund(ai, magento)
    found(magento, placed())
    refund_writes(magento, placed())
    reply = ai("orders/refund", asking(confirmationToken=token))
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["result"] == {"status": "refunded", "amount": "$20.00", "creditMemo": "000000005",
                                          "message": "Credit memo 000000005 for $20.00 refunded offline; order "
                                                     "000000007 is now Processing."}
    [post] = posts(magento, "/refund")
    assert json.loads(post.request.body)["items"] == [{"order_item_id": 11, "qty": 1}]
    found(magento, placed())
    replay = ai("orders/refund", asking(confirmationToken=token))  # the AI retries: the first answer, no write
    assert replay.get_json() == reply.get_json() and len(posts(magento, "/refund")) == 1
    with app.app_context():
        stores = get_stores()
        rows = audit_entries(stores, "7")
        assert refund_left(stores) == Decimal(130)
    assert [(row["agent_id"], row["outcome"]) for row in rows] == [("Gladly AI", "succeeded"),
                                                                   ("Gladly AI", "duplicate")]
    comment = json.loads([c for c in magento.calls if c.request.url.endswith("/comments")][0].request.body)
    assert "from Gladly by Gladly AI" in comment["statusHistory"]["comment"]


def tampered(token):
    body, mac = token.rsplit(".", 1)
    return f"{body}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}"


def test_a_tampered_foreign_or_expired_confirmation_is_invalid(ai, magento):
    token = confirmed_refund(ai, magento)
    for bad in (tampered(token), token + "x", "nonsense", ConfirmationTokens("another key").issue(
            7, {"mode": "partial", "qty_11": "2"}, Decimal(40), "USD")[0],
            ConfirmationTokens(SIGNING_KEY).issue(8, {"qty_11": "1"}, Decimal(20), "USD")[0],
            ConfirmationTokens(SIGNING_KEY, lifetime=-1).issue(7, {"qty_11": "1"}, Decimal(20), "USD")[0]):
        found(magento, placed())
        assert error(ai("orders/refund", asking(confirmationToken=bad))) == "confirmation_invalid"
    assert posts(magento, "/refund") == []


def test_a_confirmation_whose_order_changed_is_invalid(ai, magento):
    token = confirmed_refund(ai, magento)
    changed = placed()
    changed["items"][0]["qty_refunded"] = 2  # refunded meanwhile, by an agent
    found(magento, placed())
    magento.get(ORDER_URL, json=changed)
    magento.get(f"{API}/V1/invoices", json=listing([]), match=[search("order_id", 7, 50)])
    magento.get(f"{API}/V1/creditmemos", json=listing([]), match=[search("order_id", 7, 100)])
    assert error(ai("orders/refund", asking(confirmationToken=token))) == "confirmation_invalid"
    assert posts(magento, "/refund") == []


def test_the_daily_cap_counts_every_refund_of_the_store(app, ai, magento):
    with app.app_context():
        assert reserve_refund(get_stores(), "earlier", "6", Decimal(140)) is None
    assert error(preview(ai, magento, items=[{"sku": "TEE", "quantity": 1}])) == "over_daily_limit"
    app.config["AI_REFUND_DAILY_MAX"] = 200.0
    token = confirmed_refund(ai, magento)
    app.config["AI_REFUND_DAILY_MAX"] = 150.0  # lowered between preview and refund: the write is refused
    found(magento, placed())
    refund_reads(magento, placed())
    magento.get(f"{API}/V1/creditmemos", json=listing([]), match=[search("order_id", 7, 100)])
    assert error(ai("orders/refund", asking(confirmationToken=token))) == "over_daily_limit"
    assert posts(magento, "/refund") == []


def test_a_refund_magento_refuses_gives_its_reservation_back(app, ai, magento):
    token = confirmed_refund(ai, magento)
    found(magento, placed())
    magento.get(ORDER_URL, json=placed())
    magento.get(f"{API}/V1/invoices", json=listing([]), match=[search("order_id", 7, 50)])
    magento.get(f"{API}/V1/creditmemos", json=listing([]), match=[search("order_id", 7, 100)])
    magento.post(f"{API}/V1/order/7/refund", status=400, json={"message": "The most money available to refund is 0."})
    assert error(ai("orders/refund", asking(confirmationToken=token))) == "not_allowed_in_state"
    with app.app_context():
        assert refund_left(get_stores()) == Decimal(150)


def test_a_refund_while_an_agent_writes_to_the_order_waits_and_gives_its_reservation_back(app, ai, magento):
    token = confirmed_refund(ai, magento)
    with app.app_context():
        journal = get_stores().journal
        journal.claim("an agent's cancel", order_id="7", action="cancel")
        journal.checkpoint("an agent's cancel", {}, None, utcnow())
    found(magento, placed())
    refund_reads(magento, placed())
    magento.get(f"{API}/V1/creditmemos", json=listing([]), match=[search("order_id", 7, 100)])
    reply = ai("orders/refund", asking(confirmationToken=token))
    assert reply.status_code == 503 and reply.get_json()["errors"][0]["code"] == "order_busy"
    assert posts(magento, "/refund") == []
    with app.app_context():
        assert refund_left(get_stores()) == Decimal(150)


def test_the_module_can_only_make_the_limits_stricter():
    config = {"AI_ACTIONS": WRITES, "AI_REFUND_MAX": 100.0, "AI_REFUND_DAILY_MAX": 150.0,
              "AI_ORDER_MAX_AGE_DAYS": 0, "AI_COUPON_PERIOD_DAYS": 30, "AI_COUPON_RULE": 4}
    alone = AiLimits.stricter(config, None)
    assert alone.actions == ("lookup", "cancel", "refund") and alone.coupon_rule == 4
    module = {**MODULE, "ai_actions": ["lookup", "refund", "coupon"], "ai_refund_max": 25,
              "ai_refund_daily_max": 500.5, "ai_order_max_age_days": 14, "ai_coupon_period_days": 7}
    both = AiLimits.stricter(config, module)
    assert both.actions == ("lookup", "refund", "coupon")
    assert (both.refund_max, both.refund_daily_max) == (Decimal(25), Decimal(150))
    assert (both.order_max_age_days, both.coupon_period_days, both.coupon_rule) == (14, 30, 9)
    looser = AiLimits.stricter({**config, "AI_ORDER_MAX_AGE_DAYS": 10}, {**module, "ai_coupon_period_days": 365})
    assert (looser.order_max_age_days, looser.coupon_period_days) == (10, 365)


def test_the_module_limit_is_obeyed_when_stricter(ai, magento, module):
    magento.replace("GET", f"{API}/V1/gladly/config", json={**MODULE, "ai_refund_max": 5})
    assert error(preview(ai, magento, items=[{"sku": "TEE", "quantity": 1}])) == "over_refund_limit"


# -- shipping address and coupon -------------------------------------------------------------------


ADDRESS = {"firstName": "Jane", "lastName": "Doe", "street": ["500 Market St", "Suite 4"], "city": "San Francisco",
           "region": "CA", "postcode": "94105", "countryId": "us", "telephone": "415-555-0134"}


def shippable(**changes):
    return placed(extension_attributes={"shipping_assignments": [{"shipping": {"address": dict(SHIP_TO)}}]},
                  **changes)


def test_shipping_address_goes_through_the_module_as_gladly_ai(ai, magento, module):
    found(magento, shippable())
    magento.get(ORDER_URL, json=shippable())
    sent = {"firstname": "Jane", "lastname": "Doe", "company": "", "street": ["500 Market St", "Suite 4"],
            "city": "San Francisco", "region": "CA", "postcode": "94105", "country_id": "US",
            "telephone": "415-555-0134"}
    magento.put(f"{API}/V1/gladly/orders/7/shipping-address", json=sent,
                match=[matchers.json_params_matcher({"address": sent, "note": "from Gladly by Gladly AI"})])
    magento.get(ORDER_URL, json=shippable())
    reply = ai("orders/shipping-address", asking(address=ADDRESS))
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["result"]["status"] == "updated"


def test_shipping_address_field_errors_name_the_address_fields(ai, magento, module, no_magento):
    reply = ai("orders/shipping-address", asking(address={**ADDRESS, "countryId": "USA", "street": []}))
    assert {entry["attr"] for entry in reply.get_json()["errors"]} == {"address.countryId", "address.street"}


def coupon_calls(magento, customer_id=3):
    magento.get(f"{API}/V1/orders", json=listing([placed(customer_id=customer_id)]),
                match=[matchers.query_param_matcher({"searchCriteria[filter_groups][0][filters][0][field]":
                                                     "customer_email"}, strict_match=False)])
    magento.get(ORDER_URL, json=placed(customer_id=customer_id))
    magento.get(f"{API}/V1/gladly/config", json=MODULE)


def test_one_goodwill_coupon_per_customer_per_period(ai, magento, module):
    coupon_calls(magento)
    issued = {"code": "K3QZ-7PLM-X2D9", "rule_id": 9, "order_id": 7, "customer_id": 3, "issued_at": "2026-12-08"}
    magento.post(f"{API}/V1/gladly/orders/7/goodwill-coupon", json=issued, match=[matchers.json_params_matcher(
        {"ruleId": 9, "note": "from Gladly by Gladly AI. Shopper's reason: parcel was late"})])
    reply = ai("customers/coupon", {"customerEmail": EMAIL, "reason": "parcel was late"})
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["result"]["code"] == "K3QZ-7PLM-X2D9"
    coupon_calls(magento)
    assert error(ai("customers/coupon", {"customerEmail": EMAIL, "reason": "again"})) == "coupon_limit"
    assert len(posts(magento, "/goodwill-coupon")) == 1


COUPON_SCOPE = "coupon:https://shop.test/:3"
ISSUED = {"code": "K3QZ", "rule_id": 9, "order_id": 7, "customer_id": 3, "issued_at": "2026-12-08"}


def coupons_left(app) -> Decimal:
    """Whether customer 3 may still get a coupon in the period by the reservations (1) or not (0)."""
    with app.app_context():
        return get_stores().reservations.left(scope=COUPON_SCOPE, cap=Decimal(1),
                                              since=datetime.now(timezone.utc) - timedelta(days=30))


def reserve_coupon(stores, key: str, *, now=None):
    """Customer 3's coupon held by another run of Gladly AI, as ``GladlyAi`` reserves it."""
    now = now or datetime.now(timezone.utc)
    return stores.reservations.reserve(key, scope=COUPON_SCOPE, store="https://shop.test/", action="coupon",
                                       order_id="7", amount=Decimal(1), cap=Decimal(1),
                                       since=now - timedelta(days=30), now=now)


def test_an_issued_coupon_spends_its_reservation(app, ai, magento, module):
    coupon_calls(magento)
    magento.post(f"{API}/V1/gladly/orders/7/goodwill-coupon", json=ISSUED)
    assert ai("customers/coupon", {"customerEmail": EMAIL, "reason": "late"}).status_code == 200
    with app.app_context():
        with get_stores().database.connect() as conn:
            rows = conn.execute(ai_reservation.select()).mappings().all()
    assert [(row["scope"], row["action"], row["status"]) for row in rows] == [(COUPON_SCOPE, "coupon", "spent")]


def test_a_coupon_another_run_holds_refuses_the_second_before_magento(app, ai, magento, module):
    """Another worker or node is issuing this customer's coupon right now (held, not yet audited): no second."""
    with app.app_context():
        assert reserve_coupon(get_stores(), "ai:coupon:7:elsewhere") is None
    coupon_calls(magento)
    assert error(ai("customers/coupon", {"customerEmail": EMAIL, "reason": "late"})) == "coupon_limit"
    assert posts(magento, "/goodwill-coupon") == []


def test_a_coupon_magento_refuses_gives_its_reservation_back(app, ai, magento, module):
    coupon_calls(magento)
    magento.post(f"{API}/V1/gladly/orders/7/goodwill-coupon", status=400, json={"message": "The rule is inactive."})
    assert error(ai("customers/coupon", {"customerEmail": EMAIL, "reason": "late"})) == "not_allowed_in_state"
    assert coupons_left(app) == 1


def test_a_coupon_reservation_whose_worker_died_before_the_write_is_released(app, ai, magento, module):
    """A worker killed between the coupon's reservation and its write: the next coupon request reconciles the
    claim (no checkpoint: nothing was written), gives the reservation back and issues the one coupon."""
    with app.app_context():
        stores = get_stores()
        long_ago = dead_run(stores, "ai:coupon:7:dead", "coupon", {"rule": "9"})
        assert reserve_coupon(stores, "ai:coupon:7:dead", now=long_ago) is None
    coupon_calls(magento)
    magento.post(f"{API}/V1/gladly/orders/7/goodwill-coupon", json=ISSUED)
    assert ai("customers/coupon", {"customerEmail": EMAIL, "reason": "late"}).status_code == 200
    with app.app_context():
        stores = get_stores()
        assert stores.reservations.get("ai:coupon:7:dead") is None
        assert stores.journal.get("ai:coupon:7:dead")["status"] == "failed"
    assert coupons_left(app) == 0 and len(posts(magento, "/goodwill-coupon")) == 1


def test_no_coupon_for_guests_or_strangers(ai, magento, module):
    magento.get(f"{API}/V1/orders", json=listing([placed(customer_id=None, customer_is_guest=1)]))
    assert error(ai("customers/coupon", {"customerEmail": EMAIL, "reason": "late"})) == "not_allowed_in_state"
    magento.get(f"{API}/V1/orders", json=listing([]))
    assert error(ai("customers/coupon", {"customerEmail": "x@example.com", "reason": "late"})) == "order_not_found"


def test_coupon_needs_a_rule_chosen_for_the_ai(ai, magento, module):
    magento.replace("GET", f"{API}/V1/gladly/config", json={**MODULE, "ai_coupon_rule": 0})
    assert error(ai("customers/coupon", {"customerEmail": EMAIL, "reason": "late"})) == "action_disabled"


def test_an_online_refund_goes_through_the_invoice(app, ai, magento):
    paid = placed(payment={"method": "braintree"})
    found(magento, paid)
    refund_reads(magento, paid, invoices=[ONLINE_INVOICE])
    token = ai("orders/refund/preview", asking(items=[{"sku": "TEE", "quantity": 1}])).get_json()["refund"]
    found(magento, paid)
    magento.get(ORDER_URL, json=paid)
    magento.get(f"{API}/V1/invoices", json=listing([ONLINE_INVOICE]), match=[search("order_id", 7, 50)])
    magento.get(f"{API}/V1/creditmemos", json=listing([]), match=[search("order_id", 7, 100)])
    magento.post(f"{API}/V1/invoice/3/refund", json=5)
    magento.get(ORDER_URL, json={**paid, "total_refunded": 20})
    magento.get(f"{API}/V1/creditmemos", json=listing([MEMO]), match=[search("order_id", 7, 100)])
    magento.post(f"{ORDER_URL}/comments", json=True)
    reply = ai("orders/refund", asking(confirmationToken=token["confirmationToken"]))
    assert reply.status_code == 200, reply.get_json()
    assert json.loads(posts(magento, "/invoice/3/refund")[0].request.body)["isOnline"] is True


def test_a_reservation_whose_worker_died_before_the_write_is_released(app, ai, magento):
    """A worker killed between its reservation and the write left a held reservation and an expired claim; the next
    refund reconciles the claim (no checkpoint: nothing was written) and gives the amount back."""
    with app.app_context():
        stores = get_stores()
        long_ago = dead_run(stores, "ai:refund:7:dead", "refund", {"qty_11": "1"})
        reserve_refund(stores, "ai:refund:7:dead", "7", Decimal(140), now=long_ago)
    token = confirmed_refund(ai, magento)  # the preview settles the dead run first: 140 back under today's cap
    found(magento, placed())
    refund_writes(magento, placed())
    assert ai("orders/refund", asking(confirmationToken=token)).status_code == 200
    with app.app_context():
        stores = get_stores()
        assert stores.reservations.get("ai:refund:7:dead") is None
        assert stores.journal.get("ai:refund:7:dead")["status"] == "failed"
        assert [row["outcome"] for row in audit_entries(stores, "7")] == ["interrupted", "succeeded"]
