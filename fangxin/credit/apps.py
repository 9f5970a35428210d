from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "fangxin.credit"
    verbose_name = "信用监管"

    def ready(self):
        from . import nav_lists, nav_rules  # noqa: F401 - workbench menu entries
