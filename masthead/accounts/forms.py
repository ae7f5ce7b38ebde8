"""A reader's public name, at sign-up and on the account page.

allauth imports this module while building its own forms (``ACCOUNT_SIGNUP_FORM_CLASS``),
so nothing here may import ``allauth.account.forms``; the login form lives in ``login.py``.
"""

from __future__ import annotations

from django import forms

from masthead.comments import services as comment_services

NAME_HELP = (
    "Shown with your comments. Not your e-mail address. Until you choose one, you appear "
    f"as “{comment_services.NEUTRAL_NAME}”."
)


class DisplayNameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", comment_services.DISPLAY_NAME_MAX_LENGTH)
        kwargs.setdefault("help_text", NAME_HELP)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "nickname")


class SignupExtrasForm(forms.Form):
    """Fields allauth adds to its sign-up form (``ACCOUNT_SIGNUP_FORM_CLASS``)."""

    display_name = DisplayNameField(label="Your name for comments (optional)", required=False)

    def clean_display_name(self) -> str:
        name = self.cleaned_data.get("display_name", "")
        return comment_services.display_name_clean(name) if name.strip() else ""

    def signup(self, request, user) -> None:
        if self.cleaned_data.get("display_name"):
            comment_services.display_name_set(user=user, name=self.cleaned_data["display_name"])


class DisplayNameForm(forms.Form):
    display_name = DisplayNameField(label="Your name")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_display_name(self) -> str:
        return comment_services.display_name_clean(
            self.cleaned_data["display_name"], user=self.user
        )
