from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.core.exceptions import ValidationError

from masthead.billing.emails import publication_sender
from masthead.content.models import PublicationSettings

# Until a reader chooses a name: never a part of their e-mail address.
NEUTRAL_NAME = "Reader"


def reader_name(user) -> str:
    """allauth's ``ACCOUNT_USER_DISPLAY``: the reader's chosen name, or a neutral word."""
    return (getattr(user, "first_name", "") or "").strip() or NEUTRAL_NAME


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials):
        # allauth reports the login_failed limit as a form error (200); we answer 429,
        # which clients and monitoring understand. Login by e-mailed code still works.
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as refusal:
            raise ImmediateHttpResponse(respond_429(request)) from refusal

    def send_mail(self, template_prefix, email, context):
        # allauth names the host in its e-mails; readers know the publication's name.
        context.setdefault("publication", PublicationSettings.objects.first())
        super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject: str) -> str:
        # The publication's name in every subject, as billing's e-mails have it.
        publication = PublicationSettings.objects.first()
        name = publication.name if publication else ""
        subject = " ".join(str(subject).split())
        if not name or name.casefold() in subject.casefold():
            return subject
        return f"{subject} – {name}"

    def get_from_email(self) -> str:
        return publication_sender()
