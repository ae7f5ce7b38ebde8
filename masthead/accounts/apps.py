from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from masthead.core import generations


class AccountsConfig(AppConfig):
    name = "masthead.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Signed-in users are remembered per process under the accounts generation.
        for signal in (post_save, post_delete):
            signal.connect(
                generations.accounts_changed,
                sender=get_user_model(),
                dispatch_uid=f"accounts-{signal is post_save}-user",
            )
