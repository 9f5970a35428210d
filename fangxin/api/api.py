"""The HTTP API at /api/v1: one NinjaAPI, a router per app, structured errors, offline docs."""

from csp.decorators import csp_update

from fangxin.accounts.api import router as accounts_router
from fangxin.campaign.api import router as campaign_router
from fangxin.core.api import router as core_router
from fangxin.merchants.api import router as merchants_router
from fangxin.organisation.api import router as organisation_router

from . import errors
from .openapi import FangxinAPI
from .renderers import ReadableJSONRenderer

# Swagger UI (served from ninja's own static files, never a CDN) sets inline styles.
docs_csp = csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["data:"]})

api = FangxinAPI(
    title="放心消费创建 API",
    version="1",
    description="放心消费创建平台接口。浏览器使用登录会话（写操作需 CSRF 令牌）；系统对接使用部门 API 令牌："
                "`Authorization: Bearer fx_…`。错误统一为 `{\"error\": {\"code\", \"message\", \"details\"}}`。",
    urls_namespace="api",
    docs_decorator=docs_csp,
    renderer=ReadableJSONRenderer(),
)
errors.install(api)
api.add_router("/", core_router)
api.add_router("/", accounts_router)
api.add_router("/reference", organisation_router)
api.add_router("/", merchants_router)
api.add_router("/", campaign_router)
api.add_router("/", "fangxin.triage.api.router")
api.add_router("/", "fangxin.complaints.api.router")
api.add_router("/", "fangxin.campaign.titles.api.router")
api.add_router("/", "fangxin.credit.api.router")
api.add_router("/", "fangxin.credit.api_rules.router")
api.add_router("/", "fangxin.inspections.api.router")
api.add_router("/", "fangxin.alerts.api.router")
api.add_router("/", "fangxin.stats.api.router")
api.add_router("/", "fangxin.content.api.router")
api.add_router("/", "fangxin.supervision.api.router")
api.add_router("/", "fangxin.opendata.api.router")
