from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "fangxin.triage"
    verbose_name = "投诉分诊"

    def ready(self):
        from . import nav  # noqa: F401 - workbench menu entry
