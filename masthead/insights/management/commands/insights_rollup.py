import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from masthead.insights import rollups


class Command(BaseCommand):
    help = (
        "Roll reader events up into daily rows (yesterday and today by default; safe to "
        "re-run for any day), then delete raw events older than INSIGHTS_KEEP_EVENTS_DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", action="append", default=[], metavar="YYYY-MM-DD")
        parser.add_argument(
            "--last", type=int, default=2, metavar="N", help="Roll up the last N UTC days."
        )
        parser.add_argument("--no-prune", action="store_true", help="Keep every raw event.")

    def handle(self, *args, day: list[str], last: int, no_prune: bool, verbosity: int, **options):
        try:
            days = [dt.date.fromisoformat(d) for d in day]
        except ValueError as error:
            raise CommandError(f"--day: {error}") from error
        if not days:
            if last < 1:
                raise CommandError("--last must be 1 or more.")
            today = timezone.now().astimezone(dt.UTC).date()
            days = [today - dt.timedelta(days=n) for n in range(last)]
        for each, rows in rollups.rollup_days(sorted(days)).items():
            if verbosity:
                self.stdout.write(f"{each}: {rows} rollup rows")
        if not no_prune:
            deleted = rollups.events_delete_expired()
            if verbosity:
                self.stdout.write(f"Deleted {deleted} raw events past their keep.")
