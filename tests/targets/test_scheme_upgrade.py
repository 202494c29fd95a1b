"""Migration 0007 on a database of the previous release: the five indicators stay as they
were (same ids, codes, names, measures), become built-in and gain their unit label; years
gain the 红黑榜 size."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("targets", "0006_tally")]
AFTER = [("targets", "0007_scheme")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_upgrade_keeps_the_five_indicators_intact():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    rows = list(
        old.get_model("targets", "Indicator")
        .objects.order_by("pk")
        .values_list("pk", "code", "name", "measure", "capital_type", "display_order")
    )
    old.get_model("targets", "AssessmentYear").objects.create(
        year=2025, deposit_due_date="2025-04-15"
    )
    assert len(rows) == 5

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Indicator = new.get_model("targets", "Indicator")
    after = list(
        Indicator.objects.order_by("pk").values_list(
            "pk", "code", "name", "measure", "capital_type", "display_order"
        )
    )
    assert after == rows
    assert set(Indicator.objects.values_list("kind", flat=True)) == {"builtin"}
    assert dict(Indicator.objects.values_list("code", "unit_label")) == {
        "fdi_actual": "万美元",
        "fdi_contract": "万美元",
        "foreign_projects": "个",
        "domestic_actual": "万元",
        "domestic_projects": "个",
    }
    assert new.get_model("targets", "AssessmentYear").objects.get(year=2025).board_size == 5
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
