from django.contrib import admin
from django.urls import include, path

from fangxin.api.api import api
from fangxin.core import health

admin.site.site_header = "放心消费创建 管理后台"
admin.site.site_title = "放心消费创建"
admin.site.index_title = "参考数据与账号管理"

urlpatterns = [
    path("", include("fangxin.portal.urls")),
    path("", include("fangxin.campaign.urls")),
    path("", include("fangxin.complaints.urls")),
    path("", include("fangxin.credit.urls")),
    path("", include("fangxin.inspections.urls")),
    path("", include("fangxin.alerts.urls")),
    path("", include("fangxin.stats.urls")),
    path("", include("fangxin.content.urls")),
    path("", include("fangxin.supervision.urls")),
    path("", include("fangxin.opendata.urls")),
    path("accounts/", include("fangxin.accounts.urls")),
    path("workbench/registry/import/", include("fangxin.merchants.urls_import")),
    path("workbench/registry/", include("fangxin.merchants.urls")),
    path("workbench/triage/", include("fangxin.triage.urls")),
    path("workbench/", include("fangxin.workbench.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("hello", health.hello, name="hello"),
]

handler400 = "fangxin.portal.errors.bad_request"
handler403 = "fangxin.portal.errors.forbidden"
handler404 = "fangxin.portal.errors.not_found"
handler500 = "fangxin.portal.errors.server_error"
