from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "fangxin.campaign"
    verbose_name = "放心消费创建"

    def ready(self):
        from fangxin.core import audit, cache
        from fangxin.merchants import search

        from . import nav  # noqa: F401 - workbench menu entries
        from .selectors import filter_enrolled
        from .titles import nav_merchant, nav_review, nav_staff  # noqa: F401 - registered with the app, not the URLconf

        search.register_filter("enrolled", filter_enrolled)
        audit.observe(cache.bump_from_audit)  # public page versions follow the audit log (fangxin/core/cache.py)
