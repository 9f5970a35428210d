from django.contrib import admin

from fangxin.core.admin_audit import ReadOnlyAdminMixin

from .models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: jobs are requested on /workbench/reports/ and run by the worker; the file stays with its owner."""

    list_display = ("kind", "period", "format", "status", "progress", "requested_by", "created_at", "finished_at")
    list_filter = ("kind", "status", "format")
    search_fields = ("period", "requested_by__username")
