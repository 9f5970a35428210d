from django.contrib import admin

from fangxin.core.admin_audit import AuditedModelAdmin

from .models import JointRule, ListEntry, RepairRequest


@admin.register(ListEntry)
class ListEntryAdmin(AuditedModelAdmin):
    list_display = ("entity", "kind", "reason", "authority", "document_number", "entered_on", "exited_on")
    list_filter = ("kind",)
    raw_id_fields = ("entity",)
    search_fields = ("entity__name", "entity__uscc", "document_number")


class ReadOnlyAdmin(AuditedModelAdmin):
    """Changed only through the services (validation, audit, notifications); the admin shows them for support."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JointRule)
class JointRuleAdmin(ReadOnlyAdmin):

    list_display = ("position", "name", "condition_kind", "condition_value", "active")
    list_filter = ("active", "condition_kind")


@admin.register(RepairRequest)
class RepairRequestAdmin(ReadOnlyAdmin):
    list_display = ("pk", "entity", "target_kind", "status", "created_at", "decided_at")
    list_filter = ("status", "target_kind")
    raw_id_fields = ("entity", "event", "list_entry", "submitted_by", "decided_by", "repair_event")
    search_fields = ("entity__name", "entity__uscc")
