from django.contrib import admin

from fangxin.core.admin_audit import AuditedModelAdmin, ReadOnlyAdminMixin

from .models import BadgeReport, Enrollment, EnrollmentEvent


class EnrollmentEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = EnrollmentEvent
    extra = 0
    readonly_fields = ("at", "action", "from_status", "to_status", "reason", "actor_name")


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only here: status changes go through the workbench so they get a reason and a timeline entry."""

    list_display = ("serial", "entity", "status", "signed_at", "badge_revision")
    list_filter = ("status", "entity__region")
    search_fields = ("serial", "entity__name", "entity__uscc")
    inlines = [EnrollmentEventInline]


@admin.register(BadgeReport)
class BadgeReportAdmin(AuditedModelAdmin):
    list_display = ("created_at", "verdict", "where_seen", "status")
    list_filter = ("verdict", "status")
    readonly_fields = ("token", "verdict", "enrollment", "where_seen", "description", "contact_phone")
