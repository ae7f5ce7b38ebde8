"""The login form: "remember me" ticked by default (``ACCOUNT_FORMS["login"]``)."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    """Readers stay logged in (two weeks, renewed while they read) unless they untick it.

    An unticked box sends nothing, so a form without the field means "forget me".
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].initial = True
            self.fields["remember"].label = "Keep me logged in on this device"
