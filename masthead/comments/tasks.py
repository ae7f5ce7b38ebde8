from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_tasks import task

from masthead.billing.emails import publication_sender
from masthead.content.models import PublicationSettings


@task()
def send_reply_notification(comment_id: int) -> None:
    from masthead.comments.models import Comment
    from masthead.comments.services import can_read, reply_notifications_enabled

    reply = Comment.objects.select_related("parent__author", "author", "article").get(pk=comment_id)
    recipient = reply.parent.author
    if not recipient.email or not reply_notifications_enabled(recipient):
        return
    # The mail carries the reply's text: only for someone who may read comments now
    # (a lapsed subscriber would otherwise keep reading them by e-mail).
    if not can_read(recipient):
        return
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    publication = PublicationSettings.objects.first()
    name = f" – {publication.name}" if publication else ""
    send_mail(
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
        [recipient.email],
    )
