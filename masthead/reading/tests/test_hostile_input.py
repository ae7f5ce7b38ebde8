"""Bytes the database refuses, and text that passes for other text, sent to every public input.

PostgreSQL refuses a NUL in text; before the inputs were normalised (``core.text``), a NUL
in a comment, an edit or a report reason was a 500. Each test sends what an attacker
would through the HTTP client: named attacks first, then hypothesis over every public
form and query parameter, whose only promise is "never a 5xx". Run on SQLite and, with
``DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import html
from datetime import timedelta
from itertools import count

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.comments.models import Comment, CommentReport
from masthead.content.models import ArticlePage

pytestmark = pytest.mark.django_db

ARTICLE = "guard-engineers-return-home"  # free, comments open, no demo comments
NASTY = [
    "\x00",
    "a\x00b",
    "\u202e",  # right-to-left override
    "\u2066",
    "\u200b",  # zero-width space
    "\ufeff",
    "e\u0301",  # "é" spelled as e + combining accent
    "\x1b[31m",
    "\r\n",
    "%00",
    "'; --",
    "<script>alert(1)</script>",
    "9" * 30,
    "-1",
    "\U0001f600",
]
hostile_text = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(st.characters(codec="utf-8"), max_size=12)),
    max_size=5,
).map("".join)
HYPOTHESIS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_serial = count()


def subscriber(*, named: bool = True):
    n = next(_serial)
    user = get_user_model().objects.create_user(
        f"hostile{n}", f"hostile{n}@example.org", None, first_name=f"Hostile {n}" if named else ""
    )
    Subscription.objects.create(
        user=user,
        plan=Plan.objects.order_by("pk").first(),
        status=SubscriptionStatus.ACTIVE,
        current_period_end=timezone.now() + timedelta(days=30),
    )
    return user


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def article():
    return ArticlePage.objects.get(slug=ARTICLE)


def comment_by(user, article, body="A comment to work on.") -> Comment:
    return Comment.objects.create(
        article=article, author=user, body_markdown=body, body_html=f"<p>{body}</p>"
    )


def post_comment(client, article, **data):
    return client.post(f"/comments/articles/{article.pk}/", data)


def no_server_error(response) -> None:
    assert response.status_code < 500, response.status_code


# --- The attacks as reported ----------------------------------------------------------------


def test_a_nul_in_the_search_query_answers_a_page():
    response = Client().get("/search/?q=%00budget%00")
    assert response.status_code == 200


@pytest.mark.parametrize("raw", [b"q=%ff%fe", b"q=%ed%a0%80", b"q=%c0%80", b"q=%00%ff"])
def test_bytes_that_are_not_utf8_in_the_search_query_answer_a_page(raw):
    response = Client().get("/search/", QUERY_STRING=raw.decode())
    assert response.status_code == 200


def test_a_nul_in_a_comment_is_a_form_error_and_nothing_is_stored(article):
    client = client_for(subscriber())
    response = post_comment(client, article, body="Hello\x00world")
    assert response.status_code == 400
    assert "null character" in html.unescape(response.content.decode())
    assert not Comment.objects.filter(article=article).exists()


def test_invalid_utf8_in_a_comment_is_stored_as_replacement_characters_not_a_500(article):
    client = client_for(subscriber())
    response = client.post(
        f"/comments/articles/{article.pk}/",
        data=b"body=caf%e9+%ff",
        content_type="application/x-www-form-urlencoded",
    )
    no_server_error(response)


def test_a_nul_in_a_comment_edit_is_a_form_error_and_the_comment_is_unchanged(article):
    user = subscriber()
    comment = comment_by(user, article)
    response = client_for(user).post(f"/comments/{comment.pk}/edit/", {"body": "Edited\x00"})
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body_markdown == "A comment to work on."


def test_a_nul_in_a_report_reason_is_a_form_error_and_no_report_is_stored(article):
    comment = comment_by(subscriber(), article)
    response = client_for(subscriber()).post(
        f"/comments/{comment.pk}/report/", {"reason": "spam\x00"}
    )
    assert response.status_code == 400
    assert not CommentReport.objects.filter(comment=comment).exists()


def test_a_bidi_override_in_a_comment_is_stripped_before_it_is_stored(article):
    client = client_for(subscriber())
    response = post_comment(client, article, body="Great \u202egnp.exe\u202c story")
    assert response.status_code == 302
    stored = Comment.objects.get(article=article)
    assert stored.body_markdown == "Great gnp.exe story"
    assert "\u202e" not in stored.body_html


@pytest.mark.parametrize("name", ["Ann\u202eeb", "\u2067Ann", "Ann\x00"])
def test_a_display_name_with_a_bidi_control_or_a_nul_is_refused(name):
    user = subscriber(named=False)
    response = client_for(user).post("/account/name/", {"display_name": name})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.first_name == ""


def test_a_display_name_spelled_with_a_combining_accent_is_the_same_name():
    client_for(subscriber(named=False)).post("/account/name/", {"display_name": "Ren\u00e9e"})
    impostor = subscriber(named=False)
    response = client_for(impostor).post("/account/name/", {"display_name": "Rene\u0301e"})
    assert response.status_code == 400
    assert "already uses that name" in html.unescape(response.content.decode())


def test_the_same_comment_with_zero_width_characters_is_still_a_duplicate(article):
    client = client_for(subscriber())
    assert post_comment(client, article, body="Same words here").status_code == 302
    # As if the 5-second interval had passed: only the duplicate check may refuse it.
    cache.delete(f"comments:last:{Comment.objects.get(article=article).author_id}")
    again = post_comment(client, article, body="Same\u200b words\u2060 HERE\ufeff")
    assert again.status_code == 429
    assert "same comment" in html.unescape(again.content.decode())
    assert Comment.objects.filter(article=article).count() == 1


def test_a_comments_page_number_past_the_databases_integers_answers_a_page(article):
    client = client_for(subscriber())
    for number in ["99999999999999999999999", "9" * 5000, "-5", "1e9", "\x00"]:
        response = client.get(article.url, {"comments_page": number}, follow=True)
        assert response.status_code == 200, number


# --- Hypothesis over every public form and query parameter -----------------------------------


@HYPOTHESIS
@given(q=hostile_text, page=hostile_text)
def test_search_never_answers_a_server_error(db, q, page):
    no_server_error(Client(raise_request_exception=False).get("/search/", {"q": q, "page": page}))


@HYPOTHESIS
@given(body=hostile_text, name=hostile_text, parent=hostile_text, as_json=st.booleans())
def test_posting_a_comment_never_answers_a_server_error(article, body, name, parent, as_json):
    cache.clear()  # the flood limit would answer 429 before the body is read
    client = client_for(subscriber(named=False))
    headers = {"Accept": "application/json"} if as_json else {}
    data = {"body": body, "display_name": name, "parent": parent}
    no_server_error(client.post(f"/comments/articles/{article.pk}/", data, headers=headers))


@HYPOTHESIS
@given(body=hostile_text, reason=hostile_text)
def test_editing_and_reporting_a_comment_never_answer_a_server_error(article, body, reason):
    author, other = subscriber(), subscriber()
    comment = comment_by(author, article)
    no_server_error(client_for(author).post(f"/comments/{comment.pk}/edit/", {"body": body}))
    no_server_error(client_for(other).post(f"/comments/{comment.pk}/report/", {"reason": reason}))


@HYPOTHESIS
@given(name=hostile_text)
def test_choosing_a_display_name_never_answers_a_server_error(name):
    client = client_for(subscriber(named=False))
    no_server_error(client.post("/account/name/", {"display_name": name}))


@HYPOTHESIS
@given(email=hostile_text, password=hostile_text, name=hostile_text)
def test_signing_up_and_logging_in_never_answer_a_server_error(email, password, name):
    cache.clear()  # allauth's rate limits would answer 429 before the form is read
    client = Client(raise_request_exception=False)
    signup = {"email": email, "password1": password, "password2": password, "display_name": name}
    no_server_error(client.post("/accounts/signup/", signup))
    no_server_error(client.post("/accounts/login/", {"login": email, "password": password}))


@HYPOTHESIS
@given(comments_page=hostile_text, order=hostile_text, next_url=hostile_text)
def test_reading_query_parameters_never_answer_a_server_error(
    article, comments_page, order, next_url
):
    client = client_for(subscriber())
    params = {"comments_page": comments_page, "comments": order, "page": comments_page}
    no_server_error(client.get(article.url, params, follow=True))
    no_server_error(client.get(article.get_parent().url, {"page": comments_page}))
    no_server_error(client.get("/subscribe/", {"next": next_url, "from": order}))
