"""Read-only admin views: every change of inspectors, plans, draws and results goes through services.py (audit,
state machine, the draw's integrity), so the admin only shows. The server secret is never displayed here."""

from django.contrib import admin

from fangxin.core.admin_audit import ReadOnlyAdminMixin

from .models import Draw, Inspection, Inspector, InspectorConflict, Plan


@admin.register(Inspector)
class InspectorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "department", "active")
    list_filter = ("department", "active")
    search_fields = ("code", "name")


@admin.register(InspectorConflict)
class InspectorConflictAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("inspector", "entity", "reason", "declared_at", "withdrawn_at")
    search_fields = ("inspector__code", "inspector__name", "entity__name", "entity__uscc")


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "lead_department", "status", "team_size", "created_at")
    list_filter = ("status", "lead_department")
    search_fields = ("name",)


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("plan", "population_size", "population_sha256", "frozen_at", "entropy_at", "drawn_at")
    exclude = ("server_secret", "record", "population", "entities", "inspectors", "exclusions")


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("plan", "entity", "stratum", "outcome", "inspected_on", "publish_due", "published_at")
    list_filter = ("outcome", "plan")
    search_fields = ("entity__name", "entity__uscc")
