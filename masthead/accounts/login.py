"""The login forms: readers' (``ACCOUNT_FORMS["login"]``) and staff's at the admin."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class LoginForm(AllauthLoginForm):
    """Readers stay logged in (two weeks, renewed while they read) unless they untick it.

    An unticked box sends nothing, so a form without the field means "forget me".
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].initial = True
            self.fields["remember"].label = "Keep me logged in on this device"


class StaffLoginForm(WagtailLoginForm):
    """Wagtail's admin login (``WAGTAILADMIN_USER_LOGIN_FORM``) under allauth's limits.

    The same counters as allauth's door: ``login`` per address for every attempt, and
    ``login_failed`` per address and per account through the adapter, so guesses split
    between the two doors share one budget. Readers are refused with the message a wrong
    password gets: their door is allauth's, and this one must not say whose password fits.
    """

    def clean(self):
        request = self.request
        if not ratelimit.consume(request, action="login"):
            raise ImmediateHttpResponse(ratelimit.respond_429(request))
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            # The adapter checks and books the per-account limit (a 429 past it).
            self.user_cache = get_adapter(request).authenticate(
                request, username=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.has_perm("wagtailadmin.access_admin"):
            raise self.get_invalid_login_error()
