from django.contrib import admin

from .admin_audit import AuditedModelAdmin, ReadOnlyAdminMixin
from .models import AuditRecord, CalendarYear, WorkdayOverride


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the chain is written by services alone."""

    list_display = ("seq", "at", "actor_name", "actor_role", "action", "object_repr", "client_ip")
    list_filter = ("actor_role",)
    search_fields = ("actor_name", "action", "object_type", "object_id", "object_repr")


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(AuditedModelAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedModelAdmin):
    list_display = ("year", "note")
