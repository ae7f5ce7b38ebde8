from django.db import migrations, models

from masthead.content import reading_time


def backfill(apps, schema_editor):
    """Articles saved before the field existed: the figure from their live text."""
    ArticlePage = apps.get_model("content", "ArticlePage")
    for article in ArticlePage.objects.only("pk", "title", "dek", "body").iterator():
        text = " ".join(
            piece
            for child in article.body
            for piece in child.block.get_searchable_content(child.value)
        )
        minutes = reading_time.minutes(" ".join((article.title, article.dek, text)))
        ArticlePage.objects.filter(pk=article.pk).update(reading_time=minutes)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0006_article_full_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="articlepage",
            name="reading_time",
            field=models.PositiveSmallIntegerField(
                default=1, editable=False, verbose_name="reading time (minutes)"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
