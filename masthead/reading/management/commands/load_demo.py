import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from masthead.ads.slots import house_ads_ensure
from masthead.billing.services import plans_ensure_demo
from masthead.comments.demo import demo_comments_ensure
from masthead.comments.synthetic import add_synthetic_comments
from masthead.content import demo
from masthead.content.synthetic import add_synthetic_articles
from masthead.newsletters.demo import newsletters_ensure
from masthead.publisher import demo as insights_demo


class Command(BaseCommand):
    help = "Load the demo publication into an empty database (idempotent); add synthetic articles."

    def add_arguments(self, parser):
        parser.add_argument(
            "--synthetic",
            type=int,
            default=0,
            metavar="N",
            help="Also bulk-insert N synthetic articles (for benchmarks).",
        )
        parser.add_argument(
            "--events",
            type=int,
            default=0,
            metavar="N",
            help="Also add about N article views over the last 90 days, the funnel events "
            "and subscriptions they lead to, and roll them up for the dashboard (once: a "
            "database that has the demo's subscribers keeps its events).",
        )

    def handle(self, *args, synthetic: int, events: int, **options):
        if synthetic < 0:
            raise CommandError("--synthetic must be zero or more.")
        if events < 0:
            raise CommandError("--events must be zero or more.")
        plans_ensure_demo()
        house_ads_ensure()
        if demo.load_demo(stdout=self.stdout):
            self.stdout.write(self.style.SUCCESS("Loaded the demo publication."))
        else:
            self.stdout.write("The demo publication is already loaded; nothing to do.")
        demo_comments_ensure()
        if newsletters_ensure():
            self.stdout.write("Added the demo newsletters, with a sent issue in the archive.")
        if reindexed := demo.search_index_ensure():
            self.stdout.write(f"Indexed the whole text of {reindexed} articles for subscribers.")
        if demo.site_address_follow(base_url=settings.WAGTAILADMIN_BASE_URL):
            self.stdout.write(f"The site's address is now {settings.WAGTAILADMIN_BASE_URL}.")
        if synthetic:
            started = time.monotonic()
            ids = add_synthetic_articles(count=synthetic, stdout=self.stdout)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Added {synthetic} synthetic articles in {time.monotonic() - started:.0f} s."
                )
            )
            started = time.monotonic()
            comments = add_synthetic_comments(ids, stdout=self.stdout)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Added {comments} comments to them in {time.monotonic() - started:.0f} s."
                )
            )
        if events:
            if written := insights_demo.events_fill(count=events):
                self.stdout.write(
                    self.style.SUCCESS(f"Added {written} reader events and rolled up 90 days.")
                )
            else:
                self.stdout.write("The demo's reader events are already there; nothing added.")
