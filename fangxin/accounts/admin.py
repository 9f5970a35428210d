from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from fangxin.core.actors import Actor
from fangxin.core.admin_audit import AuditedModelAdmin
from fangxin.core.exceptions import FangxinError

from .models import ApiToken, MerchantBinding, User
from .services import api_token_create, api_token_revoke


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "region", "department", "is_active")
    list_filter = ("role", "is_active", "region")
    search_fields = ("username", "full_name", "phone")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("身份与范围", {"fields": ("full_name", "role", "region", "department", "phone", "email", "is_unit_head")}),
        ("状态", {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2", "full_name", "role", "region",
                                                 "department")}),
    )
    readonly_fields = ("last_login", "date_joined")


@admin.register(MerchantBinding)
class MerchantBindingAdmin(AuditedModelAdmin):
    list_display = ("user", "entity", "status", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("user", "entity", "decided_by")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Created through the service so the plain token is shown once and only its hash is stored."""

    list_display = ("name", "key_id", "department", "region", "created_at", "last_used_at", "revoked_at")
    list_filter = ("department",)
    fields = ("name", "department", "region", "key_id", "created_by", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_id", "created_by", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None  # a token is never edited: revoke it and create another

    def has_delete_permission(self, request, obj=None):
        return False  # revoked tokens stay, so the audit log can name them

    def save_model(self, request, obj, form, change):
        token, plain = api_token_create(actor=Actor.from_request(request), name=obj.name,
                                        department=obj.department, region=obj.region)
        obj.pk, obj.key_id = token.pk, token.key_id
        messages.warning(request, f"新令牌（只显示这一次，请立即复制保存）：{plain}")

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        for token in queryset:
            try:
                api_token_revoke(actor=Actor.from_request(request), token=token)
                self.message_user(request, f"已吊销：{token}")
            except FangxinError as exc:
                self.message_user(request, f"{token}：{exc.message}", level=messages.ERROR)
