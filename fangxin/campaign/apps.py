from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "fangxin.campaign"
    verbose_name = "放心消费创建"

    def ready(self):
        from . import nav  # noqa: F401 - workbench menu entries
