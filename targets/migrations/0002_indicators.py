"""The five indicators of DOMAIN.md, present right after `migrate`."""

from django.db import migrations

INDICATORS = [
    ("fdi_actual", "实际到位外资", "wan_usd", "foreign", 1),
    ("fdi_contract", "合同利用外资", "wan_usd", "foreign", 2),
    ("foreign_projects", "新批外资项目", "count", "foreign", 3),
    ("domestic_actual", "实际到位内资（境内省外资金）", "wan_cny", "domestic", 4),
    ("domestic_projects", "引进内资项目", "count", "domestic", 5),
]


def create_indicators(apps, schema_editor):
    Indicator = apps.get_model("targets", "Indicator")
    for code, name, measure, capital_type, order in INDICATORS:
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "measure": measure,
                "capital_type": capital_type,
                "display_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]

    operations = [migrations.RunPython(create_indicators, migrations.RunPython.noop)]
