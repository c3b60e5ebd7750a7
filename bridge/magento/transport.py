"""The HTTP transport of Magento calls: requests' adapter, with urllib3's connection pool swapped for a lean one.

Why: the order search of a detailed lookup is a kilobyte-long URL (its ``fields`` projection). urllib3
re-encodes every request target byte by byte in Python whenever it holds a ``%``, and its pool, retry and
response layers come on top: the same call cost 1.4-2.2 ms of CPU through urllib3 and 0.7-0.9 ms on
``http.client`` (one process against the sandbox, 300 calls each). ``http.client`` in turn parses every
reply's headers with the e-mail package, a third of its own CPU per call. The bridge builds each URL itself,
already encoded (``search.encode_query``), and reads every body whole, so none of that work is needed.

What stays requests': ``HTTPAdapter.send`` (timeouts, and the mapping of failures to requests' exceptions,
which the client relies on; it is also what the tests' ``responses`` mocks patch) and, for a store reached
through a proxy, urllib3's own pools. The lean pool speaks HTTP/1.1 itself (RFC 9112: a request written
whole; a reply framed by Content-Length, chunked, or the end of the connection), keeps connections alive,
verifies TLS like requests (its default bundle unless a CA bundle is given), checks that an idle connection
is still open before reusing it, refuses a body longer than :data:`MAX_BODY` as sent or once decompressed
(requests would read any length), and raises urllib3's exceptions so the adapter maps them as usual.
"""
from __future__ import annotations

import collections
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
# Bounds on what a reply's head may hold, as http.client's: a longer line or more fields is not Magento.
MAX_LINE = 65536
MAX_FIELDS = 100
# Bound on a reply's body, as sent and once decoded: a longer one is refused, not read into memory. The largest
# reply the bridge asks for is a page of MAX_PAGE_SIZE (300) orders; a full page of unprojected sandbox orders
# (up to 4 lines each) is 1.6 MB, 5.5 KB an order, so 32 MiB leaves room for real orders twenty times that size.
MAX_BODY = 32 * 1024 * 1024
_NO_BODY_STATUSES = frozenset({204, 304})  # and 1xx: RFC 9112 §6.3 rule 1


@dataclass
class LeanReply:
    """A whole HTTP reply, body read and decoded."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    content: bytes


class BadReply(Exception):
    """What came back is not an HTTP/1.1 reply the pool can read."""


class Connection:
    """One HTTP/1.1 connection: a request written whole, a reply read whole (RFC 9112)."""

    __slots__ = ("sock", "_reader")

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self._reader = sock.makefile("rb")

    def exchange(self, head: bytes, body: bytes | None, method: str) -> tuple[LeanReply, str | None, bool]:
        """Send a request; its reply with the body as sent, the body's Content-Encoding, and whether the
        connection must be closed after it."""
        self.sock.sendall(head + body if body else head)
        while True:
            version, status, reason = self._status_line()
            fields = self._fields()
            if status >= 200:
                break  # 1xx replies are interim: the final one follows (RFC 9110 §15.2)
        named = {name.lower(): value for name, value in fields}
        tokens = {token.strip().lower() for token in named.get("connection", "").split(",")}
        will_close = "close" in tokens or (version == "HTTP/1.0" and "keep-alive" not in tokens)
        if method == "HEAD" or status in _NO_BODY_STATUSES:
            content = b""
        elif "transfer-encoding" in named:
            if named["transfer-encoding"].rsplit(",", 1)[-1].strip().lower() == "chunked":
                content = self._chunked()
            else:  # another final coding: the body runs to the end of the connection (§6.3 rule 4)
                content, will_close = self._until_close(), True
        elif "content-length" in named:
            content = self._exactly(_length(named["content-length"]))
        else:  # no framing: the body runs to the end of the connection (§6.3 rule 8)
            content, will_close = self._until_close(), True
        return LeanReply(status, reason, fields, content), named.get("content-encoding"), will_close

    def close(self) -> None:
        """Close the connection."""
        self._reader.close()
        self.sock.close()

    def _line(self) -> bytes:
        line = self._reader.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise BadReply("A line of the reply is too long.")
        if not line:
            raise BadReply("The connection closed before the reply was complete.")
        return line

    def _status_line(self) -> tuple[str, int, str]:
        version, _, rest = self._line().decode("latin-1").rstrip("\r\n").partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise BadReply("The reply does not start with an HTTP/1.x status line.")
        return version, int(code), reason.strip()

    def _fields(self) -> list[tuple[str, str]]:
        fields: list[tuple[str, str]] = []
        while True:
            line = self._line()
            if line in (b"\r\n", b"\n"):
                return fields
            text = line.decode("latin-1")
            if text[0] in " \t" and fields:  # an obsolete folded line continues the field before it
                name, value = fields.pop()
                fields.append((name, f"{value} {text.strip()}"))
                continue
            name, colon, value = text.partition(":")
            if not colon or len(fields) >= MAX_FIELDS:
                raise BadReply("The reply's header fields cannot be read.")
            fields.append((name.strip(), value.strip()))

    def _exactly(self, length: int) -> bytes:
        content = self._reader.read(_bounded(length))
        if len(content) < length:
            raise BadReply("The connection closed before the reply's body was complete.")
        return content

    def _until_close(self) -> bytes:
        content = self._reader.read(MAX_BODY + 1)
        _bounded(len(content))
        return content

    def _chunked(self) -> bytes:
        chunks = []
        total = 0
        while True:
            size = _length(self._line().split(b";", 1)[0], base=16)
            if not size:
                break
            total = _bounded(total + size)
            chunks.append(self._exactly(size))
            self._line()  # the CRLF ending the chunk
        self._fields()  # trailer fields, unused
        return b"".join(chunks)


def _bounded(length: int) -> int:
    """``length``, the size of a body; BadReply when that is over :data:`MAX_BODY`."""
    if length > MAX_BODY:
        raise BadReply(f"The reply's body is longer than {MAX_BODY} bytes.")
    return length


def _length(text: bytes | str, base: int = 10) -> int:
    try:
        length = int(text.strip(), base)
    except ValueError:
        length = -1
    if length < 0:
        raise BadReply("The reply's body length cannot be read.")
    return length


class LeanPool:
    """Keep-alive connections to one origin; as many are made as callers need at once, and up to ``maxsize``
    idle ones are kept (urllib3's non-blocking pool does the same)."""

    def __init__(self, base_url: str, *, maxsize: int, verify: bool | str):
        parts = urlsplit(base_url)
        self.scheme, self.host = parts.scheme, parts.hostname or ""
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.origin = f"{self.scheme}://{parts.netloc}/"
        host = f"[{self.host}]" if ":" in self.host else self.host.encode("idna").decode("ascii")
        self._host_field = f"Host: {host}" if parts.port in (None, 80, 443) else f"Host: {host}:{self.port}"
        self.verify = verify
        self.maxsize = maxsize
        self._context = _tls_context(verify) if self.scheme == "https" else None
        self._idle: collections.deque[Connection] = collections.deque()

    def serves(self, url: str, verify: bool | str) -> bool:
        """Whether a request to ``url`` with these TLS settings can go through this pool."""
        usable = self.scheme == "http" or self._context is not None
        return usable and url.startswith(self.origin) and verify == self.verify

    def urlopen(self, method: str, url: str, body: Any = None, headers: Any = None, timeout: Any = None,
                **_ignored: Any) -> LeanReply:
        """One request on a pooled connection (urllib3's ``urlopen`` as ``HTTPAdapter.send`` calls it: no
        redirects or retries, which the adapter turns off anyway); ``url`` is the request target."""
        connect_timeout = getattr(timeout, "connect_timeout", None)
        read_timeout = getattr(timeout, "read_timeout", None)
        if isinstance(body, str):
            body = body.encode("utf-8")
        head = self._head(method, url, headers or {}, body)
        connection = self._reused() or self._connect(url, connect_timeout)
        try:
            connection.sock.settimeout(read_timeout)
            reply, coding, will_close = connection.exchange(head, body, method)
        except TimeoutError as error:
            connection.close()
            raise ReadTimeoutError(self, url, f"Read timed out. (read timeout={read_timeout})") from error
        except (OSError, BadReply) as error:
            connection.close()
            raise ProtocolError("Connection aborted.", error) from error
        if will_close or len(self._idle) >= self.maxsize:
            connection.close()
        else:
            self._idle.append(connection)
        reply.content = _decoded(reply.content, coding)  # a body it cannot decode was still read whole
        return reply

    def close(self) -> None:
        """Close every idle connection."""
        while self._idle:
            self._idle.pop().close()

    def _head(self, method: str, target: str, headers: Any, body: bytes | None) -> bytes:
        lines = [f"{method} {target} HTTP/1.1"]
        if "Host" not in headers:
            lines.append(self._host_field)
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None and "Content-Length" not in headers:
            lines.append(f"Content-Length: {len(body)}")
        text = "\r\n".join(lines)
        # A line break inside a field would start another one: refused, as http.client refuses it.
        if text.count("\n") != len(lines) - 1 or "\r" in text.replace("\r\n", ""):
            raise ValueError("A request header or target holds a line break.")
        return (text + "\r\n\r\n").encode("latin-1")

    def _reused(self) -> Connection | None:
        # The newest idle connection that is still open: a server that closed an idle keep-alive connection
        # has made its socket readable (end of stream), which a request sent on it would only find out late.
        while self._idle:
            try:
                connection = self._idle.pop()
            except IndexError:  # another thread took the last one
                return None
            if not select.select([connection.sock], [], [], 0)[0]:
                return connection
            connection.close()
        return None

    def _connect(self, url: str, connect_timeout: float | None) -> Connection:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=connect_timeout)
        except TimeoutError as error:
            reason = ConnectTimeoutError(self, f"Connection to {self.host} timed out. "
                                               f"(connect timeout={connect_timeout})")
            raise MaxRetryError(self, url, reason) from error  # what requests turns into ConnectTimeout
        # refused or unreachable (OSError): requests' ConnectionError
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each request is written whole
            if self._context is not None:
                sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except ssl.SSLError as error:  # certificate refused, or no TLS at the other end
            sock.close()
            raise SSLError(error) from error
        except OSError:
            sock.close()
            raise
        return Connection(sock)


class MagentoTransport(HTTPAdapter):
    """``HTTPAdapter`` whose requests to the store's origin go through a :class:`LeanPool`."""

    def __init__(self, base_url: str, *, pool_size: int, verify: bool | str):
        super().__init__(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
        self.lean = LeanPool(base_url, maxsize=pool_size, verify=verify)

    def get_connection_with_tls_context(self, request: PreparedRequest, verify, proxies=None, cert=None):
        if cert is None and self._direct(request, proxies) and self.lean.serves(request.url, verify):
            return self.lean
        return super().get_connection_with_tls_context(request, verify, proxies=proxies, cert=cert)

    def request_url(self, request: PreparedRequest, proxies) -> str:
        # Without a proxy, the target is the URL after the origin, as requests' path_url (the bridge's URLs
        # carry no fragment); parsing a kilobyte-long URL again for it is left out.
        if self._direct(request, proxies) and request.url.startswith(self.lean.origin):
            return request.url[len(self.lean.origin) - 1:]
        return super().request_url(request, proxies)

    @staticmethod
    def _direct(request: PreparedRequest, proxies) -> bool:
        """Whether the request goes to its host without a proxy (no proxies at all is the usual case)."""
        return not proxies or not select_proxy(request.url, proxies)

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
    """The body without its ``Content-Encoding`` (gzip or deflate, the two asked for), at most
    :data:`MAX_BODY` bytes of it."""
    coding = (encoding or "identity").strip().lower()
    try:
        if coding in ("gzip", "x-gzip"):
            return _inflated(content, 16 + zlib.MAX_WBITS)
        if coding == "deflate":
            try:
                return _inflated(content, zlib.MAX_WBITS)
            except zlib.error:  # raw deflate, as some servers send it
                return _inflated(content, -zlib.MAX_WBITS)
    except (zlib.error, BadReply) as error:
        raise ProtocolError(f"The reply's {coding} body could not be decoded.", error) from error
    if coding != "identity":
        raise ProtocolError(f"The reply came with Content-Encoding {coding}, which was not asked for.")
    return content


def _inflated(content: bytes, wbits: int) -> bytes:
    """``content`` decompressed, as ``zlib.decompress(content, wbits)``, but never past :data:`MAX_BODY` bytes:
    a few kilobytes of gzip can inflate to gigabytes. (``max_length`` stops the output there; zlib docs,
    https://docs.python.org/3/library/zlib.html#zlib.Decompress.decompress)"""
    inflater = zlib.decompressobj(wbits)
    body = inflater.decompress(content, MAX_BODY + 1)
    _bounded(len(body))
    if not inflater.eof:  # as zlib.decompress: a stream cut short is an error
        raise zlib.error("incomplete or truncated stream")
    return body
