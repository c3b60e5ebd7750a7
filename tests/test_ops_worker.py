"""The gunicorn worker's connection balancing (bridge/ops/worker.py): the shared board and the accepting server.

The servers run in this process on gevent's loop (no monkey-patching needed: gevent's own sockets), with a
second board slot standing in for a sibling worker.
"""
from __future__ import annotations

import gc
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import gevent
import pytest
from gevent.event import Event
from gevent.pool import Pool

from bridge.ops import worker as serving
from bridge.ops.worker import MARGIN
from bridge.ops.worker import Board
from bridge.ops.worker import GunicornLogger
from bridge.ops.worker import LeastConnectionsServer

ROOT = Path(__file__).resolve().parents[1]


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_slot_is_claimed_once_and_freed_on_exit():
    board = Board(slots=2)
    first, second = board.claim(os.getpid()), board.claim(os.getppid())
    assert {first, second} == {0, 1}
    assert board.claim(12345678) is None  # full, and both owners alive
    board.add(first, 3)
    board.release(first)
    assert board.claim(os.getpid()) == first and board.connections(first) == 0


def test_the_slot_of_a_worker_that_died_is_taken_over_with_a_zero_count():
    board = Board(slots=1)
    slot = board.claim(dead_pid())
    board.add(slot, 7)
    assert board.claim(os.getpid()) == slot
    assert board.connections(slot) == 0


def test_busier_means_margin_or_more_beyond_a_live_sibling_and_free_slots_do_not_count():
    board = Board(slots=4)
    mine, sibling = board.claim(os.getpid()), board.claim(os.getppid())
    board.add(mine, MARGIN - 1)
    assert not board.busier_than_a_sibling(mine, MARGIN)  # a free slot (pid 0, count 0) is no sibling
    board.add(mine, 1)
    assert board.busier_than_a_sibling(mine, MARGIN)
    board.add(sibling, 1)
    assert not board.busier_than_a_sibling(mine, MARGIN)


class Harness:
    """A LeastConnectionsServer on a free port whose connections stay open until ``release``."""

    def __init__(self, board: Board, slot: int):
        self.board, self.slot = board, slot
        self.handled: list = []
        self.release = Event()
        self.server = LeastConnectionsServer(("127.0.0.1", 0), handle=self._handle, spawn=Pool(100),
                                             board=board, slot=slot)
        self.server.start()
        self.clients: list = []

    def _handle(self, sock, address):
        self.handled.append(address)
        self.release.wait()

    def connect(self, count: int = 1) -> None:
        for _ in range(count):
            self.clients.append(gevent.socket.create_connection(self.server.address))

    def wait_for(self, count: int, seconds: float = 10.0) -> None:
        with gevent.Timeout(seconds, AssertionError(f"{count} connections not accepted: {len(self.handled)}")):
            while len(self.handled) < count:
                gevent.sleep(0.005)

    def close(self) -> None:
        self.release.set()
        for client in self.clients:
            client.close()
        self.server.stop()


@pytest.fixture
def pair():
    """(board, my slot, sibling slot): the sibling is this process's parent, so it counts as live."""
    board = Board(slots=4)
    return board, board.claim(os.getpid()), board.claim(os.getppid())


def test_a_burst_is_taken_up_to_the_margin_then_left_to_the_less_busy_sibling(pair, monkeypatch):
    board, mine, sibling = pair
    monkeypatch.setattr(serving, "DEFER_SECONDS", 600.0)  # the sibling never looks stuck here
    harness = Harness(board, mine)
    try:
        harness.connect(MARGIN + 3)
        harness.wait_for(MARGIN)
        gevent.sleep(0.2)
        assert len(harness.handled) == MARGIN and board.connections(mine) == MARGIN
        board.add(sibling, MARGIN + 3)  # the sibling took others meanwhile: this worker is the less busy now
        harness.wait_for(MARGIN + 3)
        assert board.connections(mine) == MARGIN + 3
    finally:
        harness.close()


def test_a_connection_left_to_a_sibling_that_never_takes_it_is_taken_after_the_deferral(pair):
    board, mine, _ = pair
    board.add(mine, MARGIN)  # busier than the idle sibling by the margin already
    harness = Harness(board, mine)
    try:
        harness.connect(3)
        harness.wait_for(3)  # DEFER_SECONDS (20 ms) later, the stuck sibling notwithstanding
    finally:
        harness.close()


def test_the_count_follows_connections_that_end(pair):
    board, mine, _ = pair
    harness = Harness(board, mine)
    harness.connect(3)
    harness.wait_for(3)
    assert board.connections(mine) == 3
    harness.close()
    with gevent.Timeout(10, AssertionError("connections still counted after they ended")):
        while board.connections(mine):
            gevent.sleep(0.005)


def test_a_worker_freezes_the_loaded_app(tmp_path):
    """gunicorn.conf.py's post_worker_init, run as a worker runs it once the app is loaded."""
    code = ("import gc, json, runpy; config = runpy.run_path('gunicorn.conf.py'); before = gc.get_freeze_count(); "
            "config['post_worker_init'](None); "
            "print(json.dumps([before, gc.get_freeze_count(), gc.get_threshold()]))")
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIDGE_")}
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    before, after, threshold = json.loads(result.stdout)
    assert before == 0 and after > 10_000  # the config's imports (the bridge's logging, Flask) and more
    assert threshold == list(gc.get_threshold())  # CPython's own: a long-lived worker must not hoard garbage


@pytest.mark.parametrize("level, written", [("WARNING", False), ("INFO", True)])
def test_gunicorn_builds_access_lines_only_when_its_access_logger_writes_them(monkeypatch, level, written):
    from gunicorn import glogging
    from gunicorn.config import Config

    built = []
    monkeypatch.setattr(glogging.Logger, "atoms", lambda self, *args: built.append(args) or {})
    access_log = logging.getLogger("gunicorn.access")
    monkeypatch.setattr(access_log, "handlers", [])  # gunicorn adds its file handler here; dropped after
    config = Config()
    config.set("accesslog", os.devnull)  # an access log gunicorn would write: it builds the lines
    logger = GunicornLogger(config)
    monkeypatch.setattr(access_log, "level", logging.getLevelName(level))
    try:
        logger.access(object(), object(), {}, None)
    finally:
        for handler in access_log.handlers:
            handler.close()
    assert bool(built) is written
