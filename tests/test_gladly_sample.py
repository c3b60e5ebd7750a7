"""``bridge sign``'s requests: the bodies Gladly sends for each kind, signed so the bridge's verifier accepts them."""
from __future__ import annotations

import json
import shlex
from datetime import datetime
from datetime import timezone

import pytest
from click.testing import CliRunner

from bridge import cli
from bridge.errors import InvalidSignature
from bridge.gladly import sample
from bridge.gladly.requests import load_lookup_request
from bridge.gladly.signature import verify
from bridge.lookup.model import AUTO_LINK
from bridge.lookup.model import DETAILED
from bridge.lookup.model import SEARCH

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


def parse_curl(command: str) -> tuple[str, dict, bytes]:
    """URL, headers and body of a printed curl command, read as a shell reads it."""
    words = shlex.split(command.replace("\\\n", " "))
    assert words[:4] == ["curl", "-sS", "-X", "POST"]
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    return words[4], headers, words[words.index("--data-raw") + 1].encode()


@pytest.mark.parametrize("kind, values, expected_kind, field, value", [
    (sample.AUTO_LINK_KIND, {"email": "sam@example.com"}, AUTO_LINK, "emails", ["sam@example.com"]),
    (sample.AUTO_LINK_KIND, {"phone": "+14155550134"}, AUTO_LINK, "phones", ["+14155550134"]),
    (sample.SEARCH, {"order": "000000007"}, SEARCH, "order_numbers", ["000000007"]),
    (sample.SEARCH, {"name": "Sam Smith", "email": "sam@example.com"}, SEARCH, "names", ["Sam Smith"]),
    (sample.DETAILED, {"customer": "guest:guest@example.org"}, DETAILED, "external_customer_id",
     "guest:guest@example.org"),
])
def test_bodies_are_read_as_the_kind_asked_for(kind, values, expected_kind, field, value):
    query = load_lookup_request(sample.lookup_body(kind, **values))
    assert query.kind == expected_kind
    assert getattr(query, field) == value


@pytest.mark.parametrize("kind, values", [
    (sample.DETAILED, {"email": "sam@example.com"}),
    (sample.AUTO_LINK_KIND, {"order": "000000007"}),
    (sample.SEARCH, {}),
    ("everything", {"email": "sam@example.com"}),
])
def test_a_kind_without_its_input_is_refused(kind, values):
    with pytest.raises(ValueError):
        sample.lookup_body(kind, **values)


def test_the_curl_command_carries_a_valid_signature_for_the_prefixed_path():
    body = sample.lookup_body(sample.DETAILED, customer="3")
    command = sample.signed_curl("https://bridge.example/", "key-1", body, prefix="/magento-bridge/", now=NOW,
                                 basic=("gladly", "pa ss'word"))
    url, headers, raw = parse_curl(command)
    assert url == "https://bridge.example/magento-bridge/gladly/lookup"
    assert json.loads(raw) == body
    assert headers["Authorization"] == "Basic Z2xhZGx5OnBhIHNzJ3dvcmQ="
    assert "authorization" in headers["Gladly-Authorization"]  # signed, as Gladly signs it with Basic auth
    verify("key-1", method="POST", path="/magento-bridge/gladly/lookup", query="", headers=headers, body=raw,
           now=NOW, tolerance=300)
    with pytest.raises(InvalidSignature):
        verify("key-2", method="POST", path="/magento-bridge/gladly/lookup", query="", headers=headers, body=raw,
               now=NOW, tolerance=300)


def test_sign_command_reads_the_key_from_the_environment():
    runner = CliRunner()
    result = runner.invoke(cli.sign, ["--url", "http://127.0.0.1:9999", "--order", "000000007"],
                           env={"BRIDGE_GLADLY_SIGNING_KEY": "key-1"})
    assert result.exit_code == 0, result.output
    url, headers, raw = parse_curl(result.output)
    assert url == "http://127.0.0.1:9999/gladly/lookup"
    assert json.loads(raw)["query"] == {"orderNumber": "000000007"}
    verify("key-1", method="POST", path="/gladly/lookup", query="", headers=headers, body=raw,
           now=datetime.now(timezone.utc), tolerance=300)


def test_sign_command_explains_what_is_missing():
    runner = CliRunner()
    no_key = runner.invoke(cli.sign, ["--customer", "3"], env={"BRIDGE_GLADLY_SIGNING_KEY": None})
    assert no_key.exit_code == 2 and "--key" in no_key.output
    no_customer = runner.invoke(cli.sign, ["--key", "k", "--kind", "detailed", "--email", "sam@example.com"])
    assert no_customer.exit_code == 2 and "needs a customer id" in no_customer.output


def test_make_sample_lookup_prints_what_bridge_sign_prints(monkeypatch, capsys):
    from bridge.cli import quickstart
    monkeypatch.setenv("BRIDGE_GLADLY_SIGNING_KEY", "key-1")
    monkeypatch.setenv("BRIDGE_GLADLY_PATH_PREFIX", "/shop-bridge")
    assert quickstart.main(["--sample-only"]) == 0
    url, headers, raw = parse_curl(capsys.readouterr().out)
    assert url == "http://127.0.0.1:8000/shop-bridge/gladly/lookup"
    assert json.loads(raw)["query"]["externalCustomerId"] == quickstart.SAMPLE_CUSTOMER_ID
    verify("key-1", method="POST", path="/shop-bridge/gladly/lookup", query="", headers=headers, body=raw,
           now=datetime.now(timezone.utc), tolerance=300)
