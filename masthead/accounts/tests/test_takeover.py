"""issue 10, item 2: pre-verification account takeover, driven over HTTP with real e-mail.

The attack: sign up with the victim's address (never verified), get a session through
another door, attach an address of one's own, wait for the victim to confirm, reset
and subscribe, then reset the password through one's own address.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from masthead.accounts.tests.conftest import PASSWORD, make_reader
from masthead.billing import entitlements
from masthead.billing.models import Plan

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.com"
ATTACKER = "attacker@example.net"
ATTACKER_PASSWORD = "the attacker's own phrase 13"
VICTIM_NEW_PASSWORD = "the victim's new phrase 77"
RESET_LINK = "/accounts/password/reset/key/"
CONFIRM_LINK = "/accounts/confirm-email/"


def has_session(client) -> bool:
    return client.get("/account/").status_code == 200


def confirm(client, link: str):
    assert client.get(link).status_code == 200
    return client.post(link)


def reset_password(client, inbox, email: str, password: str):
    client.post("/accounts/password/reset/", {"email": email})
    link = inbox.last_to(email).link(RESET_LINK)
    form_page = client.get(link, follow=True)
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    return client.post(form_url, {"password1": password, "password2": password})


def subscribe(client):
    """The demo's test-mode checkout, as the subscribe button drives it."""
    plan = Plan.objects.filter(active=True).order_by("pk").first()
    started = client.post("/billing/checkout/", {"plan": plan.pk, "next": "/"})
    assert started.status_code == 302, started
    paid = client.post(started["Location"])
    assert paid.status_code == 302, paid


def reset_links_to(inbox, address: str) -> list[str]:
    return [m.body for m in inbox.to(address) if RESET_LINK in m.body]


def test_pre_verification_account_takeover_leaves_the_attacker_with_nothing(inbox):
    attacker, victim = Client(), Client()

    # 1. The attacker signs up with the victim's address; the verification mail goes to the victim.
    signed_up = attacker.post(
        "/accounts/signup/",
        {"email": VICTIM, "password1": ATTACKER_PASSWORD, "password2": ATTACKER_PASSWORD},
    )
    assert signed_up.status_code == 302
    assert not has_session(attacker)

    # 2. Every other door: Wagtail's front-end login and the admin login.
    attacker.post("/_util/login/", {"username": VICTIM, "password": ATTACKER_PASSWORD})
    attacker.post("/admin/login/", {"username": VICTIM, "password": ATTACKER_PASSWORD})
    assert not has_session(attacker)

    # 3. With or without a session, the attacker tries to attach and verify their own address.
    attacker.post("/accounts/email/", {"action_add": "", "email": ATTACKER})
    for mail in inbox.to(ATTACKER):
        if CONFIRM_LINK in mail.body:
            confirm(attacker, mail.link(CONFIRM_LINK))
    assert not EmailAddress.objects.filter(email=ATTACKER).exists()

    # 4. The victim confirms the address from the sign-up mail, resets the password, subscribes.
    confirm(victim, inbox.last_to(VICTIM).link(CONFIRM_LINK))
    assert reset_password(victim, inbox, VICTIM, VICTIM_NEW_PASSWORD).status_code == 302
    victim.post("/accounts/login/", {"login": VICTIM, "password": VICTIM_NEW_PASSWORD})
    assert has_session(victim)
    subscribe(victim)

    # 5. The attacker resets through their own address and tries every password they know.
    inbox.clear()
    attacker.post("/accounts/password/reset/", {"email": ATTACKER})
    for password in (ATTACKER_PASSWORD, VICTIM_NEW_PASSWORD):
        attacker.post("/accounts/login/", {"login": ATTACKER, "password": password})
        attacker.post("/accounts/login/", {"login": VICTIM, "password": ATTACKER_PASSWORD})

    account = get_user_model().objects.get(email=VICTIM)
    assert reset_links_to(inbox, ATTACKER) == []
    assert not has_session(attacker)
    assert list(EmailAddress.objects.filter(user=account).values_list("email", flat=True)) == [
        VICTIM
    ]
    assert entitlements.for_user(account).paid_access
    assert has_session(victim)


def test_adding_a_second_address_to_an_unverified_account_is_refused(inbox):
    # Under optional verification an unverified reader may log in; they still may not
    # attach a second address until the first one is confirmed.
    pending = make_reader("pending@example.com", verified=False)
    client = Client()
    with override_settings(ACCOUNT_EMAIL_VERIFICATION="optional"):
        client.post("/accounts/login/", {"login": pending.email, "password": PASSWORD})
        assert has_session(client)

        response = client.post("/accounts/email/", {"action_add": "", "email": ATTACKER})

    assert response.status_code == 200
    assert "Confirm your address" in response.content.decode()
    assert not EmailAddress.objects.filter(email=ATTACKER).exists()
    assert inbox.to(ATTACKER) == []


def test_confirming_the_first_address_removes_addresses_added_before_it_was_verified(inbox):
    # An account left in the attacked state by the old doors: the victim's address
    # unverified, the attacker's verified and made primary.
    attacker = Client()
    attacker.post(
        "/accounts/signup/",
        {"email": VICTIM, "password1": ATTACKER_PASSWORD, "password2": ATTACKER_PASSWORD},
    )
    account = get_user_model().objects.get(email=VICTIM)
    EmailAddress.objects.filter(user=account).update(primary=False)
    EmailAddress.objects.create(user=account, email=ATTACKER, verified=True, primary=True)
    get_user_model().objects.filter(pk=account.pk).update(email=ATTACKER)

    confirm(Client(), inbox.last_to(VICTIM).link(CONFIRM_LINK))

    addresses = EmailAddress.objects.filter(user=account)
    assert [(a.email, a.verified, a.primary) for a in addresses] == [(VICTIM, True, True)]
    assert get_user_model().objects.get(pk=account.pk).email == VICTIM
    inbox.clear()
    Client().post("/accounts/password/reset/", {"email": ATTACKER})
    assert reset_links_to(inbox, ATTACKER) == []


def test_a_verified_reader_still_adds_a_second_address(reader, inbox):
    client = Client()
    client.post("/accounts/login/", {"login": reader.email, "password": PASSWORD})

    added = client.post("/accounts/email/", {"action_add": "", "email": "second@example.com"})

    assert added.status_code == 302
    confirm(client, inbox.last_to("second@example.com").link(CONFIRM_LINK))
    assert EmailAddress.objects.filter(user=reader, verified=True).count() == 2
