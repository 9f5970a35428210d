from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "fangxin.content"
    verbose_name = "门户内容"
