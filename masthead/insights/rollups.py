"""Daily rollups of reader events, and the deletion of raw events past their keep.

The dashboard reads ``DailyRollup`` rows, never raw events. A day is rolled up by
deleting its rows and inserting them again in one transaction, so a run can be
repeated for any day, and a run that dies half-way leaves the day as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.dispatch import Signal
from django.utils import timezone
from wagtail.models import Page

from masthead.insights.models import DailyRollup, DailyTotal, ReaderEvent

logger = logging.getLogger(__name__)

DELETE_BATCH = 5000
# Enough to keep one day's groups out of a single huge INSERT statement.
INSERT_BATCH = 2000

# Sent with ``day`` inside the transaction that replaces a day's rollup rows, under the
# day's lock: apps above insights (billing's subscriber snapshot) replace their own rows
# for the day there, so they commit, or roll back, with it.
day_rolled_up = Signal()

_GROUP = ("kind", "outcome", "article_id", "reader_class", "referrer_host")


def rollup_day(day: dt.date) -> int:
    """Replace the rollup rows of ``day`` (and its per-article totals) with counts from its
    raw events; returns the rollup rows written.

    Safe to run again for the same day, concurrently with event writes (a later run
    picks up late events), after a crash (the delete and the inserts commit together),
    and beside another run for the same day (the scheduler's next tick while this one
    is slow): the two replacements take turns, so the day never holds both sets of rows.
    """
    groups = ReaderEvent.objects.filter(day=day).values(*_GROUP).annotate(n=Count("id")).order_by()
    groups = list(groups)
    sections = _sections_of({g["article_id"] for g in groups if g["article_id"] is not None})
    rows = [
        DailyRollup(
            day=day,
            kind=g["kind"],
            outcome=g["outcome"] or "",
            article_id=g["article_id"],
            section_id=sections.get(g["article_id"]),
            reader_class=g["reader_class"] or "",
            referrer_host=g["referrer_host"] or "",
            count=g["n"],
        )
        for g in groups
    ]
    totals: dict[tuple, int] = defaultdict(int)
    for row in rows:
        totals[row.kind, row.article_id, row.section_id] += row.count
    with transaction.atomic():
        _lock_day(day)
        DailyRollup.objects.filter(day=day).delete()
        DailyRollup.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        DailyTotal.objects.filter(day=day).delete()
        DailyTotal.objects.bulk_create(
            (
                DailyTotal(day=day, kind=kind, article_id=article, section_id=section, count=n)
                for (kind, article, section), n in totals.items()
            ),
            batch_size=INSERT_BATCH,
        )
        day_rolled_up.send(sender=DailyRollup, day=day)
    return len(rows)


# The first key of the advisory locks taken per day (the second is the day's ordinal).
_LOCK_NAMESPACE = 0x1A51_6475


def _lock_day(day: dt.date) -> None:
    """Until this transaction ends, no other rollup of ``day`` may replace its rows.

    Without it, on PostgreSQL a second run's DELETE, started before the first commits,
    cannot see the first run's new rows, and the day would be counted twice. SQLite
    allows one writing transaction at a time, which is the same turn-taking.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, day.toordinal()]
            )


def rollup_days(days: list[dt.date]) -> dict[dt.date, int]:
    return {day: rollup_day(day) for day in days}


def _sections_of(article_ids: set[int]) -> dict[int, int]:
    """Each article's parent page id: articles live directly under their section.

    Wagtail's tree (the materialised ``path``) answers this without the content app,
    which sits above insights.
    """
    if not article_ids:
        return {}
    paths = dict(Page.objects.filter(pk__in=article_ids).values_list("pk", "path"))
    parent_paths = {pk: path[: -Page.steplen] for pk, path in paths.items()}
    parents = dict(
        Page.objects.filter(path__in=set(parent_paths.values())).values_list("path", "pk")
    )
    return {pk: parents[p] for pk, p in parent_paths.items() if p in parents}


def events_delete_expired(*, keep_days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete raw events older than ``keep_days`` (``INSIGHTS_KEEP_EVENTS_DAYS``) in batches.

    Each batch is its own short transaction, so the table is never locked for long and
    an interrupted run simply continues next time. Days are deleted only once rolled up
    in the past: run the rollup for recent days first (the command does).
    """
    keep_days = settings.INSIGHTS_KEEP_EVENTS_DAYS if keep_days is None else keep_days
    # Events' ``day`` is their UTC date (events.record).
    cutoff = (now or timezone.now()).astimezone(dt.UTC).date() - dt.timedelta(days=keep_days)
    deleted = 0
    while True:
        ids = list(
            ReaderEvent.objects.filter(day__lt=cutoff)
            .order_by()
            .values_list("pk", flat=True)[:DELETE_BATCH]
        )
        if not ids:
            return deleted
        with transaction.atomic():
            deleted += ReaderEvent.objects.filter(pk__in=ids).delete()[0]
