"""Commenters' public names and the "are you sure?" before a delete, over HTTP.

A reader's public name is the name they chose, or a neutral word: never their
e-mail address or a part of it (allauth makes usernames from the address).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from masthead.comments import services
from masthead.comments.models import Comment
from masthead.comments.tests.test_http import (
    article_named,
    client_for,
    make_user,
    page,
    post,
    posted,
    thread_of,
)

pytestmark = pytest.mark.django_db

ARTICLE = "guard-engineers-return-home"  # free, no demo comments
ADDRESS = "jane.q.public1987@example.com"
LOCAL_PART = "jane.q.public1987"


@pytest.fixture
def article():
    return article_named(ARTICLE)


@pytest.fixture
def jane():
    """A subscriber who signed up with an e-mail address and has not chosen a name."""
    jane = make_user("jane")
    jane.username, jane.email, jane.first_name = LOCAL_PART, ADDRESS, ""
    jane.save()
    return jane


def test_a_reader_without_a_name_is_a_subscriber_never_their_address(jane, article):
    client = client_for(jane)
    comment = posted(post(client, article, "First time commenting here."))

    html_text = page(client_for(make_user("bob")), article)

    thread = thread_of(html_text, comment)
    assert '<strong class="comment__author">Subscriber</strong>' in thread
    assert "jane.q" not in html_text and LOCAL_PART not in html_text
    # Nor in her own header: the account menu names no address.
    own = page(client, article)
    assert LOCAL_PART not in own and ADDRESS not in own
    assert '<a class="account-links__login" href="/account/">Your account</a>' in own


def test_the_first_comment_can_choose_the_name(jane, article):
    client = client_for(jane)
    form = page(client, article)
    assert 'name="display_name"' in form

    comment = posted(
        client.post(
            reverse("comments:post", args=[article.pk]),
            {"body": "Now with a name.", "display_name": "  Jane   Q. "},
        )
    )

    jane.refresh_from_db()
    assert jane.first_name == "Jane Q."
    html_text = page(client, article)
    assert '<strong class="comment__author">Jane Q.</strong>' in thread_of(html_text, comment)
    # Chosen once: the form stops asking.
    assert 'name="display_name"' not in html_text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("jane@example.com", "not an e-mail address"),
        ("a", "between 2 and 40"),
        ("x" * 41, "between 2 and 40"),
        ("<b>Jane</b>", "letters, numbers"),
        ("Moderator", "reserved"),
        ("ALICE", "Another reader already uses that name"),
    ],
)
def test_a_name_that_is_an_address_too_short_odd_or_taken_is_refused(jane, article, name, reason):
    make_user("alice")  # first_name "Alice"
    client = client_for(jane)

    response = client.post(
        reverse("comments:post", args=[article.pk]),
        {"body": "Keep this text.", "display_name": name},
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert reason in text.replace("&#x27;", "'")
    assert "Keep this text." in text  # what the reader wrote is kept
    jane.refresh_from_db()
    assert jane.first_name == ""
    assert not Comment.objects.filter(author=jane).exists()


def test_renaming_on_the_account_page_shows_on_every_cached_thread(jane, article):
    client = client_for(jane)
    comment = posted(post(client, article, "Words under a name."))
    bob = client_for(make_user("bob"))
    assert "Subscriber" in thread_of(page(bob, article), comment)  # rendered and cached

    account = client.get("/account/").content.decode()
    assert 'action="/account/name/"' in account
    assert "your comments appear under “Subscriber”" in account
    saved = client.post("/account/name/", {"display_name": "Harbour Watcher"})

    assert (saved.status_code, saved["Location"]) == (302, "/account/")
    assert "Harbour Watcher" in thread_of(page(bob, article), comment)
    assert "Other readers see your comments under “Harbour Watcher”" in (
        client.get("/account/").content.decode()
    )
    # The header names the reader by the chosen name.
    assert ">Harbour Watcher</a>" in page(client, article)


def test_the_account_page_refuses_a_taken_name_case_insensitively(jane):
    make_user("alice")
    client = client_for(jane)

    response = client.post("/account/name/", {"display_name": "aLiCe"})

    assert response.status_code == 400
    text = response.content.decode()
    assert "Another reader already uses that name" in text
    assert 'aria-invalid="true"' in text
    jane.refresh_from_db()
    assert jane.first_name == ""


def test_the_name_is_chosen_at_sign_up(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "newcomer@example.com",
            "password1": "a long test password 42",
            "password2": "a long test password 42",
            "display_name": "River Reader",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(email="newcomer@example.com")
    assert user.first_name == "River Reader"
    assert services.public_name(user) == "River Reader"


def test_sign_up_refuses_an_address_as_the_name(client):
    form = client.get("/accounts/signup/").content.decode()
    assert 'name="display_name"' in form

    response = client.post(
        "/accounts/signup/",
        {
            "email": "newcomer@example.com",
            "password1": "a long test password 42",
            "password2": "a long test password 42",
            "display_name": "newcomer@example.com",
        },
    )

    assert response.status_code == 200
    assert "not an e-mail address" in response.content.decode()
    assert not get_user_model().objects.filter(email="newcomer@example.com").exists()


# --- Delete asks first ------------------------------------------------------------------


def test_delete_asks_first_and_only_the_confirmation_post_deletes(jane, article):
    client = client_for(jane)
    comment = posted(post(client, article, "Something I may regret"))
    delete_url = reverse("comments:delete", args=[comment.pk])
    # The thread links to the question; no form there deletes in one click.
    thread = thread_of(page(client, article), comment)
    assert f'<a href="{delete_url}">Delete</a>' in thread
    assert f'action="{delete_url}"' not in thread

    question = client.get(delete_url)

    assert question.status_code == 200
    text = question.content.decode()
    assert "Delete your comment?" in text
    assert "Something I may regret" in text
    assert '<form method="post" class="confirm-actions">' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert f'href="{article.url}#comment-{comment.pk}">Keep it</a>' in text
    comment.refresh_from_db()
    assert comment.deleted_at is None

    done = client.post(delete_url)

    assert done.status_code == 302 and done["Location"].endswith("#comments")
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    # Already gone: the question is not asked again.
    assert client.get(delete_url)["Location"].endswith("#comments")


def test_the_delete_question_is_only_for_the_author_and_the_post_needs_csrf(jane, article):
    comment = posted(post(client_for(jane), article, "Mine alone"))
    delete_url = reverse("comments:delete", args=[comment.pk])

    assert client_for(make_user("bob")).get(delete_url).status_code == 403
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(jane)
    assert csrf_client.get(delete_url).status_code == 200
    assert csrf_client.post(delete_url).status_code == 403
    comment.refresh_from_db()
    assert comment.deleted_at is None
