"""The gunicorn worker and logger classes.

The worker: gevent, with each new connection going to the worker that holds the fewest.

Why: gunicorn's workers share one listening socket, and a connection goes to whichever worker calls
``accept()`` first; a keep-alive connection then stays with that worker for good. Gladly and load balancers
keep their connections open, and the worker that happens to be on the CPU when a burst of them arrives
wins most of them. Each worker is one CPU, so its share of the connections sets its lookups' latency: at
200 connections on 2 workers, a 132/68 split gave p99 2.8 s where a 101/99 split gave 2.1 s (docs/performance.md,
"Performance devices").

So every worker publishes how many connections it holds in a small table in shared memory (:class:`Board`),
and a worker that holds more than a live sibling leaves a new connection to it for up to
:data:`DEFER_SECONDS`, then takes it if it is still waiting (:class:`LeastConnectionsServer`): the least-
connections rule of a load balancer, and nginx's ``accept_mutex_delay`` for a sibling that is stuck.
"""
from __future__ import annotations

import logging
import mmap
import multiprocessing
import os
import time
from functools import partial

from gevent.server import StreamServer
from gunicorn import glogging
from gunicorn.workers.ggevent import GeventWorker

# How long a busier worker leaves a waiting connection to a less busy sibling before taking it itself:
# longer than a sibling needs to get back to its accept (a few ms of CPU), short beside a lookup.
DEFER_SECONDS = 0.02
RECHECK_SECONDS = 0.002  # how often a deferring worker looks whether it still is the busier one
# A worker takes new connections while it holds fewer than the least busy sibling plus MARGIN, and at most
# BATCH per wake-up: a burst is split in batches (gunicorn's one-per-wake-up drains 200 new connections at
# about 20 a second from busy workers), and the shares end at most MARGIN apart.
MARGIN = 4
BATCH = 16
SLOTS = 64  # workers that can take part; any beyond accept as gunicorn's own worker does


class Board:
    """Connections held per worker, in shared memory made before gunicorn forks its workers.

    Each slot is (pid, connections). A worker claims a free slot at start (a pid of 0, or of a worker
    that died), only it writes its own count, and it frees the slot when it exits.
    """

    def __init__(self, slots: int = SLOTS):
        self.slots = slots
        self._memory = mmap.mmap(-1, slots * 2 * 8)  # anonymous and shared: forked workers see one table
        self._cells = memoryview(self._memory).cast("q")
        self._lock = multiprocessing.Lock()  # held only to claim or free a slot

    def claim(self, pid: int) -> int | None:
        """A slot for worker ``pid``, counting 0 connections; None when every slot is taken."""
        with self._lock:
            for slot in range(self.slots):
                owner = self._cells[2 * slot]
                if owner in (0, pid) or not _alive(owner):
                    self._cells[2 * slot], self._cells[2 * slot + 1] = pid, 0
                    return slot
        return None

    def release(self, slot: int) -> None:
        """Free ``slot``: its worker is exiting."""
        with self._lock:
            self._cells[2 * slot], self._cells[2 * slot + 1] = 0, 0

    def add(self, slot: int, delta: int) -> None:
        """Count ``delta`` more connections for ``slot`` (only its own worker writes it)."""
        self._cells[2 * slot + 1] += delta

    def connections(self, slot: int) -> int:
        """The connections ``slot``'s worker holds."""
        return self._cells[2 * slot + 1]

    def busier_than_a_sibling(self, slot: int, margin: int) -> bool:
        """Whether ``slot`` holds ``margin`` or more connections beyond another live slot."""
        cells, limit = self._cells, self._cells[2 * slot + 1] - margin
        return any(cells[2 * other] and cells[2 * other + 1] <= limit for other in range(self.slots) if other != slot)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but not ours: a recycled pid
        return True
    return True


BOARD = Board()  # made at import, which gunicorn's master does before it forks (it loads the worker class)


class LeastConnectionsServer(StreamServer):
    """A gevent StreamServer that keeps its worker's share of the connections within :data:`MARGIN` of the
    least busy live sibling's.

    When a connection arrives it accepts up to :data:`BATCH` at once while its worker holds fewer than
    the least busy sibling plus :data:`MARGIN`; counting each at accept, so a burst of new connections is
    taken in batches and split between the workers. A worker at the margin stops watching the socket and
    looks again every :data:`RECHECK_SECONDS`; when a sibling has not taken the waiting connections within
    :data:`DEFER_SECONDS` it takes one itself, so a sibling that is stuck or gone delays new connections
    by that much and never refuses them.
    """

    max_accept = 1  # each call of gevent's accept step takes one, so the table is read before each

    def __init__(self, listener, *, handle, spawn, board: Board, slot: int, **ssl_args):
        super().__init__(listener, handle=self._serve, spawn=spawn, **ssl_args)
        self._handle_connection = handle
        self._board, self._slot = board, slot
        self._accepted = 0
        self._deferred_at = 0.0

    def _do_read(self):
        self._accept_batch(take_first=False)

    def _accept_batch(self, *, take_first: bool) -> None:
        for index in range(BATCH):
            if not (take_first and index == 0) and self._board.busier_than_a_sibling(self._slot, MARGIN):
                self._defer()
                return
            accepted = self._accepted
            super()._do_read()  # gevent's accept step, with its back-off on errors and a full pool
            if self._accepted == accepted or self._watcher is None:
                return  # nothing was waiting, or gevent stopped accepting

    def _defer(self) -> None:
        # Stop watching (the socket stays readable, so watching would spin) and look again from a timer:
        # gevent's own back-off pattern (BaseServer._do_read). stop_accepting() cancels the timer too, so
        # a closing server never runs it.
        self.stop_accepting()
        self._deferred_at = time.monotonic()
        self._recheck_later()

    def _recheck_later(self) -> None:
        self._timer = self.loop.timer(RECHECK_SECONDS)
        self._timer.start(self._recheck)

    def _recheck(self) -> None:
        if not self.started:
            return
        waited = time.monotonic() - self._deferred_at
        if waited < DEFER_SECONDS and self._board.busier_than_a_sibling(self._slot, MARGIN):
            self._recheck_later()
            return
        self.start_accepting()
        # After the deferral, the connection that waited longest (unless a sibling took it: accept finds
        # none); the rest of the batch as the margin allows.
        self._accept_batch(take_first=waited >= DEFER_SECONDS)

    def do_handle(self, *args):
        # Counted at accept, not when the connection's greenlet starts, so the next accept sees it.
        self._board.add(self._slot, 1)
        self._accepted += 1
        try:
            super().do_handle(*args)
        except BaseException:
            self._board.add(self._slot, -1)
            raise

    def _serve(self, *args):
        try:
            self._handle_connection(*args)
        finally:
            self._board.add(self._slot, -1)


class BalancedGeventWorker(GeventWorker):
    """gunicorn's gevent worker, holding a slot on :data:`BOARD` and balancing new connections with it."""

    slot: int | None = None

    @property
    def server_class(self):
        # gunicorn's GeventWorker.run builds one server per listener as server_class(listener,
        # application=, spawn=, log=, handler_class=, environ=, **ssl_args) when server_class is set (the
        # hook its pywsgi worker uses); requests are still parsed and answered by gunicorn (self.handle).
        # Without a slot, gunicorn's own StreamServer.
        return None if self.slot is None else self._server

    def _server(self, listener, *, spawn, application=None, log=None, handler_class=None, environ=None,
                **ssl_args) -> LeastConnectionsServer:
        return LeastConnectionsServer(listener, handle=partial(self.handle, listener), spawn=spawn, board=BOARD,
                                      slot=self.slot, **ssl_args)

    def run(self):
        # Claimed once the app is loaded, as the worker starts accepting: a worker still booting holds no
        # connections and would look like the least busy sibling to the others.
        self.slot = BOARD.claim(os.getpid())
        if self.slot is None:
            self.log.warning("every one of the %d worker slots is taken: this worker accepts without balancing",
                             SLOTS)
        else:
            self.log.info("worker %s accepting connections, balanced with its siblings (slot %d)", self.pid,
                          self.slot)
        try:
            super().run()
        finally:
            if self.slot is not None:
                BOARD.release(self.slot)


class GunicornLogger(glogging.Logger):
    """gunicorn's logger (``logger_class`` in gunicorn.conf.py), skipping access lines that would go nowhere.

    gunicorn builds each access line's fields, a dozen with a formatted date, before its logger drops the
    line; logging_config() leaves ``gunicorn.access`` at WARNING, so that was CPU spent on every request.
    """

    def access(self, resp, req, environ, request_time) -> None:
        if self.access_log.isEnabledFor(logging.INFO):
            super().access(resp, req, environ, request_time)
