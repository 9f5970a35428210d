from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "fangxin.content"
    verbose_name = "门户内容"

    def ready(self):
        from . import nav  # noqa: F401  (registers the workbench menu entries)
