"""Members over HTTP: who may see them, search, filters, pages by key, each reader's
history and events, the Stripe link, the streamed CSV, the lifetime value's estimate."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from masthead.billing.models import (
    Customer,
    Plan,
    Provider,
    Subscription,
    SubscriptionStatus,
)
from masthead.content.models import ArticlePage
from masthead.insights import events
from masthead.insights.models import DailyRollup, EventKind, ReaderEvent
from masthead.publisher import members

pytestmark = pytest.mark.django_db

MEMBER_URLS = [
    reverse("publisher:members"),
    reverse("publisher:members-export"),
    reverse("publisher:member", args=[1]),
]


def _user(username: str, *, group: str | None = None, name: str = ""):
    # No password: hashing one costs most of a second, and force_login needs none.
    user = get_user_model().objects.create_user(
        username, f"{username}@example.com", None, first_name=name
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def publisher(client):
    client.force_login(_user("members-publisher", group="Publishers"))


def _plan(name: str) -> Plan:
    return Plan.objects.get(name=name)


def _subscribe(user, plan, status, *, days_ago: int, trial_days: int = 0, canceled_days_ago=None):
    now = timezone.now()
    sub = Subscription.objects.create(
        user=user,
        plan=plan,
        status=status,
        current_period_end=now + dt.timedelta(days=20),
        trial_end=(now - dt.timedelta(days=days_ago - trial_days)) if trial_days else None,
        canceled_at=(
            now - dt.timedelta(days=canceled_days_ago) if canceled_days_ago is not None else None
        ),
    )
    Subscription.objects.filter(pk=sub.pk).update(created_at=now - dt.timedelta(days=days_ago))
    sub.refresh_from_db()
    return sub


@pytest.fixture
def crowd():
    """Members of every kind, and a reader whose checkout never started a subscription."""
    monthly, yearly = _plan("Monthly"), _plan("Yearly")
    alice = _user("alice", name="Alice Avery")
    _subscribe(alice, monthly, SubscriptionStatus.ACTIVE, days_ago=100)
    bob = _user("bob")
    _subscribe(bob, monthly, SubscriptionStatus.TRIALING, days_ago=3, trial_days=14)
    carol = _user("carol", name="Carol Chen")
    _subscribe(carol, monthly, SubscriptionStatus.CANCELED, days_ago=200, canceled_days_ago=150)
    _subscribe(carol, yearly, SubscriptionStatus.ACTIVE, days_ago=40)
    dave = _user("dave")
    _subscribe(dave, monthly, SubscriptionStatus.INCOMPLETE, days_ago=1)
    erin = _user("erin")
    _subscribe(erin, yearly, SubscriptionStatus.PAST_DUE, days_ago=10)
    Customer.objects.create(user=erin, provider=Provider.STRIPE, provider_customer_id="cus_Erin1")
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "erin": erin}


def _emails(response) -> list[str]:
    return [row.user.email for row in response.context["page"].rows]


CROWD = ["erin@example.com", "carol@example.com", "bob@example.com", "alice@example.com"]


@pytest.mark.parametrize("url", MEMBER_URLS)
def test_an_editor_without_the_permission_gets_403(client, url, crowd):
    client.force_login(_user("members-editor", group="Editors"))
    response = client.get(url)
    assert response.status_code == 403
    assert b"@example.com" not in b"".join(
        response.streaming_content if response.streaming else [response.content]
    )


def test_every_member_once_with_their_latest_subscription(client, publisher, crowd):
    response = client.get(reverse("publisher:members"))
    assert response.status_code == 200
    assert _emails(response)[: len(CROWD)] == CROWD  # newest first; dave never started
    rows = {row.user.username: row for row in response.context["page"].rows}
    assert "dave" not in rows
    assert rows["carol"].subscription.plan.name == "Yearly"
    assert rows["carol"].subscription.status == SubscriptionStatus.ACTIVE
    assert rows["bob"].renews_at == rows["bob"].subscription.trial_end  # the first payment
    assert rows["alice"].renews_at == rows["alice"].subscription.current_period_end
    page = response.content.decode()
    assert "alice@example.com" in page and "Alice Avery" in page
    assert "Lifetime value is estimated" in page


def test_search_finds_by_email_or_display_name(client, publisher, crowd):
    url = reverse("publisher:members")
    assert _emails(client.get(url, {"q": "CAROL@"})) == ["carol@example.com"]
    assert _emails(client.get(url, {"q": "avery"})) == ["alice@example.com"]
    response = client.get(url, {"q": "nobody-has-this"})
    assert _emails(response) == [] and "No members match" in response.content.decode()


def test_filters_by_status_and_plan(client, publisher, crowd):
    url = reverse("publisher:members")
    assert _emails(client.get(url, {"status": "trialing"})) == ["bob@example.com"]
    yearly = _plan("Yearly").pk
    assert _emails(client.get(url, {"plan": yearly})) == ["erin@example.com", "carol@example.com"]
    assert _emails(client.get(url, {"plan": yearly, "status": "past_due"})) == ["erin@example.com"]
    # Carol's cancelled monthly subscription is history, not her row.
    assert "carol@example.com" not in _emails(client.get(url, {"status": "canceled"}))


def test_bad_filters_are_a_form_error_not_a_500(client, publisher, crowd):
    response = client.get(
        reverse("publisher:members"), {"status": "nonsense", "plan": "x", "before": "-3"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_pages_are_cut_by_key_and_walk_both_ways(client, publisher, crowd, monkeypatch):
    monkeypatch.setattr(members, "PAGE_SIZE", 2)
    url = reverse("publisher:members")
    seen, pages, response = [], [], client.get(url, {"q": "@example.com"})
    while True:
        pages.append(_emails(response))
        seen += pages[-1]
        older = re.search(r'href="\?([^"]*before=\d+)" rel="next"', response.content.decode())
        if not older:
            break
        response = client.get(url, parse_qs(older.group(1).replace("&amp;", "&")))
    assert seen[: len(CROWD)] == CROWD and len(seen) == len(set(seen))
    assert all(len(p) == 2 for p in pages[:-1])
    # Back one page from the last: the page before it.
    newer = re.search(r'href="\?([^"]*after=\d+)" rel="prev"', response.content.decode())
    assert newer and "q=%40example.com" in newer.group(1)
    back = client.get(url, parse_qs(newer.group(1).replace("&amp;", "&")))
    assert _emails(back) == pages[-2]


def test_a_page_is_the_same_few_queries_however_deep(client, publisher, crowd, monkeypatch):
    monkeypatch.setattr(members, "PAGE_SIZE", 1)
    url = reverse("publisher:members")
    first = client.get(url)
    last_key = first.context["page"].rows[0].subscription.pk
    with CaptureQueriesContext(connection) as deep:
        client.get(url, {"before": last_key})
    member_queries = [q["sql"] for q in deep.captured_queries if "billing_subscription" in q["sql"]]
    # The page (by key, no OFFSET), the count, and the lifetime values.
    assert len(member_queries) == 3
    assert not any("OFFSET" in sql.upper() for sql in member_queries)


def test_a_stripe_customer_links_to_the_stripe_dashboard(client, publisher, crowd, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    page = client.get(reverse("publisher:members")).content.decode()
    assert 'href="https://dashboard.stripe.com/test/customers/cus_Erin1"' in page
    assert page.count("dashboard.stripe.com") == 1  # test-mode readers have none
    settings.STRIPE_SECRET_KEY = "sk_live_123"
    detail = client.get(reverse("publisher:member", args=[crowd["erin"].pk])).content.decode()
    assert 'href="https://dashboard.stripe.com/customers/cus_Erin1"' in detail


def test_a_readers_page_shows_their_subscriptions_and_what_they_did(client, crowd):
    """The reader clicks subscribe on a paywall and checks out in test mode; their page
    lists both subscriptions and those steps, the checkout with its article."""
    reader = crowd["alice"]
    Subscription.objects.filter(user=reader).update(
        status=SubscriptionStatus.CANCELED, canceled_at=timezone.now()
    )
    article = ArticlePage.objects.live().filter(access_level="metered").first()
    plan = _plan("Weekly")
    events.flush()
    client.force_login(reader)
    started = client.get(
        reverse("subscribe-plan", args=[plan.pk]), {"next": article.url, "from": "paywall"}
    )
    assert urlsplit(started["Location"]).path == "/billing/test-checkout/"
    token = parse_qs(urlsplit(started["Location"]).query)["token"][0]
    assert client.post("/billing/test-checkout/", {"token": token}).status_code == 302
    events.flush()
    assert set(ReaderEvent.objects.filter(user_id=reader.pk).values_list("kind", flat=True)) >= {
        EventKind.SUBSCRIBE_CLICKED,
        EventKind.CHECKOUT_STARTED,
    }

    client.force_login(_user("members-publisher-2", group="Publishers"))
    page = client.get(reverse("publisher:member", args=[reader.pk]))
    assert page.status_code == 200
    history = page.context["history"]
    assert [sub.plan.name for sub, _ in history.subscriptions] == ["Weekly", "Monthly"]
    steps = [(step, title) for _, step, title in history.steps]
    assert ("Started a checkout", article.title) in steps
    # The click is credited to the article whose wall it was followed from.
    assert ("Clicked subscribe on the paywall", article.title) in steps
    text = page.content.decode()
    assert "alice@example.com" in text and article.title in text
    # No events of other readers: bob's page lists none.
    bob = client.get(reverse("publisher:member", args=[crowd["bob"].pk]))
    assert bob.context["history"].steps == []


def test_a_reader_who_never_subscribed_has_no_page(client, publisher, crowd):
    # An abandoned checkout is history worth seeing, though it made no member.
    dave = client.get(reverse("publisher:member", args=[crowd["dave"].pk]))
    assert dave.status_code == 200 and "Incomplete" in dave.content.decode()
    never = _user("never-subscribed")
    assert client.get(reverse("publisher:member", args=[never.pk])).status_code == 404
    assert client.get(reverse("publisher:member", args=[10**9])).status_code == 404


def test_the_csv_is_streamed_filtered_and_safe_for_spreadsheets(client, publisher, crowd):
    crowd["bob"].first_name = "=HYPERLINK(1)"
    crowd["bob"].save()
    response = client.get(reverse("publisher:members-export"))
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="members-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["email", "display_name", "plan", "status"]
    by_email = {row[0]: row for row in rows[1:]}
    assert set(CROWD) <= set(by_email) and "dave@example.com" not in by_email
    assert by_email["bob@example.com"][1] == "'=HYPERLINK(1)"
    assert by_email["erin@example.com"][-1].endswith("customers/cus_Erin1")
    trialing = client.get(reverse("publisher:members-export"), {"status": "trialing"})
    lines = b"".join(trialing.streaming_content).decode().strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("bob@example.com,")


def test_lifetime_value_counts_the_periods_begun_after_the_trial():
    now = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    monthly = Plan(price_minor=1000, currency="usd", interval="month")

    def sub(status, *, created_days, trial_days=0, canceled_days=None):
        created = now - dt.timedelta(days=created_days)
        return Subscription(
            status=status,
            created_at=created,
            trial_end=created + dt.timedelta(days=trial_days) if trial_days else None,
            canceled_at=now - dt.timedelta(days=canceled_days) if canceled_days else None,
        )

    charged = members.charged_minor
    assert charged(sub("active", created_days=100), monthly, now=now) == 4000  # 0, 30, 61, 91
    assert charged(sub("active", created_days=100, trial_days=14), monthly, now=now) == 3000
    assert charged(sub("trialing", created_days=3, trial_days=14), monthly, now=now) == 0
    assert charged(sub("past_due", created_days=35), monthly, now=now) == 1000
    assert charged(sub("canceled", created_days=100, canceled_days=50), monthly, now=now) == 2000
    yearly = Plan(price_minor=9000, currency="usd", interval="year")
    assert charged(sub("active", created_days=400), yearly, now=now) == 18000


def test_the_rollup_command_can_be_run_again_and_again(capsys):
    day = dt.date(2024, 4, 9)
    at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    ReaderEvent.objects.bulk_create(
        [ReaderEvent(occurred_at=at, day=day, kind=EventKind.ARTICLE_VIEW, reader_class="x")] * 4
    )
    for _run in range(2):
        call_command("insights_rollup", "--day", day.isoformat(), "--no-prune")
    assert list(DailyRollup.objects.filter(day=day).values_list("kind", "count")) == [
        ("article_view", 4)
    ]
    assert f"{day}: 1 rollup rows" in capsys.readouterr().out
