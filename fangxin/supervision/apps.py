from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "fangxin.supervision"
    verbose_name = "督导评价"

    def ready(self):
        from . import nav  # noqa: F401  (registers the workbench menu entries)
