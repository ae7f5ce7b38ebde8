"""Daily rollups: one day replaced at once, the same rows however often it runs."""

import datetime as dt
import threading
import time
from unittest import mock

import pytest
from django.conf import settings
from django.db import DatabaseError, OperationalError, connection
from wagtail.models import Page

from masthead.insights import events, rollups
from masthead.insights.models import DailyRollup, DailyTotal, EventKind, ReaderEvent

DAY = dt.date(2024, 3, 5)


def _event(
    day=DAY,
    *,
    kind=EventKind.ARTICLE_VIEW,
    article_id=None,
    reader_class="anonymous",
    outcome="whole",
    referrer_host=None,
):
    at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    return ReaderEvent(
        occurred_at=at,
        day=day,
        kind=kind,
        article_id=article_id,
        reader_class=reader_class,
        outcome=outcome,
        referrer_host=referrer_host,
    )


def _rows(day=DAY):
    return sorted(
        DailyRollup.objects.filter(day=day).values_list(
            "kind", "outcome", "article_id", "section_id", "reader_class", "referrer_host", "count"
        ),
        key=repr,
    )


@pytest.fixture
def article():
    # The deepest live page is an article (insights may not import the content app).
    return Page.objects.live().order_by("-depth", "pk").first()


@pytest.fixture
def day_of_events(article):
    ReaderEvent.objects.bulk_create(
        [_event(article_id=article.pk, referrer_host="news.example")] * 3
        + [_event(article_id=article.pk, reader_class="registered")] * 2
        + [_event(kind=EventKind.PAYWALL_SHOWN, article_id=article.pk, outcome="subscribe")]
        + [_event(kind=EventKind.SUBSCRIBE_CLICKED, outcome="")]
        + [_event(DAY + dt.timedelta(days=1), article_id=article.pk)] * 4
    )


@pytest.mark.django_db
def test_a_day_is_counted_per_article_section_reader_class_and_referrer(article, day_of_events):
    assert rollups.rollup_day(DAY) == 4
    section_id = article.get_parent().pk
    assert _rows() == sorted(
        [
            ("article_view", "whole", article.pk, section_id, "anonymous", "news.example", 3),
            ("article_view", "whole", article.pk, section_id, "registered", "", 2),
            ("paywall_shown", "subscribe", article.pk, section_id, "anonymous", "", 1),
            ("subscribe_clicked", "", None, None, "anonymous", "", 1),
        ],
        key=repr,
    )


def _totals(day=DAY):
    return sorted(
        DailyTotal.objects.filter(day=day).values_list("kind", "article_id", "section_id", "count"),
        key=repr,
    )


@pytest.mark.django_db
def test_the_days_totals_per_article_sum_its_rollup_rows(article, day_of_events):
    rollups.rollup_day(DAY)
    section_id = article.get_parent().pk
    expected = sorted(
        [
            ("article_view", article.pk, section_id, 5),
            ("paywall_shown", article.pk, section_id, 1),
            ("subscribe_clicked", None, None, 1),
        ],
        key=repr,
    )
    assert _totals() == expected
    # Replaced with the rollup rows: late events counted, nothing twice.
    ReaderEvent.objects.bulk_create([_event(article_id=article.pk)])
    rollups.rollup_day(DAY)
    assert _totals()[0] == ("article_view", article.pk, section_id, 6)
    assert len(_totals()) == 3


@pytest.mark.django_db
def test_rolling_up_twice_gives_the_same_rows(day_of_events):
    rollups.rollup_day(DAY)
    first = _rows()
    rollups.rollup_day(DAY)
    assert _rows() == first
    assert DailyRollup.objects.filter(day=DAY).count() == len(first)


@pytest.mark.django_db
def test_a_rerun_picks_up_late_events_and_leaves_other_days_alone(article, day_of_events):
    rollups.rollup_days([DAY, DAY + dt.timedelta(days=1)])
    next_day = _rows(DAY + dt.timedelta(days=1))
    ReaderEvent.objects.bulk_create([_event(article_id=article.pk, referrer_host="news.example")])
    rollups.rollup_day(DAY)
    counts = dict(
        DailyRollup.objects.filter(day=DAY, referrer_host="news.example").values_list(
            "kind", "count"
        )
    )
    assert counts == {"article_view": 4}
    assert _rows(DAY + dt.timedelta(days=1)) == next_day


@pytest.mark.django_db
def test_a_run_that_dies_half_way_leaves_the_day_as_it_was_and_can_run_again(day_of_events):
    rollups.rollup_day(DAY)
    before = _rows()
    real = DailyRollup.objects.bulk_create

    def die_after_the_delete(rows, **kwargs):
        real(rows[:1], **kwargs)
        raise DatabaseError("connection lost half-way")

    totals = _totals()
    with mock.patch.object(DailyRollup.objects, "bulk_create", side_effect=die_after_the_delete):
        with pytest.raises(DatabaseError):
            rollups.rollup_day(DAY)
    assert (_rows(), _totals()) == (before, totals)
    rollups.rollup_day(DAY)
    assert (_rows(), _totals()) == (before, totals)


@pytest.mark.django_db
def test_sections_are_the_articles_parent_pages(article):
    assert rollups._sections_of({article.pk}) == {article.pk: article.get_parent().pk}
    assert rollups._sections_of({Page.objects.first().pk}) == {}


@pytest.mark.django_db
def test_raw_events_past_their_keep_are_deleted_in_batches(monkeypatch):
    now = dt.datetime(2024, 6, 30, 9, tzinfo=dt.UTC)
    ReaderEvent.objects.bulk_create(
        [_event(dt.date(2024, 6, 1))] * 7 + [_event(dt.date(2024, 6, 20))] * 2
    )
    monkeypatch.setattr(rollups, "DELETE_BATCH", 3)
    assert rollups.events_delete_expired(keep_days=20, now=now) == 7
    assert set(ReaderEvent.objects.values_list("day", flat=True)) == {dt.date(2024, 6, 20)}


def test_only_the_referrers_host_is_kept():
    assert events.referrer_host("https://News.Example.com:8443/a/b?q=secret#x") == (
        "news.example.com"
    )
    assert events.referrer_host("") is None
    assert events.referrer_host(None) is None
    assert events.referrer_host("not a url") is None
    assert events.referrer_host("http://[::1") is None
    assert len(events.referrer_host("https://" + "a" * 300 + ".example/")) == 100


@pytest.mark.django_db
def test_a_recorded_referrer_host_is_written_with_the_event():
    events.flush()
    events.record(EventKind.ARTICLE_VIEW, article_id=1, referrer_host="search.example")
    events.flush()
    assert ReaderEvent.objects.filter(referrer_host="search.example").count() == 1


CONFIGURED_DATABASE = settings.DATABASES["default"]["NAME"]  # read before any test database
RACE_DAY = dt.date(2001, 2, 3)


@pytest.fixture
def committed_day(django_db_setup, django_db_blocker):
    """A day of events committed for real (threads see them); deleted afterwards.

    Not ``transaction=True``: that empties every table, taking the session's demo away.
    """
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"] != CONFIGURED_DATABASE
        ReaderEvent.objects.bulk_create(
            [_event(RACE_DAY, article_id=None, referrer_host="a.example")] * 3
            + [_event(RACE_DAY, kind=EventKind.SUBSCRIBE_CLICKED, outcome="")] * 2
        )
        try:
            yield RACE_DAY
        finally:
            ReaderEvent.objects.filter(day=RACE_DAY).delete()
            DailyRollup.objects.filter(day=RACE_DAY).delete()


def test_two_runs_for_one_day_at_once_leave_one_set_of_rows(committed_day):
    """The scheduler's next run may start while a slow one is between its delete and
    its inserts; the day must not end up counted twice."""
    real = DailyRollup.objects.bulk_create
    second_done = threading.Event()
    second_errors: list[Exception] = []

    def second_run():
        try:
            for _attempt in range(50):
                try:
                    rollups.rollup_day(committed_day)
                    return
                except OperationalError as error:
                    # SQLite's in-memory test database answers a second writer "locked"
                    # at once instead of waiting; the scheduler's next tick runs again.
                    if connection.vendor == "postgresql":
                        raise
                    second_errors.append(error)
                    time.sleep(0.1)
        finally:
            connection.close()
            second_done.set()

    def insert_while_another_run_starts(rows, **kwargs):
        if threading.current_thread() is threading.main_thread():
            threading.Thread(target=second_run).start()
            # Long enough for the other run to reach its delete and wait there.
            second_done.wait(1.0)
        return real(rows, **kwargs)

    with mock.patch.object(
        DailyRollup.objects, "bulk_create", side_effect=insert_while_another_run_starts
    ):
        rollups.rollup_day(committed_day)
        assert second_done.wait(20)
    if connection.vendor == "postgresql":
        assert not second_errors
    assert _rows(committed_day) == [
        ("article_view", "whole", None, None, "anonymous", "a.example", 3),
        ("subscribe_clicked", "", None, None, "anonymous", "", 2),
    ]
