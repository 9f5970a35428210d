from django.contrib import admin

from fangxin.core.admin_audit import ReadOnlyAdminMixin

from .models import AlertSettings, PrepaidScheme, Warning


@admin.register(Warning)
class WarningAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: warnings are raised by the scan and move only through the workbench, which keeps the timeline."""

    list_display = ("subject_label", "kind", "severity", "region", "department", "detected_on", "status")
    list_filter = ("kind", "severity", "status", "region")
    search_fields = ("subject_label", "subject_key")


@admin.register(PrepaidScheme)
class PrepaidSchemeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: merchants declare in the workbench; every declaration is audited there."""

    list_display = ("entity", "issues_cards", "outstanding_balance", "custody", "declared_at")
    list_filter = ("custody", "issues_cards")
    search_fields = ("entity__name", "entity__uscc")


@admin.register(AlertSettings)
class AlertSettingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the office edits the thresholds on the workbench page, which validates and audits them."""

    list_display = ("__str__", "window_days", "baseline_days", "p_threshold", "mass_threshold", "updated_by")
