"""How many ads an article carries and where: HTTP tests and the rule behind them."""

import re

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from wagtail.models import Site

from masthead.ads.models import AdSettings
from masthead.ads.placement import inline_ad_positions
from masthead.content.models import ArticlePage
from masthead.content.tests.helpers import demo_article

AD = re.compile(r'<aside class="ad-slot ad-slot--(\w+)"')


def ads_in(page: str) -> list[str]:
    return AD.findall(page)


def ad_settings() -> AdSettings:
    return AdSettings.for_site(Site.objects.get(is_default_site=True))


def with_blocks(article: ArticlePage, count: int) -> ArticlePage:
    article.body = article.body.raw_data[:count]
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


@pytest.mark.django_db
def test_a_four_paragraph_article_carries_one_ad():
    article = with_blocks(demo_article("free"), 4)
    page = Client().get(article.url).content.decode()
    assert ads_in(page) == ["article_foot"]


@pytest.mark.django_db
def test_a_long_article_has_at_most_one_ad_per_n_paragraphs():
    article = demo_article("free")
    blocks = len(article.body)
    page = Client().get(article.url).content.decode()
    every = ad_settings().paragraphs_per_ad
    assert 1 <= len(ads_in(page)) <= max(1, blocks // every)
    assert ads_in(page)[-1] == "article_foot"


@pytest.mark.django_db
def test_the_spacing_is_an_editors_setting():
    article = demo_article("free")
    blocks = len(article.body)
    settings = ad_settings()
    settings.paragraphs_per_ad = 2
    settings.save()
    page = Client().get(article.url).content.decode()
    ads = ads_in(page)
    assert len(ads) == blocks // 2
    assert ads.count("article_inline") == blocks // 2 - 1


@pytest.mark.django_db
def test_no_ad_sits_under_the_paywall_prompt():
    article = demo_article("subscribers")
    settings = ad_settings()
    settings.paragraphs_per_ad = 1  # as many ads as the rule allows
    settings.save()
    page = Client().get(article.url, follow=True).content.decode()
    assert 'class="paywall-prompt' in page
    after_prompt = page.split('class="paywall-prompt', 1)[1].split("</article>")[0]
    assert not ads_in(after_prompt)
    assert "ad-slot--article_foot" not in page


@given(
    blocks=st.integers(min_value=0, max_value=60),
    every=st.integers(min_value=1, max_value=12),
    foot_ad=st.booleans(),
)
def test_inline_ads_are_spaced_and_never_close_the_body(blocks, every, foot_ad):
    after = inline_ad_positions(blocks=blocks, every=every, foot_ad=foot_ad)
    assert len(after) + foot_ad <= max(1, blocks // every)
    assert all(0 < p < blocks for p in after)
    ads_at = [*after, blocks] if foot_ad else after
    assert all(b - a >= every for a, b in zip(ads_at, ads_at[1:], strict=False))
    assert not after or after[0] >= every
