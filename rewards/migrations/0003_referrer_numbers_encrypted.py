"""Referrers' ID and bank numbers encrypted at rest (common.crypto, 等保 2.0 数据保密性).

New columns first (the keyed hash and the encrypted twins), then every row of the referrers
and of their history is encrypted from the plaintext column, then the plaintext columns go
and the twins take their names. The unique number moves to the hash column. Reversible:
going back decrypts into plaintext columns again.
"""

import django.core.validators
from django.db import migrations, models

import common.fields
from common import crypto

ID_PURPOSE = "rewards.referrer.id_number"
ACCOUNT_PURPOSE = "rewards.referrer.bank_account"
MODELS = ("Referrer", "HistoricalReferrer")
BATCH = 500

ID_VALIDATOR = django.core.validators.RegexValidator(
    "^[0-9A-Z-]{6,30}$",
    "证件号码（身份证号或统一社会信用代码）只能包含数字、大写字母和连字符，6–30 位。",
)
ACCOUNT_VALIDATOR = django.core.validators.RegexValidator(
    "^[0-9]{8,32}$", "银行账号应为 8–32 位数字。"
)


def _batches(model, *fields):
    last = None
    while True:
        rows = model._base_manager.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows.values_list("pk", *fields)[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def encrypt_rows(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("rewards", name)
        for batch in _batches(model, "id_number", "bank_account"):
            for pk, id_number, bank_account in batch:
                model._base_manager.filter(pk=pk).update(
                    id_number_sealed=id_number or "",
                    id_number_hash=crypto.keyed_hash(id_number or "", purpose=ID_PURPOSE),
                    bank_account_sealed=bank_account or "",
                )


def decrypt_rows(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("rewards", name)
        for batch in _batches(model, "id_number_sealed", "bank_account_sealed"):
            for pk, id_number, bank_account in batch:
                model._base_manager.filter(pk=pk).update(
                    id_number=id_number or "", bank_account=bank_account or ""
                )


def _sealed(purpose, **extra):
    return common.fields.EncryptedCharField(
        blank=True, default="", max_length=32, purpose=purpose, **extra
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0002_claim_steps_separated"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="referrer", name="rewards_referrer_id_number_unique"
        ),
        migrations.RemoveConstraint(
            model_name="referrer", name="rewards_referrer_id_number_present"
        ),
        *[
            op
            for model in ("referrer", "historicalreferrer")
            for op in (
                migrations.AddField(
                    model_name=model,
                    name="id_number_hash",
                    field=common.fields.KeyedHashField(source="id_number", default=""),
                    preserve_default=False,
                ),
                migrations.AddField(
                    model_name=model,
                    name="id_number_sealed",
                    field=_sealed(ID_PURPOSE, hash_field="id_number_hash"),
                ),
                migrations.AddField(
                    model_name=model, name="bank_account_sealed", field=_sealed(ACCOUNT_PURPOSE)
                ),
            )
        ],
        migrations.RunPython(encrypt_rows, decrypt_rows),
        *[
            op
            for model in ("referrer", "historicalreferrer")
            for op in (
                # A default, so that going back can add the plaintext columns to full tables.
                migrations.AlterField(
                    model_name=model,
                    name="id_number",
                    field=models.CharField(blank=True, default="", max_length=30),
                ),
                migrations.AlterField(
                    model_name=model,
                    name="bank_account",
                    field=models.CharField(blank=True, default="", max_length=32),
                ),
                migrations.RemoveField(model_name=model, name="id_number"),
                migrations.RemoveField(model_name=model, name="bank_account"),
                migrations.RenameField(
                    model_name=model, old_name="id_number_sealed", new_name="id_number"
                ),
                migrations.RenameField(
                    model_name=model, old_name="bank_account_sealed", new_name="bank_account"
                ),
                migrations.AlterField(
                    model_name=model,
                    name="id_number",
                    field=common.fields.EncryptedCharField(
                        hash_field="id_number_hash",
                        max_length=30,
                        purpose=ID_PURPOSE,
                        validators=[ID_VALIDATOR],
                        verbose_name="身份证号或统一社会信用代码",
                    ),
                ),
                migrations.AlterField(
                    model_name=model,
                    name="bank_account",
                    field=common.fields.EncryptedCharField(
                        blank=True,
                        max_length=32,
                        purpose=ACCOUNT_PURPOSE,
                        validators=[ACCOUNT_VALIDATOR],
                        verbose_name="银行账号",
                    ),
                ),
            )
        ],
        migrations.AddConstraint(
            model_name="referrer",
            constraint=models.UniqueConstraint(
                fields=("id_number_hash",),
                name="rewards_referrer_id_number_unique",
                violation_error_message="这个证件号码已登记为引资人，请勿重复登记。",
            ),
        ),
        migrations.AddConstraint(
            model_name="referrer",
            constraint=models.CheckConstraint(
                condition=models.Q(("id_number", ""), _negated=True),
                name="rewards_referrer_id_number_present",
            ),
        ),
    ]
