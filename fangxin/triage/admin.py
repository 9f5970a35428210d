from django.contrib import admin

from fangxin.core.admin_audit import ReadOnlyAdminMixin

from .models import TriageCorrection, TriageModelVersion


@admin.register(TriageCorrection)
class TriageCorrectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written by services.triage_correction_record only."""

    list_display = ("created_at", "source_ref", "predicted_sector", "sector", "created_by_name")
    list_filter = ("sector",)
    search_fields = ("source_ref", "text")


@admin.register(TriageModelVersion)
class TriageModelVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("version", "trained_at", "active", "n_train", "n_corrections")
