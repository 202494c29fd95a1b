"""The owning unit kept on each inflow (Inflow.unit), so that a unit's inflow list walks an index
of that unit's rows (projects_inflow_unit_list) instead of the district's whole list.

The DATABASE keeps it equal to the project's unit, whatever writes the rows (a form, the workbook
import, common.bulk, raw SQL): triggers set it on every insert and on a change of project, and a
project moved to another unit takes its inflows' copies along. Django inserts NULL (the field is
not editable and the instance keeps None); PostgreSQL replaces it before the row is written,
SQLite (which cannot change NEW) right after, in the same statement.

On SQLite Django remakes a table for most AlterFields (a new table, the rows copied, the old one
dropped, the new one renamed): with these triggers in place that rename fails ("error in trigger
…: no such table") for projects_inflow and projects_project, and the remade table's own triggers
would be gone. Such a migration runs UNKEEP_SQLITE before and KEEP_SQLITE after on SQLite
(importlib.import_module("projects.migrations.0010_inflow_kept_unit")).
tests/projects/test_kept_unit.py checks the triggers exist and every write path.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL = (
    "UPDATE projects_inflow SET unit_id = (SELECT unit_id FROM projects_project "
    "WHERE projects_project.id = projects_inflow.project_id)"
)

KEEP_POSTGRESQL = [
    # Every insert (COPY too) and every write of project_id or unit_id: Django's save() writes
    # both, with unit_id NULL, and a raw UPDATE of unit_id alone cannot make it wrong either.
    "CREATE FUNCTION projects_inflow_keep_unit() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN SELECT unit_id INTO NEW.unit_id FROM projects_project WHERE id = NEW.project_id; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER projects_inflow_keep_unit BEFORE INSERT OR UPDATE OF project_id, unit_id "
    "ON projects_inflow FOR EACH ROW EXECUTE FUNCTION projects_inflow_keep_unit()",
    # A project moved to another unit: its inflows follow.
    "CREATE FUNCTION projects_project_inflows_follow_unit() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN UPDATE projects_inflow SET unit_id = NEW.unit_id WHERE project_id = NEW.id; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER projects_project_inflows_follow_unit AFTER UPDATE OF unit_id "
    "ON projects_project FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id) "
    "EXECUTE FUNCTION projects_project_inflows_follow_unit()",
]
UNKEEP_POSTGRESQL = [
    "DROP TRIGGER IF EXISTS projects_project_inflows_follow_unit ON projects_project",
    "DROP FUNCTION IF EXISTS projects_project_inflows_follow_unit()",
    "DROP TRIGGER IF EXISTS projects_inflow_keep_unit ON projects_inflow",
    "DROP FUNCTION IF EXISTS projects_inflow_keep_unit()",
]

_PROJECT_UNIT = "(SELECT unit_id FROM projects_project WHERE id = NEW.project_id)"
# SQLite cannot assign NEW: the row is corrected right after it is written. WHEN skips rows
# already right (the correcting UPDATE itself fires the update trigger, and finds it right).
KEEP_SQLITE = [
    f"CREATE TRIGGER projects_inflow_keep_unit_insert AFTER INSERT ON projects_inflow "
    f"WHEN NEW.unit_id IS NOT {_PROJECT_UNIT} "
    f"BEGIN UPDATE projects_inflow SET unit_id = {_PROJECT_UNIT} WHERE id = NEW.id; END",
    f"CREATE TRIGGER projects_inflow_keep_unit_update AFTER UPDATE OF project_id, unit_id "
    f"ON projects_inflow WHEN NEW.unit_id IS NOT {_PROJECT_UNIT} "
    f"BEGIN UPDATE projects_inflow SET unit_id = {_PROJECT_UNIT} WHERE id = NEW.id; END",
    "CREATE TRIGGER projects_project_inflows_follow_unit AFTER UPDATE OF unit_id "
    "ON projects_project WHEN OLD.unit_id IS NOT NEW.unit_id "
    "BEGIN UPDATE projects_inflow SET unit_id = NEW.unit_id WHERE project_id = NEW.id; END",
]
UNKEEP_SQLITE = [
    "DROP TRIGGER IF EXISTS projects_project_inflows_follow_unit",
    "DROP TRIGGER IF EXISTS projects_inflow_keep_unit_update",
    "DROP TRIGGER IF EXISTS projects_inflow_keep_unit_insert",
]


def keep(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(BACKFILL)
    for sql in {"postgresql": KEEP_POSTGRESQL, "sqlite": KEEP_SQLITE}.get(vendor, []):
        schema_editor.execute(sql)


def unkeep(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": UNKEEP_POSTGRESQL, "sqlite": UNKEEP_SQLITE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0009_inflow_project_amount_index"),
        ("units", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The column, its values and the triggers, then the indexes (built once, on the filled
    # column): the unit's list, and the open money by unit instead of by project.
    operations = [
        migrations.AddField(
            model_name="inflow",
            name="unit",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="units.unit",
                verbose_name="责任单位",
            ),
        ),
        migrations.RunPython(keep, unkeep),
        migrations.AddIndex(
            model_name="inflow",
            index=models.Index(
                fields=["unit", "-arrived_on", "-id"], name="projects_inflow_unit_list"
            ),
        ),
        migrations.RemoveIndex(model_name="inflow", name="projects_inflow_open"),
        migrations.AddIndex(
            model_name="inflow",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "returned"])),
                fields=["unit", "status"],
                name="projects_inflow_open",
            ),
        ),
    ]
