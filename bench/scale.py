"""How page times grow with the archive: a small one against a large one, uncached.

    python bench/scale.py [--large N] [--small N] [--reuse] [--samples 5]

For each size it prepares a PostgreSQL database (migrate, ``load_demo --synthetic N``,
timed), serves it with gunicorn (2 workers, Redis as the cache) and times each page
**uncached**, median of ``--samples`` requests after two warm-up requests:

- listing pages (home, section page 1 and a deep page, author, tag), feeds and sitemaps
  get a query string never used before, which the shared page cache never serves
  (``page_cache.is_shared_request``) and which the view ignores;
- search is never cached; each sample searches ``council budget`` with a fresh query string;
- the article is a different article for each sample, never rendered before, so its
  variant is rendered from the database (the fast path's caches miss).

Then it prints a markdown table (small, large, growth) and each database's size, and the
search p95 over a set of queries at the large size. Not part of CI.

Environment: SCALE_VAR_DIR (media, secret key, static files; default var/, as
manage.py), SCALE_DATABASE_SMALL / SCALE_DATABASE_LARGE (PostgreSQL URLs; dropped and
re-created unless --reuse finds the wanted number of articles there), SCALE_REDIS_URL
(flushed), SCALE_PORT (the first of two ports).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from run import (  # noqa: E402
    BIN,
    flush_redis,
    recreate_database,
    start_gunicorn,
    stop,
    wait_until_serving,
)

SMALL_URL = os.environ.get(
    "SCALE_DATABASE_SMALL", "postgres://postgres@127.0.0.1:5432/masthead_h12_scale_small"
)
LARGE_URL = os.environ.get(
    "SCALE_DATABASE_LARGE", "postgres://postgres@127.0.0.1:5432/masthead_h12_scale"
)
REDIS_URL = os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379/3")
PORT = int(os.environ.get("SCALE_PORT", "8101"))
SEARCH = "council budget"
SEARCH_SET = [
    "council budget",
    "reservoir",
    "transit night bus",
    "harbor freight contract",
    "school board vote",
    '"city council"',
    "drought OR flood",
    "museum",
    "wage",
    "storm levee",
    "festival film",
    "port",
    "housing permit",
    "hospital nurses",
    "energy grid",
    "mayor",
    "bridge repairs",
    "library hours",
    "farmers water",
    "tariff",
]

FACTS = """
import json
from django.db.models import Count
from masthead.content.models import ArticlePage, AuthorPage, SectionPage
from masthead.content import selectors
from taggit.models import Tag
section = max(SectionPage.objects.live(), key=lambda s: s.numchild)
pages = max(1, -(-section.numchild // selectors.PAGE_SIZE))
author = AuthorPage.objects.annotate(n=Count("article_links")).order_by("-n").first()
tag = Tag.objects.annotate(n=Count("content_articlepagetag_items")).order_by("-n").first()
count = ArticlePage.objects.count()
middle = ArticlePage.objects.order_by("first_published_at").values_list("pk", flat=True)
picked = list(middle[count // 2 : count // 2 + 8])
articles = [ArticlePage.objects.get(pk=pk).url for pk in picked]
print(json.dumps({
    "count": count,
    "section": section.url,
    "section_slug": section.slug,
    "deep_page": min(200, pages),
    "author": author.url,
    "tag": f"/tags/{tag.slug}/",
    "articles": articles,
}))
"""


def _env(database_url: str, workdir: Path) -> dict:
    # The images load_demo drew live in the var directory: the one that served the load.
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        MASTHEAD_VAR_DIR=os.environ.get("SCALE_VAR_DIR", str(ROOT / "var")),
        DJANGO_SETTINGS_MODULE="masthead.settings",
        WAGTAILADMIN_BASE_URL=f"http://127.0.0.1:{PORT}",
    )


def _manage(env: dict, *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        ["nice", str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return done.stdout if capture else ""


def _article_count(env: dict) -> int | None:
    try:
        out = _manage(
            env,
            "shell",
            "-c",
            "from masthead.content.models import ArticlePage; print(ArticlePage.objects.count())",
            capture=True,
        )
        return int(out.strip().splitlines()[-1])
    except (subprocess.CalledProcessError, ValueError, IndexError):
        return None


def prepare(database_url: str, synthetic: int, *, reuse: bool, workdir: Path) -> dict:
    env = _env(database_url, workdir)
    found = _article_count(env) if reuse else None
    if found is not None and found >= synthetic:
        print(f"  reusing {database_url.rsplit('/', 1)[1]}: {found} articles")
        _manage(env, "migrate", "--noinput", "-v0")
        return {"load_seconds": None}
    recreate_database(database_url)
    _manage(env, "migrate", "--noinput", "-v0")
    started = time.monotonic()
    _manage(env, "load_demo", "-v0", f"--synthetic={synthetic}")
    seconds = time.monotonic() - started
    print(f"  load_demo --synthetic {synthetic}: {seconds:.0f} s")
    return {"load_seconds": seconds}


def _get(url: str) -> tuple[float, int, int]:
    elapsed, status, body = _fetch(url)
    return elapsed, status, len(body)


def _fetch(url: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        body = response.read()
        status = response.status
    return (time.perf_counter() - started) * 1000, status, body


def _with_query(url: str, extra: str) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def measure(base: str, facts: dict, samples: int) -> dict:
    pages = {
        "home": "/",
        "section, page 1": facts["section"],
        f"section, page {facts['deep_page']}": f"{facts['section']}?page={facts['deep_page']}",
        "author": facts["author"],
        "tag": facts["tag"],
        f"search ({SEARCH})": "/search/?q=" + SEARCH.replace(" ", "+"),
        "RSS (site)": "/feeds/rss/",
        "RSS (section)": f"/feeds/{facts['section_slug']}/rss/",
        "sitemap.xml": "/sitemap.xml",
    }
    if "sitemap_file" in facts:
        pages["sitemap file"] = facts["sitemap_file"]
        pages["news sitemap"] = "/sitemaps/news.xml"
    results = {}
    for label, path in pages.items():
        for warm in range(2):
            _get(_with_query(base + path, f"warm={warm}"))
        times, body = [], b""
        for n in range(samples):
            elapsed, status, body = _fetch(
                _with_query(base + path, f"uncached={time.time_ns()}-{n}")
            )
            if status != 200:
                raise SystemExit(f"{path}: {status}")
            times.append(elapsed)
        results[label] = (statistics.median(times), len(body))
        if "sitemap" in label:
            results[label] += (body.count(b"<loc>"),)
    # Each sample a different article, never rendered before (its variant is not cached).
    articles = facts["articles"]
    _get(base + articles[0])
    _get(base + articles[1])
    times = [_get(base + url)[0] for url in articles[2 : 2 + samples]]
    results["article"] = (statistics.median(times), 0)
    return results


def search_p95(base: str) -> tuple[float, float]:
    times = []
    for n, query in enumerate(SEARCH_SET):
        url = base + "/search/?" + urllib.parse.urlencode({"q": query, "n": n})
        times.append(_get(url)[0])
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    return statistics.median(times), p95


def database_size(database_url: str) -> str:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]


def run_size(database_url: str, synthetic: int, args, workdir: Path) -> dict:
    print(f"Preparing {synthetic} synthetic articles in {database_url.rsplit('/', 1)[1]}...")
    prepared = prepare(database_url, synthetic, reuse=args.reuse, workdir=workdir)
    env = _env(database_url, workdir)
    facts = json.loads(_manage(env, "shell", "-c", FACTS, capture=True).strip().splitlines()[-1])
    flush_redis(REDIS_URL)
    site = start_gunicorn("masthead.wsgi:application", PORT, cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{PORT}"
        wait_until_serving(base + "/robots.txt", site, "site")
        robots = urllib.request.urlopen(base + "/robots.txt").read().decode()
        index_urls = [line.split(": ", 1)[1] for line in robots.splitlines() if "Sitemap:" in line]
        sitemap = urllib.request.urlopen(index_urls[0]).read().decode() if index_urls else ""
        files = [
            part.split("</loc>")[0]
            for part in sitemap.split("<loc>")[1:]
            if "<sitemapindex" in sitemap
        ]
        # The fullest article file (the first ids hold the demo's other pages).
        article_files = [f for f in files if "/sitemaps/articles-" in f]
        if article_files:
            fullest = article_files[1] if len(article_files) > 2 else article_files[0]
            facts["sitemap_file"] = urlsplit(fullest).path
        results = measure(base, facts, args.samples)
        p50, p95 = search_p95(base)
    finally:
        stop(site)
    return {
        "facts": facts,
        "results": results,
        "search": (p50, p95),
        "size": database_size(database_url),
        **prepared,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep a database already loaded")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="masthead-scale-"))
    _manage(_env(SMALL_URL, workdir), "collectstatic", "--noinput", "-v0")
    small = run_size(SMALL_URL, args.small, args, workdir)
    large = run_size(LARGE_URL, args.large, args, workdir)
    print()
    print(
        f"| page | {small['facts']['count']:,} articles | {large['facts']['count']:,} articles "
        "| growth |"
    )
    print("|---|---|---|---|")
    for label, (small_ms, _small_bytes, *small_urls) in small["results"].items():
        key = label
        if label.startswith("section, page ") and label not in large["results"]:
            key = next(
                k
                for k in large["results"]
                if k.startswith("section, page ") and k != "section, page 1"
            )
        large_ms, large_bytes, *large_urls = large["results"].get(key, (float("nan"), 0))
        note = f", {large_bytes / 1e6:.2f} MB" if "sitemap" in label and large_bytes else ""
        if small_urls and large_urls:
            # A sitemap's time follows its URLs: a file holds at most 10,000 article ids.
            note += f", {small_urls[0]:,} → {large_urls[0]:,} URLs"
        shown = label if key == label else f"{label} / {key.split(', ')[1]}"
        print(
            f"| {shown} | {small_ms:.0f} ms | {large_ms:.0f} ms{note} "
            f"| {large_ms / small_ms:.1f}× |"
        )
    for name, size in (("small", small), ("large", large)):
        p50, p95 = size["search"]
        print(
            f"\n{name}: database {size['size']}; search over {len(SEARCH_SET)} queries "
            f"p50 {p50:.0f} ms, p95 {p95:.0f} ms"
            + (f"; loaded in {size['load_seconds']:.0f} s" if size["load_seconds"] else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
