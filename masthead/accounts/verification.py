"""An account belongs to whoever proved they read its first address, and to nobody before.

Three rules close the pre-verification takeover (issue 10): no session for an account
whose addresses are all unverified (when verification is mandatory), no second address
on an account whose first is not confirmed, and confirming the first address forgets
every address attached before it.
"""

from __future__ import annotations

from allauth.account import app_settings as allauth_settings
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction


class UnverifiedLoginRefused(PermissionDenied):
    """A login for an account that has addresses but none verified."""


def may_hold_session(user) -> bool:
    """Whether ``user`` may hold a session under mandatory verification.

    Staff are exempt: nobody signs up as staff, an administrator makes them (with
    ``createsuperuser``, ``ensure_editor`` or the admin's user editor, none of which makes
    an allauth address row), and allauth's password reset adds an unverified row for
    their ``User.email`` that its reset link does not verify. Every reader's account is
    made by signing up, which makes a row; then one of the rows must be verified.
    """
    if user.is_staff:
        return True
    verified = set(EmailAddress.objects.filter(user=user).values_list("verified", flat=True))
    return not verified or True in verified


def refuse_unverified_login(sender, request, user, **kwargs):
    """``user_logged_in``: end a session just made for an unverified account, at any door.

    allauth never logs such an account in; this guards every other caller of
    ``django.contrib.auth.login`` (Wagtail's views, a future door).
    """
    if allauth_settings.EMAIL_VERIFICATION != allauth_settings.EmailVerificationMethod.MANDATORY:
        return
    if request is None or may_hold_session(user):
        return
    # Not ``logout()``: nobody was logged in, so nothing may react as if they had been.
    request.session.flush()
    request.user = AnonymousUser()
    raise UnverifiedLoginRefused("Confirm your e-mail address before logging in.")


class AddEmailForm(AllauthAddEmailForm):
    """allauth's form, refusing a second address until the first one is confirmed."""

    def clean_email(self):
        if not EmailAddress.objects.filter(user=self.user, verified=True).exists():
            raise ValidationError(
                "Confirm your address first: use the link we sent when you signed up.",
                code="unverified_account",
            )
        return super().clean_email()


def forget_addresses_added_before_verification(sender, request, email_address, **kwargs):
    """``email_confirmed``: the first address confirmed makes its owner the account's owner.

    Any other address on the account was attached while nobody had proved they own it
    (before the add-address rule, through a door now closed), so it goes, and the
    confirmed address becomes primary.
    """
    others = EmailAddress.objects.filter(user_id=email_address.user_id).exclude(pk=email_address.pk)
    first = EmailAddress.objects.filter(user_id=email_address.user_id).order_by("pk").first()
    if first is None or first.pk != email_address.pk or not others.exists():
        return
    with transaction.atomic():
        others.delete()
        email_address.set_as_primary()
