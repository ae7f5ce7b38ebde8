"""Newsletter sign-ups in the publisher's funnel: one insights event per newsletter taken,
by the double opt-in link or a signed-in reader's tick, never for one already taken."""

from __future__ import annotations

import pytest
from django.test import Client

from masthead.insights import events
from masthead.insights.models import EventKind, ReaderEvent
from masthead.newsletters import tokens
from masthead.newsletters.models import Audience, Newsletter
from masthead.newsletters.tests.conftest import reader

pytestmark = pytest.mark.django_db


def _signups() -> list[tuple[str, int | None]]:
    events.flush()
    return sorted(
        ReaderEvent.objects.filter(kind=EventKind.NEWSLETTER_SIGNUP).values_list(
            "outcome", "user_id"
        ),
        key=str,
    )


@pytest.fixture(autouse=True)
def _no_earlier_events():
    # Events other tests left in this process's buffer are written (in this test's
    # transaction) and dropped, so only this test's are counted.
    events.flush()
    ReaderEvent.objects.all().delete()


@pytest.fixture
def two_newsletters(newsletter) -> list[Newsletter]:
    other = Newsletter.objects.create(
        name="The Other Brief", slug="other-brief", description="-", audience=Audience.EVERYONE
    )
    return [newsletter, other]


def test_a_confirmed_sign_up_counts_once_per_newsletter(smtp, two_newsletters):
    client = Client()
    ids = [n.pk for n in two_newsletters]
    response = client.post(
        "/newsletters/sign-up/",
        {"email": "new@example.org", "newsletter": ids},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 200
    link = smtp.inbox.last_to("new@example.org").link("/newsletters/confirm/")
    # Asked, or the link only opened: nothing taken yet.
    assert client.get(link).status_code == 200
    assert _signups() == []

    assert client.post(link).status_code == 200
    assert _signups() == [("confirmed", None), ("confirmed", None)]
    # The same link pressed again takes nothing new.
    assert client.post(link).status_code == 200
    assert len(_signups()) == 2


def test_a_confirmed_address_with_an_account_is_counted_for_that_reader(smtp, newsletter):
    user = reader("known")
    link = f"/newsletters/confirm/{tokens.confirmation_token(user.email, [newsletter.pk])}/"
    assert Client().post(link).status_code == 200
    assert _signups() == [("confirmed", user.pk)]


def test_a_signed_in_readers_tick_counts_and_an_untick_does_not(two_newsletters):
    user = reader("ticker")
    client = Client()
    client.force_login(user)
    first, second = two_newsletters
    shown = [first.pk, second.pk]
    client.post("/newsletters/preferences/", {"shown": shown, "newsletter": [first.pk]})
    assert _signups() == [("account", user.pk)]
    # Saved again with the same tick, then the other one added: only the new one counts.
    client.post("/newsletters/preferences/", {"shown": shown, "newsletter": [first.pk]})
    client.post("/newsletters/preferences/", {"shown": shown, "newsletter": shown})
    assert _signups() == [("account", user.pk)] * 2
    client.post("/newsletters/preferences/", {"shown": shown})
    assert len(_signups()) == 2
