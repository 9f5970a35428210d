from django.contrib import admin

from fangxin.core.admin_audit import ReadOnlyAdminMixin

from .models import Article, Survey


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: articles are written and reviewed on the workbench, which masks, keeps the timeline and audits."""

    list_display = ("title", "kind", "status", "department", "region", "author_name", "published_at")
    list_filter = ("kind", "status", "department")
    search_fields = ("title", "author_name")


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: surveys are defined and published on the workbench."""

    list_display = ("title", "sector", "region", "opens_on", "closes_on", "is_published")
    list_filter = ("sector", "is_published")
    search_fields = ("title",)
