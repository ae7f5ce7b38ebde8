"""The crawler policy an editor sets: robots.txt, and what each crawler is served.

Every crawler family's user agent is tried from an address that DNS verifies and
from one it does not, against metered and subscribers-only articles. The resolver
is a stand-in (``PAYWALL_DNS_RESOLVER``), as in the identity tests.
"""

from __future__ import annotations

from urllib.robotparser import RobotFileParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from masthead.content.models import ArticlePage
from masthead.content.tests.helpers import demo_article
from masthead.paywall import crawlers
from masthead.paywall.crawlers import Permission
from masthead.paywall.models import CrawlerSettings
from masthead.paywall.tests.conftest import MARKER_CLASS, body, gated_sentence, metered_articles

pytestmark = pytest.mark.django_db

GOOGLE_ADDRESS, BING_ADDRESS, UNKNOWN_ADDRESS = "66.249.66.1", "157.55.39.1", "198.51.100.20"
USER_AGENTS = {
    "googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "bingbot": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "gptbot": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
    "+https://openai.com/gptbot)",
    "claudebot": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; "
    "+claudebot@anthropic.com)",
    "ccbot": "CCBot/2.0 (https://commoncrawl.org/faq/)",
    "perplexitybot": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
    "PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)",
    "bytespider": "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
    "meta_externalagent": "meta-externalagent/1.1 "
    "(+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
}
SEARCH_ENGINES = {"googlebot": GOOGLE_ADDRESS, "bingbot": BING_ADDRESS}


class Resolver:
    """Google's and Bing's addresses verify both ways; anything else has no PTR record."""

    ptr = {
        GOOGLE_ADDRESS: "crawl-66-249-66-1.googlebot.com",
        BING_ADDRESS: "msnbot-157-55-39-1.search.msn.com",
    }
    a = {
        "crawl-66-249-66-1.googlebot.com": [GOOGLE_ADDRESS],
        "msnbot-157-55-39-1.search.msn.com": [BING_ADDRESS],
    }

    def reverse(self, address):
        return self.ptr.get(address)

    def forward(self, host):
        return self.a.get(host, [])


@pytest.fixture(autouse=True)
def resolver(settings):
    settings.PAYWALL_DNS_RESOLVER = f"{__name__}.Resolver"


def crawler_settings(**choices) -> CrawlerSettings:
    site_id = ArticlePage.objects.first().get_site().pk
    row, _ = CrawlerSettings.objects.update_or_create(site_id=site_id, defaults=choices)
    return row


def robots(client: Client | None = None) -> RobotFileParser:
    response = (client or Client()).get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    parser = RobotFileParser()
    parser.parse(response.content.decode().splitlines())
    return parser


def is_whole(page: str, article: ArticlePage) -> bool:
    return gated_sentence(article) in page


CHOICES = [
    (family, permission)
    for family in crawlers.FAMILIES
    for permission in Permission
    if not (family.robots_only and permission is Permission.TEASER)
]


@pytest.mark.parametrize(
    ("family", "permission"), CHOICES, ids=[f"{f.key}-{p}" for f, p in CHOICES]
)
def test_robots_txt_follows_each_choice(family, permission):
    crawler_settings(**{family.key: permission})
    parser = robots()
    article = metered_articles()[0].url
    for agent in family.robots_agents:
        assert parser.can_fetch(agent, article) is (permission is not Permission.DISALLOW)
        assert not parser.can_fetch(agent, "/admin/")
        assert not parser.can_fetch(agent, "/search/?q=x")
    # Nobody else is affected, and the rules for everyone and the sitemap stay.
    for other in crawlers.FAMILIES:
        if other is not family:
            assert all(parser.can_fetch(agent, article) for agent in other.robots_agents)
    assert parser.can_fetch("SomeBrowser", article)
    assert not parser.can_fetch("SomeBrowser", "/admin/")
    assert parser.site_maps() == [
        "http://testserver/sitemap.xml",
        "http://testserver/sitemaps/news.xml",
    ]


def test_robots_txt_without_choices_is_the_sites_own_rules_and_sitemap(client):
    assert client.get("/robots.txt").content.decode() == (
        "User-agent: *\nDisallow: /admin/\nDisallow: /search/\n\n"
        "Sitemap: http://testserver/sitemap.xml\n"
        "Sitemap: http://testserver/sitemaps/news.xml\n"
    )


def test_every_crawler_kept_out_shares_one_group(client):
    crawler_settings(**{family.key: Permission.DISALLOW for family in crawlers.FAMILIES})
    text = client.get("/robots.txt").content.decode()
    rules, barred, sitemap = text.strip().split("\n\n")
    assert rules == "User-agent: *\nDisallow: /admin/\nDisallow: /search/"
    agents = [agent for family in crawlers.FAMILIES for agent in family.robots_agents]
    assert barred == "\n".join(f"User-agent: {a}" for a in agents) + "\nDisallow: /"
    assert sitemap == (
        "Sitemap: http://testserver/sitemap.xml\nSitemap: http://testserver/sitemaps/news.xml"
    )


def test_an_editor_sets_the_policy_in_the_admin_and_robots_txt_and_pages_follow(client):
    editor = get_user_model().objects.create_user(
        "editor", "editor@example.org", "pw", is_staff=True, is_superuser=True
    )
    admin = Client()
    admin.force_login(editor)
    site_id = ArticlePage.objects.first().get_site().pk
    url = f"/admin/settings/paywall/crawlersettings/{site_id}/"
    form = admin.get(url)
    assert form.status_code == 200
    assert "AI crawlers" in form.content.decode()
    choices = {family.key: "allow" for family in crawlers.FAMILIES}
    free = demo_article("free")
    gptbot = Client(HTTP_USER_AGENT=USER_AGENTS["gptbot"], REMOTE_ADDR=UNKNOWN_ADDRESS)
    assert is_whole(body(gptbot.get(free.url)), free)

    response = admin.post(url, choices | {"gptbot": "disallow", "ccbot": "teaser"})
    assert response.status_code == 302, response.content[:500]
    parser = robots()
    assert not parser.can_fetch("GPTBot", free.url)
    assert parser.can_fetch("CCBot", free.url)
    # It came anyway: the teaser at most, of a free article too.
    page = body(gptbot.get(free.url))
    assert not is_whole(page, free)
    assert "min read" in page
    # A made-up choice is a field error, not a 500.
    bad = admin.post(url, choices | {"gptbot": "everything"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()


@pytest.mark.parametrize("verified", [True, False], ids=["dns-verified", "unverified"])
@pytest.mark.parametrize("agent", list(USER_AGENTS))
def test_each_crawler_with_and_without_verified_dns_on_gated_articles(agent, verified):
    """Only a search engine that DNS confirms reads gated text, and only metered text.

    "Verified" for an AI crawler means an address that DNS confirms as Google's: a
    claim of another family from it is still only a claim.
    """
    address = SEARCH_ENGINES.get(agent, GOOGLE_ADDRESS) if verified else UNKNOWN_ADDRESS
    reads_whole = agent in SEARCH_ENGINES and verified
    for article in (metered_articles()[0], demo_article("subscribers")):
        client = Client(HTTP_USER_AGENT=USER_AGENTS[agent], REMOTE_ADDR=address)
        response = client.get(article.url)
        # No round trip for a cookie and no meter: a crawler gets its answer at once.
        assert response.status_code == 200, (agent, article.access_level)
        assert "mh_reader" not in response.cookies
        assert "private" in response["Cache-Control"]
        page = body(response)
        whole = reads_whole and article.access_level == "metered"
        assert is_whole(page, article) is whole, (agent, verified, article.access_level)
        assert (MARKER_CLASS in page) is whole
        assert page.count("<!--mh:") == 0


@pytest.mark.parametrize("permission", [Permission.TEASER, Permission.DISALLOW])
def test_search_engines_set_to_teaser_or_kept_out_get_no_gated_text_even_verified(permission):
    crawler_settings(search_engines=permission)
    article = metered_articles()[0]
    googlebot = Client(HTTP_USER_AGENT=USER_AGENTS["googlebot"], REMOTE_ADDR=GOOGLE_ADDRESS)
    page = body(googlebot.get(article.url))
    assert not is_whole(page, article)
    assert MARKER_CLASS not in page


@pytest.mark.parametrize("agent", ["gptbot", "claudebot", "ccbot", "bytespider"])
def test_an_ai_crawler_allowed_only_a_teaser_gets_one_of_free_articles_too(agent):
    free = demo_article("free")
    crawler = Client(HTTP_USER_AGENT=USER_AGENTS[agent], REMOTE_ADDR=UNKNOWN_ADDRESS)
    allowed = crawler.get(free.url)
    assert is_whole(body(allowed), free)
    assert "public" in allowed["Cache-Control"]  # the same bytes every reader gets

    crawler_settings(**{agent: Permission.TEASER})
    teaser = crawler.get(free.url)
    assert not is_whole(body(teaser), free)
    # No shared cache may keep it: readers of a free article get it whole.
    assert "private" in teaser["Cache-Control"]
    reader = Client().get(free.url)
    assert is_whole(body(reader), free)
    assert "public" in reader["Cache-Control"]


def test_a_crawler_naming_a_family_that_is_not_its_own_is_judged_by_its_claim():
    """Robots-only tokens (Google-Extended) are never a user agent; a bot's events are not
    a reader's: it is not counted in the meter and sets no reader cookie."""
    crawler_settings(google_extended=Permission.DISALLOW)
    assert crawlers.claimed_family("Google-Extended") is None
    assert crawlers.claimed_family(USER_AGENTS["googlebot"]) is crawlers.SEARCH_ENGINES
    assert crawlers.claimed_family(USER_AGENTS["meta_externalagent"]).key == "meta_externalagent"
    assert crawlers.claimed_family("Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0") is None
    article = metered_articles()[0]
    googlebot = Client(HTTP_USER_AGENT=USER_AGENTS["googlebot"], REMOTE_ADDR=GOOGLE_ADDRESS)
    assert is_whole(body(googlebot.get(article.url)), article)
