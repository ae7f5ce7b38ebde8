"""`make bench`: the article read path against a bare framework floor, in one run.

Prepares a PostgreSQL database with the demo plus synthetic articles (Redis as
cache and meter store), a verified subscriber with a Django session, and ~50
comments on a subscribers-only article; then serves, side by side, each under
gunicorn with 2 workers:

  the site      masthead.wsgi, all of its middleware;
  the floor     bench/floor_app.py: a bare Django view returning exactly the
                bytes of the free article page, behind only the security,
                common and clickjacking middleware (no database, no apps).

After the sanity checks (the pages are what each row claims to measure) it
warms each row up and runs wrk on it (BENCH_CONNECTIONS connections,
BENCH_DURATION seconds, --latency):

  floor                 the divisor of every ratio: run before the first row and
                        after each row; a row is divided by the mean of the floor
                        runs on either side of it (the floor line shows the median)
  free article          anonymous                                 target >= 0.9
  home page             anonymous                                 report only
  metered, new reader   a new signed reader cookie on every request, so a new
                        reader-article pair: decision + one meter write   >= 0.6
  reference             the floor app making only that meter write (the same
                        script and connection, the same wrk script): what one
                        Redis round trip per request leaves of the floor here
  metered, over limit   a reader past the limit: the teaser       target >= 0.7
  subscriber            logged in (session cookie), a subscribers-only
                        article with ~50 comments, shown whole    target >= 0.4

then the policy micro-benchmark, then a markdown table of req/s, p50, p99,
ratio to the floor and PASS/MISS; a p99 of 50 ms or more is flagged. Under the
table, each row's CPU time per request (the servers' workers and the kernel's
share of it, wrk, everything else) and the share of the machine left idle: a
row that waits on the network leaves cores idle where the floor does not.

Environment: BENCH_DURATION seconds per row (default 20; 5 for a quick run),
BENCH_CONNECTIONS (64), BENCH_SYNTHETIC articles (10000), BENCH_WARMUP requests
per row before measuring (200), BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/masthead_bench; dropped and re-created),
BENCH_REDIS_URL (redis://127.0.0.1:6379/14; flushed), BENCH_WORKERS gunicorn
workers for the site and the floor alike (2: the issue's setting; for comparing
worker counts, never for the headline). BENCH_PROFILE=1 also
profiles each row in-process under pyinstrument (BENCH_PROFILE_REQUESTS
requests each, default 300) into artifacts/profiles/<row>.txt.

Exit status 1 when a sanity check fails or a row had non-2xx responses; a
MISS is reported, not failed.
"""

from __future__ import annotations

import html
import importlib.util
import json
import math
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
DURATION = int(os.environ.get("BENCH_DURATION", "20"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
THREADS = 2
SYNTHETIC = int(os.environ.get("BENCH_SYNTHETIC", "10000"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "200"))
PROFILE = os.environ.get("BENCH_PROFILE", "").strip().lower() in {"1", "true", "yes", "on"}
PROFILE_REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "300"))
PROFILE_DIR = ROOT / "artifacts" / "profiles"
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/masthead_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
P99_FLAG_MS = 50.0
LENGTH_TOLERANCE = 0.05
PROMPT_MARKER = "paywall-prompt"

FREE_SLUG = "kessler-reservoir-early-drawdown"
# The first is the measured one; the over-limit reader has read the other three.
METERED_SLUGS = [
    "council-passes-budget-night-bus-routes",
    "fort-aldous-drone-corridor-hearing",
    "port-of-meridian-record-quarter",
    "valley-symphony-names-ines-valcourt",
]
# Subscribers-only, so that a reader without paid access would get the teaser.
SUBSCRIBER_SLUG = "downtown-storefront-vacancies-analysis"
SUBSCRIBER_COMMENTS = 50
# The floor app making only the metered read's meter write: a reference, not a target.
REFERENCE_ROW = "floor-meter-write"

# Request n (counted across wrk's threads) reads cookie n % #cookies on article
# floor(n / #cookies) % #paths: every request is a new reader-article pair until
# #cookies x #paths requests (the paths are within the anonymous limit of 3). Each
# thread formats its requests in init(), before wrk starts its clock: formatting one
# per request would cost the client CPU the servers share, which the floor's plain
# requests do not.
NEW_READER_SCRIPT = """
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  local tid = tonumber(wrk.thread:get("tid"))
  local step = tonumber(os.getenv("BENCH_THREADS"))
  local cookies = {}
  for line in io.lines(os.getenv("BENCH_COOKIES")) do cookies[#cookies + 1] = line end
  local paths = {}
  for p in string.gmatch(os.getenv("BENCH_PATHS"), "%S+") do paths[#paths + 1] = p end
  requests = {}
  for n = tid, #cookies * #paths - 1, step do
    local article = math.floor(n / #cookies) % #paths
    local cookie = cookies[(n % #cookies) + 1]
    requests[#requests + 1] = wrk.format("GET", paths[article + 1], {["Cookie"] = cookie})
  end
  i = 0
end
function request()
  i = i % #requests + 1
  return requests[i]
end
"""


class BenchError(Exception):
    """A sanity check failed: the numbers would not mean what the table says."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchError(message)


@dataclass
class Row:
    key: str
    label: str
    target: float | None
    url: str
    wrk_args: tuple = ()
    warmup_cookies: list[str] = field(default_factory=lambda: [""])
    result: dict | None = None
    # The divisor: the mean of the floor runs just before and just after this row.
    floor_rps: float | None = None
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- preparation


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app: str, port: int, *, cwd: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=cwd,
        env=env,
    )


def wait_until_serving(url: str, server: subprocess.Popen, name: str) -> None:
    for _ in range(150):
        if server.poll() is not None:
            raise BenchError(f"the {name} exited while starting (status {server.returncode})")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise BenchError(f"the {name} did not answer {url} within 30 s")


def stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# ---------------------------------------------------------------------- HTTP


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer here (the identify round trip), not something to follow."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, cookie: str = "") -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def fetch_ok(url: str, cookie: str = "", what: str = "") -> str:
    status, body, _ = fetch(url, cookie)
    check(status == 200, f"{what or url}: expected 200, got {status}")
    return body.decode()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", html.unescape(text))


def missing_text(page: str, texts: list[str]) -> list[str]:
    """The texts not shown on ``page`` (markup, scripts and whitespace ignored)."""
    shown = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S | re.I)
    shown = _squash(re.sub(r"<[^>]*>", "", shown))
    return [text for text in texts if _squash(text) not in shown]


def warm_up(url: str, cookies: list[str]) -> None:
    """WARMUP requests, eight at a time, so both workers fill their caches first."""

    def one(n: int) -> int:
        return fetch(url, cookies[n % len(cookies)])[0]

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(one, range(WARMUP)))
    bad = sorted({s for s in statuses if s != 200})
    check(not bad, f"warm-up of {url}: answered {bad}")


# ----------------------------------------------------------------------- wrk

_TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * _TIME_UNITS[unit]


def _proc_stat(pid: str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            # The command name is in parentheses and may hold spaces: split after it.
            return handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def servers_cpu_seconds(masters: list[int]) -> tuple[float, float]:
    """User and system CPU of the gunicorn masters and their workers so far."""
    user = system = 0
    wanted = {str(pid) for pid in masters}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        fields = _proc_stat(pid)
        if fields and (pid in wanted or fields[1] in wanted):
            user += int(fields[11])
            system += int(fields[12])
    ticks = os.sysconf("SC_CLK_TCK")
    return user / ticks, system / ticks


def machine_busy_seconds() -> float:
    with open("/proc/stat") as handle:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(
            int, handle.readline().split()[1:9]
        )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, *extra: str, env: dict | None = None, masters: list[int] = ()) -> dict:
    """wrk's numbers, plus the cores kept busy by anything but the servers and wrk."""
    started = time.monotonic()
    busy_before, servers_before = machine_busy_seconds(), servers_cpu_seconds(masters)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}s",
            "--latency",
            # Slow answers are measured, not dropped as timeouts from the percentiles.
            "--timeout",
            "30s",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    busy = machine_busy_seconds() - busy_before
    user, system = (
        now - then for now, then in zip(servers_cpu_seconds(masters), servers_before, strict=True)
    )
    servers = user + system
    other = (busy - servers - wrk_cpu) / wall
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    total = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)(\w+) read", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    check(total and "50" in latency and "99" in latency, f"cannot read wrk's output:\n{out}")
    requests = int(total.group(1))
    check(requests > 0, f"wrk completed no request:\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(latency["50"]),
        "p99": _ms(latency["99"]),
        "requests": requests,
        "bytes_per_response": float(total.group(2)) * _SIZE_UNITS[total.group(3)] / requests,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
        "other_cores": max(0.0, other),
        # CPU time per request, in µs: where one request's cost goes on this machine.
        "cpu_us": {
            "servers": servers / requests * 1e6,
            "servers_system": system / requests * 1e6,
            "wrk": wrk_cpu / requests * 1e6,
            "other": max(0.0, busy - servers - wrk_cpu) / requests * 1e6,
        },
        "idle": max(0.0, 1 - busy / (wall * (os.cpu_count() or 1))),
    }


# ------------------------------------------------------------------- fixtures


def make_cookies(env: dict, path: Path, count: int) -> list[str]:
    subprocess.run(
        [str(BIN / "python"), str(BENCH / "fixtures.py"), "cookies", str(path), str(count)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return path.read_text().splitlines()


def make_facts(env: dict, path: Path) -> dict:
    articles = [arg for slug in (FREE_SLUG, *METERED_SLUGS) for arg in ("--article", slug)]
    subprocess.run(
        [
            str(BIN / "python"),
            str(BENCH / "fixtures.py"),
            "facts",
            str(path),
            "--subscriber-article",
            SUBSCRIBER_SLUG,
            "--comments",
            str(SUBSCRIBER_COMMENTS),
            *articles,
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return json.loads(path.read_text())


# -------------------------------------------------------------------- profile


def profile(rows: list[Row], site_env: dict, floor_env: dict, workdir: Path, cookies) -> None:
    if importlib.util.find_spec("pyinstrument") is None:
        print("pyinstrument is missing: installing it into the venv...")
        subprocess.run(
            [str(BIN / "python"), "-m", "pip", "install", "-q", "pyinstrument"], check=True
        )
    by_key = {row.key: row for row in rows}
    specs = {
        "floor": (floor_env, [{"name": "floor", "path": urlsplit(by_key["floor"].url).path}]),
        "site": (
            site_env,
            [
                {"name": row.key, "path": urlsplit(row.url).path, **cookies[row.key]}
                for row in rows
                if row.key not in ("floor", REFERENCE_ROW)
            ],
        ),
    }
    print(
        f"\nProfiling each row in-process (Django test Client, {PROFILE_REQUESTS} requests timed, "
        f"then {PROFILE_REQUESTS} under pyinstrument):"
    )
    for mode, (env, spec_rows) in specs.items():
        spec = workdir / f"profile-{mode}.json"
        spec.write_text(
            json.dumps(
                {
                    "mode": mode,
                    "requests": PROFILE_REQUESTS,
                    "host": "127.0.0.1",
                    "outdir": str(PROFILE_DIR),
                    "rows": spec_rows,
                }
            )
        )
        subprocess.run(
            [str(BIN / "python"), str(BENCH / "profile_rows.py"), str(spec)],
            cwd=ROOT,
            env=env,
            check=True,
        )


# ---------------------------------------------------------------------- report


def table(rows: list[Row], load_before: float) -> tuple[str, bool]:
    lines = [
        "| row | req/s | floor beside it | p50 | p99 | ratio | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    valid = True
    flagged = []
    for row in rows:
        r = row.result
        ratio = r["rps"] / row.floor_rps
        p99 = f"{r['p99']:.1f} ms"
        if r["p99"] >= P99_FLAG_MS:
            p99 += " ⚠"
            flagged.append(row.label)
        if row.key == "floor":
            target = "(divisor)"
        elif row.key == REFERENCE_ROW:
            target = "reference"
        elif row.target is None:
            target = "report only"
        else:
            target = f"≥ {row.target:.1f} {'PASS' if ratio >= row.target else 'MISS'}"
        if r["non2xx"]:
            target += f" INVALID ({r['non2xx']} non-2xx)"
            valid = False
        lines.append(
            f"| {row.label} | {r['rps']:.0f} | {row.floor_rps:.0f} | {r['p50']:.1f} ms | {p99} "
            f"| {ratio:.2f} | {target} |"
        )
    lines.append("")
    lines.append(
        f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}s --latency --timeout 30s; gunicorn, "
        f"{WORKERS} sync workers each; servers and wrk share {os.cpu_count()} cores. "
        f"Load average (1 min) before the rows: {load_before:.2f}, after: {os.getloadavg()[0]:.2f}."
    )
    lines.append(
        "Cores busy outside the two servers and wrk during each row (Redis, PostgreSQL and "
        "whatever else runs on the machine; a row well above the others was contended): "
        + ", ".join(f"{row.key} {row.result['other_cores']:.2f}" for row in rows)
        + "."
    )
    lines.append(
        "CPU per request, µs (the servers' workers, of it in the kernel / wrk / everything "
        "else), and the share of the machine left idle: "
        + "; ".join(
            f"{row.key} {c['servers']:.0f}, {c['servers_system']:.0f} / {c['wrk']:.0f} / "
            f"{c['other']:.0f}, "
            f"idle {row.result['idle']:.0%}"
            for row in rows
            for c in (row.result["cpu_us"],)
        )
        + "."
    )
    if flagged:
        lines.append(
            f"⚠ p99 ≥ {P99_FLAG_MS:.0f} ms: {', '.join(flagged)}. With {CONNECTIONS} connections "
            f"on {WORKERS} sync workers most latency is queueing (p50 ≈ connections / req/s)."
        )
    by_key = {row.key: row for row in rows}
    if REFERENCE_ROW in by_key and "metered-new-reader" in by_key:
        reference = by_key[REFERENCE_ROW].result["rps"]
        lines.append(
            "The metered row against the reference (a bare view making only the meter's "
            f"write): {by_key['metered-new-reader'].result['rps'] / reference:.2f}. The "
            "reference's own ratio is what one Redis round trip per request leaves of the "
            "floor on this machine."
        )
    for row in rows:
        lines.extend(f"note ({row.label}): {note}" for note in row.notes)
    return "\n".join(lines), valid


# ------------------------------------------------------------------------ main


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="masthead-bench-"))
    floor_file = workdir / "floor.html"
    env = dict(
        os.environ,
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        MASTHEAD_VAR_DIR=str(workdir),
        DJANGO_SETTINGS_MODULE="masthead.settings",
    )
    env.pop("MASTHEAD_BENCH_FLOOR", None)
    # A request with a reader cookie makes the meter's write there too (the reference row).
    floor_env = dict(env, BENCH_FLOOR_FILE=str(floor_file), BENCH_METER_REDIS_URL=REDIS_URL)
    floor_env.pop("DJANGO_SETTINGS_MODULE")
    site = floor = None
    try:

        def manage(*args: str) -> None:
            subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)

        print(f"Preparing PostgreSQL database with the demo and {SYNTHETIC} synthetic articles...")
        recreate_database(DATABASE_URL)
        flush_redis(REDIS_URL)
        manage("migrate", "--noinput", "-v0")
        manage("collectstatic", "--noinput", "-v0")
        manage("load_demo", "-v0", f"--synthetic={SYNTHETIC}")
        facts = make_facts(env, workdir / "facts.json")
        # Fixtures went in through the ORM: start the site on an empty cache.
        flush_redis(REDIS_URL)
        paths = {info["slug"]: path for path, info in facts["articles"].items()}
        texts = {info["slug"]: info["text"] for info in facts["articles"].values()}
        print(
            f"Subscriber article {facts['subscriber_path']} ({facts['subscriber_access']}): "
            f"{facts['visible_comments']} visible comments"
        )
        check(
            facts["visible_comments"] >= SUBSCRIBER_COMMENTS,
            f"only {facts['visible_comments']} visible comments on the subscriber's article",
        )
        # One spent reader, one for the sanity check, WARMUP for the warm-up.
        spent, sanity_reader, *warmup_readers = make_cookies(
            env, workdir / "few-cookies.txt", 2 + WARMUP
        )

        port, floor_port = free_port(), free_port()
        base, floor_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{floor_port}"
        site = start_gunicorn("masthead.wsgi:application", port, cwd=ROOT, env=env)
        wait_until_serving(base + "/robots.txt", site, "site")
        free_url = base + paths[FREE_SLUG]
        article = fetch_ok(free_url, what="free article").encode()
        floor_file.write_bytes(article)
        floor = start_gunicorn("floor_app:application", floor_port, cwd=BENCH, env=floor_env)
        floor_url = floor_base + paths[FREE_SLUG]
        wait_until_serving(floor_url, floor, "floor app")

        print("Sanity checks...")
        status, floor_body, _ = fetch(floor_url)
        check(status == 200 and floor_body == article, "the floor does not serve the article bytes")
        again = fetch_ok(free_url, what="free article").encode()
        drift = abs(len(again) - len(floor_body)) / len(floor_body)
        check(
            drift <= LENGTH_TOLERANCE,
            f"free article is {len(again)} bytes, the floor {len(floor_body)} ({drift:.1%} apart)",
        )
        check(not missing_text(again.decode(), texts[FREE_SLUG]), "free article is not whole")

        metered_url = base + paths[METERED_SLUGS[0]]
        page = fetch_ok(metered_url, sanity_reader, "metered article, new reader")
        check(PROMPT_MARKER not in page, "a new reader within the limit got the paywall prompt")
        missing = missing_text(page, texts[METERED_SLUGS[0]])
        check(not missing, f"a new reader within the limit misses text: {missing[:1]}")
        for slug in METERED_SLUGS[1:]:
            page = fetch_ok(base + paths[slug], spent, f"{slug} for the spent reader")
            check(PROMPT_MARKER not in page, f"read {slug} within the limit got the prompt")
        teaser = fetch_ok(metered_url, spent, "metered article, reader over the limit")
        check(PROMPT_MARKER in teaser, "the reader over the limit is not shown the teaser")
        check(
            missing_text(teaser, texts[METERED_SLUGS[0]]),
            "the teaser carries the whole article",
        )

        subscriber_url = base + facts["subscriber_path"]
        status, body, headers = fetch(subscriber_url, facts["session_cookie"])
        page = body.decode()
        check(status == 200, f"subscriber's article: expected 200, got {status}")
        check(PROMPT_MARKER not in page, "the subscriber got the paywall prompt")
        missing = missing_text(page, texts[SUBSCRIBER_SLUG])
        check(not missing, f"the subscriber misses article text: {missing[:1]}")
        check(
            not missing_text(page, [facts["first_comment_text"]]),
            "the subscriber's page shows no comments",
        )
        # A browser sends back the CSRF cookie the comment form set; so does the bench.
        csrf = re.search(r"(csrftoken=[^;]+)", headers.get("Set-Cookie") or "")
        subscriber_cookie = facts["session_cookie"] + (f"; {csrf.group(1)}" if csrf else "")
        print("Sanity checks passed.")

        script = workdir / "new-reader.lua"
        script.write_text(NEW_READER_SCRIPT)
        new_reader_paths = [paths[slug] for slug in METERED_SLUGS[:3]]
        rows = [
            Row("floor", "floor (bare Django, same bytes)", None, floor_url),
            Row("free-article", "free article, anonymous", 0.9, free_url),
            Row("home", "home page, anonymous", None, base + "/"),
            Row(
                "metered-new-reader",
                "metered, new reader each request",
                0.6,
                metered_url,
                ("-s", str(script)),
                warmup_readers,
            ),
            Row(
                REFERENCE_ROW,
                "reference: floor + the one meter write",
                None,
                floor_base + paths[METERED_SLUGS[0]],
                ("-s", str(script)),
                warmup_readers,
            ),
            Row(
                "metered-over-limit",
                "metered, reader over the limit (teaser)",
                0.7,
                metered_url,
                ("-H", f"Cookie: {spent}"),
                [spent],
            ),
            Row(
                "subscriber-comments",
                f"subscriber, article + {facts['visible_comments']} comments",
                0.4,
                subscriber_url,
                ("-H", f"Cookie: {subscriber_cookie}"),
                [subscriber_cookie],
            ),
        ]
        cookie_file = workdir / "cookies.txt"
        wrk_env = dict(
            os.environ,
            BENCH_COOKIES=str(cookie_file),
            BENCH_PATHS=" ".join(new_reader_paths),
            BENCH_THREADS=str(THREADS),
        )
        load_before = os.getloadavg()[0]
        print(
            f"\nwrk: {CONNECTIONS} connections, {DURATION} s a row, {WARMUP} warm-up requests "
            f"(load average {load_before:.2f}: anything else busy on the machine skews the rows)"
        )
        floor_row, *site_rows = rows

        def measure(row: Row) -> dict:
            warm_up(row.url, row.warmup_cookies)
            return run_wrk(row.url, *row.wrk_args, env=wrk_env, masters=[site.pid, floor.pid])

        # The floor is measured before the first row and again after every row, and
        # each row is divided by the mean of the two floors on either side of it: on a
        # shared machine the speed drifts within a run, and a floor measured minutes
        # before a row can be far from the floor the row actually had.
        floor_before = measure(floor_row)
        floor_runs = [floor_before]
        print(f"  {floor_row.label:<42} {floor_before['rps']:>8.0f} req/s")
        for row in site_rows:
            if row.key == "metered-new-reader":
                # Enough fresh readers for a run at 1.5x the floor's rate.
                count = max(20_000, math.ceil(floor_before["rps"] * DURATION * 1.5))
                make_cookies(env, cookie_file, count)
            row.result = r = measure(row)
            floor_after = measure(floor_row)
            floor_runs.append(floor_after)
            row.floor_rps = (floor_before["rps"] + floor_after["rps"]) / 2
            floor_before = floor_after
            print(
                f"  {row.label:<42} {r['rps']:>8.0f} req/s  p50 {r['p50']:7.1f} ms  "
                f"p99 {r['p99']:7.1f} ms  {r['bytes_per_response'] / 1024:6.1f} KiB/resp  "
                f"other CPU {r['other_cores']:.2f} cores  non-2xx {r['non2xx']}"
                + (f"  socket errors: {r['socket_errors']}" if r["socket_errors"] else "")
                + f"  floor after it {floor_after['rps']:.0f} req/s"
            )
            if r["socket_errors"]:
                row.notes.append(f"socket errors: {r['socket_errors']}")
            if row.key == "metered-new-reader":
                pairs = count * len(new_reader_paths)
                if r["requests"] > pairs:
                    row.notes.append(
                        f"{r['requests']} requests for {pairs} reader-article pairs: "
                        "some were re-reads"
                    )
                elif r["requests"] > count:
                    row.notes.append(
                        f"{r['requests'] - count} requests went to a second or third article "
                        "of a reader (still new pairs within the limit)"
                    )
        # The floor's own line: its median run.
        floor_row.result = sorted(floor_runs, key=lambda run: run["rps"])[len(floor_runs) // 2]
        floor_row.floor_rps = floor_row.result["rps"]
        floor_row.notes.append(
            "floor runs, in order: " + ", ".join(f"{run['rps']:.0f}" for run in floor_runs)
        )
        print(f"article bytes: {len(article)}; floor bytes: {len(floor_body)}")

        if PROFILE:
            profile(
                rows,
                env,
                floor_env,
                workdir,
                {
                    "free-article": {},
                    "home": {},
                    "metered-new-reader": {"fresh_readers": True},
                    "metered-over-limit": {"cookie": spent},
                    "subscriber-comments": {"cookie": subscriber_cookie},
                },
            )
    except BenchError as error:
        print(f"\nBENCH FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        stop(site)
        stop(floor)
        shutil.rmtree(workdir, ignore_errors=True)

    print("\nPolicy micro-benchmark:")
    subprocess.run([str(BIN / "python"), str(BENCH / "policy_micro.py")], check=False)
    report, valid = table(rows, load_before)
    print(f"\nbench took {time.monotonic() - started:.0f} s\n")
    print(report)
    return 0 if valid else 1


if __name__ == "__main__":
    sys.exit(main())
