from django import forms
from django.contrib import admin

from fangxin.core.admin_audit import AuditedModelAdmin
from fangxin.core.exceptions import ValidationFailed

from .choices import CommitmentStatus
from .models import Commitment, Department, Dimension, Region, Sector, SpecificCommitment
from .services import region_check_parent, region_paths_rebuild


class RegionAdminForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ("code", "name", "level", "parent")

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        candidate = Region(pk=self.instance.pk, code=self.instance.code, parent=parent)
        try:
            region_check_parent(candidate)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None
        return parent


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    form = RegionAdminForm
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("path",)

    def save_model(self, request, obj, form, change):
        obj.path = obj.compute_path()
        super().save_model(request, obj, form, change)
        region_paths_rebuild()  # descendants' paths follow a moved region


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "note", "is_active")
    search_fields = ("code", "name")


@admin.register(Sector)
class SectorAdmin(AuditedModelAdmin):
    list_display = ("seq", "code", "name", "leads")
    filter_horizontal = ("lead_departments", "cooperating_departments")

    @admin.display(description="牵头单位")
    def leads(self, obj):
        return "、".join(d.name for d in obj.lead_departments.all())


@admin.register(Dimension)
class DimensionAdmin(AuditedModelAdmin):
    list_display = ("seq", "code", "name", "summary")


@admin.register(Commitment)
class CommitmentAdmin(AuditedModelAdmin):
    list_display = ("version", "title", "status", "published_at")
    readonly_fields = ("version", "status", "published_at")
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != CommitmentStatus.DRAFT:
            return ("version", "title", "body", "status", "published_at")  # published text is immutable
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            latest = Commitment.objects.order_by("-version").first()
            obj.version = latest.version + 1 if latest else 1
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == CommitmentStatus.DRAFT

    @admin.action(description="发布所选草稿（原版本停用）")
    def publish(self, request, queryset):
        from fangxin.core.actors import Actor
        from fangxin.core.exceptions import FangxinError

        from .services import commitment_publish

        for commitment in queryset:
            try:
                commitment_publish(actor=Actor.from_request(request), commitment=commitment)
                self.message_user(request, f"已发布：{commitment}")
            except FangxinError as exc:
                self.message_user(request, f"{commitment}：{exc.message}", level="error")


@admin.register(SpecificCommitment)
class SpecificCommitmentAdmin(AuditedModelAdmin):
    list_display = ("seq", "code", "name", "dimension", "is_active")
