"""The figures' version: one row, raised by triggers on every table the progress report reads
(targets.models.FiguresVersion, targets/report_cache.py)."""

from django.db import migrations, models

# Counter 1: every table build_report and the closes read. Counter 2: the projects, which the
# kept 履约率 and 成功率 count. Two rows, so that a long write to the projects (a large import)
# does not make writers of the rollup (a verification) queue behind it.
TABLES = {
    "targets_rollup": 1,
    "targets_quota": 1,
    "targets_districttask": 1,
    "targets_indicator": 1,
    "targets_schemeentry": 1,
    "targets_scoreadjustment": 1,
    "targets_assessmentyear": 1,
    "targets_periodclose": 1,
    "units_unit": 1,
    "projects_project": 2,
}


def _bump(counter) -> str:
    return f"UPDATE targets_figuresversion SET counter = counter + 1 WHERE id = {counter}"


def create(apps, schema_editor):
    FiguresVersion = apps.get_model("targets", "FiguresVersion")
    FiguresVersion.objects.create(pk=1, counter=0)
    FiguresVersion.objects.create(pk=2, counter=0)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # One bump per statement (a bulk write of thousands of rows bumps once), TRUNCATE too.
        # BEFORE the statement: a transaction takes its counter's row lock before the first
        # row of these tables it locks, so two transactions writing the rollup can never
        # hold each other's rows and wait for the counter (a deadlock); they queue on it.
        schema_editor.execute(
            "CREATE FUNCTION targets_bump_figures_version() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN UPDATE targets_figuresversion "
            "SET counter = counter + 1 WHERE id = TG_ARGV[0]::bigint; RETURN NULL; END $$"
        )
        for table, counter in TABLES.items():
            schema_editor.execute(
                f"CREATE TRIGGER {table}_figures_version BEFORE INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION targets_bump_figures_version({counter})"
            )
    elif vendor == "sqlite":
        # SQLite has row triggers only: one bump per row written.
        for table, counter in TABLES.items():
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_figures_version_{event.lower()} AFTER {event} "
                    f"ON {table} BEGIN {_bump(counter)}; END"
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
