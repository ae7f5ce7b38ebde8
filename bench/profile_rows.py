"""In-process profiles of the bench rows: ``BENCH_PROFILE=1 make bench`` runs this.

``python bench/profile_rows.py SPEC.json`` sends each row's request N times
through Django's test Client, under pyinstrument, in this process, and writes
a text profile per row to ``<outdir>/<row>.txt``. SPEC is written by
``bench/run.py``::

    {"mode": "site" | "floor", "requests": N, "host": "127.0.0.1",
     "outdir": "...", "rows": [{"name": ..., "path": ..., "cookie": "...",
     "fresh_readers": false}]}

Mode "site" uses ``masthead.settings`` with the bench's environment (the same
database and Redis as the served site); mode "floor" imports
``bench/floor_app.py`` (needs ``BENCH_FLOOR_FILE``). A row with
``fresh_readers`` gets a new signed reader cookie on every request, made
before profiling starts.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WARMUP = 20


def _setup(mode: str) -> None:
    if mode == "floor":
        sys.path.insert(0, str(BENCH))
        import floor_app  # noqa: F401  (configures Django for the floor)
    else:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
        import django

        django.setup()


def _fresh_cookies(count: int) -> list[str]:
    from fixtures import new_reader_cookies

    return new_reader_cookies(count)


def profile_row(client, row: dict, requests: int, host: str, outdir: Path) -> str:
    from pyinstrument import Profiler

    path, cookie = row["path"], row.get("cookie", "")
    fresh = _fresh_cookies(WARMUP + 2 * requests) if row.get("fresh_readers") else None

    def send(n: int):
        response = client.get(
            path, HTTP_HOST=host, HTTP_COOKIE=fresh[n] if fresh is not None else cookie
        )
        if response.status_code != 200:
            raise SystemExit(f"{row['name']}: {path} answered {response.status_code}")
        return response

    for n in range(WARMUP):
        send(n)
    # Timed once without the profiler (its hooks inflate call-heavy code), then profiled.
    started = time.perf_counter()
    for n in range(WARMUP, WARMUP + requests):
        send(n)
    plain = (time.perf_counter() - started) / requests * 1000
    profiler = Profiler(interval=0.001)
    started = time.perf_counter()
    profiler.start()
    for n in range(WARMUP + requests, WARMUP + 2 * requests):
        send(n)
    profiler.stop()
    profiled = (time.perf_counter() - started) / requests * 1000
    header = (
        f"# {row['name']}: GET {path}, {requests} requests in-process (Django test Client): "
        f"{plain:.2f} ms/request, {profiled:.2f} ms/request under the profiler\n\n"
    )
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"{row['name']}.txt"
    target.write_text(header + profiler.output_text(unicode=True, color=False))
    return f"  {row['name']:<22} {plain:7.2f} ms/request ({profiled:.2f} profiled) -> {target}"


def main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    _setup(spec["mode"])
    from django.test import Client

    outdir = Path(spec["outdir"])
    for row in spec["rows"]:
        # A client per row, and the cookie header given explicitly on every request:
        # nothing one row's responses set leaks into the next.
        print(profile_row(Client(), row, spec["requests"], spec["host"], outdir), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
