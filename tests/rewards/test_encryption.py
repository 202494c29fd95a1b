"""Referrers' ID and bank numbers at rest: encrypted (authenticated) in the database on
SQLite and PostgreSQL alike, found and kept unique through a keyed hash, re-encrypted by
rotate_field_key, and encrypted from plaintext by the upgrade's migration."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from common import crypto
from common.forms import constraint_violation
from rewards import services
from rewards.models import Referrer
from tests.rewards.factories import ReferrerFactory

ID = "430102198001031234"
ACCOUNT = "6222020200112233"
KEY_1 = crypto.new_key()
KEY_2 = crypto.new_key()


def raw_row(table: str, where: str, params) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number, id_number_hash, bank_account FROM {table} {where}", params
        )
        return cursor.fetchone()


def raw_referrer(referrer) -> tuple:
    return raw_row("rewards_referrer", "WHERE id = %s", [referrer.pk])


@pytest.fixture
def referrer(db):
    return ReferrerFactory(name="李四", id_number=ID, bank_account=ACCOUNT)


# --- at rest --------------------------------------------------------------------------------


def test_the_columns_hold_no_plaintext(referrer):
    id_cell, hash_cell, account_cell = raw_referrer(referrer)
    for cell, plain in ((id_cell, ID), (account_cell, ACCOUNT)):
        assert cell.startswith("enc1:") and plain not in cell and plain[-4:] not in cell
    assert len(hash_cell) == 64 and ID not in hash_cell
    loaded = Referrer.objects.get(pk=referrer.pk)
    assert (loaded.id_number, loaded.bank_account) == (ID, ACCOUNT)


def test_the_history_columns_hold_no_plaintext_either(referrer, commerce):
    services.referrer_update(referrer=referrer, user=commerce, data={"contact": "新电话"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, bank_account FROM rewards_historicalreferrer")
        rows = cursor.fetchall()
    assert rows and all(ID not in a and ACCOUNT not in b for a, b in rows)
    assert referrer.history.first().id_number == ID


def test_equal_numbers_encrypt_differently_each_time(db):
    first = crypto.encrypt(ID, purpose="p")
    assert first != crypto.encrypt(ID, purpose="p")
    assert crypto.decrypt(first, purpose="p") == ID


def test_a_changed_ciphertext_does_not_decrypt(referrer):
    id_cell = raw_referrer(referrer)[0]
    prefix, kid, body = id_cell.split(":")
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rewards_referrer SET id_number = %s WHERE id = %s",
            [f"{prefix}:{kid}:{flipped}", referrer.pk],
        )
    with pytest.raises(crypto.DecryptionError, match="校验失败"):
        Referrer.objects.get(pk=referrer.pk)


def test_a_value_copied_into_another_column_does_not_decrypt(referrer):
    id_cell = raw_referrer(referrer)[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rewards_referrer SET bank_account = %s WHERE id = %s", [id_cell, referrer.pk]
        )
    with pytest.raises(crypto.DecryptionError):
        Referrer.objects.get(pk=referrer.pk)


def test_an_empty_bank_account_stays_empty(db):
    referrer = ReferrerFactory(bank_account="")
    assert raw_referrer(referrer)[2] == ""
    assert Referrer.objects.get(pk=referrer.pk).bank_account == ""


# --- found and kept unique through the keyed hash ------------------------------------------


def test_a_number_is_found_by_equality_only(referrer):
    ReferrerFactory()
    assert list(Referrer.objects.filter(id_number=ID)) == [referrer]
    assert not Referrer.objects.filter(id_number="430102198001031235").exists()
    assert Referrer.objects.exclude(id_number=ID).count() == 1
    with pytest.raises(FieldError):
        list(Referrer.objects.filter(id_number__icontains="1234"))
    with pytest.raises(FieldError):
        list(Referrer.objects.filter(bank_account__startswith="6222"))


def test_the_database_refuses_a_second_referrer_with_the_same_number(referrer):
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        ReferrerFactory(id_number=ID)
    error = constraint_violation(caught.value)
    assert error is not None and "id_number" in error.message_dict


def test_validation_finds_a_taken_number_through_its_hash(referrer):
    duplicate = ReferrerFactory.build(id_number=ID)
    with pytest.raises(ValidationError, match="这个证件号码已登记为引资人"):
        duplicate.full_clean()
    # A form leaves the (non-editable) hash column out of its validation; the number's
    # uniqueness is still checked when the number is in the form.
    with pytest.raises(ValidationError, match="这个证件号码已登记为引资人"):
        duplicate.validate_constraints(exclude={"id_number_hash", "name"})


# --- key rotation ------------------------------------------------------------------------


def rotate() -> str:
    out = StringIO()
    call_command("rotate_field_key", stdout=out)
    return out.getvalue()


def test_rotation_re_encrypts_every_row_and_is_idempotent(settings, commerce):
    settings.FIELD_ENCRYPTION_KEY = KEY_1
    referrer = ReferrerFactory(id_number=ID, bank_account=ACCOUNT)
    services.referrer_update(referrer=referrer, user=commerce, data={"contact": "x"})
    other = ReferrerFactory(bank_account="")
    old_id = crypto.key_id(crypto.parse_key(KEY_1))
    assert crypto.written_with(raw_referrer(referrer)[0]) == old_id

    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = KEY_2, [KEY_1]
    # Before the rotation: old rows still read and are still found.
    assert Referrer.objects.get(id_number=ID) == referrer
    assert "已用当前密钥重新加密" in rotate()
    new_id = crypto.key_id(crypto.parse_key(KEY_2))
    for row in (referrer, other):
        id_cell, hash_cell, account_cell = raw_referrer(row)
        assert crypto.written_with(id_cell) == new_id
        assert account_cell == "" or crypto.written_with(account_cell) == new_id
        assert hash_cell == crypto.keyed_hash(row.id_number, purpose="rewards.referrer.id_number")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM rewards_historicalreferrer")
        assert {crypto.written_with(cell) for (cell,) in cursor.fetchall()} == {new_id}
    assert "重新加密 0 条记录" in rotate()  # a second run changes nothing

    settings.FIELD_ENCRYPTION_OLD_KEYS = []  # the old key can go now
    loaded = Referrer.objects.get(id_number=ID)
    assert (loaded.id_number, loaded.bank_account) == (ID, ACCOUNT)


def test_a_missing_old_key_is_named(settings, db):
    settings.FIELD_ENCRYPTION_KEY = KEY_1
    referrer = ReferrerFactory(id_number=ID)
    settings.FIELD_ENCRYPTION_KEY = KEY_2
    with pytest.raises(crypto.DecryptionError, match="FIELD_ENCRYPTION_OLD_KEYS"):
        Referrer.objects.get(pk=referrer.pk)


def test_a_malformed_key_is_refused(settings, db):
    settings.FIELD_ENCRYPTION_KEY = "too-short"
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY"):
        crypto.encrypt(ID, purpose="p")


# --- the upgrade: plaintext rows of the first release are encrypted by migration 0003 -------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_encrypts_existing_rows_and_reverses():
    executor = MigrationExecutor(connection)
    before, after = (
        [("rewards", "0002_claim_steps_separated")],
        [("rewards", "0003_referrer_numbers_encrypted")],
    )
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        OldReferrer = old_apps.get_model("rewards", "Referrer")
        OldReferrer.objects.create(
            kind="individual",
            name="甲",
            id_number=ID,
            bank_account=ACCOUNT,
            registered_on="2025-12-01",
        )
        OldReferrer.objects.create(
            kind="enterprise",
            name="乙",
            id_number="91110000600037341L",
            bank_account="",
            registered_on="2025-12-01",
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new_apps = executor.loader.project_state(after).apps
        NewReferrer = new_apps.get_model("rewards", "Referrer")
        values = set(NewReferrer.objects.values_list("name", "id_number", "bank_account"))
        assert values == {("甲", ID, ACCOUNT), ("乙", "91110000600037341L", "")}
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, bank_account, id_number_hash FROM rewards_referrer")
            for id_cell, account_cell, hash_cell in cursor.fetchall():
                assert id_cell.startswith("enc1:") and ID not in id_cell
                assert account_cell == "" or account_cell.startswith("enc1:")
                assert len(hash_cell) == 64
        found = NewReferrer.objects.filter(id_number=ID).values_list("name", flat=True)
        assert list(found) == ["甲"]
        # And back: the plaintext columns again, the same values.
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        back_apps = executor.loader.project_state(before).apps
        back = set(
            back_apps.get_model("rewards", "Referrer").objects.values_list(
                "name", "id_number", "bank_account"
            )
        )
        assert back == {("甲", ID, ACCOUNT), ("乙", "91110000600037341L", "")}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


# --- production refuses to start without a key ---------------------------------------------


def _production(**environment) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60,
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_field_key():
    result = _production(FIELD_ENCRYPTION_KEY="")
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEY must be set" in result.stderr
    assert _production(FIELD_ENCRYPTION_KEY=crypto.new_key()).returncode == 0
