from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "fangxin.stats"
    verbose_name = "统计分析"

    def ready(self):
        from . import (
            nav,  # noqa: F401 - workbench menu entries
            receivers,  # noqa: F401 - rollups follow the audit log
        )
