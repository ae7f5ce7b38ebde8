import datetime

from django.core.management.base import BaseCommand

from masthead.newsletters import digests, sending


class Command(BaseCommand):
    help = (
        "Make the digests that are due and queue sends no task holds (a lost enqueue, a "
        "retry on a queue that cannot defer). The scheduler runs it every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=300, metavar="SECONDS")

    def handle(self, *args, older_than: int, **options):
        made = digests.send_due()
        queued = sending.resume_stalled(older_than=datetime.timedelta(seconds=older_than))
        if options["verbosity"]:
            self.stdout.write(f"{len(made)} digests made, {queued} sending tasks queued again.")
