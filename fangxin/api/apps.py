from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fangxin.api"
    verbose_name = "接口"
