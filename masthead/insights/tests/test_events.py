"""Reader events are written by a background thread, never inside a reader's request."""

import time

import pytest
from django.test import override_settings

from masthead.insights import events
from masthead.insights.models import EventKind, ReaderEvent


@pytest.mark.django_db(transaction=True)
def test_a_full_buffer_is_written_by_the_background_thread():
    events.flush()
    ReaderEvent.objects.all().delete()
    with override_settings(INSIGHTS_BACKGROUND_FLUSH=True):
        for article_id in range(events.FLUSH_SIZE):
            events.record(EventKind.ARTICLE_VIEW, article_id=article_id, reader_class="anonymous")
        # Nothing was written by the calls themselves...
        deadline = time.monotonic() + 10
        while ReaderEvent.objects.count() < events.FLUSH_SIZE and time.monotonic() < deadline:
            time.sleep(0.3)
    # ...and the thread wrote the whole batch shortly after.
    assert ReaderEvent.objects.count() == events.FLUSH_SIZE
    assert set(ReaderEvent.objects.values_list("kind", flat=True)) == {EventKind.ARTICLE_VIEW}


@pytest.mark.django_db
def test_with_the_thread_off_the_request_end_writes_a_due_batch():
    events.flush()
    for article_id in range(events.FLUSH_SIZE):
        events.record(EventKind.PAYWALL_SHOWN, article_id=article_id)
    assert not ReaderEvent.objects.filter(kind=EventKind.PAYWALL_SHOWN).exists()
    events.flush_if_due()
    assert ReaderEvent.objects.filter(kind=EventKind.PAYWALL_SHOWN).count() == events.FLUSH_SIZE


@pytest.mark.django_db
def test_a_failed_write_keeps_the_events_for_the_next_attempt(monkeypatch):
    events.flush()

    def refuse(*args, **kwargs):
        raise RuntimeError("database unavailable")

    events.record(EventKind.CHECKOUT_STARTED, article_id=None)
    with monkeypatch.context() as patched:
        patched.setattr(ReaderEvent.objects, "bulk_create", refuse)
        assert events.flush(quiet=True) == 0
    assert events.flush() == 1
    assert ReaderEvent.objects.filter(kind=EventKind.CHECKOUT_STARTED).count() == 1
