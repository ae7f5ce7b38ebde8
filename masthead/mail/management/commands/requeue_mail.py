import datetime

from django.core.management.base import BaseCommand

from masthead.mail.outbox import requeue_stranded


class Command(BaseCommand):
    help = "Enqueue again the e-mails that no task holds (run every minute by the scheduler)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=60,
            help="Seconds an unsent e-mail must have waited (default: 60).",
        )

    def handle(self, *, older_than: float, verbosity: int, **options):
        count = requeue_stranded(older_than=datetime.timedelta(seconds=older_than))
        if verbosity:
            self.stdout.write(f"{count} e-mail(s) enqueued again")
