"""Key rotation for encrypted fields: every value not written under the current key (and
every keyed hash not computed under it) is rewritten, in batches; rows already current are
left alone, so a second run changes nothing."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast

from common import crypto
from common.fields import EncryptedCharField, KeyedHashField


def encrypted_models():
    """(model, encrypted fields, keyed-hash fields) of every model holding encrypted data."""
    for model in apps.get_models():
        concrete = model._meta.concrete_fields
        encrypted = [f for f in concrete if isinstance(f, EncryptedCharField)]
        if encrypted:
            hashes = [f for f in concrete if isinstance(f, KeyedHashField)]
            yield model, encrypted, hashes


def _stale(row: dict, encrypted, hashes, current_id: str) -> bool:
    for field in encrypted:
        raw = row[f"raw_{field.attname}"]
        if raw and crypto.written_with(raw) != current_id:
            return True
    for field in hashes:
        source = next(f for f in encrypted if f.name == field.source)
        wanted = crypto.keyed_hash(row[source.attname] or "", purpose=source.purpose)
        if row[field.attname] != wanted:
            return True
    return False


def rotate_model(model, encrypted, hashes, *, batch: int = 500) -> int:
    current_id = crypto.key_id(crypto.current_key())
    manager = model._base_manager
    raw = {f"raw_{f.attname}": Cast(F(f.attname), TextField()) for f in encrypted}
    names = ["pk", *(f.attname for f in encrypted), *(f.attname for f in hashes), *raw]
    rewritten, last = 0, None
    while True:
        rows = manager.order_by("pk").annotate(**raw)
        if last is not None:
            rows = rows.filter(pk__gt=last)
        page = list(rows.values(*names)[:batch])
        if not page:
            return rewritten
        with transaction.atomic():
            for row in page:
                if not _stale(row, encrypted, hashes, current_id):
                    continue
                values = {f.attname: row[f.attname] for f in encrypted}
                for field in hashes:
                    source = next(f for f in encrypted if f.name == field.source)
                    values[field.attname] = crypto.keyed_hash(
                        row[source.attname] or "", purpose=source.purpose
                    )
                manager.filter(pk=row["pk"]).update(**values)
                rewritten += 1
        last = page[-1]["pk"]


def rotate_all(*, batch: int = 500) -> dict[str, int]:
    """Rewrite every stale row of every model with encrypted fields: {model label: rows}."""
    return {
        model._meta.label: rotate_model(model, encrypted, hashes, batch=batch)
        for model, encrypted, hashes in encrypted_models()
    }
