"""Error pages keep the site's header, search and a way home — the 500 and 503 pages with no
database."""

import html
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.test import Client, override_settings

from masthead.comments.models import Comment
from masthead.content import demo_data

pytestmark = pytest.mark.django_db

PUBLICATION = demo_data.PUBLICATION["name"]


def assert_error_page(response, status: int, heading: str) -> str:
    assert response.status_code == status, response.status_code
    page = html.unescape(response.content.decode())
    assert '<header class="site-header">' in page
    assert '<a class="brand" href="/">' in page
    assert page.count('role="search" action="/search/"') >= 1
    assert 'href="/">Go to the front page</a>' in page
    assert f"<h1>{heading}</h1>" in page
    assert "site.css" in page
    return page


@pytest.fixture
def reader():
    user = get_user_model().objects.create_user("errors-reader", "errors@example.org", "pw-x9!k")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client, user


def test_404_has_the_site_header_sections_and_search():
    response = Client().get("/no-such-page/")
    page = assert_error_page(response, 404, "We can't find that page")
    assert f'<span class="brand__name">{PUBLICATION}</span>' in page
    assert f">{demo_data.SECTIONS[0]['title']}</a></li>" in page
    assert '<meta name="robots" content="noindex">' in page


def test_400_for_a_host_we_do_not_serve():
    Client().get("/")  # a normal page first: the error page names the publication
    response = Client().get("/", HTTP_HOST="evil.example")
    page = assert_error_page(response, 400, "We couldn't understand that request")
    assert f'<span class="brand__name">{PUBLICATION}</span>' in page


def test_403_when_a_reader_opens_someone_elses_comment_editor(reader):
    client, user = reader
    comment = Comment.objects.exclude(author=user).filter(deleted_at__isnull=True).first()
    response = client.get(f"/comments/{comment.pk}/edit/")
    page = assert_error_page(response, 403, "You can't do that here")
    assert "You can only edit your own comments." in page
    assert f'<span class="brand__name">{PUBLICATION}</span>' in page


def test_403_for_a_form_sent_without_its_csrf_cookie():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "x"})
    assert_error_page(response, 403, "Please try again")


@override_settings(ACCOUNT_RATE_LIMITS={"login": "1/m/ip", "login_failed": "1/m/ip"})
def test_429_after_too_many_login_attempts():
    client = Client()
    for _ in range(3):
        response = client.post(
            "/accounts/login/", {"login": "nobody@example.org", "password": "wrong"}
        )
    assert_error_page(response, 429, "Too many attempts")


def _refuse_queries(execute, sql, params, many, context):
    raise OperationalError("the database is unavailable")


def _fail_queries(execute, sql, params, many, context):
    raise RuntimeError("a bug in the code that asked")


def test_503_asking_to_retry_while_the_database_is_unavailable():
    client = Client(raise_request_exception=False)
    client.get("/")  # this process has shown the site once
    with connection.execute_wrapper(_refuse_queries):
        response = client.get(f"/{demo_data.SECTIONS[0]['slug']}/")
        login = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    page = assert_error_page(response, 503, "Back in a moment")
    assert f'<span class="brand__name">{PUBLICATION}</span>' in page
    assert "try again in a few seconds" in page
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert login.status_code == 503 and login["Retry-After"] == "5"


def test_500_for_an_error_that_is_not_the_database_being_away():
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(_fail_queries):
        response = client.get(f"/{demo_data.SECTIONS[0]['slug']}/")
    assert_error_page(response, 500, "Something went wrong on our side")
    assert not response.has_header("Retry-After")


def test_500_falls_back_to_plain_html_when_its_template_fails():
    client = Client(raise_request_exception=False)
    with (
        connection.execute_wrapper(_fail_queries),
        mock.patch("masthead.content.errors.render_to_string", side_effect=RuntimeError),
    ):
        response = client.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert 'action="/search/"' in page and 'href="/">Go to the front page</a>' in page
