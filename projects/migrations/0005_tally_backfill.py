"""Fill targets.Tally (the park page's split and the pipeline's stage counts) from the
records already in the database, so the pages read honest figures right after the upgrade.
From here on the services keep it in the same transaction as every change
(projects.counting); ``manage.py rebuild_rollups`` recomputes it too."""

from collections import defaultdict

from django.db import migrations


def backfill(apps, schema_editor):
    from projects.counting import raw_tally  # takes querysets: fed the historical models
    from targets.rollups import TALLY_PREFIX

    Project = apps.get_model("projects", "Project")
    Inflow = apps.get_model("projects", "Inflow")
    Tally = apps.get_model("targets", "Tally")
    db = schema_editor.connection.alias
    daily = raw_tally(
        Project.objects.using(db).all(), Inflow.objects.using(db).filter(status="verified")
    )
    cells = defaultdict(int)
    for (_unit, indicator, day), amount in daily.items():
        key = indicator[len(TALLY_PREFIX) :]
        cells[(key, day.year, day.month, 0)] += amount
        cells[(key, day.year, day.month, day.day)] += amount
    Tally.objects.using(db).all().delete()
    Tally.objects.using(db).bulk_create(
        [
            Tally(key=key, year=year, month=month, day=day, amount=amount)
            for (key, year, month, day), amount in cells.items()
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_list_indexes_trigram"),
        ("targets", "0006_tally"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
