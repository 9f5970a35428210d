"""Admin edits are state changes too: every save and delete in the admin writes an audit record."""

from django.contrib import admin

from . import audit
from .actors import Actor


def editable_field_names(model) -> list[str]:
    return [f.name for f in model._meta.get_fields()
            if getattr(f, "editable", False) and (f.concrete or f.many_to_many) and not f.auto_created
            and f.name not in {"password", "created_at", "updated_at", "last_login"}]


class AuditedModelAdmin(admin.ModelAdmin):
    """ModelAdmin whose saves and deletes are audited inside the admin's own transaction."""


    def save_model(self, request, obj, form, change):
        before = audit.snapshot(self.model.objects.get(pk=obj.pk), self._audited_fields()) if change else {}
        super().save_model(request, obj, form, change)
        request._fangxin_audit = (obj, before, change)

    def save_related(self, request, form, formsets, change):
        """Runs after many-to-many fields are saved, so the record shows them too."""
        super().save_related(request, form, formsets, change)
        obj, before, change = request._fangxin_audit
        changes = audit.diff(before, audit.snapshot(obj, self._audited_fields()))
        if changes or not change:
            audit.record(actor=Actor.from_request(request), obj=obj, changes=changes,
                         action=f"{obj._meta.label_lower}.{'update' if change else 'create'}")

    def delete_model(self, request, obj):
        before = audit.snapshot(obj, self._audited_fields())
        audit.record(actor=Actor.from_request(request), obj=obj, changes=audit.diff(before, {}),
                     action=f"{obj._meta.label_lower}.delete")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def _audited_fields(self) -> list[str]:
        return editable_field_names(self.model)


class ReadOnlyAdminMixin:
    """For records written only by services (the audit chain, enrollments): the admin may look, not touch."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
