"""`make bench`: the article path against the framework floor, measured in one run.

Starts the site under gunicorn (2 workers) on PostgreSQL and Redis with the
demo plus 10,000 synthetic articles, then runs wrk against
  (a) an article page, (b) the home page, and
  (c) a bare Django view returning the same article bytes from memory under
      the same gunicorn and middleware (the framework floor),
and prints requests/s, p50 and p99 latency for each and the ratio a/c.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
masthead_bench), BENCH_REDIS_URL (default redis://127.0.0.1:6379/14),
BENCH_DURATION seconds per target (default 20), BENCH_CONNECTIONS (default 64),
BENCH_SYNTHETIC articles (default 10000).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DURATION = int(os.environ.get("BENCH_DURATION", "20"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
SYNTHETIC = int(os.environ.get("BENCH_SYNTHETIC", "10000"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/masthead_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ARTICLE_PATH = "/politics/council-passes-budget-night-bus-routes/"


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def run_wrk(url: str) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": latency.get("50", "?"),
        "p99": latency.get("99", "?"),
        "non2xx": int(errors.group(1)) if errors else 0,
    }


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="masthead-bench-"))
    floor_file = workdir / "floor.html"
    env = dict(
        os.environ,
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        MASTHEAD_VAR_DIR=str(workdir),
        MASTHEAD_BENCH_FLOOR="1",
        MASTHEAD_BENCH_FLOOR_FILE=str(floor_file),
        DJANGO_SETTINGS_MODULE="masthead.settings",
    )

    def manage(*args: str) -> None:
        subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)

    started = time.monotonic()
    print(f"Preparing PostgreSQL database with the demo and {SYNTHETIC} synthetic articles...")
    recreate_database(DATABASE_URL)
    flush_redis(REDIS_URL)
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("load_demo", "-v0", f"--synthetic={SYNTHETIC}")

    port = 8700 + os.getpid() % 200
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "masthead.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        article = urllib.request.urlopen(base + ARTICLE_PATH).read()
        floor_file.write_bytes(article)
        targets = {
            "a": ("article page", base + ARTICLE_PATH),
            "b": ("home page", base + "/"),
            "c": ("framework floor (same bytes)", base + "/_bench/floor/"),
        }
        for _, url in targets.values():
            for _ in range(3):
                urllib.request.urlopen(url).read()
        results = {}
        for key, (label, url) in targets.items():
            results[key] = run_wrk(url)
            r = results[key]
            print(
                f"({key}) {label:<30} {r['rps']:>9.0f} req/s   p50 {r['p50']:>8}   "
                f"p99 {r['p99']:>8}   non-2xx {r['non2xx']}"
            )
        print(f"article bytes: {len(article)}")
        print(
            f"ratio a/c (article / framework floor): {results['a']['rps'] / results['c']['rps']:.2f}"
        )
        print(
            f"ratio b/c (home / framework floor):    {results['b']['rps'] / results['c']['rps']:.2f}"
        )
        print(f"bench took {time.monotonic() - started:.0f} s")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
