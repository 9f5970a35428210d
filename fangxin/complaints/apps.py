from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "fangxin.complaints"
    verbose_name = "投诉举报"

    def ready(self):
        from . import nav  # noqa: F401  (registers the workbench menu entries)
