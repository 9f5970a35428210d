from django.contrib import admin

from fangxin.core.admin_audit import ReadOnlyAdminMixin

from .models import Assignment, EvaluationScheme, Task


@admin.register(Task)
class TaskAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: tasks are assigned and moved in the workbench, which keeps the timeline and the audit chain."""

    list_display = ("title", "due_on", "created_by", "created_at")
    search_fields = ("title",)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("task", "region", "department", "status", "percent", "submitted_on", "done_on")
    list_filter = ("status", "region", "department")


@admin.register(EvaluationScheme)
class EvaluationSchemeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the office sets weights on the evaluation page (weights sum to 100, locked once published)."""

    list_display = ("year", "status", "version", "updated_by", "published_at")
