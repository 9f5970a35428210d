from django.contrib import admin

from fangxin.core.admin_audit import AuditedModelAdmin

from .models import MarketEntity


@admin.register(MarketEntity)
class MarketEntityAdmin(AuditedModelAdmin):
    list_display = ("name", "uscc", "region", "sector", "operating_status")
    list_filter = ("region", "sector", "operating_status")
    search_fields = ("name", "uscc", "address")
