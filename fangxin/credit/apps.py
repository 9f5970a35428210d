from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "fangxin.credit"
    verbose_name = "信用监管"
