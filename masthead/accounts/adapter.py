from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.core.exceptions import ValidationError

from masthead.content.models import PublicationSettings


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
