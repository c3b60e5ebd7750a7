"""``POST /gladly/lookup``: parsing, the call into the lookup service and cardinality at the edge (§3.2)."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

from bridge.gladly import lookup_views as views
from bridge.lookup.model import AUTO_LINK
from bridge.lookup.model import DETAILED
from bridge.lookup.model import SEARCH
from bridge.lookup.model import Phone
from bridge.lookup.model import Profile
from bridge.lookup.service import LookupSettings

DATA = Path(__file__).parent / "data"
CLIENT = SimpleNamespace(base_url="https://activated-shop.test/")  # a store connected by activation


class FakeService:
    """Answers every lookup with ``profiles`` and records the calls."""

    def __init__(self):
        self.profiles: list[Profile] = []
        self.calls: list[tuple] = []

    def run_lookup(self, query, client, settings, order_actions, profile_actions):
        self.calls.append((query, client, settings, order_actions, profile_actions))
        return self.profiles


@pytest.fixture
def service(monkeypatch):
    """The lookup service and Magento client replaced: set ``profiles``, read ``calls``."""
    fake = FakeService()
    monkeypatch.setattr(views, "run_lookup", fake.run_lookup)
    monkeypatch.setattr(views, "get_client", lambda: CLIENT)
    return fake


def sample(name):
    return json.loads((DATA / name).read_text())


def profile(customer_id="1", emails=(), phones=()):
    return Profile(external_customer_id=customer_id, name="Martha Williams", emails=list(emails), phones=list(phones))


def ids(response):
    assert response.status_code == 200
    return [result["externalCustomerId"] for result in response.get_json()["results"]]


def test_detailed_lookup_returns_its_one_profile(lookup, service):
    service.profiles = [profile("abc")]
    response = lookup(sample("gladly_detailed_flat.json"))
    assert response.get_json() == {"results": [{
        "externalCustomerId": "abc", "name": "Martha Williams", "address": "", "emails": [], "phones": [],
        "customAttributes": {}}]}
    [(query, client, settings, order_actions, profile_actions)] = service.calls
    assert query.kind == DETAILED and query.external_customer_id == "abc"
    assert client is CLIENT and isinstance(settings, LookupSettings) and callable(order_actions)
    assert callable(profile_actions)
    # Links point at the connected store, not at BRIDGE_MAGENTO_URL.
    assert settings.magento_url == CLIENT.base_url


def test_detailed_lookup_with_several_profiles_answers_none(lookup, service, caplog):
    service.profiles = [profile("abc"), profile("abd")]
    with caplog.at_level(logging.WARNING, logger="bridge.gladly.lookup_views"):
        assert ids(lookup(sample("gladly_detailed_nested.json"))) == []
    assert "detailed lookup matched 2 profiles" in caplog.text


def test_no_match_is_an_empty_result(lookup, service):
    response = lookup(sample("gladly_autolink_lp.json"))
    assert response.status_code == 200
    assert response.get_json() == {"results": []}


def test_search_returns_every_candidate(lookup, service):
    service.profiles = [profile("1", ["other@example.com"]), profile("2"), profile("3")]
    assert ids(lookup(sample("gladly_search_spree.json"))) == ["1", "2", "3"]
    assert service.calls[0][0].kind == SEARCH


@pytest.mark.parametrize("profiles, linked", [
    pytest.param([profile("1", ["Primary@Email.com"])], ["1"], id="email-any-case"),
    pytest.param([profile("1", ["secondary@email.com"])], ["1"], id="second-email"),
    pytest.param([profile("1", phones=[Phone("(555) 123-4567"), Phone("+1 555 123 4567")])], ["1"],
                 id="mobile-phone-digits"),
    pytest.param([profile("1", phones=[Phone("555-123-4567")])], ["1"], id="mobile-phone-national"),
    pytest.param([profile("1", phones=[Phone("+44 555 123 4567")])], [], id="mobile-phone-other-country"),
    pytest.param([profile("1", ["primary@email.com"]), profile("2", ["primary@email.com"])], [], id="two-matches"),
    pytest.param([profile("1", ["someone.else@email.com"])], [], id="email-differs"),
    pytest.param([profile("1", phones=[Phone("+15551234567", "HOME")])], [], id="home-phone"),
    pytest.param([profile("1")], [], id="nothing-to-compare"),
])
def test_auto_link_needs_exactly_one_confirmed_profile(lookup, service, profiles, linked):
    service.profiles = profiles
    assert ids(lookup(sample("gladly_autolink_ape.json"))) == linked
    assert service.calls[0][0].kind == AUTO_LINK


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"query": {}}', b'{"lookupLevel": "FULL"}'])
def test_an_unusable_body_is_a_400(client, gladly_headers, service, body):
    response = client.post("/gladly/lookup", data=body, headers=gladly_headers("POST", "/gladly/lookup", body))
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert error["code"] == "invalid_request"
    assert service.calls == []


def test_content_type_is_not_required(client, gladly_headers, service):
    body = (DATA / "gladly_detailed_flat.json").read_bytes()
    headers = gladly_headers("POST", "/gladly/lookup", body, extra={"Content-Type": "text/plain"})
    assert client.post("/gladly/lookup", data=body, headers=headers).status_code == 200
