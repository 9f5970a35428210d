from django.contrib import admin

from fangxin.core.admin_audit import AuditedModelAdmin

from .models import ListEntry


@admin.register(ListEntry)
class ListEntryAdmin(AuditedModelAdmin):
    list_display = ("entity", "kind", "reason", "authority", "document_number", "entered_on", "exited_on")
    list_filter = ("kind",)
    raw_id_fields = ("entity",)
    search_fields = ("entity__name", "entity__uscc", "document_number")
