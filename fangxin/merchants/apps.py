from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "fangxin.merchants"
    verbose_name = "市场主体"
