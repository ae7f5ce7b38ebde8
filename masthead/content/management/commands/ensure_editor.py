import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_EDITOR = "editor"


class Command(BaseCommand):
    help = "Create the demo editor account once and print its login."

    def handle(self, *args, **options):
        # The password lives beside the database so `make run` can print it
        # on every start without ever shipping a known password.
        login_file = settings.VAR_DIR / "demo-editor-login"
        User = get_user_model()
        user = User.objects.filter(username=DEMO_EDITOR).first()
        if user is None or not login_file.exists():
            password = secrets.token_urlsafe(12)
            user = user or User(username=DEMO_EDITOR, email="editor@example.org")
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
            login_file.parent.mkdir(parents=True, exist_ok=True)
            login_file.write_text(password)
        password = login_file.read_text().strip()
        self.stdout.write(f"Editor login: {DEMO_EDITOR} / {password}  (at /admin/)")
