"""A reader's account journeys over HTTP, with every e-mail read from a real SMTP server."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from masthead.accounts.tests.conftest import PASSWORD, make_reader

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
NEW_PASSWORD = "a completely different phrase 42"


def is_logged_in(client) -> bool:
    response = client.get("/account/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    return False


def log_in(client, email: str, password: str = PASSWORD, *, next_url: str = "", **extra):
    data = {"login": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data, **extra)


def confirm_email_via_link(client, link: str):
    """Open the verification link from the e-mail and press its button, like a reader."""
    page = client.get(link)
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    return client.post(link)


def test_signup_sends_a_verification_link_that_verifies_and_logs_in(client, inbox):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not is_logged_in(client)
    mail = inbox.last_to("new@example.com")
    link = mail.link("/accounts/confirm-email/")

    confirmed = confirm_email_via_link(client, link)

    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified
    assert is_logged_in(client)


def test_unverified_reader_cannot_log_in_by_password_until_verified(client, inbox):
    make_reader("pending@example.com", verified=False)

    refused = log_in(client, "pending@example.com")

    assert refused.status_code == 302
    assert refused["Location"] == "/accounts/confirm-email/"
    assert not is_logged_in(client)
    link = inbox.last_to("pending@example.com").link("/accounts/confirm-email/")
    confirm_email_via_link(client, link)
    assert EmailAddress.objects.get(email="pending@example.com").verified

    client.post("/accounts/logout/")
    accepted = log_in(client, "pending@example.com")

    assert accepted.status_code == 302
    assert accepted["Location"] == "/"
    assert is_logged_in(client)


def test_log_in_by_password(client, reader):
    response = log_in(client, reader.email)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_logged_in(client)


def test_wrong_password_does_not_log_in(client, reader):
    response = log_in(client, reader.email, "not the password")

    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert not is_logged_in(client)


def test_log_in_by_code_sent_by_email(client, reader, inbox):
    requested = client.post("/accounts/login/code/", {"email": reader.email})

    assert requested.status_code == 302
    assert requested["Location"] == "/accounts/login/code/confirm/"
    code = inbox.last_to(reader.email).code()
    assert not is_logged_in(client)

    confirmed = client.post("/accounts/login/code/confirm/", {"code": code})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/"
    assert is_logged_in(client)


def test_a_wrong_code_does_not_log_in(client, reader, inbox):
    client.post("/accounts/login/code/", {"email": reader.email})
    code = inbox.last_to(reader.email).code()

    response = client.post("/accounts/login/code/confirm/", {"code": code[::-1] + "X"})

    assert response.status_code == 200
    assert not is_logged_in(client)


def test_log_out_takes_a_post(client, reader):
    client.force_login(reader)

    confirm_page = client.get("/accounts/logout/")
    assert confirm_page.status_code == 200
    assert is_logged_in(client), "a GET (a link, an <img>) must not log the reader out"

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert not is_logged_in(client)


def test_password_reset_by_emailed_link(client, reader, inbox):
    requested = client.post("/accounts/password/reset/", {"email": reader.email})

    assert requested.status_code == 302
    assert requested["Location"] == "/accounts/password/reset/done/"
    link = inbox.last_to(reader.email).link("/accounts/password/reset/key/")
    # allauth moves the key out of the URL into the session before showing the form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link

    changed = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert changed.status_code == 302
    assert changed["Location"] == "/accounts/password/reset/key/done/"
    assert log_in(client, reader.email, PASSWORD).status_code == 200  # the old one is refused
    assert log_in(client, reader.email, NEW_PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_password_reset_link_works_once(client, reader, inbox):
    client.post("/accounts/password/reset/", {"email": reader.email})
    link = inbox.last_to(reader.email).link("/accounts/password/reset/key/")
    form_page = client.get(link, follow=True)
    form_url = form_page.redirect_chain[-1][0]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    replay = client.get(link, follow=True)

    assert replay.status_code == 200
    assert 'name="password1"' not in replay.content.decode()
    assert "invalid" in replay.content.decode()


def test_change_email_adds_and_verifies_the_new_address(client, reader, inbox):
    client.force_login(reader)

    added = client.post("/accounts/email/", {"action_add": "", "email": "moved@example.com"})

    assert added.status_code == 302
    new = EmailAddress.objects.get(email="moved@example.com")
    assert new.user_id == reader.pk and not new.verified
    link = inbox.last_to("moved@example.com").link("/accounts/confirm-email/")
    confirm_email_via_link(client, link)
    assert EmailAddress.objects.get(email="moved@example.com").verified

    made_primary = client.post(
        "/accounts/email/", {"action_primary": "", "email": "moved@example.com"}
    )

    assert made_primary.status_code == 302
    assert get_user_model().objects.get(pk=reader.pk).email == "moved@example.com"
    client.post("/accounts/logout/")
    assert log_in(client, "moved@example.com")["Location"] == "/"


def test_log_in_link_returns_the_reader_to_the_article(client, reader, article_path):
    page = client.get(article_path, follow=True)
    html = unescape(page.content.decode())
    login_href = re.search(r'href="(/accounts/login/\?[^"]+)"', html).group(1)
    assert parse_qs(urlsplit(login_href).query)["next"] == [article_path]

    form = client.get(login_href)
    assert f'name="next" value="{article_path}"' in unescape(form.content.decode())
    response = log_in(client, reader.email, next_url=article_path)

    assert response.status_code == 302
    assert response["Location"] == article_path


def test_log_in_by_code_also_returns_the_reader_to_the_article(client, reader, inbox, article_path):
    requested = client.post(
        f"/accounts/login/code/?next={article_path}", {"email": reader.email, "next": article_path}
    )
    confirm_url = requested["Location"]
    code = inbox.last_to(reader.email).code()

    response = client.post(confirm_url, {"code": code, "next": article_path})

    assert response["Location"] == article_path


def test_log_in_ignores_a_next_on_another_site(client, reader):
    response = log_in(client, reader.email, next_url="https://evil.example/phish")

    assert response.status_code == 302
    assert response["Location"] == "/"
