"""The project search on PostgreSQL reads one stored column with one trigram index.

Migration 0004 gave each searched column (项目编号, 项目名称, 投资方) its own trigram index on
``UPPER(col)``, and the search was three ``UPPER(col) LIKE`` tests per row. For a search that
matches about 1 % of the projects PostgreSQL prefers walking the list's index in order and
testing each row over fetching the matches and sorting them: at 100,000 projects it walked
some 7,000 rows, computing ``UPPER`` three times on each (19 ms, against 0.6 ms at 5,000
projects). Its cost model does not know how dear ``UPPER`` on Chinese text is.

``search_text`` holds ``UPPER(code ␟ name ␟ investor)`` (␟ is U+001F, the unit separator,
which no search contains: ``ProjectQuerySet.search`` removes it), computed by PostgreSQL on
every write (a generated column, so no write path can forget it). A search is one plain
``LIKE`` on it, answered by one trigram index: the same walk takes 5 ms, and a write
maintains one GIN index instead of three.

Django's model does not declare the column: on SQLite a stored generated column cannot be
added without remaking the table (which would drop the triggers of migrations 0010 and
targets.0011), and there the search stays three ``icontains`` (``LIKE``, no index).
"""

from django.db import migrations

OLD_COLUMNS = ("code", "name", "investor")

FORWARD = [
    "ALTER TABLE projects_project ADD COLUMN search_text text GENERATED ALWAYS AS "
    "(UPPER(code::text || E'\\x1f' || name::text || E'\\x1f' || investor::text)) STORED",
    "CREATE INDEX projects_project_search_trgm ON projects_project "
    "USING gin (search_text gin_trgm_ops)",
    *(f"DROP INDEX IF EXISTS projects_project_{column}_trgm" for column in OLD_COLUMNS),
]

BACKWARD = [
    *(
        f"CREATE INDEX IF NOT EXISTS projects_project_{column}_trgm "
        f"ON projects_project USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        for column in OLD_COLUMNS
    ),
    "DROP INDEX IF EXISTS projects_project_search_trgm",
    "ALTER TABLE projects_project DROP COLUMN IF EXISTS search_text",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("projects", "0010_inflow_kept_unit")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
