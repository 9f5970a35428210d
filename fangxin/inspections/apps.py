from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "fangxin.inspections"
    verbose_name = "双随机一公开"

    def ready(self):
        from . import nav  # noqa: F401 - registers the workbench menu entries
