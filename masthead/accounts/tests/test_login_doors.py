"""issue 10, items 1 and 6: one login door for readers, the same limits at the staff door.

Every attack here is driven through HTTP as an attacker would drive it: Wagtail's
front-end login (``/_util/login/``), the admin login (``/admin/login/``) and the
admin's password reset (``/admin/password_reset/``), against allauth's door.
"""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client, override_settings

from masthead.accounts.tests.conftest import PASSWORD, make_reader

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
FRONTEND_LOGIN = "/_util/login/"
ADMIN_LOGIN = "/admin/login/"
# settings.ACCOUNT_RATE_LIMITS: "login": "30/m/ip", "login_failed": "30/m/ip,100/h/key",
# "reset_password": "20/m/ip,5/m/key".
LOGINS_PER_MINUTE_PER_ADDRESS = 30
FAILURES_PER_HOUR_PER_ACCOUNT = 100
RESETS_PER_MINUTE_PER_ADDRESS_TO = 5
PROXY = "10.0.0.5"


def other_address(n: int) -> str:
    return f"10.{n // 65536 % 256 + 100}.{n // 256 % 256}.{n % 256}"


def reader_door(client, login: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"login": login, "password": password}, **extra)


def admin_door(client, login: str, password: str = PASSWORD, **extra):
    return client.post(ADMIN_LOGIN, {"username": login, "password": password}, **extra)


def has_reader_session(client) -> bool:
    return client.get("/account/").status_code == 200


def has_admin_session(client) -> bool:
    return client.get("/admin/").status_code == 200


@pytest.fixture
def editor(django_user_model):
    # Made as ensure_editor and createsuperuser make staff: no allauth EmailAddress rows.
    return django_user_model.objects.create_superuser("editor", "editor@example.org", PASSWORD)


# Item 1: Wagtail's front-end login is not a second door


def test_frontend_login_door_redirects_to_allauths_login_with_next():
    response = Client().get(FRONTEND_LOGIN + "?next=/private/page/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN + "?next=/private/page/"


def test_frontend_login_door_logs_nobody_in(reader):
    client = Client()

    response = client.post(FRONTEND_LOGIN, {"username": reader.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not has_reader_session(client)


def test_password_guessing_at_the_frontend_login_door_never_gets_past_allauths_limit(reader):
    client = Client()
    for attempt in range(40):
        client.post(FRONTEND_LOGIN, {"username": reader.email, "password": f"guess-{attempt}"})

    client.post(FRONTEND_LOGIN, {"username": reader.email, "password": PASSWORD})

    assert not has_reader_session(client)


# Item 1: no session for an unverified reader, at any door


@pytest.mark.parametrize(
    ("door", "field"),
    [(LOGIN, "login"), (FRONTEND_LOGIN, "username"), (ADMIN_LOGIN, "username")],
)
def test_unverified_reader_gets_no_session_at_any_login_door(door, field):
    pending = make_reader("pending@example.com", verified=False)
    client = Client()

    client.post(door, {field: pending.email, "password": PASSWORD})

    assert not has_reader_session(client)
    assert "_auth_user_id" not in client.session


def test_reader_cannot_log_in_at_the_admin_door_and_learns_nothing(reader):
    right = Client()
    wrong = Client()

    with_right_password = admin_door(right, reader.email)
    with_wrong_password = admin_door(wrong, reader.email, "guess")

    assert with_right_password.status_code == with_wrong_password.status_code == 200
    assert not has_reader_session(right)
    assert "_auth_user_id" not in right.session
    error = "didn't match"
    assert error in unescape(with_right_password.content.decode())
    assert error in unescape(with_wrong_password.content.decode())


def test_staff_still_log_in_at_the_admin_door(editor):
    client = Client()

    response = admin_door(client, "editor")

    assert response.status_code == 302
    assert has_admin_session(client)


# Item 1: staff logins limited like allauth's


def test_admin_login_guessing_from_one_address_gets_429_past_the_limit(editor):
    attacker = Client()
    for attempt in range(LOGINS_PER_MINUTE_PER_ADDRESS):
        assert admin_door(attacker, "editor", f"guess-{attempt}").status_code == 200

    assert admin_door(attacker, "editor", "guess").status_code == 429
    assert admin_door(attacker, "editor").status_code == 429, "even the right password waits"
    assert not has_admin_session(attacker)
    # Per address: the editor at their own desk is not locked out by the guessing.
    editor_desk = Client()
    assert admin_door(editor_desk, "editor", REMOTE_ADDR="192.0.2.7").status_code == 302


def test_admin_login_failures_at_one_account_get_429_past_the_limit(editor, django_user_model):
    # Spread over many addresses, as a botnet would, so only the per-account limit applies.
    attacker = Client()
    for attempt in range(FAILURES_PER_HOUR_PER_ACCOUNT):
        response = admin_door(
            attacker, "editor", f"guess-{attempt}", REMOTE_ADDR=other_address(attempt)
        )
        assert response.status_code == 200

    assert (
        admin_door(attacker, "editor", "guess", REMOTE_ADDR=other_address(500)).status_code == 429
    )
    assert admin_door(attacker, "editor", REMOTE_ADDR=other_address(501)).status_code == 429
    assert not has_admin_session(attacker)
    # Other staff accounts are untouched.
    django_user_model.objects.create_superuser("other", "other@example.org", PASSWORD)
    assert admin_door(Client(), "other", REMOTE_ADDR=other_address(502)).status_code == 302


def test_admin_login_by_username_and_email_at_both_doors_share_one_budget_per_account(editor):
    # Half the guesses by username at the admin door, half by e-mail at allauth's:
    # one account, one budget, whatever name is typed at whichever door.
    half = FAILURES_PER_HOUR_PER_ACCOUNT // 2
    for attempt in range(half):
        admin_door(Client(), "EDITOR", f"guess-{attempt}", REMOTE_ADDR=other_address(attempt))
    for attempt in range(half, FAILURES_PER_HOUR_PER_ACCOUNT):
        reader_door(
            Client(), "editor@example.org", f"guess-{attempt}", REMOTE_ADDR=other_address(attempt)
        )

    assert admin_door(Client(), "editor", REMOTE_ADDR=other_address(600)).status_code == 429
    assert (
        admin_door(Client(), "editor@example.org", REMOTE_ADDR=other_address(601)).status_code
        == 429
    )


@pytest.mark.parametrize("door", [reader_door, admin_door], ids=["allauth", "admin"])
def test_guessing_behind_a_trusted_proxy_is_limited_per_client_not_per_proxy(door, editor, reader):
    login = "editor" if door is admin_door else reader.email
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    neighbour = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    with override_settings(TRUSTED_PROXIES=[PROXY]):
        for attempt in range(LOGINS_PER_MINUTE_PER_ADDRESS):
            door(Client(), login, f"guess-{attempt}", **attacker)

        assert door(Client(), login, **attacker).status_code == 429
        # Everyone else behind the same load balancer is somebody else.
        assert door(Client(), login, **neighbour).status_code == 302


@pytest.mark.parametrize("door", [reader_door, admin_door], ids=["allauth", "admin"])
def test_forged_x_forwarded_for_does_not_escape_the_per_address_limit(door, editor, reader):
    login = "editor" if door is admin_door else reader.email
    with override_settings(TRUSTED_PROXIES=[PROXY]):
        for attempt in range(LOGINS_PER_MINUTE_PER_ADDRESS):
            forged = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": other_address(attempt)}
            door(Client(), login, f"guess-{attempt}", **forged)

        forged = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "192.0.2.200"}
        assert door(Client(), login, **forged).status_code == 429


# Item 6: the admin's password reset is not a mail cannon


def test_admin_password_reset_flood_sends_no_mail(editor, inbox):
    attacker = Client()
    for _ in range(12):
        attacker.post("/admin/password_reset/", {"email": editor.email})

    assert inbox.to(editor.email) == []
    assert attacker.get("/admin/password_reset/").status_code == 404


def test_allauth_password_reset_flood_sends_at_most_the_per_address_limit(editor, inbox):
    attacker = Client()
    for _ in range(12):
        attacker.post("/accounts/password/reset/", {"email": editor.email})

    assert 1 <= len(inbox.to(editor.email)) <= RESETS_PER_MINUTE_PER_ADDRESS_TO


def test_staff_reset_their_password_through_allauth_and_log_in_to_the_admin(editor, inbox):
    new_password = "an editor's brand new phrase 42"
    client = Client()
    client.post("/accounts/password/reset/", {"email": editor.email})
    link = inbox.last_to(editor.email).link("/accounts/password/reset/key/")
    form_page = client.get(link, follow=True)
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link

    changed = client.post(form_url, {"password1": new_password, "password2": new_password})

    assert changed.status_code == 302
    assert admin_door(client, "editor", new_password).status_code == 302
    assert has_admin_session(client)


def test_any_other_caller_of_login_gets_no_session_for_an_unverified_reader():
    # The backstop behind the doors above: django.contrib.auth.login itself, as a
    # future view or a third-party app would call it, refuses and leaves no session.
    from masthead.accounts.verification import UnverifiedLoginRefused

    pending = make_reader("pending@example.com", verified=False)
    client = Client()

    with pytest.raises(UnverifiedLoginRefused):
        client.force_login(pending)

    assert not has_reader_session(client)


def test_staff_and_accounts_without_addresses_are_exempt_from_the_backstop(editor):
    client = Client()
    client.force_login(editor)

    assert has_admin_session(client)
