"""The figures' version: one row, raised by triggers on every table the progress report reads
(targets.models.FiguresVersion, targets/report_cache.py)."""

from django.db import migrations, models

# Every table build_report, the closes and the kept 履约率 read; the counter moves when any of
# them changes.
TABLES = (
    "targets_rollup",
    "targets_quota",
    "targets_districttask",
    "targets_indicator",
    "targets_schemeentry",
    "targets_scoreadjustment",
    "targets_assessmentyear",
    "targets_periodclose",
    "units_unit",
    # The pipeline page's 履约率 and 成功率 count the projects themselves (kept as well).
    "projects_project",
)
BUMP = "UPDATE targets_figuresversion SET counter = counter + 1 WHERE id = 1"


def create(apps, schema_editor):
    apps.get_model("targets", "FiguresVersion").objects.create(pk=1, counter=0)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # One bump per statement (a bulk write of thousands of rows bumps once), TRUNCATE too.
        # BEFORE the statement: a transaction takes the counter's row lock before the first
        # row of these tables it locks, so two transactions writing the rollup can never
        # hold each other's rows and wait for the counter (a deadlock); they queue on it.
        schema_editor.execute(
            "CREATE FUNCTION targets_bump_figures_version() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_figures_version BEFORE INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                "EXECUTE FUNCTION targets_bump_figures_version()"
            )
    elif vendor == "sqlite":
        # SQLite has row triggers only: one bump per row written.
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_figures_version_{event.lower()} AFTER {event} "
                    f"ON {table} BEGIN {BUMP}; END"
                )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_figures_version ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS targets_bump_figures_version()")
    elif vendor == "sqlite":
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_figures_version_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0010_rollup_month_cells_index"),
        ("units", "0001_initial"),
        ("projects", "0008_list_and_home_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="FiguresVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("counter", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "数据版本",
                "verbose_name_plural": "数据版本",
            },
        ),
        migrations.RunPython(create, drop),
    ]
