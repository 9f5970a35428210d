"""Model fields whose value is sealed at rest (fangxin.core.crypto): code reads and writes plain text, the
database holds only `fx1.<key id>.<ciphertext>` tokens.

Sealing uses a random nonce, so equal values give different tokens: a sealed column cannot be filtered, ordered or
searched in SQL. Lookups other than `isnull` and exact raise at once (instead of silently matching nothing); an exact
lookup `field=value` is answered by the `BlindIndexField` whose source is that field (e.g. the complainant's phone). `.update()` and `bulk_create` seal too
(get_db_prep_save); `bulk_update` and `.update()` do not recompute a blind index — set it yourself there.
"""

import json

from django.core.exceptions import FieldError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, IsNull

from . import crypto


class SealedExact(Exact):
    """`field=""` compares the column ("" is stored as ""); `field=value` compares the model's blind index of that
    field instead (a BlindIndexField whose source is this field). A sealed field without one cannot be compared."""

    def get_prep_lookup(self):
        if self.rhs == "" or self.rhs is None:
            return self.rhs
        index = _index_of(self.lhs)
        if index is None or not isinstance(self.rhs, str):
            raise FieldError("加密字段不能按值精确查询：该字段没有盲索引。")
        self.lhs = Col(self.lhs.alias, index)
        return index.lookup_value(self.rhs)


def _index_of(col) -> "BlindIndexField | None":
    target = getattr(col, "target", None)
    if target is None or getattr(col, "alias", None) is None:
        return None
    for field in target.model._meta.concrete_fields:
        if isinstance(field, BlindIndexField) and field.source == target.name:
            return field
    return None


class SealedMixin:
    """Seal on the way in, unseal on the way out; the column is text whatever the plaintext length."""

    def db_type(self, connection):
        return connection.data_types["TextField"]

    def cast_db_type(self, connection):
        return self.db_type(connection)

    def get_internal_type(self):
        return "TextField"

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return SealedExact
        raise FieldError(f"加密字段 {self.name} 不能用于 {lookup_name} 查询、排序或检索：请改用盲索引或在解密后处理。")

    def get_transform(self, lookup_name):
        return None

    def plain_to_text(self, value) -> str:
        return "" if value is None else str(value)

    def text_to_plain(self, text: str):
        return text

    def get_prep_value(self, value):
        if value is None:
            return None
        return crypto.seal(self.plain_to_text(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.text_to_plain(crypto.unseal(value))


class SealedCharField(SealedMixin, models.CharField):
    """A CharField sealed at rest; max_length limits the plain text (forms, validation), not the column."""


class SealedTextField(SealedMixin, models.TextField):
    pass


class SealedJSONField(SealedMixin, models.TextField):
    """A JSON value sealed at rest (e.g. an issued document's text, which names the complainant)."""

    def plain_to_text(self, value) -> str:
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)

    def text_to_plain(self, text: str):
        return json.loads(text) if text else None

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def value_to_string(self, obj):
        return self.plain_to_text(self.value_from_object(obj))

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


class BlindIndexField(models.CharField):
    """HMAC of another field's plain value (crypto.blind_index), recomputed on every save and bulk_create, so
    `filter(<name>=crypto.blind_index(value, purpose))` finds exact matches without storing the value."""

    def __init__(self, *args, source: str = "", purpose: str = "", **kwargs):
        self.source, self.purpose = source, purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.blind_index(getattr(model_instance, self.source) or "", self.purpose)
        setattr(model_instance, self.attname, value)
        return value

    def lookup_value(self, plain: str) -> str:
        return crypto.blind_index(plain, self.purpose)
