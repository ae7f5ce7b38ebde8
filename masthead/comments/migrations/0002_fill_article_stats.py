# Counts for articles commented on before the count was kept beside the article.
from django.db import migrations
from django.db.models import Count, Q


def fill(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    ArticleStats = apps.get_model("content", "ArticleStats")
    visible = Q(status="visible", deleted_at__isnull=True)
    rows = Comment.objects.values("article_id").annotate(n=Count("pk", filter=visible))
    ArticleStats.objects.bulk_create(
        [ArticleStats(article_id=row["article_id"], comment_count=row["n"]) for row in rows],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_initial"), ("content", "0003_articlestats")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
