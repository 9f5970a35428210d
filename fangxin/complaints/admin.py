from django.contrib import admin

from fangxin.core.admin_audit import AuditedModelAdmin, ReadOnlyAdminMixin

from .models import Complaint, RuleReason, RuleSet, ServiceStation


class RuleReasonInline(admin.TabularInline):
    model = RuleReason
    extra = 0


@admin.register(RuleSet)
class RuleSetAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "in_force_from", "in_force_until", "mediation_days", "mediation_unit")
    inlines = [RuleReasonInline]


@admin.register(ServiceStation)
class ServiceStationAdmin(AuditedModelAdmin):
    list_display = ("name", "region", "town", "host", "contact_phone", "is_active")
    list_filter = ("region", "is_active")
    search_fields = ("name", "town", "host")


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: complaints change only through the workbench services, which keep the timeline."""

    list_display = ("tracking_no", "business_name", "region", "status", "received_on")
    list_filter = ("status", "region", "channel")
    search_fields = ("tracking_no", "business_name")
    # personal data is read only through the audited personal view (services.complaint_personal_view)
    exclude = ("complainant_name", "complainant_phone", "complainant_phone_index", "complainant_email",
               "complainant_address", "complainant_id_number", "description", "demand")
