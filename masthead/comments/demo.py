"""A few demo comment threads, by demo subscribers."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from masthead.billing.models import Plan, Provider, Subscription, SubscriptionStatus
from masthead.comments import counts
from masthead.comments.models import Comment
from masthead.comments.rendering import render_markdown
from masthead.content import demo_data
from masthead.content.models import ArticlePage


def demo_subscriber(name: str):
    User = get_user_model()
    username = f"demo-{slugify(name)}"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@example.org", "first_name": name},
    )
    if created:
        user.set_unusable_password()
        user.save()
        Subscription.objects.create(
            user=user,
            plan=Plan.objects.order_by("pk").first(),
            provider=Provider.TESTMODE,
            status=SubscriptionStatus.ACTIVE,
            current_period_end=timezone.now() + timedelta(days=365),
        )
    return user


@transaction.atomic
def demo_comments_ensure() -> int:
    if Comment.objects.exists() or not Plan.objects.exists():
        return 0
    created = 0
    for spec in getattr(demo_data, "COMMENTS", []):
        article = ArticlePage.objects.filter(slug=spec["article"]).first()
        if article is None:
            continue
        top = Comment.objects.create(
            article=article,
            author=demo_subscriber(spec["author"]),
            body_markdown=spec["text"],
            body_html=render_markdown(spec["text"]),
        )
        created += 1
        for reply in spec.get("replies", []):
            Comment.objects.create(
                article=article,
                author=demo_subscriber(reply["author"]),
                parent=top,
                body_markdown=reply["text"],
                body_html=render_markdown(reply["text"]),
            )
            created += 1
    counts.recount_all()
    return created
