from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "fangxin.opendata"
    verbose_name = "开放数据与报告"

    def ready(self):
        from . import nav  # noqa: F401 - workbench menu entries
