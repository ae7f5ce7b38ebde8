# ReaderEvent moved here from the paywall app; its table stays where it is.
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("paywall", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReaderEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("occurred_at", models.DateTimeField()),
                        ("day", models.DateField()),
                        ("kind", models.CharField(choices=[("article_view", "Article View"), ("paywall_shown", "Paywall Shown"), ("subscribe_clicked", "Subscribe Clicked"), ("checkout_started", "Checkout Started"), ("trial_started", "Trial Started"), ("subscription_activated", "Subscription Activated"), ("subscription_cancelled", "Subscription Cancelled")], max_length=32)),
                        ("article_id", models.BigIntegerField(blank=True, null=True)),
                        ("reader_class", models.CharField(blank=True, max_length=16)),
                        ("outcome", models.CharField(blank=True, max_length=16)),
                    ],
                    options={
                        "db_table": "paywall_readerevent",
                        "indexes": [models.Index(fields=["day", "article_id"], name="event_day_article"), models.Index(fields=["day", "kind"], name="event_day_kind")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
