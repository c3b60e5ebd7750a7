"""The HTTP transport of Magento calls: requests' adapter, with urllib3's connection pool swapped for a lean one.

Why: the order search of a detailed lookup is a kilobyte-long URL (its ``fields`` projection). urllib3
re-encodes every request target byte by byte in Python whenever it holds a ``%``, and its pool, retry and
response layers come on top: the same call cost 1.4-2.2 ms of CPU through urllib3 and 0.7-0.9 ms on
``http.client`` (one process against the sandbox, 300 calls each). The bridge builds each URL itself,
already encoded (``search.encode_query``), and reads every body whole, so none of that work is needed.

What stays requests': ``HTTPAdapter.send`` (timeouts, and the mapping of failures to requests' exceptions,
which the client relies on; it is also what the tests' ``responses`` mocks patch) and, for a store reached
through a proxy, urllib3's own pools. The lean pool speaks HTTP/1.1 with keep-alive over ``http.client``,
verifies TLS like requests (its default bundle unless a CA bundle is given), checks that an idle connection
is still open before reusing it, and raises urllib3's exceptions so the adapter maps them as usual.
"""
from __future__ import annotations

import collections
import http.client
import os.path
import select
import socket
import ssl
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest
from requests.models import Response
from requests.structures import CaseInsensitiveDict
from requests.utils import DEFAULT_CA_BUNDLE_PATH
from requests.utils import get_encoding_from_headers
from requests.utils import select_proxy
from urllib3.exceptions import ConnectTimeoutError
from urllib3.exceptions import MaxRetryError
from urllib3.exceptions import ProtocolError
from urllib3.exceptions import ReadTimeoutError
from urllib3.exceptions import SSLError

# What the lean pool can decode; the client asks for no other (Accept-Encoding).
ACCEPT_ENCODING = "gzip, deflate"


@dataclass
class LeanReply:
    """A whole HTTP reply, body read and decoded."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    content: bytes


class LeanPool:
    """Keep-alive ``http.client`` connections to one origin; as many are made as callers need at once, and
    up to ``maxsize`` idle ones are kept (urllib3's non-blocking pool does the same)."""

    def __init__(self, base_url: str, *, maxsize: int, verify: bool | str):
        parts = urlsplit(base_url)
        self.scheme, self.host = parts.scheme, parts.hostname or ""
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.origin = f"{self.scheme}://{parts.netloc}/"
        self.verify = verify
        self.maxsize = maxsize
        self._context = _tls_context(verify) if self.scheme == "https" else None
        self._idle: collections.deque[http.client.HTTPConnection] = collections.deque()

    def serves(self, url: str, verify: bool | str) -> bool:
        """Whether a request to ``url`` with these TLS settings can go through this pool."""
        usable = self.scheme == "http" or self._context is not None
        return usable and url.startswith(self.origin) and verify == self.verify

    def urlopen(self, method: str, url: str, body: Any = None, headers: Any = None, timeout: Any = None,
                **_ignored: Any) -> LeanReply:
        """One request on a pooled connection (urllib3's ``urlopen`` as ``HTTPAdapter.send`` calls it: no
        redirects or retries, which the adapter turns off anyway)."""
        connect_timeout = getattr(timeout, "connect_timeout", None)
        read_timeout = getattr(timeout, "read_timeout", None)
        connection = self._reused() or self._connect(url, connect_timeout)
        try:
            connection.sock.settimeout(read_timeout)
            connection.request(method, url, body=body, headers=dict(headers or {}))
            reply = connection.getresponse()
            content = reply.read()
        except socket.timeout as error:
            connection.close()
            raise ReadTimeoutError(self, url, f"Read timed out. (read timeout={read_timeout})") from error
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise ProtocolError("Connection aborted.", error) from error
        if reply.will_close or len(self._idle) >= self.maxsize:
            connection.close()
        else:
            self._idle.append(connection)
        return LeanReply(reply.status, reply.reason, reply.getheaders(),
                         _decoded(content, reply.getheader("Content-Encoding")))

    def close(self) -> None:
        """Close every idle connection."""
        while self._idle:
            self._idle.pop().close()

    def _reused(self) -> http.client.HTTPConnection | None:
        # The newest idle connection that is still open: a server that closed an idle keep-alive connection
        # has made its socket readable (end of stream), which a request sent on it would only find out late.
        while self._idle:
            try:
                connection = self._idle.pop()
            except IndexError:  # another thread took the last one
                return None
            if connection.sock is not None and not select.select([connection.sock], [], [], 0)[0]:
                return connection
            connection.close()
        return None

    def _connect(self, url: str, connect_timeout: float | None) -> http.client.HTTPConnection:
        if self._context is not None:
            connection = http.client.HTTPSConnection(self.host, self.port, timeout=connect_timeout,
                                                     context=self._context)
        else:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=connect_timeout)
        try:
            connection.connect()
        except socket.timeout as error:
            connection.close()
            reason = ConnectTimeoutError(self, f"Connection to {self.host} timed out. "
                                               f"(connect timeout={connect_timeout})")
            raise MaxRetryError(self, url, reason) from error  # what requests turns into ConnectTimeout
        except ssl.SSLError as error:  # certificate refused, or no TLS at the other end
            connection.close()
            raise SSLError(error) from error
        except OSError:
            connection.close()
            raise  # refused or unreachable: requests' ConnectionError
        return connection


class MagentoTransport(HTTPAdapter):
    """``HTTPAdapter`` whose requests to the store's origin go through a :class:`LeanPool`."""

    def __init__(self, base_url: str, *, pool_size: int, verify: bool | str):
        super().__init__(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
        self.lean = LeanPool(base_url, maxsize=pool_size, verify=verify)

    def get_connection_with_tls_context(self, request: PreparedRequest, verify, proxies=None, cert=None):
        if cert is None and not select_proxy(request.url, proxies) and self.lean.serves(request.url, verify):
            return self.lean
        return super().get_connection_with_tls_context(request, verify, proxies=proxies, cert=cert)

    def cert_verify(self, conn, url, verify, cert) -> None:
        if conn is not self.lean:  # the lean pool verifies with the TLS context it was made with
            super().cert_verify(conn, url, verify, cert)

    def build_response(self, req: PreparedRequest, resp: Any) -> Response:
        if not isinstance(resp, LeanReply):
            return super().build_response(req, resp)
        # As requests builds one, without the cookie jar (the bridge sends and keeps no cookies) or a raw
        # stream (the body is read already).
        response = Response()
        response.status_code = resp.status
        response.headers = CaseInsensitiveDict(resp.headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.reason = resp.reason
        response.url = req.url
        response.request = req
        response.connection = self
        response._content = resp.content
        response._content_consumed = True
        return response

    def close(self) -> None:
        self.lean.close()
        super().close()


def _tls_context(verify: bool | str) -> ssl.SSLContext | None:
    """The TLS settings requests would use for ``verify``: its default bundle (certifi's), a given bundle or
    folder, or none; None when the bundle cannot be read (requests then sends the call and reports that)."""
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        if verify is True:
            return ssl.create_default_context(cafile=DEFAULT_CA_BUNDLE_PATH)
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    except (OSError, ssl.SSLError):
        return None


def _decoded(content: bytes, encoding: str | None) -> bytes:
    """The body without its ``Content-Encoding`` (gzip or deflate, the two asked for)."""
    coding = (encoding or "identity").strip().lower()
    try:
        if coding in ("gzip", "x-gzip"):
            return zlib.decompress(content, 16 + zlib.MAX_WBITS)
        if coding == "deflate":
            try:
                return zlib.decompress(content)
            except zlib.error:  # raw deflate, as some servers send it
                return zlib.decompress(content, -zlib.MAX_WBITS)
    except zlib.error as error:
        raise ProtocolError(f"The reply's {coding} body could not be decoded.", error) from error
    if coding != "identity":
        raise ProtocolError(f"The reply came with Content-Encoding {coding}, which was not asked for.")
    return content
