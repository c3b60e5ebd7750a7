"""Gladly lookup requests in every observed shape (gladly-lookup-adaptor.md §2.3, §2.4)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.errors import InvalidRequest
from bridge.gladly.requests import load_lookup_request
from bridge.lookup.model import AUTO_LINK
from bridge.lookup.model import DETAILED
from bridge.lookup.model import SEARCH
from bridge.lookup.model import LookupQuery

DATA = Path(__file__).parent / "data"

MARTHA = LookupQuery(
    kind=DETAILED, external_customer_id="abc", gladly_id="o2sg-TMTSD2rTwMuxzewbA", names=["Martha Williams"],
    emails=["martha.williams@gmail.com"], phones=["+15013299800"],
    custom_attributes={"favoriteDate": "2018-08-19T07:00:00.000Z", "favoriteFood": "Apple Pie"},
)


def load(name):
    return json.loads((DATA / name).read_text())


@pytest.mark.parametrize("sample, expected", [
    ("gladly_autolink_lp.json", LookupQuery(kind=AUTO_LINK, gladly_id="Br1zuiBMTA-daPVl50x45w",
                                            emails=["yasir@gladly.com"], names=["Yasir Sadeque"])),
    ("gladly_autolink_ape.json", LookupQuery(kind=AUTO_LINK, gladly_id="customer1", names=["First Last"],
                                             emails=["primary@email.com", "secondary@email.com"],
                                             phones=["+15551234567"])),
    ("gladly_search_spree.json", LookupQuery(kind=SEARCH, emails=["customer@example.com"], phones=["666-666-666"],
                                             names=["Elka Melka"])),
    ("gladly_search_lp_email.json", LookupQuery(kind=SEARCH, emails=["customer@example.com"])),
    ("gladly_detailed_flat.json", MARTHA),
    ("gladly_detailed_nested.json", MARTHA),
])
def test_loads_every_observed_request(sample, expected):
    assert load_lookup_request(load(sample)) == expected


@pytest.mark.parametrize("query, unique, kind", [
    ({"id": "g1", "emails": "jane@example.com"}, False, AUTO_LINK),  # a Gladly id: a profile, not an agent
    ({"emails": ["jane@example.com"]}, False, AUTO_LINK),  # arrays are Gladly profile data
    ({"emails": "jane@example.com"}, True, AUTO_LINK),  # a unique match was asked for
    ({}, False, AUTO_LINK),  # unsure
    ({"customAttributes": {"tier": "gold"}}, False, AUTO_LINK),  # unsure
    ({"orderNumber": "000000003"}, False, SEARCH),
])
def test_basic_kind_prefers_auto_link_when_unsure(query, unique, kind):
    body = {"lookupLevel": "BASIC", "query": query, "uniqueMatchRequired": unique}
    assert load_lookup_request(body).kind == kind


@pytest.mark.parametrize("level, kind", [("detailed", DETAILED), (" Basic ", SEARCH)])
def test_lookup_level_is_case_insensitive(level, kind):
    assert load_lookup_request({"lookupLevel": level, "query": {"name": "Jane"}}).kind == kind


def test_query_keys_are_merged_and_normalised():
    query = load_lookup_request({"lookupLevel": "BASIC", "query": {
        "email": "Jane@Example.com ", "emails": ["Jane@Example.com", "", 7, None, ["nested"]],
        "Phone": "+1 512 555 1111", "orderNumber": "000000003", "increment_id": ["000000004"], "order": "000000003",
        "externalCustomerId": 42, "loyaltyTier": ["gold", "vip"], "isVip": True, "ignored": {"deep": "value"},
    }})
    assert query == LookupQuery(
        kind=AUTO_LINK, external_customer_id="42", emails=["Jane@Example.com", "7"], phones=["+1 512 555 1111"],
        order_numbers=["000000003", "000000004"], custom_attributes={"loyaltyTier": "gold, vip"},
    )


def test_nested_custom_attributes_win_over_flat_ones():
    query = load_lookup_request({"lookupLevel": "DETAILED", "query": {
        "tier": "flat", "customAttributes": {"tier": "nested", "since": "2017"}}})
    assert query.custom_attributes == {"tier": "nested", "since": "2017"}


@pytest.mark.parametrize("body", [
    {"lookupLevel": "DETAILED", "query": None, "uniqueMatchRequired": None},
    {"lookupLevel": "DETAILED", "query": ["abc"], "uniqueMatchRequired": "yes"},
    {"lookupLevel": "DETAILED", "query": {"externalCustomerId": None, "customAttributes": ["x"]}},
    {"lookupLevel": "DETAILED", "somethingNew": {"a": 1}},
])
def test_never_rejects_an_odd_shape(body):
    assert load_lookup_request(body) == LookupQuery(kind=DETAILED)


@pytest.mark.parametrize("body, detail", [
    ([{"lookupLevel": "BASIC"}], "must be a JSON object"),
    ("BASIC", "must be a JSON object"),
    (None, "must be a JSON object"),
    ({"query": {"emails": ["jane@example.com"]}}, "lookupLevel: Missing data"),
    ({"lookupLevel": "FULL"}, "lookupLevel: Must be one of BASIC, DETAILED"),
    ({"lookupLevel": 5}, "lookupLevel: Not a valid string"),
    ({"lookupLevel": None}, "lookupLevel: Field may not be null"),
])
def test_rejects_only_a_non_object_or_an_unusable_lookup_level(body, detail):
    with pytest.raises(InvalidRequest, match=detail) as raised:
        load_lookup_request(body)
    assert raised.value.status_code == 400
