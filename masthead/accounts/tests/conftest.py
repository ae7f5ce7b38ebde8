"""A real SMTP server for the account flows, and helpers to read what it received.

Mail leaves Django through the SMTP backend and a socket, so the tests see
exactly what a reader's inbox would: headers, encoding and links included.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from masthead.content.tests.helpers import demo_article
from tests.support.smtp import SmtpServer

PASSWORD = "correct horse battery staple 7"


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def inbox(smtp_server):
    smtp_server.inbox.clear()
    with override_settings(**smtp_server.django_settings()):
        yield smtp_server.inbox
    smtp_server.inbox.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    # A hundred failed logins with the production hasher would take most of a minute.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def make_reader(email_address: str, *, password: str = PASSWORD, verified: bool = True):
    """A reader with one primary address, verified unless said otherwise."""
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create_user(
        username=email_address.split("@")[0], email=email_address, password=password
    )
    EmailAddress.objects.create(user=user, email=email_address, primary=True, verified=verified)
    return user


@pytest.fixture
def reader(db):
    return make_reader("reader@example.com")


@pytest.fixture
def article_path(db) -> str:
    return demo_article("metered").url
