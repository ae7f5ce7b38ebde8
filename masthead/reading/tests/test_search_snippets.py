"""Search snippets come from what the reader may read; entitled readers see the rest."""

import pytest

pytestmark = pytest.mark.django_db


def _article_with_a_secret(access: str):
    """An article whose teaser and gated part both say "zephyrine", differently."""
    import uuid

    from masthead.content.models import ArticlePage, SectionPage

    paragraphs = [
        "The zephyrine council met on Tuesday to hear the harbor report.",
        "Members asked about dredging schedules and the ferry landing.",
        "Later the zephyrine treasurer admitted a hidden kickback of ninety thousand.",
    ]
    section = SectionPage.objects.order_by("path").first()
    article = section.add_child(
        instance=ArticlePage(
            title="Harbor report heard",
            slug=f"harbor-report-{access}",
            access_level=access,
            body=[
                {"type": "paragraph", "value": f"<p>{text}</p>", "id": str(uuid.uuid4())}
                for text in paragraphs
            ],
        )
    )
    article.save_revision().publish()
    return article


@pytest.mark.parametrize("access", ["metered", "subscribers"])
def test_a_snippet_for_a_reader_without_access_comes_from_the_teaser_only(client, access):
    from django.db import connection

    _article_with_a_secret(access)
    raw = client.get("/search/", {"q": "zephyrine"}).content.decode()
    assert "Harbor report heard" in raw
    assert "kickback" not in raw and "treasurer" not in raw
    if connection.vendor == "postgresql":
        # Highlighted, from the teaser.
        assert "<mark>zephyrine</mark> council" in raw
    # A word only in the gated part finds nothing, and says nothing.
    gated = client.get("/search/", {"q": "kickback"}).content.decode()
    assert "Harbor report heard" not in gated and "kickback" in gated.split("result-count")[1]
    assert "ninety thousand" not in gated


def test_a_subscriber_finds_and_sees_the_gated_words(client):
    from django.contrib.auth import get_user_model
    from django.db import connection

    from masthead.billing.models import Plan, Subscription, SubscriptionStatus

    _article_with_a_secret("metered")
    user = get_user_model().objects.create_user("paid", "paid@example.org", "long password 42")
    Subscription.objects.create(
        user=user, plan=Plan.objects.first(), status=SubscriptionStatus.ACTIVE
    )
    client.force_login(user)
    raw = client.get("/search/", {"q": "kickback"}).content.decode()
    assert "Harbor report heard" in raw
    if connection.vendor == "postgresql":
        assert "<mark>kickback</mark>" in raw
