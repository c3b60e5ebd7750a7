"""``bridge doctor``'s clock and TLS verdicts; the whole command runs against real processes in tests/e2e."""
from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bridge.cli import doctor
from bridge.cli.doctor import FAIL
from bridge.cli.doctor import NOTE
from bridge.cli.doctor import OK


@pytest.mark.parametrize("skew, status, words", [
    (0, OK, "within 1 s"),
    (-59, OK, "within 59 s"),
    (120, FAIL, "120 s ahead of Magento (Gladly-Time checks"),
    (-400, FAIL, "400 s behind Magento"),
    (700, FAIL, "Magento refuses OAuth timestamps more than 600 s ahead"),
])
def test_clock_verdicts(skew, status, words):
    finding = doctor.clock_finding(skew)
    assert finding.status == status and words in finding.what
    assert bool(finding.fix) == (status == FAIL)


def _certificate(subject: str, key, issuer_name, issuer_key, *, days: int, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer_name or x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


@pytest.fixture
def tls_store(tmp_path):
    """A TLS server on loopback whose certificate (valid ``days``) a test CA signed; yields (url, ca_file)."""
    servers = []

    def start(days: int):
        ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        ca = _certificate("Doctor test CA", ca_key, None, None, days=30, ca=True)
        leaf = _certificate("localhost", key, ca.subject, ca_key, days=days, ca=False)
        (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
        (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                             serialization.PrivateFormat.PKCS8,
                                                             serialization.NoEncryption()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "key.pem")
        listener = socket.create_server(("127.0.0.1", 0))
        servers.append(listener)

        def serve():
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:  # closed at the end of the test
                    return
                try:
                    with context.wrap_socket(connection, server_side=True):
                        pass
                except (ssl.SSLError, OSError):  # the client refused our certificate
                    connection.close()

        threading.Thread(target=serve, daemon=True).start()
        return f"https://localhost:{listener.getsockname()[1]}/", str(tmp_path / "ca.pem")

    yield start
    for listener in servers:
        listener.close()


def test_a_trusted_certificate_is_ok_with_its_expiry(tls_store):
    url, ca_file = tls_store(days=90)
    finding = doctor.check_tls(url, cafile=ca_file)
    assert finding.status == OK, finding.line()
    assert "certificate of localhost valid until" in finding.what and "(89 days)" in finding.what


def test_an_untrusted_certificate_fails_with_the_reason(tls_store):
    url, _ = tls_store(days=90)
    finding = doctor.check_tls(url)  # the system's CAs do not know the test CA
    assert finding.status == FAIL
    assert "is not valid" in finding.what and "certificate" in finding.what
    assert "public CA" in finding.fix


def test_a_certificate_about_to_expire_fails(tls_store):
    url, ca_file = tls_store(days=5)
    finding = doctor.check_tls(url, cafile=ca_file)
    assert finding.status == FAIL and "(in 4 days)" in finding.what and finding.fix == "renew the store's certificate"


def test_plain_http_is_noted_on_loopback_and_fails_elsewhere():
    assert doctor.check_tls("http://127.0.0.1:8081/").status == NOTE
    remote = doctor.check_tls("http://shop.example.com/")
    assert remote.status == FAIL and "https://" in remote.fix


def test_no_tls_listener_fails_with_the_connection_error():
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    finding = doctor.check_tls(f"https://127.0.0.1:{port}/", timeout=2)
    assert finding.status == FAIL and "no TLS connection" in finding.what
