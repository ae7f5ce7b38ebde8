"""A web process waits a bounded time for PostgreSQL; other processes keep its defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
PROBE = """
import django
django.setup()
from django.db import connection, utils
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
    cursor.execute("SHOW lock_timeout")
    print(cursor.fetchone()[0])
    try:
        cursor.execute("SELECT pg_sleep(3)")
        print("finished")
    except utils.OperationalError as error:
        print(type(error.__cause__).__name__)
"""

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
        reason="statement and lock timeouts are PostgreSQL settings; the PostgreSQL pass runs this",
    ),
]


def probe(**env: str) -> list[str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    environment = {**os.environ, "DATABASE_URL": url, **env}
    environment.pop("MASTHEAD_WEB", None)
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout.split()


def test_a_slow_statement_in_a_web_process_is_cancelled_at_the_timeout():
    statement, lock, outcome = probe(MASTHEAD_WEB="1", DB_STATEMENT_TIMEOUT="0.5")
    assert statement == "500ms"
    assert lock == "2s"
    assert outcome == "QueryCanceled"


def test_other_processes_keep_postgresqls_defaults():
    statement, lock, outcome = probe()
    assert (statement, lock, outcome) == ("0", "0", "finished")
