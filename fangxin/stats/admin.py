from django.contrib import admin

from fangxin.core.admin_audit import ReadOnlyAdminMixin

from .models import CoordinationMechanism, Rollup


@admin.register(Rollup)
class RollupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: counters change only with the records they count (or `fangxin stats rebuild`)."""

    list_display = ("source", "period", "region", "sector", "department", "level", "bucket", "measure", "value")
    list_filter = ("source", "measure", "region")


@admin.register(CoordinationMechanism)
class CoordinationMechanismAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: recorded on the workbench page, which checks who may record which county."""

    list_display = ("region", "established_on", "document_no", "recorded_by")
