"""The Magento transport (bridge/magento/transport.py) against a real HTTP server on this machine.

The server counts the TCP connections it accepts, so keep-alive reuse is observed, not assumed.
"""
from __future__ import annotations

import datetime
import gzip
import http.server
import ipaddress
import socket
import ssl
import threading
import time
import zlib

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from requests.structures import CaseInsensitiveDict
from urllib3.connectionpool import HTTPConnectionPool

from bridge.magento.client import Credentials
from bridge.magento.client import MagentoClient
from bridge.magento.transport import MAX_BODY
from bridge.magento.transport import LeanPool
from bridge.magento.transport import MagentoTransport

BODY = b'{"items": [], "total_count": 0}'
CREDENTIALS = Credentials("ck" + "0" * 30, "cs" + "1" * 30, "at" + "2" * 30, "as" + "3" * 30)


# Replies written byte for byte, by path: the framings of RFC 9112 §6.3 and ways a reply can be broken.
RAW = {
    "/chunked": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"5;ext=1\r\n" + BODY[:5] + b"\r\n" + f"{len(BODY) - 5:x}".encode() + b"\r\n" + BODY[5:]
                 + b"\r\n0\r\nX-Trailer: 1\r\n\r\n"),
    "/interim": (b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                 b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY),
    "/no-content": b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
    "/folded": (b"HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\nContent-Length: " + str(len(BODY)).encode()
                + b"\r\n\r\n" + BODY),
    "/until-close": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + BODY,
    "/http10": b"HTTP/1.0 200 OK\r\nContent-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY,
    "/not-http": b"SSH-2.0-OpenSSH_9.2\r\n",
    "/short": b"HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n" + BODY,
    "/bad-length": b"HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n",
    "/bad-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "/no-colon": b"HTTP/1.1 200 OK\r\nthis is no field\r\n\r\n",
    # Over MAX_BODY: declared, never sent (the pool must refuse before reading).
    "/too-long": f"HTTP/1.1 200 OK\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n".encode(),
    "/too-long-chunked": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          + f"{len(BODY):x}\r\n".encode() + BODY + f"\r\n{MAX_BODY:x}\r\n".encode()),
}
KEPT_ALIVE = {"/chunked", "/interim", "/no-content", "/folded"}


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers by path: /ok, /gzip, /deflate, /brotli, /bad-gzip, /cut-gzip, /slow, /close, /drop (closes
    without saying), /gzip-bomb and /deflate-bomb (a byte over MAX_BODY once decompressed),
    /too-long-until-close (a byte over MAX_BODY, framed by the end of the connection), and the RAW replies."""

    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.server.connections += 1

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.server.seen.append((self.path, dict(self.headers)))
        if self.path in RAW:
            self.wfile.write(RAW[self.path])
            self.close_connection = self.path not in KEPT_ALIVE
            return
        body, headers = BODY, {"Content-Type": "application/json"}
        if self.path == "/gzip":
            body, headers["Content-Encoding"] = gzip.compress(BODY), "gzip"
        elif self.path == "/deflate":
            body, headers["Content-Encoding"] = zlib.compress(BODY), "deflate"
        elif self.path == "/brotli":
            headers["Content-Encoding"] = "br"
        elif self.path == "/bad-gzip":
            body, headers["Content-Encoding"] = b"not gzip", "gzip"
        elif self.path == "/cut-gzip":  # the trailer (CRC and length) missing
            body, headers["Content-Encoding"] = gzip.compress(BODY)[:-8], "gzip"
        elif self.path == "/gzip-bomb":
            body, headers["Content-Encoding"] = gzip.compress(bytes(MAX_BODY + 1)), "gzip"
        elif self.path == "/deflate-bomb":
            body, headers["Content-Encoding"] = zlib.compress(bytes(MAX_BODY + 1)), "deflate"
        elif self.path == "/too-long-until-close":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + bytes(MAX_BODY + 1))
            self.close_connection = True
            return
        elif self.path == "/slow":
            time.sleep(1)
        elif self.path == "/close":
            headers["Connection"] = "close"
        self.send_response(200)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        if self.path == "/drop":  # an idle timeout on the server: the connection ends without a word
            self.close_connection = True

    def log_message(self, *args):
        pass


def serve(tls: ssl.SSLContext | None = None):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.connections, server.seen = 0, []
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def server():
    server = serve()
    yield server
    server.shutdown()
    server.server_close()


def send(transport: MagentoTransport, url: str, *, timeout=(1.0, 2.0), verify=True, proxies=None,
         headers=None) -> requests.Response:
    request = requests.Request("GET", url, headers=headers or {"Accept-Encoding": "gzip, deflate"}).prepare()
    return transport.send(request, timeout=timeout, verify=verify, proxies=proxies or {})


def origin(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture
def transport(server):
    transport = MagentoTransport(origin(server), pool_size=4, verify=True)
    yield transport
    transport.close()


def test_replies_come_whole_over_one_kept_alive_connection(server, transport):
    replies = [send(transport, origin(server) + "ok?fields=items%5Bentity_id%2Cincrement_id%5D") for _ in range(3)]

    assert [(reply.status_code, reply.content) for reply in replies] == [(200, BODY)] * 3
    assert replies[0].headers["content-type"] == "application/json"
    assert replies[0].url.endswith("/ok?fields=items%5Bentity_id%2Cincrement_id%5D")
    assert server.connections == 1
    # The target goes out exactly as the signer signed it.
    assert server.seen[0][0] == "/ok?fields=items%5Bentity_id%2Cincrement_id%5D"


@pytest.mark.parametrize("path", ["gzip", "deflate"])
def test_compressed_replies_are_decoded(server, transport, path):
    assert send(transport, origin(server) + path).content == BODY


@pytest.mark.parametrize("path", ["bad-gzip", "cut-gzip", "brotli"])
def test_a_body_that_cannot_be_decoded_is_a_connection_error(server, transport, path):
    with pytest.raises(requests.ConnectionError):
        send(transport, origin(server) + path)


@pytest.mark.parametrize("path", ["chunked", "interim", "folded", "until-close", "http10"])
def test_every_framing_of_a_reply_is_read_whole(server, transport, path):
    reply = send(transport, origin(server) + path)

    assert (reply.status_code, reply.content) == (200, BODY)
    send(transport, origin(server) + "ok")
    # Chunked and interim replies leave the connection usable; the others end it.
    assert server.connections == (1 if f"/{path}" in KEPT_ALIVE else 2)


def test_a_reply_without_content_has_no_body_and_keeps_the_connection(server, transport):
    assert (send(transport, origin(server) + "no-content").status_code, server.connections) == (204, 1)
    assert send(transport, origin(server) + "ok").content == BODY and server.connections == 1


def test_a_folded_field_is_joined(server, transport):
    assert send(transport, origin(server) + "folded").headers["x-long"] == "one two"


@pytest.mark.parametrize("path", ["not-http", "short", "bad-length", "bad-chunk", "no-colon"])
def test_a_reply_that_is_not_http_or_cut_short_is_a_connection_error(server, transport, path):
    with pytest.raises(requests.ConnectionError):
        send(transport, origin(server) + path)
    assert not transport.lean._idle  # that connection is not reused
    assert send(transport, origin(server) + "ok").content == BODY


@pytest.mark.parametrize("path", ["too-long", "too-long-chunked", "too-long-until-close", "gzip-bomb", "deflate-bomb"])
def test_a_body_over_the_cap_is_a_connection_error(server, transport, path):
    with pytest.raises(requests.ConnectionError, match="longer than"):
        send(transport, origin(server) + path)
    assert send(transport, origin(server) + "ok").content == BODY


def test_a_client_call_goes_through_the_lean_pool(server, monkeypatch):
    """requests itself calls the adapter's hook (HTTPAdapter.get_connection_with_tls_context, since 2.32.2):
    a real MagentoClient.get is answered by the lean pool, not by urllib3."""
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):  # the call must go direct
        monkeypatch.delenv(name, raising=False)
    client = MagentoClient(origin(server), CREDENTIALS, pool_size=1)
    urlopen, answered = client.adapter.lean.urlopen, []

    def spy(*args, **kwargs):
        answered.append(urlopen(*args, **kwargs))
        return answered[-1]

    monkeypatch.setattr(client.adapter.lean, "urlopen", spy)
    try:
        assert client.get("/V1/orders") == {"items": [], "total_count": 0}
    finally:
        client.close()
    assert [reply.content for reply in answered] == [BODY]
    assert server.seen[0][0] == "/rest/default/V1/orders"


@pytest.mark.parametrize("header", [{"X-Evil": "a\r\nInjected: yes"}, {"X-Evil": "a\nb"}, {"X-Evil": "a\rb"}])
def test_a_line_break_in_a_header_is_refused_before_sending(server, transport, header):
    # Prepared as the client prepares its calls: requests' own header check is not on that path.
    request = requests.PreparedRequest()
    request.prepare_method("GET")
    request.url, request.headers, request.body = origin(server) + "ok", CaseInsensitiveDict(header), None
    request.prepare_hooks({})

    with pytest.raises(ValueError, match="line break"):
        transport.send(request, timeout=(1.0, 2.0), verify=True, proxies={})
    assert server.seen == []


def test_a_connection_the_server_closed_while_idle_is_replaced(server, transport):
    send(transport, origin(server) + "drop")
    time.sleep(0.2)  # the server has closed it by now

    assert send(transport, origin(server) + "ok").content == BODY
    assert server.connections == 2


def test_connection_close_is_honoured(server, transport):
    send(transport, origin(server) + "close")
    send(transport, origin(server) + "ok")

    assert server.connections == 2


def test_idle_connections_are_bounded(server):
    transport = MagentoTransport(origin(server), pool_size=2, verify=True)
    gate = threading.Barrier(4, timeout=5)
    threads = [threading.Thread(target=lambda: (gate.wait(), send(transport, origin(server) + "slow")))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert server.connections == 4 and len(transport.lean._idle) == 2
    transport.close()
    assert not transport.lean._idle


def test_a_slow_reply_is_a_read_timeout(server, transport):
    with pytest.raises(requests.ReadTimeout):
        send(transport, origin(server) + "slow", timeout=(1.0, 0.2))


def test_a_refused_connection_is_a_connection_error_not_a_timeout():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    transport = MagentoTransport(f"http://127.0.0.1:{port}/", pool_size=1, verify=True)

    with pytest.raises(requests.ConnectionError) as raised:
        send(transport, f"http://127.0.0.1:{port}/ok")
    assert not isinstance(raised.value, requests.ConnectTimeout)


def test_a_connect_that_times_out_is_a_connect_timeout(server, transport, monkeypatch):
    def stalled(*args, **kwargs):
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket, "create_connection", stalled)
    with pytest.raises(requests.ConnectTimeout):
        send(transport, origin(server) + "ok")


def test_other_origins_proxies_and_client_certificates_use_urllib3(server, transport):
    request = requests.Request("GET", origin(server) + "ok").prepare()
    elsewhere = requests.Request("GET", "http://elsewhere.test/ok").prepare()

    assert transport.get_connection_with_tls_context(request, True) is transport.lean
    assert isinstance(transport.get_connection_with_tls_context(elsewhere, True), HTTPConnectionPool)
    proxied = transport.get_connection_with_tls_context(request, True, proxies={"http": "http://proxy.test:3128"})
    assert isinstance(proxied, HTTPConnectionPool)
    assert isinstance(transport.get_connection_with_tls_context(request, "/etc/ssl/certs"), HTTPConnectionPool)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                       serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder


@pytest.fixture
def tls_server(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    server = serve(context)
    yield f"https://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_tls_is_verified_against_the_given_bundle(tls_server, certificate):
    bundle = str(certificate / "cert.pem")
    transport = MagentoTransport(tls_server, pool_size=1, verify=bundle)

    assert send(transport, tls_server + "ok", verify=bundle).content == BODY
    transport.close()


def test_a_certificate_no_bundle_vouches_for_is_refused(tls_server):
    transport = MagentoTransport(tls_server, pool_size=1, verify=True)  # certifi's bundle, as requests

    with pytest.raises(requests.exceptions.SSLError):
        send(transport, tls_server + "ok")


def test_an_unreadable_bundle_leaves_the_call_to_requests(tmp_path):
    pool = LeanPool("https://shop.test/", maxsize=1, verify=str(tmp_path / "missing.pem"))

    assert not pool.serves("https://shop.test/rest/V1/orders", str(tmp_path / "missing.pem"))
