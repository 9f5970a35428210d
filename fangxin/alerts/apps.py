from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "fangxin.alerts"
    verbose_name = "预警"
