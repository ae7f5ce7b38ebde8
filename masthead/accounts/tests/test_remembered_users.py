"""A signed-in reader's row and entitlement are remembered per process: never past a change.

Each test warms the process's memory with a few views, changes the account the
way the site or an editor would, and checks that the very next view knows.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.content.tests.helpers import demo_article

pytestmark = pytest.mark.django_db
PROMPT = "paywall-prompt"


def signed_in_subscriber(*, ends_in: timedelta = timedelta(days=30)):
    user = get_user_model().objects.create_user("remi", "remi@example.org", "s3cret-enough-pw")
    subscription = Subscription.objects.create(
        user=user,
        plan=Plan.objects.order_by("pk").first(),
        status=SubscriptionStatus.ACTIVE,
        current_period_end=timezone.now() + ends_in,
    )
    client = Client()
    client.force_login(user)
    return user, subscription, client


def signed_in(page: str) -> bool:
    """The header's account menu links to the account page, not to the login page."""
    login = f'href="{reverse("account_login")}?'
    return f'href="{reverse("account")}"' in page and login not in page


def view(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def warmed(client: Client, path: str) -> str:
    for _ in range(3):
        page = view(client, path)
    return page


def test_a_repeat_view_by_a_subscriber_asks_the_database_nothing(django_assert_num_queries):
    article = demo_article("subscribers")
    _, _, client = signed_in_subscriber()
    assert PROMPT not in warmed(client, article.url)
    with django_assert_num_queries(0):
        page = view(client, article.url)
    assert PROMPT not in page and signed_in(page)


def test_a_password_changed_elsewhere_ends_the_remembered_session_at_once():
    article = demo_article("subscribers")
    user, _, client = signed_in_subscriber()
    assert PROMPT not in warmed(client, article.url)
    user.set_password("another-long-passphrase")
    user.save()
    page = view(client, article.url)
    assert PROMPT in page and not signed_in(page)


def test_a_deactivated_account_is_signed_out_at_once():
    article = demo_article("subscribers")
    user, _, client = signed_in_subscriber()
    assert PROMPT not in warmed(client, article.url)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not signed_in(view(client, article.url))


def test_a_cancelled_subscription_gates_the_next_view():
    article = demo_article("subscribers")
    _, subscription, client = signed_in_subscriber()
    assert PROMPT not in warmed(client, article.url)
    subscription.status = SubscriptionStatus.CANCELED
    subscription.save()
    assert PROMPT in view(client, article.url)


def test_a_bulk_update_of_subscriptions_gates_the_next_view():
    article = demo_article("subscribers")
    user, _, client = signed_in_subscriber()
    assert PROMPT not in warmed(client, article.url)
    Subscription.objects.filter(user=user).update(status=SubscriptionStatus.CANCELED)
    assert PROMPT in view(client, article.url)


def test_a_period_that_runs_out_gates_the_next_view_without_any_write():
    article = demo_article("subscribers")
    # Long enough for the warm-up on a loaded machine; then wait out what is left of it.
    _, subscription, client = signed_in_subscriber(ends_in=timedelta(seconds=4))
    assert PROMPT not in warmed(client, article.url)
    left = (subscription.current_period_end - timezone.now()).total_seconds()
    time.sleep(max(left, 0) + 0.1)
    assert PROMPT in view(client, article.url)


def test_one_readers_remembered_row_is_not_anothers():
    article = demo_article("subscribers")
    _, _, remi = signed_in_subscriber()
    other = get_user_model().objects.create_user("ola", "ola@example.org", "s3cret-enough-pw")
    ola = Client()
    ola.force_login(other)
    assert PROMPT not in warmed(remi, article.url)
    assert PROMPT in warmed(ola, article.url)
    assert PROMPT not in view(remi, article.url)


def test_each_request_gets_its_own_copy_of_the_remembered_row():
    from importlib import import_module

    from django.conf import settings
    from django.test import RequestFactory

    from masthead.accounts.users import user_of

    user, _, client = signed_in_subscriber()
    store = import_module(settings.SESSION_ENGINE).SessionStore

    def request():
        made = RequestFactory().get("/")
        made.session = store(client.cookies[settings.SESSION_COOKIE_NAME].value)
        return made

    first, second = user_of(request()), user_of(request())
    assert first.pk == second.pk == user.pk and first is not second
    assert first._state is not second._state and not first._state.adding
    assert first._state.db == "default"
    # What one request's view changes on its user is not what the next request gets.
    first.first_name = "changed by a view"
    first._state.fields_cache["marker"] = object()
    third = user_of(request())
    assert third.first_name == user.first_name and "marker" not in third._state.fields_cache
    assert third.check_password("s3cret-enough-pw")
