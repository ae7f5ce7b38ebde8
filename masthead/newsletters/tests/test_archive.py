"""The web version of sent issues: behind the paywall like the articles they carry."""

from __future__ import annotations

import pytest
from django.test import Client

from masthead.content.tests.helpers import demo_article
from masthead.newsletters.models import Issue, Newsletter
from masthead.newsletters.tests.conftest import reader
from masthead.paywall.tests.conftest import gated_sentence
from masthead.paywall.tests.test_leaks import content_of, encodings

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_newsletter_with_a_sent_issue_in_its_archive():
    brief = Newsletter.objects.get(slug="morning-brief")
    [issue] = Issue.objects.filter(newsletter=brief, fanned_out_at__isnull=False)
    page = Client().get("/newsletters/morning-brief/").content.decode()
    assert brief.name in page and issue.subject in page
    assert f"/newsletters/morning-brief/{issue.pk}/" in page


@pytest.mark.parametrize("access", ["metered", "subscribers"])
def test_free_readers_get_the_teaser_of_an_archived_issue_and_paid_ones_the_whole(
    access, newsletter
):
    article = demo_article(access)
    brief = newsletter
    issue = Issue.objects.create(
        newsletter=brief,
        article=article,
        subject=article.title,
        fanned_out_at=article.first_published_at,
    )
    url = f"/newsletters/{brief.slug}/{issue.pk}/"
    free_account = Client()
    free_account.force_login(reader("archfree"))
    for client in (Client(), free_account):
        response = client.get(url)
        assert response.status_code == 200
        page = content_of(response)
        assert "Continue reading" in page
        for marker in encodings(gated_sentence(article)):
            assert marker not in page
    paying = Client()
    paying.force_login(reader("archpaid", paid=True))
    assert gated_sentence(article) in content_of(paying.get(url))


def test_an_issue_not_sent_yet_is_not_in_the_archive(newsletter):
    article = demo_article("free")
    issue = Issue.objects.create(newsletter=newsletter, article=article, subject=article.title)
    assert Client().get(f"/newsletters/{newsletter.slug}/{issue.pk}/").status_code == 404
    assert article.title not in Client().get(f"/newsletters/{newsletter.slug}/").content.decode()
