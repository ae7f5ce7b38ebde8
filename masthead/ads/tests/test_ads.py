import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from masthead.ads.models import AdSlot, Placement
from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.content.tests.helpers import demo_article

pytestmark = pytest.mark.django_db

NETWORK_TAG = '<script src="https://ads.example.net/tag.js" data-slot="article"></script>'


@pytest.fixture
def network_ad():
    AdSlot.objects.filter(placement=Placement.ARTICLE_INLINE).delete()
    return AdSlot.objects.create(
        name="Network", placement=Placement.ARTICLE_INLINE, html=NETWORK_TAG
    )


def subscriber_client() -> Client:
    user = get_user_model().objects.create_user("paid", "paid@example.org", "long password 42")
    Subscription.objects.create(
        user=user, plan=Plan.objects.first(), status=SubscriptionStatus.ACTIVE
    )
    client = Client()
    client.force_login(user)
    return client


def test_readers_without_paid_access_see_the_ad_slots(network_ad):
    page = Client().get(demo_article("free").url).content.decode()
    assert NETWORK_TAG in page
    assert page.count('aria-label="Advertisement"') == 2
    body = page.split('class="article__body"')[1]
    # The inline slot sits after the third block of the body.
    assert body.index(NETWORK_TAG) > body.index(
        "</p>", body.index("</p>", body.index("</p>") + 1) + 1
    )


def test_subscribers_get_no_ad_markup_and_no_ad_script(network_ad):
    client = subscriber_client()
    for article in (demo_article("free"), demo_article("metered"), demo_article("subscribers")):
        page = client.get(article.url, follow=True).content.decode()
        assert "ads.example.net" not in page
        assert "Advertisement" not in page
        assert "<!--mh:ad" not in page
    home = client.get("/").content.decode()
    assert "Advertisement" not in home


def test_the_home_page_carries_the_house_ad_for_anonymous_readers():
    home = Client().get("/").content.decode()
    assert 'class="ad-slot ad-slot--home"' in home
    assert "Try 14 days free" in home


def test_an_editor_changing_a_slot_changes_cached_pages(network_ad):
    article = demo_article("free")
    Client().get(article.url)
    network_ad.html = '<a class="house-ad" href="/subscribe/">A new house ad</a>'
    network_ad.save()
    page = Client().get(article.url).content.decode()
    assert "A new house ad" in page and NETWORK_TAG not in page


def test_a_switched_off_slot_renders_nothing():
    AdSlot.objects.update(active=False)
    page = Client().get(demo_article("free").url).content.decode()
    assert "Advertisement" not in page and "<!--mh:ad" not in page
