"""ExportJob now lives in estates (see estates 0005): only the state forgets it here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("estates", "0005_exportjob"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ExportJob")],
        ),
    ]
