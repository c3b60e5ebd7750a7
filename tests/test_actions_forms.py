"""Reading submitted form values: numbers in plain notation only, text without control or direction characters,
checkboxes as booleans; every refusal a 400 naming its field, before anything is written."""
from __future__ import annotations

import copy
import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bridge.actions import forms
from bridge.actions.offer import OPERATIONS
from bridge.errors import ActionValidationError
from bridge.gladly import action_views
from bridge.magento.store import clear_catalogs
from tests.test_actions_offer import PAID_ORDER
from tests.test_actions_offer import refund_context
from tests.test_properties import FAST
from tests.test_properties import JSON
from tests.test_properties import ORDER_REPLIES
from tests.test_properties import TEXT
from tests.test_properties import FakeMagento

# Item 11 half invoiced: the order can be cancelled (a unit is not invoiced) and refunded (one is).
OPEN_ORDER = copy.deepcopy(ORDER_REPLIES["/V1/orders/7"])
OPEN_ORDER["items"][0]["qty_invoiced"] = 1
VALID = {
    "cancel": {"reason": "customer", "comment": "Asked", "notify": True},
    "hold": {"comment": "Fraud check"},
    "email": {},
    "comment": {"comment": "Parcel re-sent", "notify": True, "visible_on_front": True},
    "refund": {"mode": "partial", "qty_11": "1", "shipping_amount": "0", "adjustment_positive": "0",
               "adjustment_negative": "0", "return_to_stock": False, "notify": True, "comment": "Torn"},
    "coupon": {"rule": "4", "comment": "Late parcel"},
    "address": {"firstname": "Jo", "lastname": "Doe", "company": "", "street1": "1 Main St", "street2": "",
                "city": "Austin", "region": "TX", "postcode": "78701", "country_id": "US",
                "telephone": "512-555-0100"},
}
HOSTILE_TEXT = ["NUL\x00", "ESC\x1b[31m", "BEL\x07", "CR\r", "DEL\x7f", "C1\x85", "\u202eevil", "\u202d", "\u202a",
                "\u2066x\u2069", "\u2067", "\u2068"]
NOT_TEXT = [["a"], {"a": 1}, 5, 2.5, True]
BAD_NUMBERS = ["1e1000000", "1_0", "nan", "NaN", "inf", "-inf", "Infinity", "-Infinity", "sNaN", "1e2", "0x10",
               "\u0661", "12345678901234567", "1.23456", "+1", "1,50", True, False, [1], {"n": 1}, float("inf"),
               float("nan"), 1e300]


class RecordingMagento(FakeMagento):
    """The sample store's order with its writes recorded."""

    def __init__(self):
        super().__init__({**copy.deepcopy(ORDER_REPLIES), "/V1/orders/7": copy.deepcopy(OPEN_ORDER)})
        self.writes = []

    def post(self, path, payload=None, *, deadline=None):
        self.writes.append((path, payload))
        return super().post(path, payload)

    def put(self, path, payload=None, *, deadline=None):
        self.writes.append((path, payload))
        return super().put(path, payload)


@pytest.fixture
def store(monkeypatch):
    magento = RecordingMagento()
    monkeypatch.setattr(action_views, "get_client", lambda: magento)
    clear_catalogs()
    yield magento
    clear_catalogs()


def submit_form(client, gladly_headers, action, payload, agent=None):
    """Open the action's form for order 7 and post ``payload`` to its ``actionUrl``, signed as Gladly does."""
    extra = {"Gladly-Agent-Id": agent} if agent else None
    path, query = f"/gladly/actions/{action}/form", "orderId=7"
    form = client.get(f"{path}?{query}", headers=gladly_headers("GET", path, query=query, extra=extra))
    assert form.status_code == 200, form.get_json()
    url = urlsplit(form.get_json()["actionUrl"])
    raw = json.dumps(payload).encode()
    return client.post(f"{url.path}?{url.query}", data=raw,
                       headers=gladly_headers("POST", url.path, raw, query=url.query, extra=extra))


@pytest.fixture
def send(client, gladly_headers, store):
    return lambda action, payload, agent=None: submit_form(client, gladly_headers, action, payload, agent)


def field_errors(action, payload):
    """The field errors of reading ``payload`` for the sample order."""
    context = {"refund": lambda: refund_context(PAID_ORDER),
               "coupon": lambda: ORDER_REPLIES["/V1/gladly/config"]["coupon_rules"]}.get(action, lambda: None)()
    with pytest.raises(ActionValidationError) as caught:
        OPERATIONS[action].read(payload, context)
    return caught.value.field_errors


def refusals(reply):
    """The (attr, detail) of each error in an action reply."""
    return [(error.get("attr"), error["detail"]) for error in reply.get_json()["errors"]]


# -- numbers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", BAD_NUMBERS, ids=repr)
@pytest.mark.parametrize("attr", ["qty_11", "shipping_amount", "adjustment_positive", "adjustment_negative"])
def test_a_refund_number_that_is_not_plain_decimal_notation_is_refused_by_name(attr, value):
    errors = field_errors("refund", {**VALID["refund"], attr: value})
    assert errors == {attr: forms.NOT_A_NUMBER}


@pytest.mark.parametrize(("value", "number"), [("12.50", "12.5"), (" 7 ", "7"), (".5", "0.5"), ("", "0"),
                                               (None, "0"), (3, "3"), (2.5, "2.5"), ("1.", "1"),
                                               ("9999999999999999.9999", "9999999999999999.9999")])
def test_plain_numbers_and_json_numbers_are_read(value, number):
    errors = {}
    assert forms.decimal_value({"n": value}, "n", errors) == Decimal(number) and errors == {}


def test_a_negative_number_says_so():
    errors = {}
    assert forms.decimal_value({"n": "-1.5"}, "n", errors) == 0
    assert errors == {"n": "Enter a number of 0 or more."}


def test_a_huge_adjustment_is_a_400_naming_it_and_refunds_nothing(send, store):
    reply = send("refund", {**VALID["refund"], "adjustment_negative": "1e1000000"})
    assert reply.status_code == 400
    assert refusals(reply) == [("adjustment_negative", forms.NOT_A_NUMBER)]
    assert store.writes == []


def test_underscores_do_not_turn_1_0_into_ten(send, store):
    reply = send("refund", {**VALID["refund"], "qty_11": "1_0"})
    assert reply.status_code == 400
    assert refusals(reply) == [("qty_11", forms.NOT_A_NUMBER)]
    assert store.writes == []


# -- text and checkboxes -------------------------------------------------------------------------------

TEXT_INPUTS = [("cancel", "reason"), ("cancel", "comment"), ("hold", "comment"), ("email", "comment"),
               ("comment", "comment"), ("refund", "comment"), ("refund", "mode"), ("coupon", "rule"),
               ("coupon", "comment"), *(("address", attr) for attr in VALID["address"])]
CHECKBOXES = [("cancel", "notify"), ("comment", "notify"), ("comment", "visible_on_front"), ("refund", "notify"),
              ("refund", "return_to_stock")]


@pytest.mark.parametrize("value", HOSTILE_TEXT + NOT_TEXT, ids=repr)
@pytest.mark.parametrize(("action", "attr"), TEXT_INPUTS)
def test_text_with_control_characters_or_not_text_at_all_is_refused_by_name(action, attr, value):
    assert list(field_errors(action, {**VALID[action], attr: value})) == [attr]


@pytest.mark.parametrize("value", [1, [True], {"on": True}, "maybe", "\x00"], ids=repr)
@pytest.mark.parametrize(("action", "attr"), CHECKBOXES)
def test_a_checkbox_is_a_boolean_or_a_word_for_one(action, attr, value):
    assert field_errors(action, {**VALID[action], attr: value}) == {attr: "Tick or untick the box."}


@pytest.mark.parametrize(("action", "attr", "value"), [
    ("cancel", "comment", "\u202eevil"), ("hold", "comment", "ESC\x1b[2J"), ("comment", "comment", ["a", "b"]),
    ("refund", "notify", "\x00"), ("coupon", "rule", 4), ("address", "street1", {"line": "1 Main St"})])
def test_a_refused_value_is_a_400_naming_its_field_and_writes_nothing(send, store, action, attr, value):
    reply = send(action, {**VALID[action], attr: value})
    assert reply.status_code == 400
    assert [error["attr"] for error in reply.get_json()["errors"]] == [attr]
    assert store.writes == []


def test_newlines_tabs_and_right_to_left_script_are_text():
    value = "שלום\tעולם\nSecond line \u200f"
    assert field_errors("comment", {"comment": value, "notify": "maybe"}) == {"notify": "Tick or untick the box."}
    assert OPERATIONS["comment"].read({"comment": value}, None)["comment"] == value.strip()


def test_an_unknown_refund_mode_is_refused():
    errors = field_errors("refund", {**VALID["refund"], "mode": "everything"})
    assert errors == {"mode": "Choose a full or a partial refund."}


# -- who did it ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["cancel", "hold", "comment", "refund", "coupon", "address"])
def test_no_comment_written_to_magento_names_the_agent_id(send, store, action):
    reply = send(action, VALID[action], agent="agent-7731")
    assert reply.status_code == 200, reply.get_json()
    notes = [json.dumps(payload) for _path, payload in store.writes if payload]
    assert notes and all("7731" not in note for note in notes)
    assert any("by a Gladly agent" in note for note in notes)


# -- any value -------------------------------------------------------------------------------------------


@st.composite
def submissions(draw):
    """An action and a valid submission with one to three of its values (or the comment) replaced by anything."""
    action = draw(st.sampled_from(sorted(VALID)))
    value = st.sampled_from(BAD_NUMBERS + HOSTILE_TEXT + NOT_TEXT) | JSON | TEXT
    changes = draw(st.dictionaries(st.sampled_from([*VALID[action], "comment"]), value, min_size=1, max_size=3))
    return action, {**VALID[action], **changes}


@settings(FAST, max_examples=100)
@given(submission=submissions())
@example(submission=("refund", {**VALID["refund"], "adjustment_negative": "1e1000000"}))
def test_no_form_input_value_makes_an_action_answer_5xx(send, submission):
    assert send(*submission).status_code < 500
