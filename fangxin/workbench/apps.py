from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "fangxin.workbench"
    verbose_name = "工作台"

    def ready(self):
        from . import nav  # noqa: F401 - registers the foundation's menu entries
