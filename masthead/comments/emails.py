"""The reply notification, rendered for the outbox (``masthead.mail``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from masthead.billing.emails import publication_sender
from masthead.comments.models import Comment
from masthead.content.models import PublicationSettings


def reply_email(reply: Comment) -> EmailMessage:
    """The e-mail telling the parent comment's author about ``reply``.

    Whether they are to get it (an address, notifications on, allowed to read comments)
    is the caller's decision.
    """
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    publication = PublicationSettings.objects.first()
    name = f" – {publication.name}" if publication else ""
    return EmailMessage(
        f"New reply to your comment on “{reply.article.title}”{name}",
        render_to_string(
            "comments/reply_email.txt",
            {
                "reply": reply,
                "url": f"{base}{reply.article.url}#comment-{reply.pk}",
                "preferences_url": f"{base}/account/",
                "publication": publication,
            },
        ),
        publication_sender(publication),
        [reply.parent.author.email],
    )
