from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "masthead.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here: these modules import models, which load with the app registry.
        from allauth.account.signals import email_confirmed, user_signed_up
        from django.contrib.auth.signals import user_logged_in

        from masthead.accounts import funnel, verification
        from masthead.core import generations

        # Signed-in users are remembered per process under the accounts generation.
        for signal in (post_save, post_delete):
            signal.connect(
                generations.accounts_changed,
                sender=get_user_model(),
                dispatch_uid=f"accounts-{signal is post_save}-user",
            )
        # No session for an unverified account, whichever door made it (issue 10).
        user_logged_in.connect(
            verification.refuse_unverified_login, dispatch_uid="accounts-verified-login"
        )
        email_confirmed.connect(
            verification.forget_addresses_added_before_verification,
            dispatch_uid="accounts-first-address-confirmed",
        )
        # The funnel's "register offers taken" step.
        user_signed_up.connect(funnel.register_offer_taken, dispatch_uid="accounts-register-offer")
