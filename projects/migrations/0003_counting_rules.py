"""The counting rules (DOMAIN.md "Settled rules"): a 凭证号 counts once in the district,
重复统计 and 万/亿 flags, withdrawn projects.

Inflows recorded before the rule that share a 凭证号 with an earlier live inflow stay as they
are and keep counting: they are marked legacy_voucher_duplicate (listed as 待处理 in the
verification queue) and left out of the new unique constraint.
"""

import common.validators
from django.conf import settings
from django.db import migrations, models


def mark_legacy_voucher_duplicates(apps, schema_editor):
    Inflow = apps.get_model("projects", "Inflow")
    first: dict[str, int] = {}
    later = []
    for pk, voucher in (
        Inflow.objects.exclude(status="voided").order_by("pk").values_list("pk", "voucher_no")
    ):
        if voucher in first:
            later.append(pk)
        else:
            first[voucher] = pk
    for start in range(0, len(later), 500):
        Inflow.objects.filter(pk__in=later[start : start + 500]).update(
            legacy_voucher_duplicate=True
        )


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0002_second_release_fields'),
        ('units', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='inflow',
            name='projects_inflow_voucher_unique',
        ),
        migrations.RemoveConstraint(
            model_name='project',
            name='projects_project_stage_valid',
        ),
        migrations.AddField(
            model_name='historicalinflow',
            name='amount_flag_reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='金额核对提示'),
        ),
        migrations.AddField(
            model_name='historicalinflow',
            name='amount_flagged',
            field=models.BooleanField(default=False, verbose_name='金额待核对'),
        ),
        migrations.AddField(
            model_name='historicalinflow',
            name='legacy_voucher_duplicate',
            field=models.BooleanField(default=False, verbose_name='凭证号重复（规则前登记）'),
        ),
        migrations.AddField(
            model_name='historicalproject',
            name='duplicate_flagged',
            field=models.BooleanField(default=False, verbose_name='疑似重复统计'),
        ),
        migrations.AddField(
            model_name='historicalproject',
            name='withdrawn_reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='撤回原因'),
        ),
        migrations.AddField(
            model_name='inflow',
            name='amount_flag_reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='金额核对提示'),
        ),
        migrations.AddField(
            model_name='inflow',
            name='amount_flagged',
            field=models.BooleanField(default=False, verbose_name='金额待核对'),
        ),
        migrations.AddField(
            model_name='inflow',
            name='legacy_voucher_duplicate',
            field=models.BooleanField(default=False, verbose_name='凭证号重复（规则前登记）'),
        ),
        migrations.AddField(
            model_name='project',
            name='duplicate_flagged',
            field=models.BooleanField(default=False, verbose_name='疑似重复统计'),
        ),
        migrations.AddField(
            model_name='project',
            name='withdrawn_reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='撤回原因'),
        ),
        migrations.AlterField(
            model_name='historicalproject',
            name='investor_credit_code',
            field=models.CharField(blank=True, db_index=True, max_length=18, validators=[common.validators.validate_credit_code], verbose_name='投资方统一社会信用代码'),
        ),
        migrations.AlterField(
            model_name='historicalproject',
            name='stage',
            field=models.CharField(choices=[('intention', '意向'), ('negotiation', '洽谈'), ('signed', '签约'), ('started', '开工'), ('producing', '投产'), ('terminated', '终止'), ('withdrawn', '已撤回（重复统计）')], default='signed', max_length=20, verbose_name='阶段'),
        ),
        migrations.AlterField(
            model_name='project',
            name='investor_credit_code',
            field=models.CharField(blank=True, db_index=True, max_length=18, validators=[common.validators.validate_credit_code], verbose_name='投资方统一社会信用代码'),
        ),
        migrations.AlterField(
            model_name='project',
            name='stage',
            field=models.CharField(choices=[('intention', '意向'), ('negotiation', '洽谈'), ('signed', '签约'), ('started', '开工'), ('producing', '投产'), ('terminated', '终止'), ('withdrawn', '已撤回（重复统计）')], default='signed', max_length=20, verbose_name='阶段'),
        ),
        migrations.AlterField(
            model_name='stagechange',
            name='from_stage',
            field=models.CharField(blank=True, choices=[('intention', '意向'), ('negotiation', '洽谈'), ('signed', '签约'), ('started', '开工'), ('producing', '投产'), ('terminated', '终止'), ('withdrawn', '已撤回（重复统计）')], max_length=20, verbose_name='原阶段'),
        ),
        migrations.AlterField(
            model_name='stagechange',
            name='to_stage',
            field=models.CharField(choices=[('intention', '意向'), ('negotiation', '洽谈'), ('signed', '签约'), ('started', '开工'), ('producing', '投产'), ('terminated', '终止'), ('withdrawn', '已撤回（重复统计）')], max_length=20, verbose_name='新阶段'),
        ),
        migrations.RunPython(mark_legacy_voucher_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='inflow',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('status', 'voided'), _negated=True), ('legacy_voucher_duplicate', False)), fields=('voucher_no',), name='projects_inflow_voucher_once', violation_error_message='这个凭证号已登记过，同一凭证号在全区只能登记一次。'),
        ),
        migrations.AddConstraint(
            model_name='inflow',
            constraint=models.CheckConstraint(condition=models.Q(('amount_flagged', True), ('amount_flag_reason', ''), _connector='OR'), name='projects_inflow_flag_reason_only_when_flagged'),
        ),
        migrations.AddConstraint(
            model_name='project',
            constraint=models.CheckConstraint(condition=models.Q(('stage__in', ['intention', 'negotiation', 'signed', 'started', 'producing', 'terminated', 'withdrawn'])), name='projects_project_stage_valid'),
        ),
        migrations.AddConstraint(
            model_name='project',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('stage', 'withdrawn'), models.Q(('withdrawn_reason', ''), _negated=True)), models.Q(models.Q(('stage', 'withdrawn'), _negated=True), ('withdrawn_reason', '')), _connector='OR'), name='projects_project_withdrawn_has_reason'),
        ),
    ]
