from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "fangxin.stats"
    verbose_name = "统计分析"

    def ready(self):
        from fangxin.core import audit

        from . import nav  # noqa: F401 - workbench menu entries
        from .receivers import rollups_from_audit

        audit.observe(rollups_from_audit)  # rollups follow the audit log, in the change's own transaction
