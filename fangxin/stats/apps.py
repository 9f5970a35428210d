from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "fangxin.stats"
    verbose_name = "统计分析"
