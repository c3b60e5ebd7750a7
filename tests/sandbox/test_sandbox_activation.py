"""Magento's side of integration activation and the token exchange (magento-rest.md §1)."""

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest
import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from oauthlib.oauth1 import Client
from sandbox_helpers import oauth_client

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def receiver():
    """A tiny bridge stand-in that records activation POSTs and answers with `status`."""
    posts = []

    class Handler(BaseHTTPRequestHandler):
        status = 200

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            posts.append((self.headers["Content-Type"], dict(parse_qsl(body))))
            self.send_response(Handler.status)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}/magento/oauth/callback",
                          posts=posts, handler=Handler)
    server.shutdown()
    server.server_close()
    thread.join()


def activate(live, receiver):
    reply = requests.post(live.url + "sandbox/activate", timeout=10, json={
        "endpoint_url": receiver.url, "identity_url": receiver.url.replace("callback", "identity")})
    return reply.json()


def token_call(base_url, step, credentials, token=None, token_secret=None, verifier=None,
               client_secret=None):
    """POST /oauth/token/<step> signed by oauthlib.

    Like Magento's own client, the verifier goes in the header and again as a form field, signed
    once: Magento ignores body oauth_* fields when the header has any (Request.php), so a signer
    that also signs the body copy (oauthlib, given the body) counts it twice and fails.
    """
    client = Client(credentials["oauth_consumer_key"],
                    client_secret=client_secret or credentials["oauth_consumer_secret"],
                    resource_owner_key=token, resource_owner_secret=token_secret,
                    verifier=verifier, signature_method=SIGNATURE_HMAC_SHA256)
    uri, headers, _ = client.sign(base_url + f"oauth/token/{step}", "POST")
    body = f"oauth_verifier={verifier}" if verifier else None
    reply = requests.post(uri, data=body, headers={**headers, **FORM}, timeout=5)
    return reply.status_code, dict(parse_qsl(reply.text))


def exchange(base_url, credentials):
    """Run request token then access token; return the access token pair."""
    status, request_token = token_call(base_url, "request", credentials)
    assert status == 200, request_token
    status, access = token_call(base_url, "access", credentials, request_token["oauth_token"],
                                request_token["oauth_token_secret"], credentials["oauth_verifier"])
    assert status == 200, access
    return access


def get_order(base_url, credentials, access):
    creds = {"consumer_key": credentials["oauth_consumer_key"],
             "consumer_secret": credentials["oauth_consumer_secret"],
             "access_token": access["oauth_token"],
             "access_token_secret": access["oauth_token_secret"]}
    uri, headers, _ = oauth_client(creds).sign(base_url + "rest/V1/orders/1", "GET")
    return requests.get(uri, headers=headers, timeout=5)


def test_activation_exchange_and_reauthorize(live_sandbox, receiver):
    result = activate(live_sandbox, receiver)
    assert result["post_status"] == 200
    content_type, posted = receiver.posts[0]
    assert content_type == "application/x-www-form-urlencoded"
    assert sorted(posted) == ["oauth_consumer_key", "oauth_consumer_secret", "oauth_verifier",
                              "store_base_url"]
    assert posted["oauth_consumer_key"] == result["consumer_key"]
    assert posted["store_base_url"] == live_sandbox.url and posted["store_base_url"].endswith("/")
    assert all(len(posted[k]) == 32 for k in posted if k.startswith("oauth_"))

    base = posted["store_base_url"]
    access = exchange(base, posted)
    assert get_order(base, posted, access).status_code == 200
    status, problem = token_call(base, "request", posted)
    assert (status, problem) == (401, {"oauth_problem": "Cannot create request token because "
                                                       "consumer token is not a verifier token"})

    assert requests.post(live_sandbox.url + "sandbox/reauthorize", json={}, timeout=10).json() == \
        {"consumer_key": result["consumer_key"], "post_status": 200}
    _, again = receiver.posts[1]
    assert again["oauth_consumer_key"] == posted["oauth_consumer_key"]
    assert again["oauth_consumer_secret"] == posted["oauth_consumer_secret"]
    assert again["oauth_verifier"] != posted["oauth_verifier"]
    revoked = get_order(base, posted, access)
    assert (revoked.status_code, revoked.json()) == (401, {"message": "Access token has been revoked"})
    assert get_order(base, again, exchange(base, again)).status_code == 200


def test_gladly_config_names_the_bridge(live_sandbox, receiver):
    activate(live_sandbox, receiver)
    creds = live_sandbox.store.credentials
    uri, headers, _ = oauth_client(creds).sign(live_sandbox.url + "rest/V1/gladly/config", "GET")
    config = requests.get(uri, headers=headers, timeout=5).json()
    assert config["bridge_url"] == receiver.url.split("/magento")[0]
    assert config["admin_base_url"] == live_sandbox.url + "admin/"  # the module's contract: ends in "/"
    assert config["setup_code"] == ""
    # Like the module: each status's own label (store 0), then its store view labels.
    statuses = [(item["store_id"], item["code"], item["label"]) for item in config["order_statuses"]]
    assert statuses[statuses.index((0, "holded", "On Hold")) + 1] == (2, "holded", "On Hold (UK)")
    assert (0, "fraud", "Suspected Fraud") in statuses
    live_sandbox.store.configure({"setup_code": "K7QM-3XRD"})
    uri, headers, _ = oauth_client(creds).sign(live_sandbox.url + "rest/V1/gladly/config", "GET")
    assert requests.get(uri, headers=headers, timeout=5).json()["setup_code"] == "K7QM-3XRD"


def test_request_token_after_the_verifier_ttl(live_sandbox, receiver):
    activate(live_sandbox, receiver)
    live_sandbox.store.configure({"verifier_ttl": -1})
    status, problem = token_call(live_sandbox.url, "request", receiver.posts[0][1])
    assert (status, problem) == (401, {"oauth_problem": "Consumer key has expired"})


@pytest.mark.parametrize("tamper, problem", [
    ("secret", "The signature is invalid. Verify and try again."),
    ("verifier", "Token verifier and verifier token do not match"),
])
def test_access_token_errors(live_sandbox, receiver, tamper, problem):
    activate(live_sandbox, receiver)
    posted = receiver.posts[0][1]
    _, request_token = token_call(live_sandbox.url, "request", posted)
    status, reply = token_call(
        live_sandbox.url, "access", posted, request_token["oauth_token"],
        request_token["oauth_token_secret"],
        "v" * 32 if tamper == "verifier" else posted["oauth_verifier"],
        client_secret="s" * 32 if tamper == "secret" else None)
    assert (status, reply) == (401, {"oauth_problem": problem})


def test_token_request_with_sha1_is_a_400(live_sandbox, receiver):
    activate(live_sandbox, receiver)
    posted = receiver.posts[0][1]
    client = Client(posted["oauth_consumer_key"], client_secret=posted["oauth_consumer_secret"])
    uri, headers, _ = client.sign(live_sandbox.url + "oauth/token/request", "POST")
    reply = requests.post(uri, headers=headers, timeout=5)
    assert reply.status_code == 400
    assert reply.text == "oauth_problem=Signature+method+HMAC-SHA1+is+not+supported"


def test_redirects_are_not_followed(live_sandbox, receiver):
    receiver.handler.status = 302
    assert activate(live_sandbox, receiver)["post_status"] == 302
    assert len(receiver.posts) == 1


def test_unreachable_endpoint(live_sandbox):
    reply = requests.post(live_sandbox.url + "sandbox/activate", timeout=10,
                          json={"endpoint_url": "http://127.0.0.1:9/cb"}).json()
    assert reply["post_status"] is None
    assert reply["error"].startswith("Unable to post data to consumer")


def test_cli_banner_credentials_file_and_activate_to(tmp_path, receiver):
    creds_file = tmp_path / "creds.json"
    command = [sys.executable, "-m", "sandbox", "--port", "0", "--credentials-file",
               str(creds_file), "--activate-to", receiver.url, "--activate-delay", "0",
               "--dataset", "busy"]
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True) as process:
        lines = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any("activation POST" in line for line in lines):
            lines.append(process.stdout.readline())
        process.terminate()
        process.wait(5)
    output = "".join(lines)
    assert "SANDBOX STORE - a test double that imitates Magento 2 REST shapes; it is NOT Magento" \
        in output
    saved = json.loads(creds_file.read_text())
    assert saved["store_base_url"] in output and saved["access_token"] in output
    assert '"post_status": 200' in output
    assert receiver.posts[0][1]["store_base_url"] == saved["store_base_url"]
