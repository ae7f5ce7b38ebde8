from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import filter_users_by_email
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError

from masthead.billing.emails import publication_sender
from masthead.content.models import PublicationSettings
from masthead.mail.outbox import email_queue
from masthead.paywall.identity import client_address

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

    def get_client_ip(self, request) -> str:
        # One answer to "who is the client" for rate limits and the paywall's address cap:
        # X-Forwarded-For only from TRUSTED_PROXIES, so allauth's own trusted proxy
        # count (ALLAUTH_TRUSTED_PROXY_COUNT) stays unset and unused.
        return client_address(request) or super().get_client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys failures by the name typed; an account has several (username,
        # e-mail, any case) at two doors (allauth's and the admin's), so key by account.
        login = (credentials.get("email") or credentials.get("username") or "").strip()
        account = _account_for(login)
        if account is None:
            return super()._get_login_attempts_cache_key(request, **credentials)
        return f"{get_current_site(request).domain}:account:{account.pk}"

    def send_mail(self, template_prefix, email, context):
        # allauth's own, except that the message goes to the outbox for the task worker
        # instead of to the mail server within the request. Its writes (the account, the
        # code) are committed by now: allauth's views run in autocommit.
        request = allauth_context.request
        ctx = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            # allauth names the host in its e-mails; readers know the publication's name.
            "publication": PublicationSettings.objects.first(),
            **context,
        }
        email_queue(self.render_mail(template_prefix, email, ctx), wait_for_commit=False)

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


def _account_for(login: str):
    """The one account a login name means, by e-mail address or username; else None."""
    if not login:
        return None
    if "@" in login:
        users = filter_users_by_email(login, prefer_verified=True)
        return users[0] if len(users) == 1 else None
    return get_user_model().objects.filter(username__iexact=login).first()
