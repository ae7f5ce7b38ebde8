"""No output of the site carries gated text to a reader who may not read it.

The routes come from walking the URLconf, not from a hand-kept list, so a
route added later (an API, a print view, an export) is tried automatically.
"""

import base64
import html
import json
from urllib.parse import quote, quote_plus

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import get_resolver
from taggit.models import Tag

from masthead.content.models import ArticlePage
from masthead.content.tests.helpers import demo_article
from masthead.paywall.tests.conftest import gated_sentence, metered_articles

pytestmark = pytest.mark.django_db

QUERY_VARIANTS = ("", "?format=json", "?format=print", "?print=1", "?amp=1", "?output=rss")


def url_formats(resolver=None, prefix=""):
    """Every route of the URLconf as (format string, parameter names), namespaces included."""
    resolver = resolver or get_resolver()
    for key in list(resolver.reverse_dict.keys()):
        for possibilities, *_ in resolver.reverse_dict.getlist(key):
            for fmt, params in possibilities:
                yield prefix + fmt, tuple(params)
    for ns_prefix, sub in resolver.namespace_dict.values():
        yield from url_formats(sub, prefix + ns_prefix)


def concrete_urls(gated: list[ArticlePage]) -> set[str]:
    numbers = [str(n) for a in gated for n in (a.pk, a.latest_revision_id) if n]
    texts = [a.url.strip("/") + "/" for a in gated]
    texts += [a.slug for a in gated] + [a.get_parent().slug for a in gated]
    texts += list(Tag.objects.values_list("slug", flat=True)[:5])
    urls = set()
    for fmt, params in set(url_formats()):
        if not params:
            urls.add("/" + fmt)
            continue
        numeric = all(p.endswith(("id", "pk")) for p in params)
        pool = numbers if numeric else numbers + texts
        for value in pool:
            urls.add("/" + fmt % dict.fromkeys(params, value))
    for article in gated:
        urls.update(article.url + query for query in QUERY_VARIANTS)
    return urls


def encodings(sentence: str) -> list[str]:
    return [
        sentence,
        html.escape(sentence),
        json.dumps(sentence)[1:-1],
        json.dumps(sentence, ensure_ascii=False)[1:-1],
        quote(sentence),
        quote_plus(sentence),
        base64.b64encode(sentence.encode()).decode()[:40],
    ]


LOGIN_PAGES = ("/admin/login/", "/accounts/login/")


def fetch(client: Client | None, url: str):
    """Follow redirects, but not into login forms (which carry no article text).

    With no client, every hop is a new client: one that stores no cookies.
    """
    for _ in range(5):
        response = (client or Client()).get(url)
        location = response.get("Location", "")
        if response.status_code not in (301, 302, 303, 307, 308) or location.startswith(
            LOGIN_PAGES
        ):
            return response
        url = location
    return response


def content_of(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


def over_the_limit_anonymous() -> Client:
    client = Client()
    for article in metered_articles()[:4]:
        client.get(article.url, follow=True)
    return client


def over_the_limit_registered() -> Client:
    client = Client()
    user = get_user_model().objects.create_user("leaky", "leaky@example.org", "a long pass 42")
    client.force_login(user)
    for article in metered_articles()[:6]:
        client.get(article.url, follow=True)
    return client


def claimed_crawler(user_agent: str):
    """A crawler whose claim DNS does not back: from an address that verifies as Google's
    (but its user agent is not Googlebot's), or Googlebot's user agent from elsewhere."""

    def make() -> Client:
        return Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=GOOGLE_ADDRESS)

    return make


GOOGLE_ADDRESS = "66.249.66.1"


class GoogleOnlyResolver:
    """DNS confirms GOOGLE_ADDRESS as Google's crawler and knows no other address."""

    def reverse(self, address):
        return "crawl-66-249-66-1.googlebot.com" if address == GOOGLE_ADDRESS else None

    def forward(self, host):
        return [GOOGLE_ADDRESS] if host == "crawl-66-249-66-1.googlebot.com" else []


CRAWLERS = {
    "GPTBot from Google's address": claimed_crawler(
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)"
    ),
    "unverified Googlebot": lambda: Client(
        HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)", REMOTE_ADDR="198.51.100.20"
    ),
}


@pytest.mark.parametrize(
    "reader",
    ["cookieless", "anonymous over the limit", "registered over the limit", *CRAWLERS],
)
def test_no_route_carries_gated_text_to_a_reader_without_access(reader, settings):
    settings.PAYWALL_DNS_RESOLVER = f"{__name__}.GoogleOnlyResolver"
    gated = metered_articles()[6:8] + [demo_article("subscribers")]
    markers = {a.slug: encodings(gated_sentence(a)) for a in gated}
    client = {
        "anonymous over the limit": over_the_limit_anonymous,
        "registered over the limit": over_the_limit_registered,
        **CRAWLERS,
    }.get(reader, Client)()
    if reader != "cookieless":
        # The readers' meters are used up: the gated articles' own pages are teasers.
        for article in gated:
            page = client.get(article.url, follow=True).content.decode()
            assert gated_sentence(article) not in page
    urls = concrete_urls(gated)
    assert len(urls) > 200
    checked = 0
    for url in sorted(urls):
        response = fetch(None if reader == "cookieless" else client, url)
        text = content_of(response)
        for slug, forms in markers.items():
            leaked = [form for form in forms if form in text]
            assert not leaked, f"{url} leaks the gated text of {slug} ({response.status_code})"
        checked += 1
    assert checked == len(urls)


def test_the_walk_reaches_feeds_search_sitemap_and_article_pages():
    gated = metered_articles()[6:8]
    urls = concrete_urls(gated)
    for expected in ("/feeds/rss/", "/feeds/atom/", "/search/", "/sitemap.xml"):
        assert expected in urls
    assert any(url.startswith("/feeds/") and url.endswith("/rss/") for url in urls)
    assert gated[0].url + "?format=print" in urls
