"""Exactness of the meter under races, through the running site under gunicorn.

Several gunicorn processes (each with threads) share the meter store: the
database (SQLite or PostgreSQL, whichever the run uses) or a real Redis.
"""

import os
import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest

from masthead.paywall.identity import READER_COOKIE
from tests.support.live_site import LiveSite

PARALLEL = 50
ANONYMOUS_LIMIT = 3
TEST_REDIS_URL = os.environ.get("REDIS_URL") or os.environ.get(
    "TEST_REDIS_URL", "redis://127.0.0.1:6379/13"
)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def fetch(url: str, cookie: str | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture(scope="module", params=["database", "redis"])
def site(request, tmp_path_factory):
    env = {"PAYWALL_METER_STORE": request.param}
    if request.param == "redis":
        env["REDIS_URL"] = TEST_REDIS_URL
    live = LiveSite(
        workdir=tmp_path_factory.mktemp(f"race-{request.param}"),
        workers=3,
        threads=4,
        extra_env=env,
    )
    live.start()
    # The synthetic archive mixes access levels: enough for PARALLEL metered articles.
    live.manage("load_demo", "-v0", f"--synthetic={3 * PARALLEL}")
    yield live
    live.stop()


def metered_urls(site: LiveSite) -> list[str]:
    """Metered articles from the section listings: a client without a reader cookie is
    sent to get one (a free article is served at once; a subscribers-only one is the teaser)."""
    candidates: set[str] = set()
    for section in ("politics", "defense", "economy", "climate", "culture"):
        for page_number in range(1, 8):
            status, _, listing = fetch(f"{site.url}/{section}/?page={page_number}")
            if status != 200:
                break
            candidates.update(re.findall(rf'href="(/{section}/[a-z0-9-]+/)"', listing))
    metered = [url for url in sorted(candidates) if fetch(site.url + url)[0] == 302]
    assert len(metered) >= PARALLEL, f"only {len(metered)} metered articles listed"
    return metered


def new_reader_cookie(site: LiveSite, url: str) -> str:
    status, headers, _ = fetch(site.url + url)
    assert status == 302
    cookie = SimpleCookie(headers["Set-Cookie"])
    return f"{READER_COOKIE}={cookie[READER_COOKIE].value}"


def test_parallel_requests_by_one_reader_serve_exactly_the_limit_whole(site):
    urls = metered_urls(site)[:PARALLEL]
    assert len(urls) == PARALLEL
    cookie = new_reader_cookie(site, urls[0])
    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(lambda url: fetch(site.url + url, cookie), urls))
    statuses = [status for status, _, _ in results]
    assert statuses == [200] * PARALLEL, statuses
    whole = [page for _, _, page in results if 'class="article__gated"' in page]
    teasers = [page for _, _, page in results if "free article limit" in page]
    assert len(whole) == ANONYMOUS_LIMIT
    assert len(teasers) == PARALLEL - ANONYMOUS_LIMIT


def test_parallel_new_readers_each_get_their_own_allowance(site):
    urls = metered_urls(site)[:PARALLEL]
    cookies = [new_reader_cookie(site, urls[0]) for _ in range(20)]
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda c: fetch(site.url + urls[1], c), cookies))
    assert all('class="article__gated"' in page for _, _, page in results)
