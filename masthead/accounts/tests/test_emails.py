"""allauth's e-mails in the publication's voice, read from a real SMTP server."""

from __future__ import annotations

import pytest
from django.conf import settings

from masthead.accounts.tests.conftest import PASSWORD
from masthead.content.models import PublicationSettings

pytestmark = pytest.mark.django_db

SENDER = "newsroom@meridian.example"


@pytest.fixture
def publication():
    return PublicationSettings.objects.first()


@pytest.fixture
def newsroom(publication):
    publication.email_from = SENDER
    publication.save()
    return publication


def test_the_sign_in_code_names_the_publication_and_comes_from_its_address(
    client, reader, inbox, newsroom
):
    client.post("/accounts/login/code/", {"email": reader.email})

    message = inbox.last_to(reader.email)

    assert message.subject == f"Your sign-in code – {newsroom.name}"
    assert message.sender == SENDER
    assert message.from_header == f"{newsroom.name} <{SENDER}>"


def test_without_an_address_of_its_own_the_server_default_is_used(
    client, reader, inbox, publication
):
    client.post("/accounts/password/reset/", {"email": reader.email})

    message = inbox.last_to(reader.email)

    assert message.subject == f"Reset your password – {publication.name}"
    assert message.sender in settings.DEFAULT_FROM_EMAIL
    assert message.from_header.startswith(f"{publication.name} <")
    assert "localhost" not in message.from_header.split("<")[0]


def test_the_verification_mail_names_no_username_and_keeps_its_subject(client, inbox, publication):
    client.post(
        "/accounts/signup/",
        {"email": "jane.q.public1987@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    message = inbox.last_to("jane.q.public1987@example.com")

    assert message.subject == (f"Welcome to {publication.name}: please confirm your e-mail address")
    assert "jane.q.public1987" not in message.body.replace("jane.q.public1987@example.com", "")
    assert publication.name in message.body
    assert "/accounts/confirm-email/" in message.body
