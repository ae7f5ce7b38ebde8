"""`make bench`: the article path against the framework floor, measured in one run.

Starts the site under gunicorn (2 workers) on PostgreSQL and Redis with the
demo plus 10,000 synthetic articles, then runs wrk against
  (a) a free article page,
  (b) the home page,
  (c) a bare Django view returning the same article bytes from memory under
      the same gunicorn and middleware (the framework floor),
  (d) a metered article for a new anonymous reader on every request (each
      request carries a different signed reader cookie: decision plus one
      atomic meter write in Redis),
  (e) a metered article for a reader over the limit (the teaser),
and prints requests/s, p50 and p99 latency for each and the ratios to (c);
then the policy micro-benchmark.

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
FREE_ARTICLE_PATH = "/climate/kessler-reservoir-early-drawdown/"
METERED_PATHS = [
    "/politics/council-passes-budget-night-bus-routes/",
    "/defense/fort-aldous-drone-corridor-hearing/",
    "/economy/port-of-meridian-record-quarter/",
    "/culture/valley-symphony-names-ines-valcourt/",
]
COOKIES_PER_RUN = 150_000
NEW_READER_SCRIPT = """
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  tid = tonumber(wrk.thread:get("tid"))
  cookies = {}
  for line in io.lines(os.getenv("BENCH_COOKIES")) do cookies[#cookies + 1] = line end
  n = tid
end
function request()
  n = n + 2
  return wrk.format("GET", nil, {["Cookie"] = cookies[(n % #cookies) + 1]})
end
"""


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


def run_wrk(url: str, *extra: str, env: dict | None = None) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
        env=env,
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


def reader_cookies(env: dict, path: Path, count: int) -> None:
    """Signed reader cookies made with the server's own key, one per line."""
    code = (
        "import django; django.setup()\n"
        "from django.core import signing\n"
        "from masthead.paywall import identity\n"
        "import uuid\n"
        "salt = identity.READER_COOKIE + identity.READER_COOKIE_SALT\n"
        "signer = signing.get_cookie_signer(salt=salt)\n"
        f"with open({str(path)!r}, 'w') as out:\n"
        f"    for _ in range({count}):\n"
        "        out.write(identity.READER_COOKIE + '=' + signer.sign(uuid.uuid4().hex) + '\\n')\n"
    )
    subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env, check=True)


def fetch_with_cookie(url: str, cookie: str) -> str:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request) as response:
        return response.read().decode()


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
        article = urllib.request.urlopen(base + FREE_ARTICLE_PATH).read()
        floor_file.write_bytes(article)
        cookie_file = workdir / "cookies.txt"
        reader_cookies(env, cookie_file, COOKIES_PER_RUN + 1)
        *fresh, spent = cookie_file.read_text().splitlines()
        cookie_file.write_text("\n".join(fresh) + "\n")
        for path in METERED_PATHS[1:]:
            fetch_with_cookie(base + path, spent)
        teaser = fetch_with_cookie(base + METERED_PATHS[0], spent)
        assert "free article limit" in teaser, "reader (e) is not over the limit"
        script = workdir / "new-reader.lua"
        script.write_text(NEW_READER_SCRIPT)
        targets = {
            "a": ("free article page", base + FREE_ARTICLE_PATH, ()),
            "b": ("home page", base + "/", ()),
            "c": ("framework floor (same bytes)", base + "/_bench/floor/", ()),
            "d": ("metered, new reader each req", base + METERED_PATHS[0], ("-s", str(script))),
            "e": (
                "metered, reader over limit",
                base + METERED_PATHS[0],
                ("-H", f"Cookie: {spent}"),
            ),
        }
        for _, url, _ in targets.values():
            for _ in range(3):
                fetch_with_cookie(url, spent)
        wrk_env = dict(os.environ, BENCH_COOKIES=str(cookie_file))
        results = {}
        for key, (label, url, extra) in targets.items():
            results[key] = r = run_wrk(url, *extra, env=wrk_env)
            print(
                f"({key}) {label:<30} {r['rps']:>9.0f} req/s   p50 {r['p50']:>8}   "
                f"p99 {r['p99']:>8}   non-2xx {r['non2xx']}"
            )
        floor = results["c"]["rps"]
        print(f"article bytes: {len(article)}")
        for key, label in (
            ("a", "free article"),
            ("b", "home"),
            ("d", "new reader"),
            ("e", "teaser"),
        ):
            print(f"ratio {key}/c ({label} / framework floor): {results[key]['rps'] / floor:.2f}")
        print(f"bench took {time.monotonic() - started:.0f} s")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "policy_micro.py")], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
