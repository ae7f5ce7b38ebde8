"""The dashboard over HTTP: who may see it, its filters, CSV exports and attribution."""

import csv
import datetime as dt
import io
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.content.models import ArticlePage
from masthead.insights import events, rollups
from masthead.insights.models import DailyRollup, EventKind, ReaderEvent
from masthead.newsletters import tokens
from masthead.newsletters.models import Audience, Newsletter
from masthead.publisher import selectors

URLS = [
    reverse("publisher:dashboard"),
    *(
        reverse("publisher:export", args=[table])
        for table in ("articles", "referrers", "readers", "daily", "funnel")
    ),
]


def _user(username: str, group: str):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.com", "pw-long-enough-1"
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(client):
    return _user("editor-no-insights", "Editors")


@pytest.fixture
def publisher():
    return _user("publisher-one", "Publishers")


def _views(
    article, day, n, *, reader_class="anonymous", referrer=None, kind=EventKind.ARTICLE_VIEW
):
    at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
    ReaderEvent.objects.bulk_create(
        [
            ReaderEvent(
                occurred_at=at,
                day=day,
                kind=kind,
                article_id=article.pk,
                reader_class=reader_class,
                outcome="whole",
                referrer_host=referrer,
            )
        ]
        * n
    )


@pytest.fixture
def two_sections():
    """Two articles in different sections, with views today rolled up."""
    articles = list(ArticlePage.objects.live().order_by("pk"))
    first = articles[0]
    second = next(a for a in articles if a.get_parent().pk != first.get_parent().pk)
    today = selectors.today()
    _views(first, today, 5, referrer="search.example")
    _views(second, today, 2, reader_class="registered")
    _views(second, today, 1, kind=EventKind.PAYWALL_SHOWN)
    rollups.rollup_day(today)
    return first, second


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_an_editor_without_the_permission_gets_403(client, editor, url):
    client.force_login(editor)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_an_editor_sees_no_menu_item_and_no_panel(client, editor):
    client.force_login(editor)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Audience &amp; revenue" not in home and "audience-revenue" not in home


@pytest.mark.django_db
def test_a_publisher_sees_the_panel_the_menu_item_and_the_dashboard(
    client, publisher, two_sections
):
    client.force_login(publisher)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Audience &amp; revenue, last 7 days" in home
    assert "audience-revenue" in home
    response = client.get(reverse("publisher:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and "Attribution:" in page
    assert two_sections[0].title in page and "search.example" in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_a_publisher_may_open_every_insights_url(client, publisher, url):
    client.force_login(publisher)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("publisher:dashboard"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_the_section_filter_counts_only_that_sections_articles(client, publisher, two_sections):
    first, second = two_sections
    client.force_login(publisher)
    response = client.get(
        reverse("publisher:dashboard"), {"range": "7", "section": second.get_parent().pk}
    )
    funnel = {step.label: step.count for step in response.context["funnel"]}
    assert funnel["Article views"] == 2
    assert funnel["Paywall shown"] == 1
    assert funnel["Trials started"] is None  # not tied to an article
    assert [row.article_id for row in response.context["articles"]] == [second.pk]


@pytest.mark.django_db
def test_a_custom_range_without_views_shows_none(client, publisher, two_sections):
    client.force_login(publisher)
    response = client.get(
        reverse("publisher:dashboard"),
        {"range": "custom", "start": "2020-01-01", "end": "2020-01-31"},
    )
    assert response.context["scope"].start == dt.date(2020, 1, 1)
    assert len(response.context["scope"].days) == 31
    assert response.context["funnel"][0].count == 0


@pytest.mark.django_db
def test_a_reversed_custom_range_falls_back_to_the_last_30_days(client, publisher):
    client.force_login(publisher)
    response = client.get(
        reverse("publisher:dashboard"),
        {"range": "custom", "start": "2020-02-01", "end": "2020-01-01"},
    )
    assert response.status_code == 200
    assert len(response.context["scope"].days) == 30
    assert "start date is after the end date" in response.content.decode()


@pytest.mark.django_db
def test_sorting_by_walls_puts_the_walled_article_first(client, publisher, two_sections):
    client.force_login(publisher)
    response = client.get(reverse("publisher:dashboard"), {"sort": "walls"})
    assert response.context["articles"][0].article_id == two_sections[1].pk


@pytest.mark.django_db
def test_csv_exports_are_streamed(client, publisher, two_sections):
    client.force_login(publisher)
    response = client.get(reverse("publisher:export", args=["articles"]))
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["article_id", "title", "url", "views", "walls_shown", "checkouts_attributed"]
    assert rows[1][0] == str(two_sections[0].pk) and rows[1][3] == "5"
    referrers = client.get(reverse("publisher:export", args=["referrers"]))
    text = b"".join(referrers.streaming_content).decode()
    assert "search.example,5" in text


@pytest.mark.django_db
def test_an_unknown_export_is_404(client, publisher):
    client.force_login(publisher)
    assert client.get("/admin/insights/export/users.csv").status_code == 404


@pytest.mark.django_db
def test_a_checkout_is_credited_to_the_article_the_reader_came_from(client, publisher):
    """The attribution rule: the page in ``next`` when the checkout starts."""
    article = ArticlePage.objects.live().filter(access_level="metered").first()
    reader = get_user_model().objects.create_user(
        "reader-attr", "reader-attr@example.com", "pw-long-enough-1"
    )
    plan = Plan.objects.filter(active=True).first()
    events.flush()
    client.force_login(reader)
    response = client.get(
        reverse("subscribe-plan", args=[plan.pk]), {"next": article.url, "from": "paywall"}
    )
    assert response.status_code == 302
    # A checkout started from a page that is no article is credited to none.
    client.get(reverse("subscribe-plan", args=[plan.pk]), {"next": "/no/such/page/"})
    events.flush()
    started = ReaderEvent.objects.filter(kind=EventKind.CHECKOUT_STARTED).order_by("pk")
    assert list(started.values_list("article_id", flat=True))[-2:] == [article.pk, None]

    rollups.rollup_day(selectors.today())
    client.force_login(publisher)
    dashboard = client.get(reverse("publisher:dashboard"), {"sort": "conversions"})
    top = dashboard.context["articles"][0]
    assert (top.article_id, top.conversions) == (article.pk, 1)
    assert DailyRollup.objects.filter(kind=EventKind.CHECKOUT_STARTED, article_id=None).exists()


@pytest.mark.django_db
def test_every_chart_has_a_text_summary_and_a_data_table(client, publisher, two_sections):
    client.force_login(publisher)
    page = client.get(reverse("publisher:dashboard"), {"range": "7"}).content.decode()
    sections = page.split("<section")[1:]
    chart = '<svg class="mh-chart"'  # not the legends' little swatches
    charted = [s for s in sections if chart in s]
    assert len(charted) == 4  # funnel, per day, subscribers, readers (with referrers)
    for section in charted:
        assert section.count("<table") >= section.count(chart), section[:200]
        # And each drawn again for a phone's width.
        assert section.count('<svg class="mh-chart-narrow"') == section.count(chart)
        assert 'class="mh-summary"' in section
    # The subscribers chart's own numbers, day by day.
    assert "Subscribers per day" in page


@pytest.mark.django_db
def test_the_funnel_has_each_step_apart_with_its_rate(client, publisher, two_sections):
    first, _ = two_sections
    today = selectors.today()
    _views(first, today, 4, kind=EventKind.PAYWALL_SHOWN)
    _views(first, today, 2, kind=EventKind.REGISTER_OFFER_TAKEN)
    _views(first, today, 3, kind=EventKind.SUBSCRIBE_CLICKED)
    _views(first, today, 1, kind=EventKind.CHECKOUT_STARTED)
    rollups.rollup_day(today)
    client.force_login(publisher)
    response = client.get(reverse("publisher:dashboard"), {"range": "7"})
    steps = {step.label: step for step in response.context["funnel"]}
    assert list(steps) == [
        "Article views",
        "Meter notices ('N left')",
        "Paywall shown",
        "Register offers taken",
        "Subscribe clicks",
        "Checkouts started",
        "Trials started",
        "Trials converted to paid",
    ]
    counts = {label: step.count for label, step in steps.items()}
    assert counts["Paywall shown"] == 5  # and the fixture's one
    assert (counts["Register offers taken"], counts["Subscribe clicks"]) == (2, 3)
    # Both ways on from the wall are rated against it; a checkout against the clicks.
    assert steps["Register offers taken"].rate == pytest.approx(2 / 5)
    assert steps["Subscribe clicks"].rate == pytest.approx(3 / 5)
    assert steps["Checkouts started"].rate == pytest.approx(1 / 3)
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(reverse("publisher:export", args=["funnel"])).streaming_content
                ).decode()
            )
        )
    )
    assert ["Register offers taken", "2", "0.4000", "Paywall shown"] in rows


@pytest.mark.django_db
def test_gifts_and_newsletter_sign_ups_are_on_the_dashboard(client, publisher):
    """Made over HTTP as readers make them, rolled up, then read on the dashboard."""
    article = ArticlePage.objects.live().filter(access_level="metered").first()
    giver = get_user_model().objects.create_user("giver", "giver@example.org", "pw-long-enough-1")
    Subscription.objects.create(
        user=giver,
        plan=Plan.objects.filter(active=True).first(),
        status=SubscriptionStatus.ACTIVE,
        current_period_end=timezone.now() + dt.timedelta(days=30),
    )
    # Events other tests left in this process's buffer: written here, and dropped.
    events.flush()
    ReaderEvent.objects.all().delete()
    gifting = Client()
    gifting.force_login(giver)
    made = gifting.post("/gifts/new/", {"article": article.pk})
    assert made.status_code == 200
    link = re.search(r'https?://[^"\s<]+\?gift=[^"\s<&]+', made.content.decode()).group(0)
    path = urlsplit(link).path + "?" + urlsplit(link).query
    for _ in range(2):
        assert Client().get(path).status_code == 200

    newsletter = Newsletter.objects.create(
        name="Morning", slug="morning", description="-", audience=Audience.EVERYONE
    )
    token = tokens.confirmation_token("new@example.org", [newsletter.pk])
    assert Client().post(f"/newsletters/confirm/{token}/").status_code == 200
    ticking = Client()
    ticking.force_login(giver)
    ticking.post(
        "/newsletters/preferences/", {"shown": [newsletter.pk], "newsletter": [newsletter.pk]}
    )

    events.flush()
    rollups.rollup_day(selectors.today())
    client.force_login(publisher)
    response = client.get(reverse("publisher:dashboard"), {"range": "7"})
    others = {step.label: step.count for step in response.context["others"]}
    assert others == {
        "Gift links made": 1,
        "Gift links read": 2,
        "Subscriptions after reading a gift": 0,
        "Newsletter sign-ups": 2,
    }
    page = response.content.decode()
    assert "Subscribers made 1 gift link, read 2 times" in page
    assert "2 newsletter sign-ups" in page
    # One section's view: gifts belong to their article; sign-ups to none.
    section = client.get(
        reverse("publisher:dashboard"), {"range": "7", "section": article.get_parent().pk}
    )
    shown = {step.label: step.count for step in section.context["others"]}
    assert (shown["Gift links made"], shown["Newsletter sign-ups"]) == (1, None)


@pytest.mark.django_db
def test_subscribers_and_revenue_come_from_the_daily_rows(client, publisher):
    """Subscriptions made, the day rolled up: the dashboard shows billing's daily rows,
    and changes since show only once the rollup runs again. (In currencies of their own:
    the demo's subscribers pay in dollars.)"""
    today = selectors.today()
    rollups.rollup_days([today - dt.timedelta(days=7), today])
    client.force_login(publisher)

    def shown():
        return client.get(reverse("publisher:dashboard"), {"range": "7"}).context["subs"]

    before = shown()
    monthly = Plan.objects.create(name="Monthly test", price_minor=1000, currency="gbp")
    yearly = Plan.objects.create(
        name="Yearly test", price_minor=12000, interval="year", currency="eur"
    )
    made = []
    for n, (plan, trial_end, status) in enumerate(
        [
            (monthly, None, SubscriptionStatus.ACTIVE),
            (monthly, None, SubscriptionStatus.PAST_DUE),
            (yearly, None, SubscriptionStatus.ACTIVE),
            (monthly, timezone.now() + dt.timedelta(days=5), SubscriptionStatus.TRIALING),
        ]
    ):
        user = get_user_model().objects.create_user(f"sub-{n}", f"sub-{n}@example.org")
        made.append(
            Subscription.objects.create(user=user, plan=plan, status=status, trial_end=trial_end)
        )
    assert shown() == before  # the rows, not the subscriptions
    rollups.rollup_day(today)
    subs = shown()
    assert subs.series[-1].paying - before.series[-1].paying == 3
    assert subs.series[-1].trialing - before.series[-1].trialing == 1
    assert subs.past_due_now - before.past_due_now == 1
    assert (subs.mrr["gbp"], subs.mrr["eur"]) == (2000, 1000)
    assert (subs.new_mrr["gbp"], subs.new_mrr["eur"]) == (2000, 1000)
    assert subs.net_growth - before.net_growth == 3

    Subscription.objects.filter(pk=made[0].pk).update(
        status=SubscriptionStatus.CANCELED, canceled_at=timezone.now()
    )
    rollups.rollup_day(today)
    subs = shown()
    assert subs.series[-1].paying - before.series[-1].paying == 2
    assert subs.cancelled - before.cancelled == 1
    assert (subs.mrr["gbp"], subs.churned_mrr["gbp"]) == (1000, 1000)
