"""Where the meter lives: the database by default, Redis when a Redis is configured
(METER_REDIS_URL, else REDIS_URL).

Both stores offer the same three calls. ``record`` is the one that matters:
it checks the limit and records the article in one atomic step, so that any
number of concurrent requests by one reader, in any number of processes,
can never read more than the limit between them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta

import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from masthead.core.redis_connection import ProcessConnection, connection_factory
from masthead.paywall.meter_scripts import MERGE_SCRIPT, RECORD_SCRIPT
from masthead.paywall.models import MeterBucket, MeterRead
from masthead.paywall.policy import MeterState


class MeterUnavailable(Exception):
    """The meter store could not be reached; metered text must not be served."""


@dataclass(frozen=True)
class MeterKey:
    reader: str
    period: str
    # Keyed hash of the client address, only for anonymous readers when the cap is on.
    address: str | None = None


@dataclass(frozen=True)
class RecordResult:
    recorded: bool
    state: MeterState


class MeterStore:
    """The contract every meter store implements."""

    def peek(self, key: MeterKey, article_id: int) -> MeterState:
        raise NotImplementedError(f"{type(self).__name__} must implement peek()")

    def record(
        self, key: MeterKey, article_id: int, *, limit: int, address_cap: int, ttl: int
    ) -> RecordResult:
        """Record ``article_id`` unless that would pass ``limit`` (or the address cap)."""
        raise NotImplementedError(f"{type(self).__name__} must implement record()")

    def reads(self, key: MeterKey) -> frozenset[int]:
        """The articles recorded for this reader in this period."""
        raise NotImplementedError(f"{type(self).__name__} must implement reads()")

    def merge(self, *, source: str, target: str, period: str, ttl: int) -> None:
        """Add ``source``'s reads of ``period`` to ``target``'s, without double counting.

        The source keeps its reads: logging out must not hand back a fresh meter.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement merge()")


class DatabaseMeterStore(MeterStore):
    """Meter rows in the site's database; the bucket row lock serialises a reader."""

    def peek(self, key: MeterKey, article_id: int) -> MeterState:
        rows = {
            name: (count, read)
            for name, count, read in MeterBucket.objects.filter(
                key__in=[k for k in (key.reader, key.address) if k], period=key.period
            )
            .annotate(read=_read_exists(article_id))
            .values_list("key", "count", "read")
        }
        count, already = rows.get(key.reader, (0, False))
        address_count = rows.get(key.address, (0, False))[0] if key.address else 0
        return MeterState(read_count=count, already_read=already, address_count=address_count)

    @staticmethod
    def _locked_bucket(key: str, period: str, ttl: int, article_id: int | None = None):
        """The bucket row, locked, with ``already_read`` for ``article_id``.

        One query when the bucket exists (the common case); the insert is
        only tried for a reader's first read of the period.
        """
        rows = MeterBucket.objects.select_for_update().filter(key=key, period=period)
        if article_id is not None:
            rows = rows.annotate(already_read=_read_exists(article_id))
        bucket = rows.first()
        if bucket is None:
            expires_at = timezone.now() + timedelta(seconds=ttl)
            MeterBucket.objects.bulk_create(
                [MeterBucket(key=key, period=period, expires_at=expires_at)],
                ignore_conflicts=True,
            )
            bucket = rows.get()
        return bucket

    def record(
        self, key: MeterKey, article_id: int, *, limit: int, address_cap: int, ttl: int
    ) -> RecordResult:
        with transaction.atomic():
            bucket = self._locked_bucket(key.reader, key.period, ttl, article_id)
            if bucket.already_read:
                return RecordResult(True, MeterState(bucket.count, already_read=True))
            if bucket.count >= limit:
                return RecordResult(False, MeterState(bucket.count))
            address_count = 0
            if key.address and address_cap:
                address = self._locked_bucket(key.address, key.period, ttl)
                if address.count >= address_cap:
                    return RecordResult(
                        False, MeterState(bucket.count, address_count=address.count)
                    )
                MeterBucket.objects.filter(pk=address.pk).update(count=F("count") + 1)
                address_count = address.count + 1
            MeterRead.objects.create(bucket=bucket, article_id=article_id)
            MeterBucket.objects.filter(pk=bucket.pk).update(count=F("count") + 1)
            state = MeterState(bucket.count + 1, address_count=address_count, just_recorded=True)
            return RecordResult(True, state)

    def reads(self, key: MeterKey) -> frozenset[int]:
        return frozenset(
            MeterRead.objects.filter(bucket__key=key.reader, bucket__period=key.period).values_list(
                "article_id", flat=True
            )
        )

    def merge(self, *, source: str, target: str, period: str, ttl: int) -> None:
        with transaction.atomic():
            into = self._locked_bucket(target, period, ttl)
            have = set(into.reads.values_list("article_id", flat=True))
            copied = [
                MeterRead(bucket=into, article_id=article_id)
                for article_id in MeterRead.objects.filter(
                    bucket__key=source, bucket__period=period
                ).values_list("article_id", flat=True)
                if article_id not in have
            ]
            MeterRead.objects.bulk_create(copied)
            into.count += len(copied)
            into.save(update_fields=["count"])


class PostgresMeterStore(DatabaseMeterStore):
    """The database store, with check-and-record in one round trip (migration 0003)."""

    def record(
        self, key: MeterKey, article_id: int, *, limit: int, address_cap: int, ttl: int
    ) -> RecordResult:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM masthead_meter_record(%s, %s, %s, %s, %s, %s, %s)",
                [
                    key.reader,
                    key.address or "",
                    key.period,
                    article_id,
                    limit,
                    address_cap,
                    timezone.now() + timedelta(seconds=ttl),
                ],
            )
            recorded, count, already, address_count = cursor.fetchone()
        state = MeterState(
            count,
            already_read=already,
            address_count=address_count,
            just_recorded=recorded and not already,
        )
        return RecordResult(recorded, state)


def _read_exists(article_id: int) -> Exists:
    return Exists(MeterRead.objects.filter(bucket=OuterRef("pk"), article_id=article_id))


class RedisMeterStore(MeterStore):
    """A Redis set per reader and period; a Lua script makes check-and-record atomic."""

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=settings.REDIS_TIMEOUT,
            socket_connect_timeout=settings.REDIS_TIMEOUT,
        )
        self._record = self.client.register_script(RECORD_SCRIPT)
        self._merge = self.client.register_script(MERGE_SCRIPT)
        self._connection = ProcessConnection(connection_factory(self.client))

    @staticmethod
    def _key(name: str, period: str) -> str:
        return f"meter:{period}:{name}"

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except redis.RedisError as exc:
            raise MeterUnavailable(str(exc)) from exc

    def _run(self, script, keys: list[str], args: list) -> list:
        """EVALSHA on this process's own connection to the meter's Redis (see
        ``core.redis_connection``): an error here is MeterUnavailable."""
        try:
            return self._connection.execute("EVALSHA", script.sha, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            # A restarted or flushed Redis has forgotten the script.
            script.sha = self.client.script_load(script.script)
            return self._connection.execute("EVALSHA", script.sha, len(keys), *keys, *args)

    def peek(self, key: MeterKey, article_id: int) -> MeterState:
        reader_key = self._key(key.reader, key.period)
        pipe = self.client.pipeline(transaction=False)
        pipe.scard(reader_key)
        pipe.sismember(reader_key, article_id)
        if key.address:
            pipe.get(self._key(key.address, key.period))
        results = self._call(pipe.execute)
        address = int(results[2] or 0) if key.address else 0
        return MeterState(int(results[0]), bool(results[1]), address)

    def record(
        self, key: MeterKey, article_id: int, *, limit: int, address_cap: int, ttl: int
    ) -> RecordResult:
        keys = [
            self._key(key.reader, key.period),
            self._key(key.address, key.period) if key.address else "",
        ]
        recorded, count, already, address = self._call(
            self._run, self._record, keys, [article_id, limit, ttl, address_cap]
        )
        state = MeterState(
            int(count),
            already_read=bool(already),
            address_count=int(address),
            just_recorded=bool(recorded) and not already,
        )
        return RecordResult(bool(recorded), state)

    def reads(self, key: MeterKey) -> frozenset[int]:
        members = self._call(self.client.smembers, self._key(key.reader, key.period))
        return frozenset(int(member) for member in members)

    def merge(self, *, source: str, target: str, period: str, ttl: int) -> None:
        keys = [self._key(source, period), self._key(target, period)]
        self._call(self._run, self._merge, keys, [ttl])


@functools.cache
def _store_for(redis_url: str, vendor: str) -> MeterStore:
    if redis_url:
        return RedisMeterStore(redis_url)
    return PostgresMeterStore() if vendor == "postgresql" else DatabaseMeterStore()


def meter_redis_url() -> str:
    """The meter's own Redis when one is configured, else the cache's (may be empty)."""
    return getattr(settings, "METER_REDIS_URL", "") or settings.REDIS_URL


def get_store() -> MeterStore:
    """Redis when the site has it (shared by every app process), the database otherwise."""
    backend = getattr(settings, "PAYWALL_METER_STORE", "auto")
    if backend == "database":
        return _store_for("", connection.vendor)
    return _store_for(meter_redis_url(), connection.vendor)
