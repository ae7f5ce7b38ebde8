"""allauth's pages render inside the site's layout, with labelled fields and linked errors."""

from __future__ import annotations

import pytest

from masthead.content.tests.helpers import parse_tags

pytestmark = pytest.mark.django_db

ENTRANCE_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/login/code/",
    "/accounts/password/reset/",
]
MANAGE_PAGES = ["/accounts/email/", "/accounts/password/change/", "/accounts/logout/"]


def assert_site_form_page(html: str) -> None:
    tags = parse_tags(html)
    assert tags.find("header", **{"class": "site-header"}), "inside the site's layout"
    assert tags.find("body", **{"class": "form-page"})
    assert tags.find("meta", name="robots", content="noindex")
    labelled = {attrs.get("for") for attrs in tags.find("label")}
    inputs = [
        attrs
        for tag, attrs in tags.tags
        if tag == "input"
        and attrs.get("type") not in {"hidden", "search"}
        and attrs.get("id") != "site-search"
    ]
    for attrs in inputs:
        assert attrs.get("id") in labelled, f"no label for {attrs}"
    buttons = [a for t, a in tags.tags if t == "button" and "button" in a.get("class", "")]
    assert buttons, "a primary button"


@pytest.mark.parametrize("path", ENTRANCE_PAGES)
def test_entrance_pages_look_like_the_site(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert_site_form_page(response.content.decode())


@pytest.mark.parametrize("path", MANAGE_PAGES)
def test_account_management_pages_look_like_the_site(client, reader, path):
    client.force_login(reader)

    response = client.get(path)

    assert response.status_code == 200
    assert_site_form_page(response.content.decode())


def test_login_form_errors_are_announced_and_linked_to_their_fields(client, reader):
    response = client.post("/accounts/login/", {"login": reader.email, "password": ""})
    tags = parse_tags(response.content.decode())

    password = tags.find("input", name="password")[0]
    assert password["aria-invalid"] == "true"
    error_id = "id_password_error"
    assert error_id in password["aria-describedby"].split()
    assert tags.find("ul", id=error_id)


def test_wrong_password_shows_one_alert_above_the_form(client, reader):
    response = client.post("/accounts/login/", {"login": reader.email, "password": "nope"})

    assert response.status_code == 200
    assert parse_tags(response.content.decode()).find("div", **{"class": "form-alert"})


def test_login_page_offers_the_code_login_with_the_same_next(client):
    response = client.get("/accounts/login/?next=/politics/")
    tags = parse_tags(response.content.decode())

    assert tags.find("a", href="/accounts/login/code/?next=%2Fpolitics%2F")
    assert tags.find("a", href="/accounts/signup/?next=%2Fpolitics%2F")


def test_email_page_keeps_allauths_confirm_before_remove_script(client, reader):
    client.force_login(reader)

    html = client.get("/accounts/email/").content.decode()

    assert "account/js/account.js" in html
    assert 'data-allauth-onload="allauth.account.forms.manageEmailForm"' in html
