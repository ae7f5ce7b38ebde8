"""PostgreSQL restarted under load, in the production shape, on a PostgreSQL of its own.

The cluster here runs on a throwaway PostgreSQL server started for this module (never
the machine's shared one), so the test can stop and start it. While it is down, a page
that needs the database answers 503 with Retry-After (never a 500, never a wait past the
connect timeout), pages that do not need it are served as usual, and when it is back
every app process reconnects by itself, within seconds, without a restart.

The server listens on a free port, or on FAULTS_PG_PORT when set (a machine that hands
out port ranges). It holds a copy of the fault cluster's database, made with pg_dump.
"""

from __future__ import annotations

import glob
import http.client
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from deploy.cluster import Cluster, free_port
from tests.faults.clients import FREE, METERED, Load, get, new_reader, path_of, whole

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a PostgreSQL fault: the PostgreSQL pass runs it (on a server of its own)",
)

# Longest a request may take while the database is away: refused connections fail at
# once, a host that does not answer within DB_CONNECT_TIMEOUT (2 s), a statement within
# DB_STATEMENT_TIMEOUT (5 s); plus a margin for a busy machine. A hang would last until
# the client's 15 s or gunicorn's 30 s.
LONGEST_WAIT = 8.0
RECOVERY_SECONDS = 10.0
# A page that always asks the database: search is neither page-cached nor micro-cached
# for a reader with a cookie.
SEARCH = "/search/?q=council"


class OwnPostgres:
    """A PostgreSQL server in a temporary directory, on a port of its own."""

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        self.bin = Path(found[-1]).parent if found else Path(shutil.which("pg_ctl")).parent
        self.port = int(os.environ.get("FAULTS_PG_PORT") or free_port())
        self.dir = Path(tempfile.mkdtemp(prefix="masthead-faults-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/masthead_faults"
        # As root, PostgreSQL runs as the postgres user, which must own the directory.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-N"
        )
        self.start()
        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE masthead_faults")

    def copy_from(self, source_url: str) -> None:
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), "--format=custom", "--no-owner", "-d", source_url],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            [str(self.bin / "pg_restore"), "--no-owner", "--exit-on-error", "-d", self.url],
            input=dump.stdout,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c max_connections=100 -c fsync=off -c synchronous_commit=off"
        )
        log = str(self.dir / "log")
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-o", options, "-l", log, "start"
        )
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "status")

    def stop(self) -> None:
        """A fast shutdown: open connections are ended, new ones refused."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def own_postgres(cluster):
    """A server of its own holding a copy of the fault cluster's database (migrated, the
    demo loaded), which is quicker than migrating and loading the demo again."""
    server = OwnPostgres()
    try:
        server.create()
        server.copy_from(cluster.env["DATABASE_URL"])
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def db_cluster(cluster, own_postgres, tmp_path_factory):
    """The production shape again, on that server; the same files (static, uploads, secret
    key) and Redis as the fault cluster, but cache keys of its own."""
    env = dict(
        cluster.env,
        DATABASE_URL=own_postgres.url,
        CACHE_KEY_PREFIX=f"pg-restart-{uuid.uuid4().hex[:8]}",
    )
    shape = Cluster(
        env=env, workdir=tmp_path_factory.mktemp("db-cluster"), app_processes=2, workers=2
    )
    shape.start()
    yield shape
    shape.stop()


def cache_status(port: int, path: str) -> tuple[int, str]:
    """A cookieless GET's status and nginx's X-Cache-Status for it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, response.headers.get("X-Cache-Status", "")
    finally:
        connection.close()


def events_written(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM paywall_readerevent").fetchone()[0]


def test_postgresql_restarted_under_load_503s_while_down_and_recovers_without_a_restart(
    db_cluster, own_postgres
):
    port = db_cluster.port
    reader = new_reader(port)
    free, metered = FREE[0], METERED[0]
    paths = [("/", ""), (path_of(free), ""), (path_of(free), reader)]
    paths += [(path_of(metered), reader), (SEARCH, reader)]
    with Load(port, paths, threads=4) as load:
        time.sleep(1.5)
        # The free article is in nginx's micro-cache before the outage (on a busy machine
        # its first render may take a moment).
        deadline = time.monotonic() + 10
        while cache_status(port, path_of(free)) != (200, "HIT"):
            assert time.monotonic() < deadline, "the free article never reached the micro-cache"
            time.sleep(0.2)
        down_at = time.monotonic()
        own_postgres.stop()
        time.sleep(6)  # longer than the micro-cache keeps a copy fresh (5 s)
        status, body, _ = get(port, SEARCH, reader)
        assert status == 503 and "Back in a moment" in body
        # The same free article to a reader without cookies: whole, from nginx's copy,
        # fresh when an app process could still serve it from its own cache (a HIT),
        # otherwise the last one though the app processes answer 503 (STALE).
        status, cached = cache_status(port, path_of(free))
        assert status == 200 and cached in ("HIT", "STALE", "UPDATING"), (status, cached)
        status, body, _ = get(port, path_of(free))
        assert status == 200 and whole(body, free)
        own_postgres.start()
        up_at = time.monotonic()
        events_before = events_written(own_postgres.url)
        while True:
            status, _, _ = get(port, SEARCH, reader)
            if status == 200:
                recovered_at = time.monotonic()
                break
            assert time.monotonic() - up_at < RECOVERY_SECONDS, "no recovery within 10 s"
            time.sleep(0.2)
        time.sleep(2)  # readers carry on after the recovery

    answers = load.results
    print(
        f"{len(answers)} requests; {sum(a.status == 503 for a in answers)} answered 503 while "
        f"PostgreSQL was down for {up_at - down_at:.1f} s; recovered "
        f"{recovered_at - up_at:.1f} s after it was back"
    )
    during = Counter(
        (a.path.split("?")[0], a.status) for a in answers if down_at <= a.started <= up_at
    )
    print(f"during the outage, (path, status): count = {dict(during)}")
    assert len(answers) > 50
    assert {a.status for a in answers} <= {200, 503}, sorted({a.status for a in answers})
    unavailable = [a for a in answers if a.status == 503]
    assert unavailable, "no request needed the database while it was down"
    # 503s only during the restart: each was being answered while PostgreSQL was away
    # (a request begun just before the stop may meet it), none after the app processes
    # were back on it.
    late = [
        (a.path, round(a.started - down_at, 2), round(a.ended - a.started, 2))
        for a in unavailable
        if a.ended < down_at or a.started > recovered_at
    ]
    assert late == [], f"503s outside the outage (path, s after the stop, s taken): {late}"
    assert all(a.status == 200 for a in answers if a.started > recovered_at + 0.5)
    # Never a wait beyond the timeout.
    assert max(a.ended - a.started for a in answers) < LONGEST_WAIT
    assert recovered_at - up_at < RECOVERY_SECONDS
    # The event writers (a thread in each process) reconnected too.
    deadline = time.monotonic() + 15
    while events_written(own_postgres.url) <= events_before:
        assert time.monotonic() < deadline, "no reader events written after the restart"
        time.sleep(0.5)
