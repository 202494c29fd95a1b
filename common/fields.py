"""Model fields for personal data at rest: an encrypted text field and its keyed-hash twin.

``EncryptedCharField(purpose=..., hash_field=...)`` validates and shows like a CharField
(``max_length`` is the plaintext's), stores ``common.crypto.encrypt``'s token in a text
column, and decrypts on load. Its ``hash_field`` (a ``KeyedHashField(source=...)``) always
holds the value's keyed hash under the current key (derived whenever it is read, so it can
never disagree with the value), so uniqueness is a database constraint on the hash column
and ``filter(id_number=...)`` still finds a row: the only lookups the encrypted field
supports are ``exact`` (through the hash column; "" compares with the empty column) and
``isnull``. ``QuerySet.update(id_number=...)`` would not refresh the hash: save instead.
"""

from __future__ import annotations

from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, IsNull
from django.db.models.query_utils import DeferredAttribute

from common import crypto


class _DerivedHash(DeferredAttribute):
    """The keyed hash of the source field's current value; what is assigned is ignored
    (the column's stored value, a default)."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        source = instance._meta.get_field(self.field.source)
        value = getattr(instance, source.attname)
        return crypto.keyed_hash(value or "", purpose=source.purpose)

    def __set__(self, instance, value):
        # Kept only so that Django does not take the field for a deferred one.
        instance.__dict__[self.field.attname] = value


class EncryptedCharField(models.CharField):
    def __init__(self, *args, purpose: str = "", hash_field: str = "", **kwargs):
        if not purpose:
            raise TypeError("EncryptedCharField needs a purpose (e.g. 'app.model.field').")
        self.purpose = purpose
        self.hash_field = hash_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"  # the ciphertext is longer than the plaintext's max_length

    def db_check(self, connection):
        return None  # CharField's length check would apply to the ciphertext

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value, purpose=self.purpose)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or crypto.is_encrypted(value):
            return value
        return crypto.encrypt(str(value), purpose=self.purpose)

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EncryptedExact
        if lookup_name == "isnull":
            return IsNull
        return None  # no LIKE, no ordering by a ciphertext: refuse loudly

    def get_transform(self, lookup_name):
        return None


class EncryptedExact(Exact):
    """``field = value`` as ``hash_field IN (hash under each key)``; "" as the empty column."""

    prepare_rhs = False

    def as_sql(self, compiler, connection):
        field = self.lhs.output_field
        value = self.rhs
        if value in ("", None) or not isinstance(self.lhs, Col) or not field.hash_field:
            if value in ("", None):
                lhs_sql, params = compiler.compile(self.lhs)
                return f"{lhs_sql} = %s", [*params, ""]
            raise ValueError(f"{field.name} is encrypted: it can only be found by equality.")
        hash_column = Col(self.lhs.alias, field.model._meta.get_field(field.hash_field))
        lhs_sql, params = compiler.compile(hash_column)
        hashes = crypto.keyed_hashes(str(value), purpose=field.purpose)
        placeholders = ", ".join(["%s"] * len(hashes))
        return f"{lhs_sql} IN ({placeholders})", [*params, *hashes]


class KeyedHashField(models.CharField):
    """The keyed hash (HMAC) of the encrypted field ``source``. Errors of a unique
    constraint on it are reported on that field (``reports_errors_as``)."""

    descriptor_class = _DerivedHash

    def __init__(self, *args, source: str = "", **kwargs):
        if not source:
            raise TypeError("KeyedHashField needs the name of its encrypted source field.")
        self.source = source
        self.reports_errors_as = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs
