"""Decision events for the publisher's dashboard, written in batches.

A page view only appends to an in-process buffer; the buffer is written
with one bulk INSERT once it holds FLUSH_SIZE events or is FLUSH_SECONDS old,
and when the process exits. The write happens in a background thread of each
process (``INSIGHTS_BACKGROUND_FLUSH``), so no reader's request waits for it;
with that off, after a response has been sent, in the request's worker.
Events are analytics: a process killed mid-batch loses at most one batch.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction

from masthead.insights.models import REFERRER_HOST_LENGTH, EventKind, ReaderEvent

logger = logging.getLogger(__name__)

FLUSH_SIZE = 200
FLUSH_SECONDS = 5.0
# The most events a process holds unwritten (a slow or locked events table, a database
# outage): past it new events are dropped and counted, and no request ever waits.
MAX_BUFFERED = 50 * FLUSH_SIZE
DROP_LOG_EVERY = 1000

_lock = threading.Lock()
# Rows as record() makes them: (occurred_at, kind, article_id, reader_class, outcome,
# referrer_host, user_id).
_buffer: list[tuple] = []
_oldest = 0.0
_flusher_pid: int | None = None
_wake = threading.Event()
_dropped = 0

__all__ = ["EventKind", "dropped", "flush", "flush_if_due", "record", "referrer_host"]


def dropped() -> int:
    """How many events this process has dropped because its buffer was full."""
    return _dropped


def referrer_host(referer: str | None) -> str | None:
    """The host of a Referer header, lower-cased and truncated; never the path or query.

    Cheap on the article path: no DNS, no lookups, None for anything unparsable.
    """
    if not referer:
        return None
    try:
        host = urlsplit(referer[:2048]).hostname
    except ValueError:
        return None
    return host[:REFERRER_HOST_LENGTH] if host else None


def record(
    kind: str,
    *,
    article_id: int | None,
    reader_class: str = "",
    outcome: str = "",
    referrer_host: str | None = None,
    user_id: int | None = None,
) -> None:
    global _oldest, _dropped
    # The project keeps times aware and in UTC (USE_TZ); timezone.now() costs more per call.
    # A tuple in _ROW's order, under one lock: this runs on every article read.
    row = (
        datetime.now(UTC),
        str(kind),
        article_id,
        str(reader_class),
        str(outcome),
        referrer_host,
        user_id,
    )
    with _lock:
        held = len(_buffer)
        if held >= MAX_BUFFERED:
            _dropped += 1
            count = _dropped
        else:
            count = 0
            if not held:
                _oldest = time.monotonic()
            _buffer.append(row)
            held += 1
    if count:
        if count % DROP_LOG_EVERY == 1:
            logger.warning("reader event buffer full: %d events dropped so far", count)
        return
    if _flusher_pid != os.getpid() and settings.INSIGHTS_BACKGROUND_FLUSH:
        _start_flusher()
    if held >= FLUSH_SIZE and not _wake.is_set():
        _wake.set()


def flush(*, quiet: bool = False) -> int:
    """Write every buffered event now; returns how many were written."""
    with _lock:
        batch = list(_buffer)
        _buffer.clear()
    if not batch:
        return 0
    try:
        _insert(batch)
    except Exception:
        if not quiet:
            logger.exception("could not write %d reader events; keeping them", len(batch))
        global _dropped
        with _lock:
            # Back in front for the next attempt, within a bound a long outage cannot pass.
            kept = batch[: max(0, MAX_BUFFERED - len(_buffer))]
            _buffer[:0] = kept
            _dropped += len(batch) - len(kept)
        return 0
    return len(batch)


_COLUMNS = (
    "occurred_at",
    "day",
    "kind",
    "article_id",
    "reader_class",
    "outcome",
    "referrer_host",
    "user_id",
)


def _insert(batch: list[tuple]) -> None:
    """One multi-row INSERT through the driver: building a model per event costs more
    than the database spends storing it, and this runs in every app process."""
    ops = connection.ops
    table = ops.quote_name(ReaderEvent._meta.db_table)
    columns = ", ".join(ops.quote_name(name) for name in _COLUMNS)
    placeholders = ", ".join(["%s"] * len(_COLUMNS))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: the rows go in one stream, adapted by the driver's C code.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for occurred_at, *rest in batch:
                    copy.write_row((occurred_at, occurred_at.date(), *rest))
            return
        rows = [
            (
                ops.adapt_datetimefield_value(occurred_at),
                ops.adapt_datefield_value(occurred_at.date()),
                *rest,
            )
            for occurred_at, *rest in batch
        ]
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - model names
        cursor.executemany(sql, rows)


def flush_if_due(**_signal_kwargs) -> None:
    """After each response, unless the background thread does it."""
    if settings.INSIGHTS_BACKGROUND_FLUSH:
        return
    _flush_if_due()


def _flush_if_due() -> int:
    with _lock:
        due = len(_buffer) >= FLUSH_SIZE or (
            _buffer and time.monotonic() - _oldest >= FLUSH_SECONDS
        )
    return flush() if due else 0


def _start_flusher() -> None:
    global _flusher_pid
    with _lock:
        if _flusher_pid == os.getpid():
            return
        # After a fork the parent's thread is not running in this process.
        _flusher_pid = os.getpid()
    threading.Thread(target=_flush_forever, name="insights-flusher", daemon=True).start()


def _flush_forever() -> None:
    while True:
        _wake.wait(FLUSH_SECONDS)
        _wake.clear()
        if not settings.INSIGHTS_BACKGROUND_FLUSH:
            continue
        written = 0
        try:
            written = _flush_if_due()
        finally:
            # A connection of this thread's own. On PostgreSQL it is kept while batches
            # keep coming (a busy process flushes many times a second, and each new
            # connection costs the server a backend start), closed once idle or after a
            # failure; SQLite's costs nothing to open, and an open one can hold its
            # shared-cache table lock against the request threads.
            if not written or connection.vendor != "postgresql":
                connection.close()


def _flush_at_exit() -> None:
    # Best effort: at interpreter exit the database or the log stream may be gone.
    try:
        with _lock:
            pending = bool(_buffer)
        if pending:
            flush(quiet=True)
    except Exception:  # noqa: S110 - nothing useful can be done this late
        pass


atexit.register(_flush_at_exit)
