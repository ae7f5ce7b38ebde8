"""The read replica router on PostgreSQL, through the site under gunicorn.

A second database on the same server stands in for the replica: a copy of the primary
made when the site was ready, then changed so that what each page read can be told
apart (every article's title ends "(replica copy)" there). A subscriber is created on
the primary after the copy, so the replica does not know them at all, as a replica
lagging behind a sign-up would not.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest

from masthead.content import demo_data
from tests.support.live_site import LiveSite

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a PostgreSQL read replica: the PostgreSQL pass runs this",
)

MARK = "(replica copy)"
REPLICA_DAY = "2001-02-03"  # every article's last publication, on the replica only
READERS = Path(__file__).resolve().parents[1] / "faults" / "readers.py"
FREE = next(a for a in demo_data.ARTICLES if a["access"] == "free")
SUBSCRIBERS_ONLY = next(a for a in demo_data.ARTICLES if a["access"] == "subscribers")


def gated_words(article: dict) -> str:
    """Words only the part of the body behind the paywall has (as content's search tests)."""
    last = [b["text"] for b in article["body"] if b["type"] == "paragraph"][-1]
    return " ".join(sorted({w.strip(".,") for w in last.split() if len(w) > 8})[:3])


def admin_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = LiveSite(workdir=tmp_path_factory.mktemp("replica"), workers=1)
    site.prepare()
    primary = site.env["DATABASE_URL"]
    name = f"{site.database_name}_replica"
    replica = urlunsplit(urlsplit(primary)._replace(path=f"/{name}"))
    with psycopg.connect(admin_url(primary), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{site.database_name}"')
    try:
        with psycopg.connect(replica) as conn:
            conn.execute(
                "UPDATE wagtailcore_page SET title = title || %s, last_published_at = %s "
                "WHERE id IN (SELECT page_ptr_id FROM content_articlepage)",
                [f" {MARK}", f"{REPLICA_DAY}T12:00:00Z"],
            )
            # The sitemaps' lastmod is the article's own copy of its last publish.
            conn.execute(
                "UPDATE content_articlepage SET modified_at = %s", [f"{REPLICA_DAY}T12:00:00Z"]
            )
        made = subprocess.run(
            [sys.executable, str(READERS), "subscribers", "1"],
            env=site.env,
            capture_output=True,
            text=True,
            check=True,
        )
        site.subscriber = json.loads(made.stdout)["sessions"][0]
        site.env["DATABASE_REPLICA_URL"] = replica
        site.serve()
        yield site
    finally:
        site.stop()
        with psycopg.connect(admin_url(primary), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def page(site, path: str, cookie: str = "") -> str:
    request = urllib.request.Request(site.url + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return html.unescape(response.read().decode())


def test_feeds_sitemaps_and_search_read_from_the_replica(site):
    assert f"{FREE['title']} {MARK}" in page(site, "/feeds/rss/")
    assert f"{FREE['title']} {MARK}" in page(site, "/feeds/atom/")
    assert f"{FREE['title']} {MARK}" in page(site, "/search/?q=" + quote(FREE["title"]))
    # An articles file, built on this request, carries the replica's dates.
    articles = page(site, "/sitemaps/articles-0.xml")
    assert f"<lastmod>{REPLICA_DAY}T" in articles, articles[:600]


def test_an_article_page_reads_from_the_primary(site):
    body = page(site, f"/{FREE['section']}/{FREE['slug']}/")
    assert FREE["title"] in body
    assert MARK not in body


def test_a_reader_the_replica_does_not_know_is_recognised_and_entitled_inside_a_replica_view(
    site,
):
    """Sessions, users and entitlements are read from the primary even in search: the
    subscriber, made after the copy, searches the whole text of a subscribers-only
    article, which only an entitled reader's search does."""
    query = "/search/?q=" + quote(gated_words(SUBSCRIBERS_ONLY))
    assert SUBSCRIBERS_ONLY["title"] in page(site, query, site.subscriber)
    assert SUBSCRIBERS_ONLY["title"] not in page(site, query)
