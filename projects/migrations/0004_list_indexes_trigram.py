"""Indexes that match the lists' order with a unique tie-breaker (common.listing adds ``id``
to every ordering), the verification queue's partial index, and trigram indexes for the
project search on PostgreSQL.

Django's ``icontains`` on PostgreSQL is ``UPPER(col::text) LIKE UPPER('%x%')``; a GIN
index on that very expression with ``gin_trgm_ops`` answers it without a full scan. On
SQLite the trigram step does nothing and ``icontains`` works as before.
"""

from django.conf import settings
from django.db import migrations, models

TRIGRAM_COLUMNS = ("code", "name", "investor")


def _trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS projects_project_{column}_trgm "
            f"ON projects_project USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def _drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS projects_project_{column}_trgm")
    # The extension stays: other objects may use it, and it holds no data.


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_counting_rules"),
        ("units", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="inflow",
            name="projects_in_status_3538a6_idx",
        ),
        migrations.AddIndex(
            model_name="inflow",
            index=models.Index(fields=["-arrived_on", "-id"], name="projects_inflow_list"),
        ),
        migrations.AddIndex(
            model_name="inflow",
            index=models.Index(
                fields=["status", "-arrived_on", "-id"], name="projects_inflow_status_list"
            ),
        ),
        migrations.AddIndex(
            model_name="inflow",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["created_at", "id"],
                name="projects_inflow_pending_queue",
            ),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["-signed_on", "-id"], name="projects_project_list"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                fields=["unit", "-signed_on", "-id"], name="projects_project_unit_list"
            ),
        ),
        migrations.RunPython(_trigram_indexes, _drop_trigram_indexes, elidable=False),
    ]
