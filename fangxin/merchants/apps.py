from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "fangxin.merchants"
    verbose_name = "市场主体"

    def ready(self):
        from . import nav  # noqa: F401 - workbench menu entries
