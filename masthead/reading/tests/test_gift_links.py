"""Gift links as readers meet them: made by a subscriber, opened by anyone, bounded.

Everything goes through HTTP (Django's test client): the gift form, the article URL
with its token, the account page. A link that does not work (tampered, for another
article, expired, revoked, past its openings) gives the page the meter would give.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.accounts.tests.conftest import PASSWORD, make_reader
from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.content.models import ArticlePage
from masthead.content.tests.helpers import demo_article, jsonld_blocks
from masthead.gifts import links
from masthead.gifts.models import Gift, GiftMonth
from masthead.insights import events
from masthead.insights.models import EventKind, ReaderEvent
from masthead.paywall.identity import READER_COOKIE
from masthead.paywall.tests.conftest import gated_sentence, metered_articles

pytestmark = pytest.mark.django_db

LIMIT_PROMPT = "You've reached your daily free article limit"
GIFT_BANNER = "Shared by"


def subscriber(name: str = "gina", *, display_name: str = "") -> tuple:
    user = get_user_model().objects.create_user(
        name, f"{name}@example.org", None, first_name=display_name
    )
    Subscription.objects.create(
        user=user,
        plan=Plan.objects.order_by("pk").first(),
        status=SubscriptionStatus.ACTIVE,
        current_period_end=timezone.now() + timedelta(days=30),
    )
    client = Client()
    client.force_login(user)
    return user, client


def text(response) -> str:
    return html.unescape(response.content.decode())


def words(response) -> str:
    """The page's text without tags, for sentences that span markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text(response)))


def gift_link(client: Client, article: ArticlePage, **form) -> str:
    """Press "Create gift link" on the gift page (the form without JavaScript)."""
    response = client.post("/gifts/new/", {"article": article.pk, **form})
    assert response.status_code == 200, text(response)
    found = re.search(r'<input id="gift-link"[^>]* value="([^"]+)"', response.content.decode())
    assert found, "the gift page shows no link"
    return html.unescape(found.group(1))


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def reader_at_limit(excluding: list[ArticlePage]) -> Client:
    """An anonymous reader with a cookie who has read the daily limit (3) elsewhere."""
    client = Client()
    others = [a for a in metered_articles() if a not in excluding][:3]
    for article in others:
        assert "article__gated" in client.get(article.url, follow=True).content.decode()
    return client


def test_an_anonymous_reader_without_any_cookie_reads_the_gifted_article_whole_and_unmetered():
    article = metered_articles()[5]
    _, giver = subscriber()
    link = gift_link(giver, article)
    assert link.startswith(f"http://testserver{article.url}?gift=")

    stranger = Client()
    response = stranger.get(path_of(link))
    page = text(response)
    assert response.status_code == 200
    assert gated_sentence(article) in page
    assert "Shared by a subscriber." in page
    assert "Subscribe for unlimited access" in page  # the offer, which blocks nothing
    assert "paywall-prompt" not in page and "free articles left" not in page
    # Never kept by a shared cache (nginx's micro-cache skips private responses).
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    # No reader cookie: the meter was never asked, so no identify round trip either.
    assert READER_COOKIE not in response.cookies
    # The token is only in the address bar: canonical, og:url and JSON-LD name the article.
    token = link.split("gift=", 1)[1]
    assert token not in response.content.decode()
    assert f'<link rel="canonical" href="http://testserver{article.url}">' in page
    [jsonld] = jsonld_blocks(response.content.decode())
    assert "gift" not in str(jsonld)


def test_a_gift_does_not_use_the_readers_meter():
    gifted = metered_articles()[5]
    _, giver = subscriber()
    link = gift_link(giver, gifted)
    reader = Client()
    assert reader.get(metered_articles()[0].url).status_code == 302  # now holds a cookie
    assert gated_sentence(gifted) in text(reader.get(path_of(link)))
    # The whole daily allowance is still there: three more metered articles, whole.
    for article in metered_articles()[:3]:
        page = text(reader.get(article.url, follow=True))
        assert gated_sentence(article) in page, article.slug
    page = text(reader.get(metered_articles()[3].url))
    assert LIMIT_PROMPT in page


def test_the_givers_name_is_shown_only_when_they_chose_it():
    article = demo_article("subscribers")
    _, giver = subscriber("ann", display_name="Ann Reader")
    anonymous = gift_link(giver, article)
    page = text(Client().get(path_of(anonymous)))
    assert "Shared by a subscriber." in page and "Ann Reader" not in page
    # Re-gifting with the box ticked keeps the link and now shows the name.
    named = gift_link(giver, article, show_name="on")
    assert named == anonymous
    page = text(Client().get(path_of(named)))
    assert "Shared by Ann Reader." in page
    assert gated_sentence(article) in page  # a subscribers-only article, whole


def test_regifting_reuses_the_link_and_costs_nothing_and_the_dialog_says_what_is_left(settings):
    settings.GIFTS_PER_MONTH = 2
    first, second, third = metered_articles()[4:7]
    user, giver = subscriber()
    page = words(giver.get(f"/gifts/new/?article={first.pk}"))
    assert "You have 2 of 2 gifts left this month." in page
    assert "Create gift link" in page

    link = gift_link(giver, first)
    assert gift_link(giver, first) == link
    page = words(giver.get(f"/gifts/new/?article={first.pk}"))
    assert "You have already gifted this article" in page
    assert f'value="{link}"' in giver.get(f"/gifts/new/?article={first.pk}").content.decode()
    assert "You have 1 of 2 gifts left this month." in page

    gift_link(giver, second)
    refused = giver.post("/gifts/new/", {"article": third.pk})
    assert refused.status_code == 403
    assert "You have used all 2 gifts for this month." in text(refused)
    assert "You have 0 of 2 gifts left this month." in words(refused)
    # Spent, yet re-gifting an article already gifted still works, for nothing.
    assert gift_link(giver, first) == link
    assert Gift.objects.filter(giver=user).count() == 2
    assert GiftMonth.objects.get(giver=user).given == 2


def test_only_subscribers_gift_and_bad_input_is_a_4xx_with_a_reason():
    article = metered_articles()[0]
    anonymous = Client().post("/gifts/new/", {"article": article.pk})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    registered = Client()
    registered.force_login(get_user_model().objects.create_user("reg", "reg@example.org", None))
    refused = registered.post("/gifts/new/", {"article": article.pk})
    assert refused.status_code == 403
    assert "Gifting articles is for subscribers." in text(refused)
    assert not Gift.objects.exists()

    _, giver = subscriber()
    for bad in ("", "abc", "٣", "99999999", "1" * 40, str(article.get_parent().pk)):
        response = giver.post("/gifts/new/", {"article": bad})
        assert response.status_code == 400, bad
        assert "does not exist or is not published" in text(response)
    assert giver.get("/gifts/new/?article=nope").status_code == 404


def test_only_subscribers_see_the_gift_button():
    article = metered_articles()[0]
    _, giver = subscriber()
    page = giver.get(article.url).content.decode()
    assert f'href="/gifts/new/?article={article.pk}" data-gift-dialog>Gift this article' in page
    assert "masthead/gift.js" in page
    anonymous = Client().get(article.url, follow=True).content.decode()
    assert "Gift this article" not in anonymous and "gift.js" not in anonymous


def broken_links(article: ArticlePage, other: ArticlePage, giver: Client, settings) -> dict:
    """name -> (path, how to break it): every way a gift link can stop working."""
    link = gift_link(giver, article)
    token = link.split("gift=", 1)[1]
    other_link = gift_link(giver, other)
    other_token = other_link.split("gift=", 1)[1]
    article_id, key, signature = token.split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    return {
        "tampered signature": f"{article.url}?gift={article_id}.{key}.{flipped}",
        "tampered key": f"{article.url}?gift={article_id}.{key[:-1]}x.{signature}",
        "article swapped in": f"{article.url}?gift={other.pk}.{key}.{signature}",
        "another article's token": f"{article.url}?gift={other_token}",
        "truncated": f"{article.url}?gift={token[:20]}",
        "empty": f"{article.url}?gift=",
        "twice": f"{article.url}?gift=&gift={token[:-2]}",
    }


def test_broken_tokens_give_the_normal_metered_page_never_an_error(settings):
    article, other = metered_articles()[6:8]
    _, giver = subscriber()
    cases = broken_links(article, other, giver, settings)
    reader = reader_at_limit([article, other])
    for name, path in cases.items():
        response = reader.get(path)
        page = text(response)
        assert response.status_code == 200, name
        assert LIMIT_PROMPT in page, name
        assert gated_sentence(article) not in page, name
        assert GIFT_BANNER not in page, name
    # A reader without a cookie gets the identify round trip, as for any metered URL.
    fresh = Client().get(cases["tampered signature"])
    assert fresh.status_code == 302 and "gift=" in fresh["Location"]


def test_a_token_for_article_a_unlocks_nothing_on_article_b():
    a, b = metered_articles()[6:8]
    _, giver = subscriber()
    token = gift_link(giver, a).split("gift=", 1)[1]
    reader = reader_at_limit([a, b])
    page = text(reader.get(f"{b.url}?gift={token}"))
    assert gated_sentence(b) not in page and LIMIT_PROMPT in page
    assert gated_sentence(a) in text(reader.get(f"{a.url}?gift={token}"))
    assert Gift.objects.get().opened == 1  # B's attempt took no opening of A's gift


def test_expired_revoked_and_used_up_links_fall_back_to_the_meter(settings):
    settings.GIFT_LINK_MAX_OPENS = 2
    expiring, revoked, capped = metered_articles()[5:8]
    user, giver = subscriber()
    links_by_case = {
        name: path_of(gift_link(giver, a))
        for name, a in (("expired", expiring), ("revoked", revoked), ("capped", capped))
    }
    reader = reader_at_limit([expiring, revoked, capped])
    for name, article in (("expired", expiring), ("revoked", revoked), ("capped", capped)):
        assert gated_sentence(article) in text(reader.get(links_by_case[name])), name

    Gift.objects.filter(article=expiring).update(expires_at=timezone.now())
    gift = Gift.objects.get(article=revoked)
    account = text(giver.post(f"/gifts/{gift.pk}/revoke/", follow=True))
    assert "The gift link no longer works." in account
    assert text(Client().get(links_by_case["capped"])).count(GIFT_BANNER) == 1  # opening 2 of 2

    for name, article in (("expired", expiring), ("revoked", revoked), ("capped", capped)):
        response = reader.get(links_by_case[name])
        page = text(response)
        assert response.status_code == 200, name
        assert gated_sentence(article) not in page and LIMIT_PROMPT in page, name
        assert GIFT_BANNER not in page, name
    assert Gift.objects.get(article=capped).opened == 2


def test_the_account_page_lists_gifts_with_openings_and_revokes_only_ones_own():
    first, second = metered_articles()[2:4]
    user, giver = subscriber()
    link = gift_link(giver, first)
    gift_link(giver, second)
    for _ in range(3):
        Client().get(path_of(link))
    page = text(giver.get("/account/"))
    assert "Your gifts" in page
    row = re.search(rf"{re.escape(first.title)}</a></td>.*?</tr>", page, re.S).group(0)
    assert '<td class="gift-table__count">3</td>' in row and "Revoke" in row

    _, other_giver = subscriber("mallory")
    gift = Gift.objects.get(article=first)
    other_giver.post(f"/gifts/{gift.pk}/revoke/")
    assert Gift.objects.get(pk=gift.pk).revoked_at is None
    giver.post(f"/gifts/{gift.pk}/revoke/")
    page = text(giver.get("/account/"))
    row = re.search(rf"{re.escape(first.title)}</a></td>.*?</tr>", page, re.S).group(0)
    assert "Revoked" in row


def test_head_and_prefetch_take_no_opening():
    article = metered_articles()[4]
    _, giver = subscriber()
    path = path_of(gift_link(giver, article))
    assert Client().head(path).status_code == 200
    assert Client().get(path, headers={"Sec-Purpose": "prefetch"}).status_code == 503
    assert Gift.objects.get().opened == 0
    Client().get(path)
    assert Gift.objects.get().opened == 1


def test_events_record_gifts_made_opened_and_the_subscription_that_followed(settings):
    events.flush()
    ReaderEvent.objects.all().delete()
    article = metered_articles()[3]
    _, giver = subscriber()
    link = gift_link(giver, article)
    gift_link(giver, article)  # the same link again: not a new gift

    browser = Client()
    response = browser.get(path_of(link))
    assert links.OPENED_COOKIE in response.cookies
    # The reader signs in later in the same browser, and subscribes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    newcomer = make_reader("newcomer@example.com")
    signed_in = browser.post("/accounts/login/", {"login": newcomer.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    Subscription.objects.create(
        user=newcomer,
        plan=Plan.objects.order_by("pk").first(),
        status=SubscriptionStatus.TRIALING,
        current_period_end=timezone.now() + timedelta(days=14),
    )
    # Saved again (a renewal): credited once only.
    Subscription.objects.get(user=newcomer).save()
    events.flush()
    kinds = list(
        ReaderEvent.objects.filter(kind__startswith="gift").values_list("kind", "article_id")
    )
    assert sorted(kinds) == sorted(
        [
            (EventKind.GIFT_CREATED, article.pk),
            (EventKind.GIFT_OPENED, article.pk),
            (EventKind.GIFT_SUBSCRIPTION, article.pk),
        ]
    )


def test_requests_without_the_gift_parameter_never_take_the_gift_path(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the gift path was taken")

    monkeypatch.setattr(links, "redeem", refuse)
    reader = Client()
    for article in (metered_articles()[0], demo_article("free")):
        assert reader.get(article.url, follow=True).status_code == 200
        assert reader.get(article.url + "?utm_source=x", follow=True).status_code == 200


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    token=st.text(max_size=120)
    | st.from_regex(r"[0-9]{1,4}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{0,50}")
)
def test_any_token_string_gives_the_metered_page_never_a_5xx_nor_gated_text(token):
    article = metered_articles()[7]
    response = PINNED["reader"].get(article.url, {"gift": token})
    assert response.status_code == 200
    page = text(response)
    assert gated_sentence(article) not in page and LIMIT_PROMPT in page


PINNED: dict = {}


@pytest.fixture(autouse=True)
def _pinned_reader(request):
    if request.node.name.startswith("test_any_token_string"):
        PINNED["reader"] = reader_at_limit([metered_articles()[7]])
    yield
    PINNED.clear()
