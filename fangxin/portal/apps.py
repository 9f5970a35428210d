from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "fangxin.portal"
    verbose_name = "公众门户"
