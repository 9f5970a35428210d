from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "fangxin.alerts"
    verbose_name = "预警"

    def ready(self):
        from . import nav  # noqa: F401  (registers the workbench menu entries)
