"""Reader events are written by a background thread, never inside a reader's request."""

import time

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import override_settings

from masthead.insights import events
from masthead.insights.models import EventKind, ReaderEvent

CONFIGURED_DATABASE = settings.DATABASES["default"]["NAME"]  # read before any test database


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Outside the per-test transaction, so another thread's commits are visible.

    Not ``transaction=True``: that empties every table afterwards, taking the demo
    (loaded once per session) from the tests after this one. The rows made here are
    deleted instead.
    """
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"] != CONFIGURED_DATABASE
        events.flush()
        last = ReaderEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            yield last
        finally:
            ReaderEvent.objects.filter(pk__gt=last).delete()


def count_once_readable(rows) -> int:
    """The count, once the writer thread has let go of the table.

    The SQLite test database is in memory with a shared cache, where a reader meets
    the writer's table lock as an immediate "table is locked" error instead of waiting
    for it; on PostgreSQL, and on SQLite files, the first count is the answer.
    """
    deadline = time.monotonic() + 10
    while True:
        try:
            return rows.count()
        except OperationalError as locked:
            if "locked" not in str(locked) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_a_full_buffer_is_written_by_the_background_thread(committed):
    mine = ReaderEvent.objects.filter(pk__gt=committed, kind=EventKind.SUBSCRIBE_CLICKED)
    with override_settings(INSIGHTS_BACKGROUND_FLUSH=True):
        for article_id in range(events.FLUSH_SIZE):
            events.record(EventKind.SUBSCRIBE_CLICKED, article_id=article_id)
        # Nothing was written by the calls themselves; the thread writes the batch.
        deadline = time.monotonic() + 10
        while count_once_readable(mine) < events.FLUSH_SIZE and time.monotonic() < deadline:
            time.sleep(0.3)
        assert count_once_readable(mine) == events.FLUSH_SIZE


@pytest.mark.django_db
def test_with_the_thread_off_the_request_end_writes_a_due_batch():
    events.flush()
    before = ReaderEvent.objects.filter(kind=EventKind.PAYWALL_SHOWN).count()
    for article_id in range(events.FLUSH_SIZE):
        events.record(EventKind.PAYWALL_SHOWN, article_id=article_id)
    assert ReaderEvent.objects.filter(kind=EventKind.PAYWALL_SHOWN).count() == before
    events.flush_if_due()
    shown = ReaderEvent.objects.filter(kind=EventKind.PAYWALL_SHOWN).count()
    assert shown == before + events.FLUSH_SIZE


@pytest.mark.django_db
def test_a_failed_write_keeps_the_events_for_the_next_attempt(monkeypatch):
    events.flush()

    def refuse(*args, **kwargs):
        raise RuntimeError("database unavailable")

    events.record(EventKind.CHECKOUT_STARTED, article_id=None)
    with monkeypatch.context() as patched:
        patched.setattr(events, "_insert", refuse)
        assert events.flush(quiet=True) == 0
    assert events.flush() == 1
    assert ReaderEvent.objects.filter(kind=EventKind.CHECKOUT_STARTED).count() == 1


def test_a_full_buffer_drops_and_counts_instead_of_growing(monkeypatch):
    """An events table that cannot be written (locked, slow, down) never blocks a page.

    The buffer holds at most MAX_BUFFERED events; past that, events are dropped and
    counted, and a failed write keeps only what fits.
    """
    events.flush()
    monkeypatch.setattr(events, "MAX_BUFFERED", 30)
    monkeypatch.setattr(events, "FLUSH_SIZE", 1000)  # no wake-ups; the test flushes

    def locked(batch):
        raise RuntimeError("the events table is locked")

    monkeypatch.setattr(events, "_insert", locked)
    before = events.dropped()
    for article_id in range(45):
        events.record(EventKind.ARTICLE_VIEW, article_id=article_id)
    assert len(events._buffer) == 30
    assert events.dropped() - before == 15
    assert events.flush(quiet=True) == 0
    assert len(events._buffer) == 30  # kept for the next attempt, within the bound
    events.record(EventKind.ARTICLE_VIEW, article_id=99)
    assert events.dropped() - before == 16
    events._buffer.clear()
