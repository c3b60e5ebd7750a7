"""gunicorn with the bridge's worker (gunicorn.conf.py → bridge.ops.worker): a burst of keep-alive connections
is split evenly between the workers and each is served at once."""
from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bridge.ops.worker import MARGIN
from tests.processes import start_bridge
from tests.processes import stop

pytestmark = pytest.mark.e2e
BURST = 60
ACCEPTING = "accepting connections, balanced with its siblings"


def workers_of(master_pid: int) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()]


def established_inodes(port: int) -> set[str]:
    """Socket inodes of established TCP connections whose local port is ``port`` (/proc/net/tcp, IPv4)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
            inodes.add(fields[9])
    return inodes


def held_by(pid: int, inodes: set[str]) -> int:
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        held += target.startswith("socket:[") and target[8:-1] in inodes
    return held


def wait_for_accepting_workers(log: Path, count: int) -> None:
    """Until ``count`` workers logged that they accept (a worker still loading the app takes no part)."""
    deadline = time.monotonic() + 30
    while log.read_text().count(ACCEPTING) < count:
        assert time.monotonic() < deadline, f"fewer than {count} workers started accepting:\n{log.read_text()}"
        time.sleep(0.05)


def test_a_burst_of_keep_alive_connections_is_split_between_the_workers(tmp_path):
    bridge = start_bridge(tmp_path, {}, workers=2)
    address = urlsplit(bridge.url)
    try:
        wait_for_accepting_workers(tmp_path / f"bridge-{address.port}.log", 2)
        held = burst(address, bridge.process.pid)
    finally:
        stop(bridge.process)
    assert len(held) == 2 and sum(held) == BURST
    assert held[1] - held[0] <= MARGIN, held


def burst(address, master_pid: int) -> list[int]:
    """Open BURST keep-alive connections at once, serve one request on each; connections held per worker."""
    clients = [socket.create_connection((address.hostname, address.port), timeout=10) for _ in range(BURST)]
    try:
        for client in clients:
            client.sendall(f"GET /healthz HTTP/1.1\r\nHost: {address.netloc}\r\n\r\n".encode())
        for client in clients:
            assert client.recv(65536).startswith(b"HTTP/1.1 200")  # served, and kept open (keep-alive)
        inodes = established_inodes(address.port)
        return sorted(held_by(pid, inodes) for pid in workers_of(master_pid))
    finally:
        for client in clients:
            client.close()
