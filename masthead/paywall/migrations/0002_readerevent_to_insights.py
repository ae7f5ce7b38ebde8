# ReaderEvent now belongs to the insights app, which keeps this table.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("paywall", "0001_initial"), ("insights", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ReaderEvent")],
            database_operations=[],
        ),
    ]
