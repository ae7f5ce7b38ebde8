"""The demo names the address it serves, even on a database made on another port."""

import re
import urllib.request

import pytest
from defusedxml import ElementTree as ET

from masthead.content import demo_data
from tests.support.live_site import LiveSite

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=20) as response:
        assert response.status == 200, url
        return response.read().decode()


def absolute_urls(text: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>]+", text))


@pytest.fixture(scope="module")
def moved_site(tmp_path_factory):
    """A demo database set up by a run on port 8000, then served on another port."""
    site = LiveSite(workdir=tmp_path_factory.mktemp("moved-site"), workers=1)
    site.env.pop("BASE_URL", None)
    site.env["PORT"] = "8000"
    site.prepare()  # the demo loaded, its address following port 8000
    site.env["PORT"] = str(site.port)
    site.start()  # the same set-up steps as `make run`, then gunicorn on site.port
    yield site
    site.stop()


def _own(urls: set[str], site: LiveSite) -> set[str]:
    return {u for u in urls if u.startswith("http://127.0.0.1") or "localhost" in u}


def test_sitemap_canonical_open_graph_and_feeds_name_the_port_served(moved_site):
    article = demo_data.ARTICLES[0]
    pages = {
        "sitemap": fetch(moved_site.url + "/sitemap.xml"),
        "article": fetch(f"{moved_site.url}/{article['section']}/{article['slug']}/"),
        "home": fetch(moved_site.url + "/"),
        "rss": fetch(moved_site.url + "/feeds/rss/"),
        "atom": fetch(moved_site.url + "/feeds/atom/"),
        "robots": fetch(moved_site.url + "/robots.txt"),
    }
    locs = [loc.text for loc in ET.fromstring(pages["sitemap"]).iter(f"{SITEMAP}loc")]
    assert locs and all(loc.startswith(moved_site.url + "/") for loc in locs), locs[:3]
    assert f'<link rel="canonical" href="{moved_site.url}/' in pages["article"]
    assert f'<meta property="og:url" content="{moved_site.url}/' in pages["article"]
    assert f'<meta property="og:image" content="{moved_site.url}/' in pages["article"]
    for name, text in pages.items():
        own = _own(absolute_urls(text), moved_site)
        assert own, name
        stale = {u for u in own if not u.startswith(moved_site.url + "/")}
        assert not stale, (name, sorted(stale)[:3])


def test_email_links_and_the_admin_name_the_port_served(moved_site):
    out = moved_site.manage(
        "shell",
        "-v0",
        "-c",
        "from django.conf import settings; from wagtail.models import Site; "
        "print(settings.WAGTAILADMIN_BASE_URL); "
        "print(Site.objects.get(is_default_site=True).root_url)",
    )
    assert out.split() == [moved_site.url, moved_site.url]


def test_base_url_wins_over_the_port(moved_site):
    out = moved_site.manage(
        "shell",
        "-v0",
        "-c",
        "from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)",
    )
    assert out.strip() == moved_site.url
    env = {**moved_site.env, "BASE_URL": "https://news.example.com/"}
    original, moved_site.env = moved_site.env, env
    try:
        out = moved_site.manage(
            "shell",
            "-v0",
            "-c",
            "from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)",
        )
    finally:
        moved_site.env = original
    assert out.strip() == "https://news.example.com"
